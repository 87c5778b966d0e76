"""A valid lower bound on the objective over every feasible layout.

Per fabric, two parts.

1. Every link joins two distinct racks, so its horizontal run is at least the
   narrowest slot width x_min: each link costs at least c_min = unit(bin_up(
   x_min + drops + slack)). Base = (number of links) x c_min.

2. Chains. Route each compute port's traffic up the tree in proportion to the
   links: a leaf passes min(1, up links / its endpoints) of each endpoint's
   unit up, spread evenly over its k links to each spine of its pod; a spine
   (never blocking: up links >= down links) spreads what it gets evenly over
   its m links to each core of its plane. No link carries more than its
   count. So the links decompose into chains (compute rack -> leaf -> spine ->
   core: k hops, k = tiers) of total mass sum_r a_r, where a_r is the mass
   rack r sends up (its ports when leaves are not oversubscribed), plus
   leftover link capacity. The mass between rack r and a top switch q is
   a_r / T (T top switches: cores, or spines of a 2-tier, or the one switch),
   the same for every q because every pod meets every plane alike.
   Tray distance is a shortest-path metric, so a chain's hops cover at least
   the distance d(r, q), and cost at least psi_k(d) = the least sum of k link
   costs whose horizontal runs add up to d (a min-plus convolution of the
   per-bin cost table). Hence

     objective >= base + sum_q (1/T) sum_r a_r (psi_k(d(r, q)) - k c_min).

   For q in hall H the compute racks occupy distinct compute slots the cluster
   may use; the i-th nearest of them is at least the i-th smallest entry of a
   profile: in H, the distances |ds| * slot_width + |dr| * row_pitch of a full
   grid of offsets (a tray run is never shorter: Manhattan, cross-aisles only
   add), as many as H has compute slots; in every other hall H', its compute
   slots at (shortest run from a slot of H to its entry) + |entry H - entry H'|
   + (that slot's own run to the entry of H', known exactly for every slot).
   Where r and q stand in different halls a second bound holds for the same
   chain: route[state(r), state(q)] from routes.py, the least cost over the
   chain's racks standing in halls (never in the open between buildings), each
   link running from its slot to its hall's entry and across. Each entry of
   another hall's profile takes the larger of the two.
   Pairing the largest a_r with the cheapest entries (rearrangement: each entry
   is a lower bound for whichever rack takes that slot) gives S_H, a lower
   bound for any top switch placed in H.
   Finally the T top switches fill halls by increasing S_H, a hall holding at
   most (usable slots x switches per rack) of them: the least possible sum.

Both parts hold for every placement of every rack (and for any grouping of
switches into racks of one tier each), so their sum bounds every feasible
layout. Other clusters' racks are ignored (a relaxation), which only lowers it.

What it does not see (why the gap is ~1 % in one hall and a few % across
buildings): within the route's limits, every chain still puts its leaf and
spine wherever splits its run most cheaply, independently of every other
chain (a leaf serves many racks and reaches every core; a spine serves a whole
pod) and of how few network slots stand near the hall entries. Closing that
needs a relaxation that shares those racks between chains, which is not done.
Arithmetic is exact (integers, and Fractions where oversubscribed leaves make
a_r fractional); the result is rounded down.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from .assign_halls import HallData
from .context import Ctx
from .costs import INF
from .geometry import SLOT_COMPUTE
from .problem import mm
from .routes import route_bound


def lower_bound(ctx: Ctx, hd: HallData) -> int:
    """Sum over fabrics of the bound (INF when no feasible layout exists)."""
    total = 0
    for f in range(len(ctx.W.fabrics)):
        b = fabric_bound(ctx, hd, f)
        if b >= INF:
            return INF
        total += b
    return total


def _x_min(ctx: Ctx, ci: int) -> int:
    ks = np.nonzero(ctx.allowed[ci] | ctx.net_allowed[ci])[0]
    return min((mm(ctx.halls[k].slot_width_m) for k in ks), default=0)


def fabric_bound(ctx: Ctx, hd: HallData, f: int) -> int:
    info = ctx.W.fabrics[f]
    ci = ctx.local[info.cluster]
    cl = ctx.clusters[ci]
    T = ctx.T
    g = ctx.units[f]
    n_lo = -(-(_x_min(ctx, ci) + T.v_mm) // T.bin_mm)
    if n_lo > ctx.tables[f].nmax:
        return INF
    c_min = int(g[n_lo])
    links = ctx.fab_slices[f]
    base = int(ctx.W.lcount[links].sum()) * c_min
    if cl.racks == 0:
        return base
    k = info.spec.plan.tiers
    a = chain_mass(info.spec, cl.racks)
    route = route_bound(ctx, ci, g, n_lo, ctx.tables[f].nmax, k)
    profiles = [_profile(ctx, hd, ci, H, route) for H in range(len(ctx.halls))]
    dmax = max((int(max(p[0].max(initial=0), p[1].max(initial=0))) + hd.run_max
                for p in profiles if p is not None), default=0)
    psi = _less(psi_table(g, n_lo, ctx.tables[f].nmax, k, dmax, T.v_mm, T.bin_mm), k * c_min)
    scores = []                       # (score, top switches that may sit there)
    per = info.spec.switches_per_rack
    for H, prof in enumerate(profiles):
        if prof is None or not ctx.net_allowed[ci][H]:
            continue
        # one score per distinct run from a slot to the hall entry (a top switch at
        # such a slot is that much further from every other hall); exact Fractions
        # only where leaves are oversubscribed, with the hall's shortest run then
        runs = hd.usable_runs[H] if len(a) == 1 else [(hd.entry_min[H], int(hd.usable[H]))]
        for t, n_slots in runs:
            col = route.column(H, t) if route is not None else None
            via = None if col is None else _less(col, k * c_min)
            sc = _score(prof, t, a, psi, via, k, T.v_mm, T.bin_mm, cl.racks)
            if sc is not None:
                scores.append((sc, n_slots * per))
    if not scores:
        return INF
    return base + _fill(info, scores)


def chain_mass(spec, racks: int):
    """a_r sorted descending, as (value, racks) runs; exact ints unless leaves are
    oversubscribed (then Fractions)."""
    plan = spec.plan
    if plan.tiers == 1:
        return [(Fraction(spec.ports_per_rack), racks)]
    rails = plan.rails
    ppr = spec.ports_per_rack // rails
    Lr, Er = plan.leaves // rails, racks * ppr
    e = np.arange(Er, dtype=np.int64)
    j = e * Lr // Er
    load = np.bincount(j, minlength=Lr)
    up = plan.leaf_up_ports
    if load.max() <= up:
        return [(Fraction(spec.ports_per_rack), racks)]
    frac = [Fraction(min(up, int(n)), int(n)) if n else Fraction(0) for n in load]
    per_rack: dict = {}
    for r in range(racks):
        v = rails * sum(frac[int(x)] for x in j[r * ppr:(r + 1) * ppr])
        per_rack[v] = per_rack.get(v, 0) + 1
    return sorted(per_rack.items(), key=lambda t: -t[0])


def _grid(h) -> np.ndarray:
    """Sorted distances from a slot to every offset of a full grid of the hall's size."""
    sw, pitch = mm(h.slot_width_m), mm(h.row_pitch_m)
    ds = np.arange(-(h.slots_per_row - 1), h.slots_per_row)
    dr = np.arange(-(h.rows - 1), h.rows)
    d = (np.abs(ds)[None, :] * sw + np.abs(dr)[:, None] * pitch).ravel()
    d = np.sort(d)
    return d[1:]           # drop the zero offset (the slot itself)


