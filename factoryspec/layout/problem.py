"""A layout problem in plain numbers, decoupled from the spec model.

The adapter (model -> problem) fills these frozen classes; the solver, the
verifier and the JSON writer read only them. Every object carries the `span`
of the spec text it comes from (or None), so a diagnostic can point at it.

Units and exactness. Fields are floats in metres, watts, kilograms and USD as
their names say. Before any arithmetic the solver and the verifier round them
once to integers: lengths to whole millimetres, powers to whole watts, costs
to micro-USD. Every sum after that is exact integer arithmetic, so totals do
not depend on summation order and two runs give identical bytes.

Geometry (the cable-tray model, shared by solver and verifier; each implements
it independently):

* A hall's rows run along x; row r (1-based) lies at y = (r - 1) * row_pitch.
  Slot s (1-based) is centred at x = floor((2s - 1) * slot_width / 2) mm, plus
  the width of every cross-aisle before it. `cross_aisles` = c cut each row
  into c + 1 parts: cross-aisles lie after slots floor(k * slots_per_row /
  (c + 1)), k = 1..c (repeats and cuts at a row end dropped), each centred in
  its own width. A row is slots_per_row * slot_width + (cross-aisles) *
  cross_aisle_width long.
* Reserved slots stay empty. The last `network_slots_per_row_end` slots of each
  row are kept for network racks; network racks may also use free compute
  slots, compute racks never use network slots.
* Trays run above each row, along the end aisles (x = 0 and x = row length)
  and through every cross-aisle. The horizontal run between two racks of one
  hall is along their row if they share it; otherwise along the first row to a
  crossing (row end or cross-aisle), across the rows, and back along the
  second row: |x1 - X| + |y1 - y2| + |x2 - X| for the best crossing X.
* A hall's cable entry is at the network end of row 1 (x = row length, y = 0;
  site position origin_xy_m + (row length, 0)). A link between halls runs from
  the rack along its row and the end aisle to the entry, (row length - x) + y,
  then |dx| + |dy| between the two entries (the distance between the hall
  origins when the halls' rows are equally long), then to the other rack.
* Tray route. Every link between two racks adds, at each end, the vertical
  run from the port to the tray (worst case, a port at the bottom of the rack:
  rack_height + tray_height) and `slack`: length = horizontal + 2 *
  (rack_height + tray_height) + 2 * slack.
* Short links skip the tray. Two racks of one row segment (same hall, same
  row, no cross-aisle between them) whose centres are at most `in_row_max`
  apart are cabled across the rack tops: length = |x1 - x2| + 2 *
  (in_row_rise + in_row_slack), or the tray route if that is shorter. Two
  switches in one rack: rack_height + 2 * in_row_slack (through the rack).
  in_row_max = 0 sends every link between racks to the tray. Defaults: rise
  and slack 0.5 m, max 3 m, so neighbouring racks 0.6 m apart take 2.6 m
  and racks 3 m apart 5 m: the reach of copper (DAC 2-3 m, ACC 5 m).
* Lengths are rounded UP to a whole multiple of `length_bin`.
* A link takes the cheapest medium of its fabric whose reach covers its length
  (ties: the one listed first). A medium is bought at least `min_length_m`
  long: cost = cost_fixed + cost_per_m * max(length, min_length). No medium
  reaches: the layout is infeasible.

Power and cooling: a row busway carries at most `busway_w_per_feed *
busway_limit`. With feeds = 2 every rack takes an A and a B feed and either
busway must carry the whole row alone (2N), so the limit is the same per row.
Liquid heat (rack power x liquid fraction) goes to the hall's CDUs, the rest
and all switch heat to air. A system whose weight / footprint exceeds a hall's
floor rating cannot stand in that hall.

Optics: every cable end sits in a transceiver module (or is an active cable
end) in the rack it plugs into, as heat to air. In a compute rack each end
takes one module of its medium's `host_power_per_end_w`; in a network rack
one module of `power_per_end_w` serves `cables_per_transceiver` ends of that
medium, so the rack holds ceil(ends / cables_per_transceiver) of them
(`modules`). Only an optical medium's modules are transceivers (counted in
`transceivers` and the BOM); a copper cable's ends are its own plugs, with
their power (an active cable's) counted alike. A link's medium follows from its length, known only once racks
stand, so while placing the solver holds each compute rack's `optics_w` and
each switch's cabled ports x its fabric's `power_per_end_w` (the highest
share of a module per cable among its media), plus `module_slack_w` per
network rack for the modules rounded up, free on the busway and air side. The
layout then records each rack's power as its system (or switches) plus the
modules of its actual links, in milliwatts, which never exceeds what was held.

Speed: a fabric uses only the media at least as fast as its `link_speed_bps`
(a medium's `speed_bps` 0 is unspecified and matches any; a fabric's 0 takes
every medium).

Fabric wiring (which port goes to which switch) is fixed by the fabric plan,
see `wiring.py`; the layout decides where racks stand and which switches share
a network rack.
"""

