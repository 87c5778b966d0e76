"""Derived figures of the model, estimated before solving.

Everything here is exact integer/Fraction arithmetic with no loop over racks,
ports or rows (only over halls, clusters, fabrics and reserved blocks), so it
stays fast for a multi-gigawatt campus and safe for absurd inputs.

Estimates, as an engineer makes them before a layout exists:

* Reserved slots. `reserved { row, slots }` blocks are clipped to the hall and
  merged per row (overlaps count once). The network slots of a row are its last
  `network_slots` positions; a reservation that falls there reduces them.
* Fabric sizing. `endpoints = racks x ports_per_rack` (ports_per_rack defaults
  to the system's compute ports; of a node system, nodes_per_rack x its ports
  per node): every node slot of every compute rack, filled or not, sized by `fabric.size_fabric` for the switch
  radix, the oversubscription (as whole numbers: 1.5:1 is 3:2), rails, planes,
  tiers, topology (endpoints per scalable unit = scalable_unit x ports_per_rack)
  and any fixed leaf/spine/core counts. The plan's endpoint links are the
  ports that exist (`Fabric.ports`): nodes x ports per slot plus the ports of
  the appliances on that fabric; empty slots of a partly filled last rack have
  none (the H100 SuperPOD: 127 nodes + UFM in 32 racks, 1,024 positions sized,
  1,020 cables).
* Nodes and appliances. A node system's cluster holds `nodes` nodes in node
  slots, then its appliances in block order; racks = ceil(slots /
  nodes_per_rack). Power, GPUs and cost are the sum of what the racks hold; a
  hall's share of them is in proportion to its racks; the per-rack figures the
  checks need (busway, contiguity, floor) are the fullest rack's.
* Placement (even fill by available slots). Clusters are taken in spec order.
  A hall "can take" `k` racks of a cluster when `k` fits its free compute
  positions and `k` plus the network racks that `k` brings (below) fit its
  free compute and network-only positions; `k` counts whole NVLink domains
  (`nvlink_racks`: a multi-rack domain stays in one hall).
  - A cluster that names its `halls` is spread over all of them, in
    proportion to what each can take (largest remainders first; ties to the
    larger hall, then to spec order): the spec asked for those halls.
  - A cluster that does not (it may use every hall of its site, or of the spec
    when it stands outside any site) takes the fewest halls in order of
    capacity (largest first, ties in spec order), and is spread evenly over
    those in the same way: a planner keeps a cluster together and does not
    leave a few racks in every hall.
  When the halls cannot take all the racks with their network racks, the
  remaining compute racks take the compute positions still free, spread the
  same way (the network racks that then find no position are reported by the
  hall-slots check). Racks that find no compute position at all are
  `Cluster.unplaced` (reported by the cluster-space check).
* Network racks. A fabric needs, per tier, ceil(switches of the tier /
  switch.per_rack) racks (one tier per rack, as the layout racks them). They
  are shared among halls in proportion to the cluster's racks each hall holds
  (no switch placement exists yet), whole racks by largest remainders, so the
  halls' network racks add up to the fabrics' exactly. They use the
  network-only slots first. (While a cluster's halls are chosen, the room a
  hall needs for them is taken as ceil(share), a little more than they get.)
* Shared fabrics. A fabric at site level that clusters join (`fabrics =
  [...]`) is sized once for the sum of its members' endpoints (each member's
  racks x its ports per rack: the fabric's `ports_per_rack` if written, else
  the member system's ports of the fabric's role). It has no scalable units
  of its own: a `rail_optimized` shared fabric is sized as one unit over all
  its members. Its network racks, switches and switch-side ends go with its
  owner, the first member in the order the clusters are written, and are
  shared among the owner's halls as above: compile racks them there too
  (layout/to_problem.py), so the plan's hall loads and slot checks see them
  where the layout will put them. Each member's host-side ends stand in its
  own racks.
* Optics. Every cable has two ends, each in a transceiver module (or an
  active cable end). A host end takes one module of `host_power_per_end`; at
  the switches one module of `power_per_end` serves `cables_per_transceiver`
  cables. Before solving the medium of a link is unknown, so each end is
  budgeted at the highest of its fabric's usable media (host: the module;
  switch: the module's share per cable); the layout then counts each link's
  own medium, modules per rack. Ends in
  compute racks (ports_per_rack per rack) are in that rack's hall; the ends on
  switch ports are shared like the switches.
* Loads. A hall's IT power is its compute racks x system power plus its share
  of switches x switch power plus its optics. The liquid share of the heat is
  racks x power x liquid_fraction; the rest of the racks' heat, all switch heat
  and all optics heat go to air.
* Site plan. A building with `position = [x, y]` has its corner there; one
  without stands after the building written before it (of any site), along y:
  same x, y beyond that building's depth (its `size`, else its deepest hall)
  plus BUILDING_GAP. A hall with `position` has its corner there in its
  building; one without stands beside the hall written before it, along x:
  HALL_GAP beyond that hall's width (the first at the building's corner). A
  `position` that is not two lengths leaves the hall unplaced (the sanity
  check reports it).
"""

