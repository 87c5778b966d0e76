"""What stands in each rack, at which U: the equipment the DCIM exports place.

Every switch in its network rack (layout/ports.py stacks them); in a compute
rack its system: a whole-rack system (an NVL72) is one node filling the rack,
a node system's `nodes_per_rack` nodes stand bottom up in even slots; and the
appliances in their node slots (or, beside a whole-rack system, stacked in
racks of their own). Names are the cutsheets' device names (`<rack>/n<slot>`
for a node), an appliance `<cluster>/<block>-<k>`.
"""

from __future__ import annotations

from collections import defaultdict

import attrs

from ..layout.ports import switch_devices
from ..model.types import MAX_APPLIANCES

# 48U: the height of the racks NVL72-class systems ship in, and 48 x 44.45 mm
# of rails fits the 2.3 m rack the cabling model assumes; every network rack of
# the catalog (8 x 4U switches) and a 42U appliance rack fit. A rack whose
# contents need more gets a taller type, so nothing stands above its top.
RACK_UNITS = 48


@attrs.frozen
class Equipment:
    group: str        # nodes | network | misc (appliances), as RacksDB groups them
    name: str
    type: str
    u: int            # lowest U, 1-based
    height: int
    tags: tuple = ()


def contents(problem, layout, model) -> dict[str, list[Equipment]]:
    """rack id -> its equipment, bottom up."""
    out = defaultdict(list)
    for d in switch_devices(problem, layout):
        out[d.rack].append(Equipment("network", d.name, d.model, d.u, d.height_u, (d.fabric, d.tier)))
    clusters = {c.qualname: c for c in model.clusters}
    heights = slot_heights(model)
    for c in problem.clusters:
        for r, e in _compute(clusters[c.id], heights):
            out[f"{c.id}/c{r + 1}"].append(e)
    return {rid: sorted(es, key=lambda e: e.u) for rid, es in out.items()}


def slot_heights(model) -> dict[str, int]:
    """Us of one node slot per node system: an even share of the rack, or more
    where an appliance needs it (so it never reaches into the next slot)."""
    out = {}
    for c in model.clusters:
        n = c.system.nodes_per_rack
        if n is None:
            continue
        need = [-(-a.appliance.rack_units // max(a.appliance.node_slots, 1)) for a in c.appliances]
        out[c.system.name] = max(out.get(c.system.name, 1), RACK_UNITS // n, *need)
    return out


def _compute(c, heights) -> list[tuple[int, Equipment]]:
    """(rack index in the cluster, equipment) of a model cluster: its nodes in
    node-slot order, then its appliances (model.types.Fitted.slot_of)."""
    whole = c.system.nodes_per_rack is None
    n, h = c.system.slots, heights.get(c.system.name, RACK_UNITS)
    out = []
    for j in range(c.node_count):
        r, k = divmod(j, n)
        name = f"{c.qualname}/c{r + 1}" if whole else f"{c.qualname}/c{r + 1}/n{k + 1}"
        out.append((r, Equipment("nodes", name, c.system.name, 1 + k * h, h, (c.qualname,))))
    for a in c.appliances:
        if not a.slots:
            continue          # stands nowhere (checks/nodes.py says why)
        units = a.appliance.rack_units
        for i in range(min(a.count, MAX_APPLIANCES)):
            if whole:         # stacked in racks of its own
                r, u = a.slot_of(i), 1 + (i % a.in_one_rack()) * units
            else:
                r, k = divmod(a.slot_of(i), n)
                u = 1 + k * h
            out.append((r, Equipment("misc", f"{c.qualname}/{a.name}-{i + 1}", a.appliance.name, u, units,
                                     (c.qualname,))))
    return out
