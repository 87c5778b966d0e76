"""Racks and aggregated links of a layout problem (the solver's side).

Fabric wiring, as `fabric/` sizes it (the rule the verifier re-implements):

* Compute rack i of a cluster has `ports_per_rack / rails` ports on each rail;
  on one rail they are endpoints e = i*ppr .. i*ppr+ppr-1 of that rail's
  E_r = racks*ppr, and endpoint e goes to leaf j = floor(e * L_r / E_r) of the
  rail (L_r leaves per rail): consecutive endpoints, leaves filled evenly.
* Leaf j of a rail belongs to pod j // (leaves_per_pod / rails) (one pod in a
  2-tier fabric) and has k = links_leaf_spine_per_pair links to each spine of
  its pod. Spine s of pod p has m = links_spine_core_per_pair links to each of
  the cores of plane s. A 1-tier fabric is one switch taking every port.
* Switches are racked `switches_per_rack` at a time, one tier per rack, in
  order: leaves by (j, rail) (so the rail leaves of one scalable unit share a
  rack), spines by (pod, s), cores by (plane, index).

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

    @property
    def n(self) -> int:
        return len(self.ids)


def build(problem: LayoutProblem, clusters: list | None = None) -> Wiring:
    """Racks and links of the given clusters (problem indices; default all).
    Rack indices are local to this wiring, clusters in the order given."""
    racks = _RackList()
    links: list[tuple] = []
    fabrics: list[FabricInfo] = []
    compute_base, net_range = [], []
    order = range(len(problem.clusters)) if clusters is None else clusters
    for ci in order:
        c = problem.clusters[ci]
        compute_base.append(racks.n)
        p = watts(c.rack_power_w)
        liquid = int(round(p * c.liquid_fraction))
        optics = _ceil_w(c.optics_w)                 # budget: heat to air
        racks.add([f"{c.id}/c{i + 1}" for i in range(c.racks)], COMPUTE, ci, -1, 0,
                  np.arange(c.racks), np.zeros(c.racks, np.int64), p + optics, liquid, p + optics - liquid)
        start = racks.n
        for f in c.fabrics:
            info = _add_fabric(racks, len(fabrics), ci, c, f)
            fabrics.append(info)
            links.extend(_links(info, c, compute_base[-1]))
        net_range.append((start, racks.n))
    la, lb, cnt, fab, lvl = _concat(links)
    return Wiring(racks.ids, *racks.arrays(), la, lb, cnt, fab, lvl, fabrics, compute_base, net_range)


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
        return [1]
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


def _links(info: FabricInfo, c: Cluster, base: int):
    f, plan = info.spec, info.spec.plan
    per, rails = f.switches_per_rack, plan.rails
    ppr = f.ports_per_rack // rails
    R = c.racks
    out = []
    leaf_racks = info.tier_racks[0]
    if plan.tiers == 1:
        a = np.arange(R, dtype=np.int64) + base
        out.append((a, np.full(R, leaf_racks[0]), np.full(R, f.ports_per_rack), info.index, 1))
        return out
    # endpoints -> leaves
    Lr, Er = plan.leaves // rails, R * ppr
    e = np.arange(Er, dtype=np.int64)
    j = e * Lr // Er
    comp = e // ppr + base
    for t in range(rails):
        lr = leaf_racks[(j * rails + t) // per]
        out.append(_group(comp, lr, np.ones(Er, np.int64)) + (info.index, 1))
    # leaves -> spines, per pod
    S = plan.spines_per_pod
    lrp = plan.leaves_per_pod // rails
    o = np.arange(plan.leaves, dtype=np.int64)
    la, lpod, ln = _group(leaf_racks[o // per], (o // rails) // lrp, np.ones(len(o), np.int64))
    q = np.arange(plan.pods * S, dtype=np.int64)
    spine_racks = info.tier_racks[1]
    sa, spod, sn = _group(spine_racks[q // per], q // S, np.ones(len(q), np.int64))
    out.append(_join(la, lpod, ln, sa, spod, sn, plan.links_leaf_spine_per_pair) + (info.index, 2))
    if plan.tiers == 3:
        C = plan.cores_per_plane
        b1, plane1, n1 = _group(spine_racks[q // per], q % S, np.ones(len(q), np.int64))
        r = np.arange(plan.cores, dtype=np.int64)
        b2, plane2, n2 = _group(info.tier_racks[2][r // per], r // C, np.ones(len(r), np.int64))
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
    return key[2], key[3], sums, key[0].astype(np.int32), key[1].astype(np.int8)