from __future__ import annotations

from fractions import Fraction

import attrs

from ..fabric import TOPOLOGIES, FabricError, FabricPlan, size_fabric
from ..lang.units import LENGTH, POWER, Quantity
from . import types as t

HALL_GAP = Quantity(Fraction(10), LENGTH)          # between halls of a building, side by side
BUILDING_GAP = Quantity(Fraction(50), LENGTH)      # between buildings, one after another


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def derive(f: t.Factory) -> None:
    for h in f.halls:
        _reserved(h)
    for fab in f.fabrics:
        fab.plan = size(fab)
    _place(f)
    _loads(f)
    plan(f)


def _reserved(h: t.Hall) -> None:
    by_row: dict[int, list[tuple[int, int]]] = {}
    for r in h.reserved:
        lo, hi = max(r.start, 1), min(r.end, h.slots_per_row)
        if 1 <= r.row <= h.rows and lo <= hi:
            by_row.setdefault(r.row, []).append((lo, hi))
    net_lo = h.slots_per_row - h.net_per_row + 1
    for row, spans in by_row.items():
        spans.sort()
        merged: list[list[int]] = []
        for lo, hi in spans:
            if merged and lo <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        h.reserved_spans_by_row[row] = [(lo, hi) for lo, hi in merged]
        h.reserved_by_row[row] = sum(hi - lo + 1 for lo, hi in merged)
        net = sum(max(0, hi - max(lo, net_lo) + 1) for lo, hi in merged)
        if net:
            h.reserved_net_by_row[row] = net


def size(fab: t.Fabric):
    """The fabric's plan, or a FabricError; None when its ports cannot split over
    its rails and planes, or its topology is unknown (the fabric check reports those)."""
    split = fab.rails * fab.planes
    ports = [fab.ports_of(c) for c in fab.members]
    if (not ports or fab.rails < 1 or fab.planes < 1 or any(p < 1 or p % split for p in ports)
            or fab.topology not in TOPOLOGIES):
        return None
    if fab.tiers is not None and fab.tiers not in (1, 2, 3):
        return FabricError(f"tiers must be 1, 2 or 3, got {fab.tiers}", 0, attr="tiers")
    plan = size_fabric(endpoints=fab.endpoints, radix=fab.radix, down=fab.down, up=fab.up,
                       rails=fab.rails, tiers=fab.tiers, topology=fab.topology, planes=fab.planes,
                       unit_endpoints=fab.unit_endpoints, leaves=fab.leaves, spines=fab.spines,
                       cores=fab.cores)
    if isinstance(plan, FabricPlan) and fab.ports != plan.endpoint_links:
        # sized for every node slot; cabled where a port exists (empty slots, rails an appliance skips)
        plan = attrs.evolve(plan, endpoint_links=fab.ports)
    return plan


def _own_network_racks(fab: t.Fabric, c: t.Cluster) -> int:
    """The network racks of `fab` that cluster `c` brings: all of its own fabric's,
    and of a shared fabric's all if it is the owner, none otherwise (`_shared_shares`)."""
    if not fab.shared:
        return fab.network_racks
    return fab.member_net.get(c, 0)


def _fabrics_of(c: t.Cluster) -> list[t.Fabric]:
    return [fab for fab in c.fabrics + c.joins if fab.sized is not None]


def _net_racks(nets: list[int], racks: int, k: int) -> int:
    """The most network racks that `k` of a cluster's `racks` can bring to a hall:
    per fabric, ceil(its network racks (`nets`) x k / racks) (the apportioned
    share is never more)."""
    return sum(_ceil_div(r * k, racks) for r in nets) if k else 0