def _less(values: np.ndarray, amount: int) -> np.ndarray:
    """values - amount, keeping INF as INF."""
    return np.where(values >= INF, INF, values - amount)


def _profile(ctx: Ctx, hd: HallData, ci: int, H: int, route):
    """Lower bounds on the distances from a slot of H to the compute slots cluster
    ci may use, as (in H: sorted grid distances, elsewhere: distances from H's
    entry, one per compute slot, with each slot's route state); a slot with run
    t to H's entry adds t to the second part."""
    T = ctx.T
    own = _grid(ctx.halls[H])[:int(hd.compute[H])] if ctx.allowed[ci][H] else np.zeros(0, np.int64)
    others, states = [], []
    bh = int(T.base[H])
    comp = T.kind == SLOT_COMPUTE
    for K, h in enumerate(ctx.halls):
        if K == H or not ctx.allowed[ci][K] or hd.compute[K] == 0:
            continue
        bk = int(T.base[K])
        d = abs(int(T.ex[bh]) - int(T.ex[bk])) + abs(int(T.ey[bh]) - int(T.ey[bk]))
        slots = np.nonzero(comp & (T.hall == K))[0]
        others.append(d + T.run[slots])
        if route is not None:
            states.append(route.source_states(slots))
    if not len(own) and not others:
        return None
    rest = np.concatenate(others) if others else np.zeros(0, np.int64)
    rows = np.concatenate(states) if states else None
    return own.astype(np.int64), rest.astype(np.int64), rows


