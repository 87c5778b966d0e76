"""The checked model to a layout problem: the phase between `check` and `solve`.

The solver works on plain numbers (factoryspec.layout.problem); this module is
the only place that knows both sides. Exact Fractions become floats in SI
units here; the solver rounds them once to integers (mm, W, micro-USD).

Where halls stand: on the model's site plan (`Hall.origin`, model/derive.py),
from the spec's `position`s where given, else side by side and one after
another. The report states the rule.
"""

from __future__ import annotations

import hashlib
from fractions import Fraction

from .. import __version__
from ..lang import units as u
from .problem import Cabling, Cluster, FabricSpec, Hall, LayoutProblem, Medium
from ..model.types import Factory
from ..pipeline import Checked


def spec_hash(checked: Checked, variables: dict[str, str] | None = None) -> str:
    """SHA-256 identifying what a layout was compiled from, the same wherever
    factoryspec runs and wherever it is installed. It covers, in this order:

    - the factoryspec version (`factoryspec.__version__`): the same spec may
      compile differently under another release;
    - the entry spec's name (see below);
    - every loaded file, the entry and each import, sorted by name: its name,
      then its text (UTF-8, as parsed: a leading BOM dropped). A catalog file
      is named by its module (`catalog.nvidia`), any other file by its path
      relative to the project root (the entry's directory or `--root`), with
      `/` separators (`Program.project_name`);
    - the `--var` overrides, sorted by name, as `--var NAME=VALUE`.

    Not covered: the working directory, absolute paths, the install location,
    the seed and solver options (layout.json records those itself).
    """
    program = checked.program
    h = hashlib.sha256()
    h.update(f"factoryspec {__version__}\0".encode())
    h.update(f"entry {program.project_name(program.entry)}\0".encode())
    named = {program.project_name(path): text for path, text in checked.sources.items()}
    for name in sorted(named):
        h.update(name.encode() + b"\0" + named[name].encode() + b"\0")
    for k in sorted(variables or {}):
        h.update(f"--var {k}={variables[k]}\0".encode())
    return h.hexdigest()


def _f(q) -> float:
    return float(q.value if isinstance(q, u.Quantity) else q)


def _hall(hall, origin) -> Hall:
    reserved = {(r.row, s) for r in hall.reserved for s in range(r.start, r.end + 1)}
    usable = lambda units: sum((_f(x.usable) for x in units), 0.0) if units else None  # noqa: E731
    return Hall(
        id=hall.qualname, span=hall.name_span or hall.span, rows=hall.rows, slots_per_row=hall.slots_per_row,
        busway_w_per_feed=_f(hall.busway), slot_width_m=_f(hall.slot_width), row_pitch_m=_f(hall.row_pitch),
        cross_aisles=hall.cross_aisles, reserved=reserved, network_slots_per_row_end=hall.net_per_row,
        busway_limit=float(hall.busway_limit), feeds=hall.feeds,
        cdu_capacity_w_usable=usable(hall.cdus), air_capacity_w_usable=usable(hall.air),
        floor_rating_kg_m2=_f(hall.floor_rating), origin_xy_m=origin)


def _fabric(fabric) -> FabricSpec:
    if fabric.shared:
        # named by its qualname (`s.storage`): a fabric's name has no dot, so it never meets
        # one of its owner's own fabrics; its owner is its first member
        owner = fabric.joined[0]
        ports = {"id": _fabric_id(fabric), "ports_per_rack": fabric.ports_of(owner), "members": _members(fabric)}
    else:
        ports = {"id": _fabric_id(fabric), "ports_per_rack": fabric.ports_per_rack, **_ports(fabric)}
    return FabricSpec(
        plan=fabric.sized,
        switch=fabric.switch.name, switches_per_rack=fabric.switch.per_rack,
        switch_power_w=_f(fabric.switch.power), power_per_end_w=_f(fabric.power_per_end),
        module_slack_w=_module_slack(fabric), link_speed_bps=_f(fabric.link_speed),
        media=[m.qualname for m in fabric.usable_media],
        span=fabric.name_span or fabric.span, media_span=fabric.spans.get("media"),
        switch_units=fabric.switch.rack_units, switch_ports=fabric.switch.ports, split=fabric.split,
        switch_port_names=fabric.switch.port_names,
        host_port_names=fabric.cluster.system.port_names if fabric.role == "compute" and not fabric.shared else None,
        host_prefix={"storage": "s", "management": "m"}.get(fabric.role, "p"), **ports)