from __future__ import annotations

from typing import Iterable

import attrs

from ..diagnostics import Span
from ..fabric import FabricPlan

__all__ = ["Hall", "Cluster", "FabricSpec", "Medium", "Cabling", "LayoutProblem", "OBJECTIVES"]

OBJECTIVES = ("cost", "length", "cost_then_headroom")


def _tuple(x: Iterable) -> tuple:
    return tuple(x)


def _pairs(x: Iterable) -> frozenset:
    return frozenset((int(r), int(s)) for r, s in x)


@attrs.frozen(kw_only=True)
class Hall:
    """A data hall: `rows` rows of `slots_per_row` rack positions."""

    id: str
    rows: int
    slots_per_row: int
    busway_w_per_feed: float
    span: Span | None = None
    slot_width_m: float = 0.6
    row_pitch_m: float = 4.2
    cross_aisles: int = 0
    cross_aisle_width_m: float = 1.2
    reserved: frozenset = attrs.field(default=frozenset(), converter=_pairs)  # {(row, slot)}, 1-based
    network_slots_per_row_end: int = 0
    busway_limit: float = 0.8
    feeds: int = 1
    cdu_capacity_w_usable: float | None = None     # None: not constrained
    air_capacity_w_usable: float | None = None
    floor_rating_kg_m2: float | None = None
    origin_xy_m: tuple = (0.0, 0.0)


@attrs.frozen(kw_only=True)
class FabricSpec:
    """One sized fabric of a cluster. `plan.rails` gives the rails and
    `plan.planes` the planes; each compute rack has `ports_per_rack` port
    positions on it, split evenly over the planes and, in each, over the rails.

    Which positions hold a port (the rest, empty node slots and rails an
    appliance skips, have no cable): on every rail of every copy the first
    `node_endpoints` endpoints (-1: all of them), and the appliance ports,
    (rail, first endpoint, count) with the rail 0-based of `plan.rails`,
    alike in every plane. Endpoint e of a rail is in node slot e // (q / n) of
    the cluster, q its ports per rack on the rail and n its nodes per rack."""

    id: str
    plan: FabricPlan
    ports_per_rack: int
    switch: str
    switches_per_rack: int = 8
    switch_power_w: float = 0.0
    power_per_end_w: float = 0.0       # optics budget per switch port while placing (the media's highest)
    module_slack_w: float = 0.0        # budget per network rack for its modules rounded up
    link_speed_bps: float = 0.0        # what its media must carry; 0: any
    media: tuple = attrs.field(default=(), converter=_tuple)   # allowed media ids; () = all
    rack_weight_kg: float = 0.0
    rack_footprint_m2: float = 0.72
    span: Span | None = None
    media_span: Span | None = None     # where its `media` are written (else None)
    node_endpoints: int = -1           # per rail of each copy: the nodes' endpoints 0..n-1; -1: all
    appliance_ports: tuple = attrs.field(default=(), converter=_tuple)   # ((rail, first, count), ...)
    # A fabric shared by several clusters (at site level in the spec): its members in order,
    # ((cluster id, racks, ports_per_rack, node_endpoints, appliance_ports), ...), each
    # member's ports as a cluster's own fabric gives them (positions in its own racks), the
    # first its owner, which lists it among its fabrics (and whose id its network racks and
    # links carry). () for a cluster's own fabric, whose appliance_ports are above.
    members: tuple = attrs.field(default=(), converter=_tuple)
    # How cables end at ports (layout/ports.py): the switch's height and physical ports, each
    # run as `split` ports, their naming pattern; the hosts' naming pattern per node (None:
    # `host_prefix` 1..N)
    switch_units: int = 1
    switch_ports: int = 0              # physical ports of one switch; 0: the plan's radix
    split: int = 1
    switch_port_names: str | None = None
    host_port_names: str | None = None
    host_prefix: str = "p"

    def ports_present(self, racks: int) -> int:
        """Endpoint cables that exist, over every copy (the plan's endpoint links)."""
        if self.members:
            return sum(self.plan.planes * _member_present(self.plan, m) for m in self.members)
        q = self.ports_per_rack // (self.plan.planes * self.plan.rails)
        per_rail = racks * q if self.node_endpoints < 0 else self.node_endpoints
        return self.plan.planes * (self.plan.rails * per_rail + sum(n for _, _, n in self.appliance_ports))

    @property
    def shared(self) -> bool:
        return bool(self.members)

    @property
    def rails(self) -> int:
        return self.plan.rails


