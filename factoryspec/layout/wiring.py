"""Racks and aggregated links of a layout problem (the solver's side).

Fabric wiring, as `fabric/` sizes it (the rule the verifier re-implements):

* A fabric is `copies` identical copies (its planes; under `rail_only`, one per
  rail of each plane), each with `copy_rails` rails. Compute rack i has
  q = ports_per_rack / (planes x rails) ports on each rail of each copy.
* On one rail of a copy they are endpoints e = i*q .. i*q+q-1 of that rail's
  E_r = racks*q. The rail's leaves come in `units` groups of U_l =
  unit_leaves / copy_rails, one per scalable unit of U_e = unit_endpoints /
  copy_rails endpoints: endpoint e of unit u = e // U_e goes to leaf
  j = u*U_l + floor((e - u*U_e) * U_l / U_e) of the rail, consecutive
  endpoints filling a unit's leaves evenly. (A fat tree is one unit of every
  endpoint: j = floor(e * L_r / E_r).)
* Leaf j of rail t of a copy is its leaf j*copy_rails + t; it belongs to pod
  j // (leaves_per_pod / copy_rails) (one pod in a 2-tier fabric) and has
  k = links_leaf_spine_per_pair links to each spine of its pod. Spine s of pod
  p has m = links_spine_core_per_pair links to each of the cores of core plane
  s. A 1-tier copy is one switch taking all the copy's ports of every rack.
* A cable exists only where a port does. Endpoints are indexed by node-slot
  position: a rack of n node slots (1 for a whole-rack system) has q/n ports
  per slot on each rail, so endpoint e of a rail is in slot e // (q/n) of the
  cluster. The nodes fill the first slots, the appliances the next (in block
  order); the rest of the last rack is empty. On each rail the first
  `node_endpoints` endpoints are the nodes' ports, and an appliance's are
  `(rail, first, count)` (FabricSpec.appliance_ports): endpoints first ..
  first+count-1 of that rail only. Leaves are sized and assigned for every
  position (an SU of 32 slots keeps its 8 rail leaves whole) and every leaf
  cables its up links alike; an empty position, or a rail an appliance does not
  use, has no endpoint cable. (Under rail_only copy c is rail c mod rails.)
* A shared fabric (at site level, joined by several clusters; FabricSpec.
  members) numbers the endpoints of each rail member by member, in member
  order, each member's racks in order: member m's racks have q_m = its ports
  per rack / (planes x rails) ports on each rail of each copy, and endpoint e
  of a rail belongs to the member whose range holds it. The rest of the rule
  is the same over those endpoints (a member with empty node slots has ports
  at its first node endpoints and its appliances' positions on their rails). Its
  switches and network racks belong to its owner, its first member: the
  network racks are numbered with the owner's and stand in its halls.
* Switches are numbered copy by copy (copy c's leaves after those of copies
  0..c-1, likewise spines and cores) and racked `switches_per_rack` at a time,
  one tier per rack, in order: leaves by (j, rail) (so the rail leaves of one
  scalable unit share a rack), spines by (pod, s), cores by (plane, index).

Links are never expanded per port: identical links between the same two racks
are one row with a count (a few thousand rows per 200 MW cluster).
"""

from __future__ import annotations

import math

import attrs
import numpy as np

from .problem import Cluster, FabricSpec, LayoutProblem, watts

TIER_NAMES = {1: ("switch",), 2: ("leaf", "spine"), 3: ("leaf", "spine", "core")}
COMPUTE, NETWORK = 0, 1


@attrs.define(eq=False)
class FabricInfo:
    index: int
    cluster: int                 # index into problem.clusters
    spec: FabricSpec
    tier_names: tuple
    tier_racks: list             # per tier (1-based level - 1): array of rack indices
    rack_power: int              # power of a full network rack (W)


@attrs.define(eq=False)
class Wiring:
    ids: list
    kind: np.ndarray
    cluster: np.ndarray
    fabric: np.ndarray
    tier: np.ndarray             # 0 compute, else 1-based tier level (leaf/switch = 1)
    first: np.ndarray            # compute: rack index in cluster; network: first switch in tier
    nsw: np.ndarray
    power: np.ndarray            # W
    liquid: np.ndarray
    air: np.ndarray
    la: np.ndarray               # links: rack a (lower level), rack b, count, fabric, level
    lb: np.ndarray
    lcount: np.ndarray
    lfab: np.ndarray
    llevel: np.ndarray           # 1 endpoint, 2 leaf-spine, 3 spine-core
    fabrics: list
    compute_base: list           # per cluster (in build order): first compute rack index
    net_range: list              # per cluster (in build order): (first, end) network racks
    system_w: np.ndarray | None = None   # W of each rack's system alone (compute racks; 0 for network)

    @property
    def n(self) -> int:
        return len(self.ids)