def _capacity(c: t.Cluster, free: int, netfree: int, n: int) -> int:
    """The most racks of `c` (whole NVLink domains of `n`) a hall can still take
    with the network racks they bring: the largest multiple of n up to the
    proportional estimate whose racks and network racks fit. k + network racks
    grows with k, so it is found by bisection (a cluster of a thousand fabrics
    would otherwise step down through a thousand roundings, each a thousand
    terms, in every hall)."""
    free, netfree = max(free, 0), max(netfree, 0)
    nets = [_own_network_racks(fab, c) for fab in _fabrics_of(c)]
    R = c.racks

    def fits(units: int) -> bool:
        k = units * n
        return k + max(_net_racks(nets, R, k) - netfree, 0) <= free

    lo, hi = 0, min(free, (free + netfree) * R // (R + sum(nets))) // n     # in units of n racks
    if fits(hi):
        return hi * n
    while hi - lo > 1:                    # fits(lo) holds (0 racks always fit), fits(hi) does not
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if fits(mid) else (lo, mid)
    return lo * n


def _shared_shares(f: t.Factory) -> None:
    """A shared fabric's network racks, all with its owner (its first member),
    where compile racks them."""
    for fab in f.fabrics:
        if fab.shared and fab.sized is not None:
            owner = fab.joined[0]
            fab.member_net = {c: (fab.network_racks if c is owner else 0) for c in fab.joined}


def _place(f: t.Factory) -> None:
    _shared_shares(f)
    free = {h: h.compute_slots for h in f.halls}       # compute positions still free
    netfree = {h: h.network_only_slots for h in f.halls}
    order = {h: i for i, h in enumerate(f.halls)}
    for c in f.clusters:
        R = c.racks
        n = max(c.system.nvlink_racks, 1)
        caps = {h: _capacity(c, free[h], netfree[h], n) for h in c.halls}
        if not c.halls_explicit:
            # Any hall will do: the fewest halls, largest first, then spread evenly over them.
            ranked = sorted(caps, key=lambda h: (-caps[h], order[h]))
            chosen, room = [], 0
            for h in ranked:
                if room >= R or caps[h] == 0:
                    break
                chosen.append(h)
                room += caps[h]
            caps = {h: caps[h] for h in sorted(chosen, key=order.__getitem__)}
        K = _ceil_div(R, n)
        chunks = _spread(K, {h: k // n for h, k in caps.items()}, order)
        left = K - sum(chunks.values())
        if left > 0:
            # Too little room for the racks and their network racks: the compute
            # racks take the compute positions left (the network racks that then
            # find no position are the hall-slots check's to report).
            more = {h: max(free[h] - chunks.get(h, 0) * n, 0) // n for h in c.halls}
            for h, k in _spread(left, more, order).items():
                if k:
                    chunks[h] = chunks.get(h, 0) + k
        placed = {h: k * n for h, k in chunks.items() if k}
        over = sum(placed.values()) - R
        if over > 0:  # the last NVLink domain is partial: take it off the largest share
            big = max(placed, key=lambda h: (placed[h], -order[h]))
            placed[big] -= over
        c.placement = {h: k for h in sorted(placed, key=order.__getitem__) if (k := placed[h]) > 0}
        c.unplaced = R - sum(c.placement.values())
        for h, k in c.placement.items():
            free[h] -= k
            h.load.compute[c] = h.load.compute.get(c, 0) + k
        for fab in _fabrics_of(c):
            if c.placement:
                _share_fabric(fab, c, free, netfree, order)


def _share_fabric(fab: t.Fabric, c: t.Cluster, free: dict, netfree: dict, order: dict) -> None:
    """A fabric's switches, network racks and cable ends, shared among the halls
    of its cluster in proportion to the compute racks each holds. Network racks
    are apportioned whole (largest remainders), so they add up to the fabric's
    (less the share of racks that found no slot). A shared fabric's switches,
    network racks and switch-side ends are its owner's (`_shared_shares`); of
    every member, its host-side ends stand in its own halls."""
    R, p = c.racks, fab.sized
    # racks without a slot keep their share of network racks out of every hall
    weights = {**c.placement, None: c.unplaced}
    shares = _apportion(_own_network_racks(fab, c), weights, order)
    for h, racks in shares.items():
        if h is None:
            continue
        h.load.network[fab] = h.load.network.get(fab, 0) + racks
        use_net = min(racks, max(netfree[h], 0))
        netfree[h] -= use_net
        free[h] -= racks - use_net
    host_w, switch_w = fab.host_power_per_end.value, fab.power_per_end.value    # once, not per hall
    switches, ends, ports = p.switches, fab.switch_ends, p.endpoint_links
    if fab.shared:      # switches and their ends with the owner; each member's host ends in its racks
        if c is not fab.joined[0]:
            switches, ends = 0, 0
        ports = fab._member_ports_that_exist(c)
    for h, k in c.placement.items():
        h.load.switches[fab] = h.load.switches.get(fab, 0) + Fraction(switches * k, R)
        # host-side ends stand in the hall's compute racks (their share of the ports that
        # exist: all of ports_per_rack in full racks); switch-side ends go with its switches
        host = Fraction(ports * k, R)
        h.load.optics_ends += host + Fraction(ends * k, R)
        h.load.optics += Quantity(host * host_w + Fraction(ends * k, R) * switch_w, POWER)


def _apportion(K: int, weights: dict, order: dict) -> dict:
    """K units over bins in proportion to their weights (largest remainders
    first; ties to the larger bin, then spec order). Sums to K exactly."""
    total = sum(weights.values())
    if total <= 0:
        return {h: 0 for h in weights}
    out, rema, given = {}, [], 0
    for h, k in weights.items():
        exact = Fraction(K * k, total)
        out[h] = int(exact)
        given += out[h]
        rema.append((-(exact - out[h]), -k, order.get(h, len(order)), h))   # None (no hall) last
    rema.sort(key=lambda x: x[:3])
    for _, _, _, h in rema[:K - given]:
        out[h] += 1
    return out


def _spread(K: int, caps: dict, order: dict) -> dict:
    """K units over bins in proportion to their capacities, none above its
    capacity (largest remainders first; ties to the larger bin, then spec order).
    All bins full when K exceeds their total."""
    if K >= sum(caps.values()):
        return dict(caps)
    return _apportion(K, caps, order)


def _loads(f: t.Factory) -> None:
    for h in f.halls:
        load = h.load
        it = liquid = Fraction(0)
        for c, k in load.compute.items():
            # the hall's share of the cluster's racks (exact for full racks; a partly
            # filled last rack or an appliance shares out, so halls add up to the cluster)
            it += c.share_power(k)
            liquid += c.share_liquid(k)
        for fab, share in load.switches.items():
            it += fab.switch.power.value * share
        it += load.optics.value                # transceivers shed their heat to air
        load.it_power = Quantity(it, POWER)
        load.liquid = Quantity(liquid, POWER)
        load.air = Quantity(it - liquid, POWER)


def _point(value) -> tuple | None:
    """A `position` as (x, y) Quantities, or None unless it is two lengths."""
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(q, Quantity) and q.dims == LENGTH
                                                            for q in value):
        return value
    return None


def plan(f: t.Factory) -> None:
    """Building.origin and Hall.origin for every building and hall: the site
    plan (module docstring)."""
    zero = Quantity(Fraction(0), LENGTH)
    bx, by = zero, zero - BUILDING_GAP
    for b in f.buildings:
        at = _point(b.position)
        if at is None:
            if b.position is not None:
                continue                         # malformed: reported, and nothing stands on it
            at = (bx, by + BUILDING_GAP)
        b.origin = at
        _halls(b, at)
        depth = b.size.depth if b.size is not None else max((h.size.depth for h in b.halls), default=zero,
                                                             key=lambda q: q.value)
        bx, by = at[0], at[1] + depth


def _halls(b: t.Building, corner: tuple) -> None:
    x = corner[0]
    first = True
    for h in b.halls:
        at = _point(h.position)
        if at is None and h.position is not None:
            continue
        if at is None:
            h.origin = (x if first else x + HALL_GAP, corner[1])
        else:
            h.origin = (corner[0] + at[0], corner[1] + at[1])
        x, first = h.origin[0] + h.size.width, False


def site_it_power(f: t.Factory, site: t.Site) -> Quantity:
    """IT power a site's utility must carry: the load of its halls, plus racks
    of its clusters that fit no hall (they still need power somewhere)."""
    total = Fraction(0)
    for b in site.buildings:
        for h in b.halls:
            total += h.load.it_power.value
    for c in f.clusters:
        if c.site is site and c.unplaced:
            total += c.share_power(c.unplaced)
            total += sum(((fab.switch.power.value * fab.sized.switches + fab.optics_power.value)
                          * Fraction(c.unplaced, c.racks) for fab in c.fabrics if fab.sized), Fraction(0))
            total += sum(((fab.switch.power.value * fab.sized.switches + fab.optics_power.value)
                          * Fraction(fab.member_endpoints(c), fab.sized.endpoints) * Fraction(c.unplaced, c.racks)
                          for fab in c.joins if fab.sized and fab.sized.endpoints), Fraction(0))
            # (the plan's endpoints, not fab.endpoints: that sums over every member, and
            # 10,000 unplaced members of one fabric made this 10^8 steps)
    return Quantity(total, POWER)


def level(h: t.Hall, racks: int) -> tuple[int, int, int]:
    """(L, rows holding L racks, first such row) for the even fill of `racks`."""
    classes = [(cap, n, first) for cap, n, first in h.row_classes() if cap > 0]
    if racks <= 0 or not classes:
        return 0, 0, 0
    lo, hi = 1, max(cap for cap, _, _ in classes)
    if sum(n * cap for cap, n, _ in classes) < racks:
        return hi, sum(n for cap, n, _ in classes if cap >= hi), min(f for cap, _, f in classes if cap >= hi)
    while lo < hi:
        mid = (lo + hi) // 2
        if sum(n * min(cap, mid) for cap, n, _ in classes) >= racks:
            hi = mid
        else:
            lo = mid + 1
    L = lo
    below = sum(n * min(cap, L - 1) for cap, n, _ in classes)
    at_level = racks - below
    first = min(f for cap, _, f in classes if cap >= L)
    return L, at_level, first