@attrs.frozen(kw_only=True)
class Cluster:
    """`racks` compute racks of one system, kept in contiguous scalable units
    (and multi-rack NVLink domains) of consecutive slots in one row. A node
    system's cluster records its `nodes` and `appliances` ((block, appliance,
    count, rails of its `ports`, first node slot in the cluster, own_racks, and its
    ports on each fabric as (fabric id, attribute, rails, ports a rail)), for the output); `rack_power_w`, `optics_w` and
    `rack_weight_kg` are its fullest (heaviest) rack's, never below any rack's;
    `tail_power_w` gives the last racks' own power where they hold less (a
    partly filled last rack), so the layout's rack powers are exact."""

    id: str
    racks: int
    system: str
    rack_power_w: float                # the system alone, without optics
    span: Span | None = None
    optics_w: float = 0.0              # optics budget of a compute rack while placing (heat to air)
    rack_weight_kg: float = 0.0
    footprint_m2: float = 0.72
    liquid_fraction: float = 0.0
    scalable_unit: int = 1
    nvlink_racks: int = 1
    allowed_halls: tuple = attrs.field(default=(), converter=_tuple)   # () = every hall
    fabrics: tuple = attrs.field(default=(), converter=_tuple)
    # where the contiguous block's size is written (scalable_unit, else system) and where the
    # system is: the spans lint reports those checks at (checks/contiguity.py), so compile agrees
    unit_span: Span | None = None
    system_span: Span | None = None
    nodes: int | None = None           # a node system's nodes; None: whole racks
    tail_power_w: tuple = attrs.field(default=(), converter=_tuple)   # the last racks' own power, if below
    nodes_per_rack: int = 1
    appliances: tuple = attrs.field(default=(), converter=_tuple)


@attrs.frozen(kw_only=True)
class Medium:
    id: str
    reach_m: float
    cost_fixed: float
    cost_per_m: float
    min_length_m: float = 0.0
    power_per_end_w: float = 0.0       # one module (or active cable end) at a switch end
    speed_bps: float = 0.0             # per cable; 0: unspecified, matches any port
    cables_per_transceiver: int = 1    # cables one module serves at a switch end
    host_power_per_end_w: float | None = None   # one module per cable at a host end; None: power_per_end_w
    form_factor: str | None = None
    optical: bool = False              # its ends are transceiver modules (copper's are the cable's own plugs)
    span: Span | None = None
    part: str | None = None            # part numbers, for the cutsheet: the cable (fibre),
    module_part: str | None = None     # the module at a switch end,
    host_module_part: str | None = None   # at a host end (None: module_part)

    @property
    def host_w(self) -> float:
        return self.power_per_end_w if self.host_power_per_end_w is None else self.host_power_per_end_w

    def carries(self, speed_bps: float) -> bool:
        """Fast enough for a fabric of `speed_bps` (0 on either side: unspecified)."""
        return not self.speed_bps or not speed_bps or self.speed_bps >= speed_bps