def build(problem: LayoutProblem, clusters: list | None = None) -> Wiring:
    """Racks and links of the given clusters (problem indices; default all).
    Rack indices are local to this wiring, clusters in the order given."""
    racks = _RackList()
    links: list[tuple] = []
    fabrics: list[FabricInfo] = []
    compute_base, net_range, system_w = [], [], []
    order = range(len(problem.clusters)) if clusters is None else clusters
    base_of: dict = {}                   # cluster id -> its first compute rack here
    shared: list = []                    # (FabricInfo, owner) of shared fabrics: cabled once all stand
    for ci in order:
        c = problem.clusters[ci]
        base_of[c.id] = racks.n
        compute_base.append(racks.n)
        p = np.full(c.racks, watts(c.rack_power_w), np.int64)
        if c.tail_power_w:                           # a partly filled last rack: its own power
            p[c.racks - len(c.tail_power_w):] = [watts(w) for w in c.tail_power_w]
        liquid = np.round(p * c.liquid_fraction).astype(np.int64)
        optics = _ceil_w(c.optics_w)                 # budget: heat to air
        system_w.append(p)
        racks.add([f"{c.id}/c{i + 1}" for i in range(c.racks)], COMPUTE, ci, -1, 0,
                  np.arange(c.racks), np.zeros(c.racks, np.int64), p + optics, liquid, p + optics - liquid)
        start = racks.n
        for f in c.fabrics:
            info = _add_fabric(racks, len(fabrics), ci, c, f)
            fabrics.append(info)
            if f.members:
                shared.append(info)
            else:
                links.extend(_links(info, *_own_endpoints(f, c, compute_base[-1])))
        system_w.append(np.zeros(racks.n - start, np.int64))
        net_range.append((start, racks.n))
    for info in shared:
        links.extend(_links(info, *_shared_endpoints(info.spec, base_of)))
    la, lb, cnt, fab, lvl = _concat(links)
    return Wiring(racks.ids, *racks.arrays(), la, lb, cnt, fab, lvl, fabrics, compute_base, net_range,
                  np.concatenate(system_w) if system_w else np.zeros(0, np.int64))


class _RackList:
    def __init__(self):
        self.ids: list[str] = []
        self.cols: list[list[np.ndarray]] = [[] for _ in range(9)]
        self.n = 0

    def add(self, ids, kind, cluster, fabric, tier, first, nsw, power, liquid, air):
        k = len(ids)
        self.ids.extend(ids)
        nsw = np.asarray(nsw, np.int64)
        vals = [kind, cluster, fabric, tier, first, nsw, power, liquid, air]
        for col, v in zip(self.cols, vals):
            col.append(np.broadcast_to(np.asarray(v, np.int64), (k,)).copy())
        self.n += k

    def arrays(self):
        out = []
        dtypes = (np.int8, np.int32, np.int32, np.int8, np.int64, np.int64, np.int64, np.int64, np.int64)
        for col, dt in zip(self.cols, dtypes):
            out.append(np.concatenate(col).astype(dt) if col else np.zeros(0, dt))
        return out


def _tier_sizes(plan) -> list[int]:
    if plan.tiers == 1:
        return [plan.switches]
    if plan.tiers == 2:
        return [plan.leaves, plan.spines]
    return [plan.leaves, plan.spines, plan.cores]