def _members(fabric) -> tuple:
    """A shared fabric's members for the layout: (cluster, racks, ports per rack, node
    endpoints of a rail of a copy: -1 when every slot holds a node, its appliances'
    ports on the fabric as (rail, first, count) in its own positions)."""
    out = []
    for c in fabric.joined:
        nodes, apps = (-1, ()) if c.full else _member_ports(fabric, c)
        out.append((c.qualname, c.racks, fabric.ports_of(c), nodes, apps))
    return tuple(out)


def _laid_out(fabric) -> bool:
    """Whether a shared fabric goes into the layout: sized, with every member in it."""
    return fabric.sized is not None and fabric.complete


def _ports(fabric) -> dict:
    """Which endpoint positions hold a port (FabricSpec): the nodes' first, then
    each appliance's on its rails, at its first node slot. Nothing for a
    cluster whose every slot holds a node (every position is a port)."""
    c = fabric.cluster
    if c.full:
        return {}
    nodes, apps = _member_ports(fabric, c)
    return {"node_endpoints": nodes, "appliance_ports": apps}


def _member_ports(fabric, c) -> tuple[int, tuple]:
    """Cluster c's ports on one rail of one copy of `fabric`, by position in c's
    racks: the nodes' first node_endpoints, then each appliance's (rail, first,
    count) at its first node slot."""
    p = fabric.sized
    q = fabric.ports_of(c) // (p.planes * p.rails)
    per_slot = q // c.system.slots                   # on one rail of one copy
    apps = tuple((r - 1, a.position(i, per_slot), a.per_rail())
                 for a in fabric.member_appliances(c) for i in range(a.count) for r in a.rail_list())
    return c.node_count * per_slot, apps


def _module_slack(fabric) -> float:
    """The most that rounding a network rack's modules up can add to its optics
    over the per-cable budget: a module's unused share, once per medium."""
    return sum((_f(m.power_per_end) * (m.cables_per_transceiver - 1) / m.cables_per_transceiver
                for m in fabric.usable_media), 0.0)


def _cluster(cluster) -> Cluster:
    system = cluster.system
    return Cluster(
        id=cluster.qualname, span=cluster.name_span or cluster.span, racks=cluster.racks, system=system.name,
        # one figure per rack for the layout: the fullest (heaviest) rack's, so no rack exceeds it
        rack_power_w=_f(cluster.rack_power), rack_weight_kg=_f(cluster.rack_weight),
        optics_w=sum((fab.ports_of(cluster) * _f(fab.host_power_per_end)
                      for fab in cluster.fabrics + cluster.joins if fab.sized), 0.0),
        footprint_m2=_f(system.footprint.area) if system.footprint else 0.72,
        liquid_fraction=float(system.liquid_fraction), scalable_unit=cluster.scalable_unit,
        nvlink_racks=system.nvlink_racks, allowed_halls=[h.qualname for h in cluster.halls],
        fabrics=[_fabric(f) for f in cluster.fabrics if f.sized is not None]
        + [_fabric(f) for f in cluster.joins if f.joined[0] is cluster and _laid_out(f)],
        unit_span=cluster.at("scalable_unit") if cluster.is_set("scalable_unit") else cluster.at("system"),
        system_span=cluster.at("system"),
        # a whole-rack system's cluster with appliance racks records its system racks as nodes
        nodes=cluster.node_count if cluster.counts_nodes or cluster.appliances else None,
        nodes_per_rack=system.slots,
        tail_power_w=_tail(cluster),
        appliances=[(a.name, a.appliance.name, a.count, a.main_rails(), a.first_slot, a.own_racks, _links(a))
                    for a in cluster.appliances])