@attrs.frozen(kw_only=True)
class Cabling:
    tray_height_m: float = 1.0
    rack_height_m: float = 2.3
    slack_m: float = 1.0
    length_bin_m: float = 1.0
    in_row_rise_m: float = 0.5
    in_row_slack_m: float = 0.5
    in_row_max_m: float = 3.0
    span: Span | None = None


@attrs.frozen(kw_only=True)
class LayoutProblem:
    halls: tuple = attrs.field(converter=_tuple)
    clusters: tuple = attrs.field(converter=_tuple)
    media: tuple = attrs.field(converter=_tuple)
    cabling: Cabling = Cabling()
    objective: str = "cost"
    seed: int = 0
    spec_hash: str = ""
    span: Span | None = None          # where the objective is set (the solve block)
    gap_target: float = 0.01          # `solve { gap }`: a proven gap at or below it ends the search

    def hall(self, hid: str) -> Hall:
        return {h.id: h for h in self.halls}[hid]

    def fabric_labels(self) -> dict:
        """How outputs name each fabric, (cluster id, fabric id) -> label: `cluster/fabric`
        for a cluster's own; for a shared one (listed by its owner) its id, the site-level
        qualname (`s.storage`), with its members."""
        return {(c.id, f.id): (f"{f.id} (shared by {', '.join(m[0] for m in f.members)})" if f.members
                               else f"{c.id}/{f.id}") for c in self.clusters for f in c.fabrics}

    def allowed(self, cluster: Cluster) -> tuple:
        """Ids of the halls a cluster may use, in hall order."""
        if not cluster.allowed_halls:
            return tuple(h.id for h in self.halls)
        wanted = set(cluster.allowed_halls)
        return tuple(h.id for h in self.halls if h.id in wanted)

    def validate(self) -> None:
        """Raise ValueError for a malformed problem (an adapter bug, not a spec error)."""
        problems = list(_malformed(self))
        if problems:
            raise ValueError("malformed layout problem: " + "; ".join(problems))


