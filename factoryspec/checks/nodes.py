"""Nodes and appliances: how a node system's cluster counts its racks, and where
its appliances' ports go.

* `cluster-nodes`: a cluster writes both `racks` and `nodes` (neither is the
  resolver's `missing-attribute`, said here); counts
  `nodes` of a whole-rack system (one without `nodes_per_rack`); writes a
  `scalable_unit` of node slots that is not whole racks; has appliances that
  take more slots than the `racks` it writes; or a fabric whose ports per rack
  do not split evenly over the rack's nodes. (The model leaves such a cluster
  out, model/build.py; this rule reports why.)
* `appliance-fabric`: an `appliances` block names a fabric the cluster neither
  has nor joins (or the cluster has no fabric).
* `appliance-rails`: its `rails` name a rail the fabric does not have, or one
  twice; its ports do not split evenly over the rails named; more ports a rail
  than the node slots it takes have positions there (a 1-slot appliance of a
  DGX H100 rack has one position a rail: at most as many ports as rails named);
  or the fabric has planes (appliance ports are placed on one plane's rails). In
  a whole-rack system's racks of their own, `per_rack` appliances share a rack's
  positions on each rail.
* `appliance-slots`: appliances in the cluster of a whole-rack system (it has no
  node slots) without `own_racks`, or more than MAX_APPLIANCES in one block.
"""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, error
from ..model import Factory
from ..model.types import MAX_APPLIANCES

CODES = ("cluster-nodes", "appliance-fabric", "appliance-rails", "appliance-slots")


def check(f: Factory) -> Iterator[Diagnostic]:
    yield from f.faults
    for c in f.clusters:
        n = c.system.nodes_per_rack
        if n is not None and not c.full:      # a slot without a node: ports are placed by node slot
            for fab in c.fabrics + c.joins:
                yield from _per_node(c, fab, n)
        for a in c.appliances:
            yield from _appliance(c, a)


