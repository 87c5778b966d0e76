"""The solved layout back onto the model: what each hall holds as built.

Before solving, the model's hall loads are estimates (model/derive.py: racks
spread evenly, switches and optics shared in proportion). After a solve,
`apply` replaces them with figures counted from the layout itself, and every
check's measures (factoryspec.checks) are then taken over those: report.md,
layout.json's `totals.headroom`, the compile summary and the floor plans all
read the one list that `headroom` returns, so they agree to the last digit.

Counted from the layout, exactly (Fractions from the spec's own figures, not
the layout's rounded numbers):

* per hall: compute racks per cluster, network racks and switches per fabric;
* cable ends: every cable puts one end in each of the two racks it joins, in
  the hall of that rack; optics are modules (layout/problem.modules): one per
  end in a compute rack at the medium's `host_power_per_end`, and in a network
  rack ceil(its ends of a medium / `cables_per_transceiver`) at `power_per_end`;
* rack power: the system (or the rack's switches) plus its cable ends; a row's
  busway load is the sum over its racks (with feeds = 2 each busway must carry
  it alone, so the figure is per busway);
* liquid heat: each compute rack's system power x its liquid fraction; air:
  the rest of the hall's IT power (racks' remainder, switches, optics);
* the longest cable of each fabric in each hall it touches.

The building, site, utility and plant figures follow from the halls' loads as
they do before solving, so nothing else is recounted.
"""

from __future__ import annotations

from fractions import Fraction

from .. import checks
from ..checks._base import Measure
from .problem import modules
from .result import Layout
from ..model.types import Factory, HallLoad
from ..lang.units import LENGTH, POWER, Quantity


def apply(model: Factory, layout: Layout) -> None:
    """Make `model` describe `layout`: hall loads and cluster placements as built."""
    halls = {h.qualname: h for h in model.halls}
    clusters = {c.qualname: c for c in model.clusters}
    fabrics = {(c.qualname, fab.name or fab.qualname): fab for c in model.clusters for fab in c.fabrics}
    # a shared fabric's racks and links carry its owner (first member) and its qualname
    fabrics.update({(fab.joined[0].qualname, fab.qualname): fab for fab in model.shared_fabrics if fab.joined})
    media = {m.qualname: m for m in model.media}
    for h in model.halls:
        h.load = HallLoad(rows={}, longest={}, row_racks={})
    where = {}                                       # rack id -> (hall, row)
    power: dict[str, Fraction] = {}                  # rack id -> W without optics
    for p in layout.placements:
        h, c = halls[p.hall], clusters[p.cluster]
        where[p.id] = (h, p.row)
        if p.kind == "compute":
            h.load.compute[c] = h.load.compute.get(c, 0) + 1
            in_row = h.load.row_racks.setdefault(p.row, {})
            in_row[c] = in_row.get(c, 0) + 1
            power[p.id] = c.rack_power_of(_rack_index(p.id)).value     # what this rack holds
        else:
            fab = fabrics[(p.cluster, p.fabric)]
            h.load.network[fab] = h.load.network.get(fab, 0) + 1
            h.load.switches[fab] = h.load.switches.get(fab, 0) + (p.switches or 0)
            power[p.id] = fab.switch.power.value * (p.switches or 0)
    for fab in fabrics.values():
        fab.built_optics = Quantity(Fraction(0), POWER)
        fab.built_transceivers = 0
    network = {p.id for p in layout.placements if p.kind == "network"}
    for (rack, cl, fb, mid), n in modules(layout.links, network, media).items():
        m, fab, h = media[mid], fabrics[(cl, fb)], where[rack][0]
        w = n * (m.power_per_end.value if rack in network else m.host_power.value)
        fab.built_optics = Quantity(fab.built_optics.value + w, POWER)
        fab.built_transceivers += n if m.optical else 0      # copper: the cable's own plugs
        power[rack] += w
        h.load.optics = Quantity(h.load.optics.value + w, POWER)
    for ln in layout.links:
        fab = fabrics[(ln.cluster, ln.fabric)]
        length = Fraction(ln.length_m).limit_denominator(1000)       # stored to the mm
        for rack in (ln.a, ln.b):
            h = where[rack][0]
            h.load.optics_ends += ln.count
            if length > h.load.longest.get(fab, Quantity(Fraction(0), LENGTH)).value:
                h.load.longest[fab] = Quantity(length, LENGTH)
    for rack, (h, row) in where.items():
        h.load.rows[row] = Quantity(h.load.rows.get(row, Quantity(Fraction(0), POWER)).value + power[rack], POWER)
    for h in model.halls:
        _totals(h)
    for c in model.clusters:
        c.placement = {h: k for h in model.halls if (k := h.load.compute.get(c, 0))}
        c.unplaced = c.racks - sum(c.placement.values())


def _rack_index(rack_id: str) -> int:
    """0-based index of compute rack `CLUSTER/cN` in its cluster."""
    return int(rack_id.rsplit("/c", 1)[1]) - 1


def _totals(h) -> None:
    load = h.load
    it = sum((q.value for q in load.rows.values()), Fraction(0))
    liquid = sum((c.share_liquid(k) for c, k in load.compute.items()), Fraction(0))
    load.it_power = Quantity(it, POWER)
    load.liquid = Quantity(liquid, POWER)
    load.air = Quantity(it - liquid, POWER)


def headroom(model: Factory) -> list[Measure]:
    """Every check's measures over the model (as built, once `apply` ran)."""
    return list(checks.measures(model))