def modules(links, network: set, media: dict) -> dict:
    """Transceiver modules of a layout: (rack, cluster, fabric, medium) -> modules.
    A compute rack takes one per cable end; a network rack (`network`: the ids of
    network racks) ceil(ends / cables_per_transceiver) per medium (`media`: id ->
    Medium). In key order, so sums over it are deterministic."""
    ends: dict = {}
    for ln in links:
        for rack in (ln.a, ln.b):
            key = (rack, ln.cluster, ln.fabric, ln.medium)
            ends[key] = ends.get(key, 0) + ln.count
    out = {}
    for key in sorted(ends):
        m, n = media.get(key[3]), ends[key]
        per = m.cables_per_transceiver if m is not None and key[0] in network else 1
        out[key] = -(-n // max(per, 1))
    return out


def module_mw(m: "Medium", at_switch: bool) -> int:
    """Milliwatts of one module of medium m at a switch end, or at a host end."""
    return milliwatts(m.power_per_end_w if at_switch else m.host_w)


def mm(metres: float) -> int:
    """Metres to whole millimetres (the solver's and verifier's length unit)."""
    return int(round(metres * 1000))


def watts(w: float | None) -> int | None:
    return None if w is None else int(round(w))


def milliwatts(w: float) -> int:
    """Watts to whole milliwatts (rack power with its optics is exact at this
    unit for the catalog's per-end figures, which are tenths of a watt)."""
    return int(round(w * 1000))


def mw_to_w(mw: int) -> int | float:
    """Milliwatts as the watts layout.json records: an int when whole."""
    return mw // 1000 if mw % 1000 == 0 else mw / 1000


def micro_usd(usd: float) -> int:
    return int(round(usd * 1_000_000))


def block_size(cluster: Cluster) -> int:
    """Racks kept contiguous: the scalable unit, or the NVLink domain, or their lcm."""
    su, nv = max(cluster.scalable_unit, 1), max(cluster.nvlink_racks, 1)
    if su % nv == 0:
        return su
    if nv % su == 0:
        return nv
    from math import lcm
    return lcm(su, nv)


def rack_power_at(c: Cluster, i: int) -> float:
    """Compute rack i's (0-based) system power, W: rack_power_w, or its own in the tail."""
    t = len(c.tail_power_w) - (c.racks - i)
    return c.tail_power_w[t] if t >= 0 else c.rack_power_w


def _member_present(plan: FabricPlan, m: tuple) -> int:
    """Endpoints of every rail of one copy that hold a port, of shared-fabric member m."""
    _, racks, ports, nodes, apps = m
    q = ports // (plan.planes * plan.rails)
    return plan.rails * (racks * q if nodes < 0 else nodes) + sum(n for _, _, n in apps)


def _shared_malformed(p: "LayoutProblem", c: Cluster, f: FabricSpec):
    """A shared fabric's members must be clusters of the problem, its owner first, each
    once, with whole ports on every rail of every plane, adding up to the plan."""
    by_id = {x.id: x for x in p.clusters}
    ids = [m[0] for m in f.members]
    if ids[0] != c.id or len(set(ids)) != len(ids) or f.appliance_ports:
        yield f"fabric {c.id}/{f.id}: a shared fabric's owner must be its first member, each member once"
        return
    for cid, racks, ports, nodes, apps in f.members:
        m = by_id.get(cid)
        if m is None or m.racks != racks:
            yield f"fabric {c.id}/{f.id}: member {cid} is not a cluster of {racks} racks"
        elif ports < 1 or ports % (f.plan.rails * f.plan.planes) or nodes > racks * (
                ports // (f.plan.rails * f.plan.planes)):
            yield f"fabric {c.id}/{f.id}: member {cid}'s ports do not split over rails x planes"
        else:
            yield from _appliances_malformed(f"fabric {c.id}/{f.id} member {cid}", f.plan, racks,
                                             ports // (f.plan.rails * f.plan.planes), nodes, apps)
    if sum(m[1] * m[2] for m in f.members) != f.plan.endpoints:
        yield f"fabric {c.id}/{f.id}: plan has {f.plan.endpoints} endpoints, its members others"
    elif f.ports_present(0) != f.plan.endpoint_links:
        yield (f"fabric {c.id}/{f.id}: {f.ports_present(0)} ports exist, the plan cables "
               f"{f.plan.endpoint_links}")


def _appliances_malformed(name: str, plan: FabricPlan, racks: int, q: int, nodes: int, apps: tuple):
    """Appliance ports must be free endpoint positions of their rail (after the
    nodes', within the racks' racks x q), none twice."""
    n = racks * q
    if nodes > n:
        yield f"{name}: {nodes} node endpoints a rail, more than {n} positions"
        return
    taken: dict[int, list] = {}
    for rail, first, count in apps:
        if not (0 <= rail < plan.rails and count >= 1 and max(nodes, 0) <= first
                and first + count <= n) or nodes < 0:
            yield f"{name}: appliance ports ({rail}, {first}, {count}) are not free positions"
            return
        taken.setdefault(rail, []).append((first, first + count))
    for spans in taken.values():
        spans.sort()
        if any(a[1] > b[0] for a, b in zip(spans, spans[1:])):
            yield f"{name}: appliance ports overlap"
            return


def _ports_malformed(c: Cluster, f: FabricSpec):
    """The ports that exist must be endpoint positions of their rail, appliance
    ports after the nodes', none twice, and add up to the plan's endpoint links."""
    q = f.ports_per_rack // (f.plan.rails * f.plan.planes)
    found = list(_appliances_malformed(f"fabric {c.id}/{f.id}", f.plan, c.racks, q, f.node_endpoints,
                                       f.appliance_ports))
    if found:
        yield from found
        return
    if f.ports_present(c.racks) != f.plan.endpoint_links:
        yield (f"fabric {c.id}/{f.id}: {f.ports_present(c.racks)} ports exist, the plan cables "
               f"{f.plan.endpoint_links}")


def _malformed(p: LayoutProblem):
    if p.objective not in OBJECTIVES:
        yield f"objective must be one of {OBJECTIVES}, got {p.objective!r}"
    for kind, items in (("hall", p.halls), ("cluster", p.clusters), ("medium", p.media)):
        ids = [x.id for x in items]
        if len(set(ids)) != len(ids):
            yield f"duplicate {kind} ids"
    hall_ids = {h.id for h in p.halls}
    media_ids = {m.id for m in p.media}
    for h in p.halls:
        if h.rows < 1 or h.slots_per_row < 1:
            yield f"hall {h.id}: rows and slots_per_row must be at least 1"
        if h.slot_width_m <= 0 or h.row_pitch_m <= 0:
            yield f"hall {h.id}: slot_width and row_pitch must be positive"
        if h.feeds < 1 or h.cross_aisles < 0 or h.network_slots_per_row_end < 0:
            yield f"hall {h.id}: feeds >= 1, cross_aisles >= 0, network slots >= 0"
    for c in p.clusters:
        if c.racks < 0 or c.scalable_unit < 1 or c.nvlink_racks < 1:
            yield f"cluster {c.id}: racks >= 0, scalable_unit >= 1, nvlink_racks >= 1"
        if len(c.tail_power_w) > c.racks or any(not 0 <= w <= c.rack_power_w for w in c.tail_power_w):
            yield f"cluster {c.id}: tail_power_w must be at most racks entries within 0..rack_power_w"
        for hid in c.allowed_halls:
            if hid not in hall_ids:
                yield f"cluster {c.id}: unknown hall {hid!r}"
        fids = [f.id for f in c.fabrics]
        if len(set(fids)) != len(fids):
            yield f"cluster {c.id}: duplicate fabric ids"
        for f in c.fabrics:
            if f.members:
                yield from _shared_malformed(p, c, f)
            elif f.ports_per_rack < 1 or f.ports_per_rack % (f.plan.rails * f.plan.planes):
                yield f"fabric {c.id}/{f.id}: ports_per_rack must be a positive multiple of rails x planes"
            elif f.plan.endpoints != c.racks * f.ports_per_rack:
                yield (f"fabric {c.id}/{f.id}: plan has {f.plan.endpoints} endpoints, cluster has "
                       f"{c.racks} x {f.ports_per_rack}")
            else:
                yield from _ports_malformed(c, f)
            if f.switches_per_rack < 1:
                yield f"fabric {c.id}/{f.id}: switches_per_rack must be at least 1"
            for mid in f.media:
                if mid not in media_ids:
                    yield f"fabric {c.id}/{f.id}: unknown medium {mid!r}"
    for m in p.media:
        if m.reach_m <= 0:
            yield f"medium {m.id}: reach must be positive"
    cab = p.cabling
    if min(cab.tray_height_m, cab.rack_height_m, cab.slack_m, cab.in_row_rise_m, cab.in_row_slack_m,
           cab.in_row_max_m) < 0:
        yield "cabling: heights, slacks and in_row_max must not be negative"
    if p.cabling.length_bin_m <= 0:
        yield "cabling: length_bin must be positive"
    else:
        yield from _bins(p)


def _bins(p: "LayoutProblem"):
    """Per-bin tables must stay small (layout/costs.py MAX_BINS)."""
    from .costs import MAX_BINS
    bin_mm = max(mm(p.cabling.length_bin_m), 1)
    for m in p.media:
        if m.reach_m > 0 and mm(m.reach_m) // bin_mm > MAX_BINS:
            yield (f"medium {m.id}: reach {m.reach_m:g} m is more than {MAX_BINS:,} bins of "
                   f"{p.cabling.length_bin_m:g} m")