def _per_node(c, fab, n: int) -> Iterator[Diagnostic]:
    """With empty slots or appliances, a rack's ports must be whole per node, and a
    node's must split over the rails and planes (each slot has positions on every rail)."""
    split, ports = fab.rails * fab.planes, fab.ports_of(c)
    if ports % n:
        yield error("cluster-nodes", f"fabric {fab.qualname}: {ports} ports per rack do not split "
                    f"evenly over the {n} nodes of a {c.system.qualname} rack", fab.at("ports_per_rack"),
                    f"a multiple of {n}, the same ports on every node")
    elif split > 0 and (ports // n) % split:
        yield error("cluster-nodes", f"fabric {fab.qualname}: a node's {ports // n} ports do not "
                    f"split evenly over {fab.planes} plane(s) x {fab.rails} rails", fab.at("rails"),
                    "with empty slots or appliances every node slot has the same positions on every rail: "
                    f"ports_per_rack a multiple of {n * split}, or count full racks with `racks`")


def _appliance(c, a) -> Iterator[Diagnostic]:
    name = f"appliances {a.qualname}"
    if c.system.nodes_per_rack is None and not a.own_racks:
        yield error("appliance-slots", f"{name}: {c.system.qualname} is a whole-rack system, so cluster "
                    f"{c.qualname} has no node slots for appliances", a.at(),
                    "write `own_racks = true`: they then stand in racks of their own after the cluster's")
        return
    if a.count > MAX_APPLIANCES:
        yield error("appliance-slots", f"{name}: {a.count:,} appliances in one block is absurd (at most "
                    f"{MAX_APPLIANCES:,})", a.at("count"))
        return
    app = a.appliance
    if not app.all_ports:
        yield error("appliance-fabric", f"{name}: {app.qualname} has no ports (`ports`, `storage_ports` and "
                    "`management_ports` are all 0), so nothing cables it", app.at() or a.at("appliance"),
                    "give the appliance the ports it has")
        return
    if app.ports == 0 and a.is_set("fabric"):
        yield error("appliance-fabric", f"{name}: `fabric` names where {app.qualname}'s `ports` go, and it has "
                    "none (its storage and management ports go to the cluster's fabric of that role)",
                    a.at("fabric"), "leave out `fabric`, or give the appliance `ports`")
        return
    for attr in a.clashes:
        yield error("appliance-fabric", f"{name}: {app.qualname}'s `ports` and `{attr}` would both be "
                    f"endpoints of fabric {a.fabric.qualname} (role {a.fabric.role}) at the same positions",
                    a.at("fabric") if a.is_set("fabric") else a.at("appliance"),
                    f"write its ports on that fabric once: in `ports` or in `{attr}`")
    for p in a.links:
        yield from _link(c, a, p, name if p.attr == "ports" else f"{name} ({p.attr})")


def _link(c, a, p, name: str) -> Iterator[Diagnostic]:
    fab = p.fabric
    if fab is None:
        have = ", ".join(x.name for x in c.fabrics + c.joins if x.name) or "none"
        what = f"no fabric `{a.fabric_name}`" if a.fabric_name is not None else "no fabric"
        yield error("appliance-fabric", f"{name}: cluster {c.qualname} has {what} (its fabrics: {have})",
                    a.at("fabric"), "name one of the cluster's fabrics, or a site fabric it joins, in `fabric`")
        return
    yield from _rails(p, fab, name)


def _rails(a, fab, name: str) -> Iterator[Diagnostic]:
    """The checks of one block's ports on one fabric (a: FabricPorts; spans are the block's,
    `rails` only where they are its `ports`')."""
    rails, ports, block = a.rail_list(), a.ports, a.fitted
    if fab.planes != 1:
        yield error("appliance-rails", f"{name}: fabric {fab.qualname} has {fab.planes} planes; appliance ports "
                    "are placed on the rails of a single-plane fabric", _at(a, "fabric"),
                    "cable the appliance to a fabric with `planes = 1`")
        return
    bad = [r for r in rails if not 1 <= r <= fab.rails]
    if bad:
        yield error("appliance-rails", f"{name}: rail {bad[0]} does not exist: fabric {fab.qualname} has "
                    f"{fab.rails} rail{'s' if fab.rails != 1 else ''} (1..{fab.rails})", _at(a, "rails"),
                    f"name rails 1..{fab.rails}")
        return
    if len(set(rails)) != len(rails):
        yield error("appliance-rails", f"{name}: `{a.rails_attr}` names a rail twice ({list(rails)})", _at(a, "rails"),
                    "name each rail once")
        return
    slot_ports = a.rail_capacity()
    if slot_ports < 1 and not a.whole_racks:
        # a node slot has no position on a rail: its ports split over more rails than it has
        # (cluster-nodes says so for the nodes); nothing to divide the appliance's ports by
        yield error("appliance-rails", f"{name}: fabric {fab.qualname} has no position a rail in a node slot "
                    f"({fab.ports_of(a.cluster)} ports a rack over {fab.rails} rails and {a.cluster.system.slots} slots), "
                    f"so {a.appliance.qualname}'s ports have nowhere to go", _at(a, "fabric"),
                    "give the fabric fewer rails, or more ports a rack")
    elif ports % len(rails):
        yield error("appliance-rails", f"{name}: {ports} ports of {a.appliance.qualname} do not split evenly "
                    f"over the {len(rails)} rails named", _at(a, "rails"),
                    "name rails that divide its ports: the same number of ports on each")
    elif a.whole_racks and ports // len(rails) > slot_ports:
        room = a.slot_positions()
        yield error("appliance-rails", f"{name}: {block.fullest_rack()} x {a.appliance.qualname} a rack need "
                    f"{block.fullest_rack() * (ports // len(rails))} positions on each of the {len(rails)} rails named; "
                    f"a rack of fabric {fab.qualname} has {room}", _at(a, "per_rack" if block.is_set("per_rack") else "appliance"),
                    f"set `per_rack = {max(room // max(ports // len(rails), 1), 1)}` or fewer, or name more rails"
                    if room >= ports // len(rails) else "name more rails, so that each takes fewer ports")
    elif ports // len(rails) > slot_ports:
        yield error("appliance-rails", f"{name}: {a.appliance.qualname} has {ports} ports, more than the "
                    f"{len(rails)} rail{'s' if len(rails) != 1 else ''} named x {slot_ports} position"
                    f"{'s' if slot_ports != 1 else ''} a rail in its {a.appliance.node_slots} node slot"
                    f"{'s' if a.appliance.node_slots != 1 else ''} ({len(rails) * slot_ports})",
                    _at(a, "rails"), _more_rails(a, fab, -(-ports // slot_ports), slot_ports))


def _more_rails(a, fab, need: int, slot_ports: int) -> str:
    if need <= fab.rails:
        return (f"name {need} rails or more, e.g. `{a.rails_attr} = "
                f"[{', '.join(str(i) for i in range(1, need + 1))}]`")
    return (f"fabric {fab.qualname} has {fab.rails} rail{'s' if fab.rails != 1 else ''}: at most "
            f"{fab.rails * slot_ports} ports an appliance; give it more `node_slots`, or the fabric more "
            "ports a rack")


def _at(a, attr: str):
    """Where to report on a block's ports on a fabric: at `attr` of the block (its
    `rails` for `ports`, `storage_rails` for storage ports, ...; `per_rack` for
    any), at its `appliance` for what a block does not write for its role ports
    (`fabric`)."""
    if attr == "rails":
        attr = a.rails_attr if a.fitted.is_set(a.rails_attr) else "appliance"
    elif attr == "fabric" and a.attr != "ports":
        attr = "appliance"
    return a.fitted.at(attr)
