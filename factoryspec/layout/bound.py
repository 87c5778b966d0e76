"""A valid lower bound on the objective over every feasible layout.

Per fabric, two parts.

Links are priced by their horizontal run h (the tray run; across the rack
tops of a row segment it is the same |x1 - x2|). A link's real length is at
least h + v_lo, where v_lo is the smaller vertical part of the two routes
(the tray's drops and slack, v; or the rack-top rises and in-row slack, when
that route is open and shorter), and at least h + v once h > in_row_max (only
the tray is open then). So in the bin n of h + v_lo, a link costs at least
g'[n] = unit(lift(n)), lift(n) the least real bin of such a link (geometry.
SlotTable.lift, routes.short_units): never above the real unit, never
falling as n grows. Without rack-top routing v_lo = v and g' = unit.

1. Every link joins two distinct racks, so its horizontal run is at least the
   narrowest slot width x_min: each link costs at least c_min = g'[n_lo],
   n_lo = bin_up(x_min + v_lo). Base = (number of links) x c_min.

2. Chains. Route each compute port's traffic up the tree in proportion to the
   links: a leaf passes min(1, up links / its endpoints) of each endpoint's
   unit up, spread evenly over its k links to each spine of its pod; a spine
   (never blocking: up links >= down links) spreads what it gets evenly over
   its m links to each core of its plane. No link carries more than its
   count. So the links decompose into chains (compute rack -> leaf -> spine ->
   core: k hops, k = tiers) of total mass sum_r a_r, where a_r is the mass
   rack r sends up (the ports it has, when leaves are not oversubscribed: an
   empty node slot or a rail an appliance does not use sends nothing), plus
   leftover link capacity. The mass between rack r and a top switch q is
   a_r / T (T top switches: cores, or spines of a 2-tier, or the one switch),
   the same for every q because every pod meets every plane alike.
   Tray distance is a shortest-path metric, so a chain's hops cover at least
   the distance d(r, q), and cost at least psi_k(d) = the least sum of k link
   costs whose horizontal runs add up to d (a min-plus convolution of g' over
   the bins of h + v_lo: the hops' bins add up to at least bin_up(d + k v_lo),
   and g' is monotone). Hence

     objective >= base + sum_q (1/T) sum_r a_r (psi_k(d(r, q)) - k c_min).

   For a top switch q at slot y, the compute racks occupy distinct compute
   slots the cluster may use, none of them y. Each such slot c has a lower
   bound on the chain from it to y: psi_k(d(c, y)) with the exact tray
   distance, and where c and y stand in different halls also
   route[state(c), state(y)] from routes.py (the chain's racks stand in halls,
   never in the open between buildings, and every link between halls runs
   slot -> entry -> entry -> slot); the larger of the two, less k c_min.
   Pairing the largest a_r with the cheapest slots (rearrangement) gives S_y,
   a lower bound for any top switch at y.
   Finally the T top switches fill usable slots by increasing S_y, a slot
   holding at most a rack's worth of them: the least possible sum.

Both parts hold for every placement of every rack (and for any grouping of
switches into racks of one tier each), so their sum bounds every feasible
layout. Other clusters' racks are ignored (a relaxation), which only lowers it.

A shared fabric (joined by several clusters: FabricSpec.members) takes the
base only, with x_min over the halls of all its members (its links join racks
of any of them): every link still joins two distinct racks of those halls, so
part 1 holds as stated; part 2 is taken as zero, which is valid (each chain
term is >= 0) and weaker. (The chains' argument pairs one cluster's racks with
its compute slots; splitting a shared fabric's mass over its members' slot sets
is not done.)

What it does not see (why the gap is ~1 % in one hall and a few % across
buildings): within the route's limits, every chain still puts its leaf and
spine wherever splits its run most cheaply, independently of every other
chain (a leaf serves many racks and reaches every core; a spine serves a whole
pod) and of how few network slots stand near the hall entries. Where copper
reaches across the rack tops the same freedom costs more: every hop, and every
link of the base, may be priced as a neighbour's short copper cable, while in a
real layout a row segment holds few racks and most links must take the trays
(superpod: gap ~43 % against ~1 % with every cable on the trays). Closing that
needs a relaxation that shares those racks between chains (or bounds how many
links one row segment can keep short), which is not done.
Arithmetic is exact (integers, and Fractions where oversubscribed leaves make
a_r fractional); the result is rounded down.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from .context import Ctx
from .costs import INF
from .geometry import SLOT_COMPUTE, SLOT_RESERVED
from .problem import mm
from .routes import route_bound, short_units
from .wiring import rail_leaves, rail_ports


# Work of one group of equal-run slots beyond its arrays, in cells: the Python and
# numpy call overhead of scoring it (~0.5 ms, measured), so that many small groups
# are charged what they cost.
RUN_CELLS = 50_000


def lower_bound(ctx: Ctx, budget=None) -> tuple[int, bool]:
    """Sum over fabrics of the bound (INF when no feasible layout exists), and
    whether its work `budget` (layout/work.Budget; None: unlimited) cut it
    short: the halls not yet scored then count only the base (their chain
    term taken as zero), which keeps it valid. The work is charged in array
    cells (the convolution's and each hall's score tables), so where it is
    cut depends on the spec and the budget only, not on the machine's load."""
    total, cut = 0, False
    for f in range(len(ctx.W.fabrics)):
        b, short = fabric_bound(ctx, f, budget)
        cut |= short
        if b >= INF:
            return INF, cut
        total += b
    return total, cut