def psi_table(g: np.ndarray, n_lo: int, nmax: int, k: int, dmax: int, v: int, bin_mm: int) -> np.ndarray:
    """A_k[N]: least sum of k per-bin costs g[n_i] (n_i >= n_lo) with sum n_i >= N."""
    N = min(-(-(dmax + k * v) // bin_mm) + 1, k * nmax + 1)
    N = max(N, k * n_lo + 1)
    g = g.astype(np.int64)
    a1 = np.full(N + 1, INF, np.int64)
    idx = np.arange(N + 1)
    inside = np.maximum(idx, n_lo) <= nmax
    a1[inside] = g[np.maximum(idx, n_lo)[inside]]
    cur = a1
    for _ in range(k - 1):
        nxt = np.full(N + 1, INF, np.int64)
        for n in range(n_lo, min(nmax, N) + 1):
            gn = int(g[n])
            if gn >= INF:
                break
            shifted = cur[np.maximum(idx - n, 0)]
            nxt = np.minimum(nxt, np.where(shifted >= INF, INF, shifted + gn))
        cur = nxt
    return cur


def _score(prof, t, a_runs, psi, via, k, v, bin_mm, racks):
    """sum_i a_(i) extra_(i) over the `racks` cheapest profile entries, for a top
    switch whose slot has run t to its hall's entry (None if too few slots);
    an entry's extra is psi'(d), or in another hall the larger of that and the
    route bound `via` of its slot's state."""
    own, rest, rows = prof
    if len(own) + len(rest) < racks:
        return None

    def split(d):                      # psi' at a distance d
        return psi[np.minimum(-(-(d + k * v) // bin_mm), len(psi) - 1)]

    far = split(rest + t)
    if via is not None and rows is not None:
        far = np.maximum(far, via[rows])
    e = np.concatenate([split(own), far])
    extra = np.partition(e, racks - 1)[:racks] if len(e) > racks else e
    extra.sort()
    if extra.max(initial=0) >= INF:
        return None
    if len(a_runs) == 1:
        return a_runs[0][0] * int(extra.sum())
    total = Fraction(0)
    i = 0
    for value, n in a_runs:            # largest a with the nearest entries
        total += value * int(extra[i:i + n].sum())
        i += n
    return total


def _fill(info, scores) -> int:
    """Top switches into slots by increasing score (at most a rack's worth per slot)."""
    plan = info.spec.plan
    top = {1: 1, 2: plan.spines, 3: plan.cores}[plan.tiers]
    left = top
    acc = Fraction(0)
    for s, cap in sorted(scores, key=lambda t: t[0]):
        take = min(left, cap)
        acc += s * take
        left -= take
        if left == 0:
            break
    if left:
        return INF
    return int(acc / top)          # floor of an exact Fraction: still a lower bound