def _links(a) -> tuple:
    """A block's ports on each fabric, as laid out: (fabric id, its attribute, rails, ports a rail)."""
    return tuple((_fabric_id(p.fabric), p.attr, p.rail_list(), p.per_rail()) for p in a.links if p.valid)


def _fabric_id(fabric) -> str:
    """The fabric's id in the layout (FabricSpec.id): a shared one's qualname, else its name."""
    return fabric.qualname if fabric.shared else fabric.name or fabric.qualname


def _tail(cluster) -> list[float]:
    """The last racks' own power where any holds less than the fullest (else none)."""
    full = _f(cluster.rack_power)
    tail = [_f(q) for q in cluster.tail_powers()]
    return tail if any(w != full for w in tail) else []


def _medium(m) -> Medium:
    return Medium(id=m.qualname, reach_m=_f(m.reach), cost_fixed=_f(m.cost), cost_per_m=_f(m.cost_per_m),
                  min_length_m=_f(m.min_length), power_per_end_w=_f(m.power_per_end),
                  speed_bps=_f(m.speed) if m.speed is not None else 0.0,
                  cables_per_transceiver=m.cables_per_transceiver, host_power_per_end_w=_f(m.host_power),
                  form_factor=m.form_factor, optical=bool(m.optical), span=m.name_span or m.span, part=m.part,
                  module_part=m.module_part, host_module_part=m.host_module_part)


def _cabling(factory: Factory) -> Cabling:
    c = factory.cabling
    if c is None:
        return Cabling()
    return Cabling(tray_height_m=_f(c.tray_height), rack_height_m=_f(c.rack_height), slack_m=_f(c.slack),
                   length_bin_m=_f(c.length_bin), in_row_rise_m=_f(c.in_row_rise),
                   in_row_slack_m=_f(c.in_row_slack), in_row_max_m=_f(c.in_row_max), span=c.span)


def _solve_settings(checked: Checked) -> tuple[str, object, float | None]:
    """(objective, span, time limit in seconds) from a `solve` block, if any."""
    resolved = checked.resolved
    for ent in resolved.entities("solve") if resolved else ():
        objective = resolved.resolver.attr(ent, "objective") or "cost"
        limit = resolved.resolver.attr(ent, "time_limit")
        seconds = float(limit.value) if isinstance(limit, u.Quantity) else None
        return objective, ent.attr_span("objective"), seconds
    return "cost", None, None


def build_problem(checked: Checked, seed: int = 0, variables: dict[str, str] | None = None) -> LayoutProblem:
    factory = checked.model
    halls = [_hall(h, (_f(h.origin[0]), _f(h.origin[1]))) for h in factory.halls
             if h.complete and h.origin is not None]
    clusters = [_cluster(c) for c in factory.clusters if c.complete]
    used = {mid for c in clusters for f in c.fabrics for mid in f.media}
    media = [_medium(m) for m in factory.media if m.qualname in used or not used]
    objective, span, _ = _solve_settings(checked)
    return LayoutProblem(halls=halls, clusters=clusters, media=media, cabling=_cabling(factory),
                         objective=objective, seed=seed, spec_hash=spec_hash(checked, variables), span=span,
                         gap_target=_gap_target(checked))


def _gap_target(checked: Checked) -> float:
    resolved = checked.resolved
    for ent in resolved.entities("solve") if resolved else ():
        gap = resolved.resolver.attr(ent, "gap")
        if isinstance(gap, Fraction):
            return float(gap)
        if isinstance(gap, u.Quantity):
            return float(gap.value)
    return 0.01


def time_limit_from_spec(checked: Checked) -> float | None:
    return _solve_settings(checked)[2]


def time_limit_span(checked: Checked):
    """Where the spec writes `solve { time_limit }` (None: it does not; the limit is
    the CLI's or the default)."""
    resolved = checked.resolved
    for ent in resolved.entities("solve") if resolved else ():
        return ent.attr_span("time_limit") if resolved.resolver.attr(ent, "time_limit") is not None else None
    return None