def _x_min(ctx: Ctx, ci: int) -> int:
    ks = np.nonzero(ctx.allowed[ci] | ctx.net_allowed[ci])[0]
    return min((mm(ctx.halls[k].slot_width_m) for k in ks), default=0)


def shortest_bin(ctx: Ctx, ci: int) -> int:
    """n_lo: the bin of x_min + v_lo, where every link of cluster ci starts."""
    return -(-(_x_min(ctx, ci) + ctx.T.v_lo_mm) // ctx.T.bin_mm)


def fabric_bound(ctx: Ctx, f: int, budget=None) -> tuple[int, bool]:
    info = ctx.W.fabrics[f]
    ci = ctx.local[info.cluster]
    cl = ctx.clusters[ci]
    T = ctx.T
    g = short_units(T, ctx.tables[f], ctx.units[f])       # g': per bin of h + v_lo
    if info.spec.members:
        # a shared fabric: its links join racks of all its members, so x_min is taken over
        # every member's halls, and only the base is counted (see the module docstring)
        ids = {m[0] for m in info.spec.members}
        members = [i for i, c in enumerate(ctx.clusters) if c.id in ids]
        x_min = min((_x_min(ctx, i) for i in members), default=0)
        n_lo = -(-(x_min + T.v_lo_mm) // T.bin_mm)
    else:
        n_lo = shortest_bin(ctx, ci)
    if n_lo > ctx.tables[f].nmax or g[n_lo] >= INF:
        return INF, False
    c_min = int(g[n_lo])
    links = ctx.fab_slices[f]
    base = int(ctx.W.lcount[links].sum()) * c_min
    if cl.racks == 0 or info.spec.members:
        return base, False
    k = info.spec.plan.tiers
    a = chain_mass(info.spec, cl.racks)
    comp = np.nonzero((T.kind == SLOT_COMPUTE) & ctx.allowed[ci][T.hall])[0]
    if len(comp) < cl.racks:
        return INF, False
    nmax = ctx.tables[f].nmax
    table, cut = psi_table_within(g, n_lo, nmax, k, k * nmax * T.bin_mm, T.v_lo_mm, T.bin_mm, budget)
    psi = _less(table, k * c_min)
    route = route_bound(ctx, ci, ctx.tables[f], ctx.units[f], n_lo, k)
    src = None if route is None else route.source_states(comp)      # each compute slot's route row
    scores = []                       # (score, top switches that may sit there)
    per = info.spec.switches_per_rack
    for H in np.nonzero(ctx.net_allowed[ci])[0]:
        slots = np.nonzero((T.hall == H) & (T.kind != SLOT_RESERVED))[0]
        if not len(slots):
            continue
        # a hall's scores cost about its slots x the compute slots they are scored against
        if cut or (budget is not None and budget.spend(len(slots) * len(comp))):
            cut = True                       # no work left: a zero chain term is a valid floor
            scores.append((0, per * len(slots)))
            continue
        inside = T.hall[comp] == H
        far = comp[~inside]
        via = None if route is None else (route, src[~inside], k * c_min)
        own = np.sort(_own_extra(T, slots, comp[inside], psi, k), axis=1)
        # slots of H with the same run t to its entry see every other hall alike: a far
        # slot is (its run + entry to entry) + t away, by the tray model's rule between halls
        to_entry = T.horizontal(np.full(len(far), slots[0]), far) - T.run[slots[0]]
        runs = T.run[slots]
        for t in np.unique(runs):
            same = runs == t
            if cut or (budget is not None and budget.spend(len(far) + RUN_CELLS)):
                cut = True                   # as above, for the slots of the runs left
                scores.append((0, per * int(same.sum())))
                continue
            rest = _far_extra(T, to_entry + t, slots[same][0], psi, k, via)
            scores += _group_scores(own[same], rest, a, cl.racks, per)
    if not scores:
        return INF, cut
    return base + _fill(info, scores), cut


def _own_extra(T, q, near, psi, k) -> np.ndarray:
    """extra[i, j]: lower bound on a chain from compute slot near[j] to a top
    switch at slot q[i] of the same hall, less the k c_min the base counts:
    psi'(tray distance); INF for q's own slot (two racks never share one)."""
    extra = _split(T, psi, k, T.horizontal_matrix(q, near))
    extra[q[:, None] == near[None, :]] = INF
    return extra


def _far_extra(T, d, y, psi, k, via) -> np.ndarray:
    """The same from compute slots of other halls, at tray distances d, to a top
    switch at slot y: the larger of psi'(d) and the route bound (via = the
    route table, those slots' rows in it, and k c_min)."""
    extra = _split(T, psi, k, d)
    if via is not None and len(d):
        route, rows, less = via
        extra = np.maximum(extra, _less(route.route[rows, route.net_states(np.array([y]))[0]], less))
    return extra


def _split(T, psi, k, d: np.ndarray) -> np.ndarray:
    """psi' at horizontal distances d: k links, each with its least vertical part, in whole bins."""
    return psi[np.minimum(-(-(d + k * T.v_lo_mm) // T.bin_mm), len(psi) - 1)]


def _group_scores(own: np.ndarray, far: np.ndarray, a_runs, racks: int, per: int) -> list:
    """(score, capacity) for top-switch slots that share the far entries `far`,
    each with its own sorted row of entries `own`: sum_i a_(i) extra_(i) over the
    `racks` cheapest entries, the largest a with the cheapest (rearrangement).

    With one a, per slot and exactly: both lists sorted, the cheapest `racks`
    of their union are a prefix of each, so the sum is min over m of
    (m cheapest own) + (racks - m cheapest far). With several a (Fractions),
    one score for the group: the elementwise least of its sorted own rows is
    below every slot's row, so its score is below every slot's score."""
    take = far[far < INF]
    if len(take) > racks:
        take = np.partition(take, racks - 1)[:racks]
    take = np.sort(take)
    pf = np.concatenate([[0], np.cumsum(take, dtype=np.int64)])           # pf[j]: j cheapest far
    if len(a_runs) == 1:
        ok = own < INF
        po = np.concatenate([np.zeros((len(own), 1), np.int64), np.cumsum(np.where(ok, own, 0), axis=1)], axis=1)
        m_lo = max(0, racks - len(take))
        m_hi = np.minimum(ok.sum(axis=1), racks)
        out = []
        for row, hi in zip(po, m_hi):
            if hi < m_lo:
                continue                            # too few slots: no top switch here
            m = np.arange(m_lo, hi + 1)
            out.append((a_runs[0][0] * int((row[m] + pf[racks - m]).min()), per))
        return out
    least = own.min(axis=0) if len(own) else np.zeros(0, np.int64)
    union = np.sort(np.concatenate([least[least < INF], take]))[:racks]
    if len(union) < racks:
        return []
    total, i = Fraction(0), 0
    for value, n in a_runs:
        total += value * int(union[i:i + n].sum())
        i += n
    return [(total, per * len(own))]


def chain_mass(spec, racks: int):
    """a_r sorted descending, as (value, racks) runs; exact ints unless leaves are
    oversubscribed (then Fractions). a_r counts the ports rack r has (a port a
    position holds: an empty node slot, or a rail an appliance skips, sends
    nothing up), each passed up min(1, up links / the ports on its leaf)."""
    plan = spec.plan
    ppr = spec.ports_per_rack // (plan.planes * plan.rails)      # per rail of each copy
    w = [rail_ports(spec, racks, ppr, t) for t in range(plan.rails)]  # alike in every plane
    if plan.tiers == 1:
        return _runs(plan.planes * sum(x.reshape(racks, ppr).sum(axis=1) for x in w))
    j = rail_leaves(plan, racks, ppr)           # the same leaf on every rail of every copy
    Lr = plan.leaves // (plan.copies * plan.copy_rails)
    loads = [np.bincount(j, weights=x, minlength=Lr).astype(np.int64) for x in w]
    up = plan.leaf_up_ports
    if max(int(ld.max()) for ld in loads) <= up:
        return _runs(plan.planes * sum(x.reshape(racks, ppr).sum(axis=1) for x in w))
    per_rack: dict = {}
    fracs = [[Fraction(min(up, int(n)), int(n)) if n else Fraction(0) for n in ld] for ld in loads]
    for r in range(racks):
        v = plan.planes * sum(frac[int(j[e])] for x, frac in zip(w, fracs)
                              for e in range(r * ppr, (r + 1) * ppr) if x[e])
        per_rack[v] = per_rack.get(v, 0) + 1
    return sorted(per_rack.items(), key=lambda t: -t[0])


def _runs(per_rack: np.ndarray):
    """Per-rack masses (ints) as (value, racks) runs, largest first."""
    values, counts = np.unique(per_rack, return_counts=True)
    return [(Fraction(int(v)), int(n)) for v, n in sorted(zip(values, counts), key=lambda t: -t[0])]


def _less(values: np.ndarray, amount: int) -> np.ndarray:
    """values - amount, keeping INF as INF."""
    return np.where(values >= INF, INF, values - amount)


def psi_table(g: np.ndarray, n_lo: int, nmax: int, k: int, dmax: int, v: int, bin_mm: int) -> np.ndarray:
    """A_k[N]: least sum of k per-bin costs g[n_i] (n_i >= n_lo) with sum n_i >= N."""
    return psi_table_within(g, n_lo, nmax, k, dmax, v, bin_mm)[0]


def psi_table_within(g: np.ndarray, n_lo: int, nmax: int, k: int, dmax: int, v: int, bin_mm: int,
                     budget=None) -> tuple[np.ndarray, bool]:
    """psi_table, and whether its work `budget` cut it short. The work is
    about k x nmax x N cells: with fine bins it can outlast any time limit, so
    each step of the loop charges its N cells; cut short, the table is the
    floor k x (cheapest bin) wherever k links can reach, which is still a
    valid lower bound."""
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
            if budget is not None and budget.spend(N + 1):
                return _psi_floor(g, n_lo, nmax, k, N), True
            gn = int(g[n])
            if gn >= INF:
                break
            shifted = cur[np.maximum(idx - n, 0)]
            nxt = np.minimum(nxt, np.where(shifted >= INF, INF, shifted + gn))
        cur = nxt
    return cur, False


def _psi_floor(g: np.ndarray, n_lo: int, nmax: int, k: int, N: int) -> np.ndarray:
    """A lower bound on A_k[N] without the convolution: k times the cheapest
    bin, INF beyond k x nmax bins (no k links reach that far)."""
    usable = g[n_lo:nmax + 1]
    usable = usable[usable < INF]
    out = np.full(N + 1, INF, np.int64)
    if len(usable):
        out[:min(N, k * nmax) + 1] = k * int(usable.min())
    return out


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