def _add_fabric(racks: _RackList, index: int, ci: int, c: Cluster, f: FabricSpec) -> FabricInfo:
    names = TIER_NAMES[f.plan.tiers]
    per = f.switches_per_rack
    sw_w = watts(f.switch_power_w)
    tier_racks = []
    full = 0
    for level, (name, n, ports) in enumerate(zip(names, _tier_sizes(f.plan), f.plan.tier_ports()), start=1):
        each = sw_w + _ceil_w(ports * f.power_per_end_w)      # a switch and the optics budget of its ports
        slack = _ceil_w(f.module_slack_w)                      # modules rounded up, once per rack
        full = max(full, per * each + slack)
        k = -(-n // per)
        first = np.arange(k, dtype=np.int64) * per
        nsw = np.minimum(per, n - first)
        start = racks.n
        racks.add([f"{c.id}/{f.id}/{name}{i + 1}" for i in range(k)], NETWORK, ci, index, level,
                  first, nsw, nsw * each + slack, 0, nsw * each + slack)
        tier_racks.append(np.arange(start, start + k, dtype=np.int64))
    return FabricInfo(index, ci, f, names, tier_racks, full)


def _ceil_w(w: float) -> int:
    """A budget in whole watts, rounded up so it never falls short of the exact figure."""
    return int(math.ceil(round(w, 6)))


def _group(a: np.ndarray, b: np.ndarray, w: np.ndarray):
    """Sum w over identical (a, b) pairs; sorted by (a, b)."""
    if len(a) == 0:
        return a, b, w
    key = a.astype(np.int64) * (1 << 31) + b.astype(np.int64)
    uk, inv = np.unique(key, return_inverse=True)
    sums = np.bincount(inv, weights=w).astype(np.int64)
    return uk >> 31, uk & ((1 << 31) - 1), sums


def rail_leaves(plan, racks: int, q: int) -> np.ndarray:
    """Leaf (within its rail of a copy) of each endpoint of one rail, for `racks`
    racks of `q` ports on the rail: units of unit_endpoints / copy_rails endpoints,
    each filling its unit_leaves / copy_rails leaves evenly."""
    rc = plan.copy_rails
    ue, ul = plan.unit_endpoints // rc, plan.unit_leaves // rc
    e = np.arange(racks * q, dtype=np.int64)
    u = e // ue
    return u * ul + (e - u * ue) * ul // ue


def rail_ports(f: FabricSpec, racks: int, q: int, rail: int) -> np.ndarray:
    """1 for each endpoint position of `rail` (0-based, of plan.rails) that holds a
    port, else 0: racks*q positions, the nodes' first, then the appliances'."""
    n = racks * q
    if f.node_endpoints < 0:
        return np.ones(n, np.int64)
    w = np.zeros(n, np.int64)
    w[:min(f.node_endpoints, n)] = 1
    for t, first, count in f.appliance_ports:
        if t == rail:
            w[first:first + count] = 1
    return w


def _own_endpoints(f: FabricSpec, c: Cluster, base: int):
    """A cluster's own fabric: (compute rack of each endpoint of a rail, ports(copy, rail)
    -> 1 where that endpoint holds a port)."""
    plan = f.plan
    q = f.ports_per_rack // (plan.planes * plan.rails)
    R, rc = c.racks, plan.copy_rails
    comp = np.arange(R * q, dtype=np.int64) // q + base

    def ports(cp: int, t: int) -> np.ndarray:       # rail t of copy cp
        return rail_ports(f, R, q, cp % plan.rails if rc == 1 else t)
    return comp, ports


def shared_endpoints(f: FabricSpec):
    """A shared fabric's endpoints of one rail of one copy, member by member (in
    member order), each member's racks in order with q_m = its ports per rack /
    (planes x rails) each: (member index, rack in the member) of each endpoint,
    and ports(rail) -> 1 where it holds a port on that rail (a member's first node
    endpoints, all of them when it has no empty slot, and its appliances' on
    the rails they use)."""
    plan = f.plan
    member, rack, present, extra = [], [], [], []
    at = 0
    for k, (_, racks, ports, nodes, apps) in enumerate(f.members):
        q = ports // (plan.planes * plan.rails)
        n = racks * q
        member.append(np.full(n, k, np.int64))
        rack.append(np.arange(n, dtype=np.int64) // q)
        w = np.ones(n, np.int64)
        if nodes >= 0:
            w[nodes:] = 0
        present.append(w)
        extra += [(t, at + first, count) for t, first, count in apps]
        at += n
    cat = lambda xs: np.concatenate(xs) if xs else np.zeros(0, np.int64)   # noqa: E731
    base = cat(present)
    by_rail: dict[int, np.ndarray] = {}
    for t, first, count in extra:
        w = by_rail.setdefault(t, base.copy())
        w[first:first + count] = 1

    def ports(rail: int) -> np.ndarray:
        return by_rail.get(rail, base)
    return cat(member), cat(rack), ports


def _shared_endpoints(f: FabricSpec, base_of: dict):
    member, rack, ports = shared_endpoints(f)
    bases = np.array([base_of[m[0]] for m in f.members], np.int64)
    rc = f.plan.copy_rails
    return bases[member] + rack, lambda cp, t: ports(cp % f.plan.rails if rc == 1 else t)


def _links(info: FabricInfo, comp: np.ndarray, ports):
    """The fabric's links: `comp` is the compute rack of each endpoint of a rail (the
    same on every rail and copy), ports(copy, rail) 1 where the endpoint holds a port."""
    f, plan = info.spec, info.spec.plan
    per, rc, copies = f.switches_per_rack, plan.copy_rails, plan.copies
    out = []
    leaf_racks = info.tier_racks[0]
    if plan.tiers == 1:
        for cp in range(copies):
            w = sum(ports(cp, t) for t in range(rc))
            out.append(_group(comp, np.full(len(comp), leaf_racks[cp // per], np.int64), w) + (info.index, 1))
        return out
    Lc, Sc, Cc = plan.leaves // copies, plan.spines // copies, plan.cores // copies
    j = rail_leaves(plan, len(comp), 1)
    S = plan.spines_per_pod
    lrp = plan.leaves_per_pod // rc
    spine_racks = info.tier_racks[1]
    for cp in range(copies):
        # endpoints -> leaves
        for t in range(rc):
            lr = leaf_racks[(cp * Lc + j * rc + t) // per]
            out.append(_group(comp, lr, ports(cp, t)) + (info.index, 1))
        # leaves -> spines, per pod
        o = np.arange(Lc, dtype=np.int64)
        la, lpod, ln = _group(leaf_racks[(cp * Lc + o) // per], (o // rc) // lrp, np.ones(Lc, np.int64))
        sq = np.arange(Sc, dtype=np.int64)
        sa, spod, sn = _group(spine_racks[(cp * Sc + sq) // per], sq // S, np.ones(Sc, np.int64))
        out.append(_join(la, lpod, ln, sa, spod, sn, plan.links_leaf_spine_per_pair) + (info.index, 2))
        if plan.tiers == 3:
            C = plan.cores_per_plane
            b1, plane1, n1 = _group(spine_racks[(cp * Sc + sq) // per], sq % S, np.ones(Sc, np.int64))
            r = np.arange(Cc, dtype=np.int64)
            b2, plane2, n2 = _group(info.tier_racks[2][(cp * Cc + r) // per], r // C, np.ones(Cc, np.int64))
            out.append(_join(b1, plane1, n1, b2, plane2, n2, plan.links_spine_core_per_pair) + (info.index, 3))
    return out


def _join(a, ka, na, b, kb, nb, mult):
    """Pairs (a, b) sharing a key (pod or plane), count mult * na * nb, summed."""
    xs, ys, ws = [], [], []
    order_b = np.argsort(kb, kind="stable")
    kb_sorted = kb[order_b]
    for key in np.unique(ka):
        ia = np.nonzero(ka == key)[0]
        lo, hi = np.searchsorted(kb_sorted, [key, key + 1])
        ib = order_b[lo:hi]
        if len(ib) == 0:
            continue
        xs.append(np.repeat(a[ia], len(ib)))
        ys.append(np.tile(b[ib], len(ia)))
        ws.append(np.outer(na[ia], nb[ib]).ravel() * mult)
    if not xs:
        z = np.zeros(0, np.int64)
        return z, z, z
    return _group(np.concatenate(xs), np.concatenate(ys), np.concatenate(ws))


def _concat(links):
    if not links:
        z = np.zeros(0, np.int64)
        return z, z, z, np.zeros(0, np.int32), np.zeros(0, np.int8)
    la = np.concatenate([x[0] for x in links]).astype(np.int64)
    lb = np.concatenate([x[1] for x in links]).astype(np.int64)
    cnt = np.concatenate([x[2] for x in links]).astype(np.int64)
    fab = np.concatenate([np.full(len(x[0]), x[3], np.int32) for x in links])
    lvl = np.concatenate([np.full(len(x[0]), x[4], np.int8) for x in links])
    # endpoint rows of different rails may repeat a (rack, leaf rack) pair: merge them
    key = np.stack([fab.astype(np.int64), lvl.astype(np.int64), la, lb])
    order = np.lexsort(key[::-1])
    key = key[:, order]
    cnt = cnt[order]
    new = np.ones(len(cnt), bool)
    new[1:] = np.any(key[:, 1:] != key[:, :-1], axis=0)
    idx = np.cumsum(new) - 1
    sums = np.bincount(idx, weights=cnt).astype(np.int64)
    key = key[:, new]
    keep = sums > 0                     # racks with no port on a leaf (empty slots) have no cable to it
    key, sums = key[:, keep], sums[keep]
    return key[2], key[3], sums, key[0].astype(np.int32), key[1].astype(np.int8)
