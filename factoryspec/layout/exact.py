"""An exact model of a small component (CP-SAT): the optimum, proven, or a bound.

The layout's decisions are where each rack stands: the wiring (wiring.py) fixes
which switches share a network rack (a tier's switches racked
switches_per_rack at a time, in order) and which racks every link joins, so a
layout is an assignment of the component's racks to slots. This model is that
assignment, whole:

    x[r, s]       rack r stands in slot s (s among the slots r may use: a
                  compute rack on a compute slot of a hall its cluster may use,
                  a network rack on any slot not reserved of a hall its fabric
                  may stand in)
    z[b, s]       block b (a scalable unit or NVLink domain, block_size racks)
                  starts at slot s: its racks fill s .. s + len - 1, in any
                  order, inside one row segment (the verifier's contiguity rule)
    y[p, s, t]    the racks of pair p (joined by links) stand at s and t;
                  sum_t y[p, s, t] = x[a, s] and sum_s y[p, s, t] = x[b, t]
                  (exact once x is 0/1, and the tightest linear form)

with one rack a slot, every row's busway, and every hall's CDU and air
capacity, as the heuristic holds them (context.Ctx). The objective is the sum
over pairs of C[p, s, t] y[p, s, t], C the pair's links' count x unit at the
length the slots give (geometry.py, costs.py): the solver's own objective, so
an optimal solution here is an optimal layout of the solver's problem, and
CP-SAT's proven objective bound is a lower bound on every such layout.

Its size is pairs x slots^2 variables, so it is built only for small
components (EXACT_MAX_TERMS); CP-SAT then runs with one worker, a fixed seed
and a deterministic time limit, from the heuristic's layout as a hint, so the
result depends on the problem, the seed and the limit only.
"""

from __future__ import annotations

import attrs
import numpy as np
from ortools.sat.python import cp_model

from .context import Ctx
from .costs import INF
from .geometry import SLOT_COMPUTE, SLOT_RESERVED

# The most pair x slot x slot terms the model is built with. Measured on the
# reference machine: 19 racks in 30 slots (13,320 terms) proved in 38 s, 15 racks
# in 24 slots (6,336) in 0.3 s; beyond some 20,000 a proof within a default
# limit is unlikely and building the model costs more than it gives.
EXACT_MAX_TERMS = 20_000


@attrs.frozen
class Exact:
    pos: np.ndarray | None       # the best assignment found (slot per rack), or None
    objective: int | None        # its objective (units), exact
    bound: int                   # a lower bound on every layout (units)
    optimal: bool                # CP-SAT proved pos optimal
    interrupted: bool = False    # the wall-clock safety stop cut it


def candidates(ctx: Ctx) -> list[np.ndarray]:
    """The slots each rack of the component may stand in."""
    W, T = ctx.W, ctx.T
    out = []
    for r in range(W.n):
        ci = int(ctx.rack_local_cluster[r])
        if W.kind[r] == 1:
            ok = (T.kind != SLOT_RESERVED) & ctx.net_allowed[ci][T.hall]
        else:
            ok = (T.kind == SLOT_COMPUTE) & ctx.allowed[ci][T.hall]
        out.append(np.nonzero(ok)[0])
    return out


def pairs(ctx: Ctx) -> dict:
    """(a, b) -> the indices of the links joining racks a < b."""
    W = ctx.W
    out: dict = {}
    for i in range(len(W.la)):
        a, b = int(W.la[i]), int(W.lb[i])
        out.setdefault((min(a, b), max(a, b)), []).append(i)
    return out


def terms(ctx: Ctx) -> int:
    """The model's y terms: pairs x the two racks' candidate slots."""
    cand = candidates(ctx)
    return sum(len(cand[a]) * len(cand[b]) for a, b in pairs(ctx))


def fits(ctx: Ctx) -> bool:
    return ctx.W.n > 0 and terms(ctx) <= EXACT_MAX_TERMS


def pair_costs(ctx: Ctx, links: list, sa: np.ndarray, sb: np.ndarray) -> np.ndarray:
    """C[i, j]: the objective of the links `links` (one pair's) with its racks at
    slots sa[i], sb[j]; INF where a link is out of reach or the slots are one."""
    W, T = ctx.W, ctx.T
    bins = T.length_bins_matrix(sa, sb)
    total = np.zeros(bins.shape, np.int64)
    bad = sa[:, None] == sb[None, :]
    for i in links:
        f = int(W.lfab[i])
        u = ctx.tables[f].lookup(ctx.units[f], bins.ravel()).reshape(bins.shape)
        bad |= u >= INF
        total += np.where(u >= INF, 0, u) * int(W.lcount[i])
    return np.where(bad, INF, total)


def solve_exact(ctx: Ctx, hint: np.ndarray | None, det_time: float, seed: int,
                wall_s: float | None = None) -> Exact:
    """The exact model within `det_time` deterministic seconds (see the module
    docstring); `wall_s`, the safety stop's seconds left, only as a safety stop
    (a result it cuts is `interrupted`)."""
    W, T = ctx.W, ctx.T
    m = cp_model.CpModel()
    cand = candidates(ctx)
    x = [{int(s): m.NewBoolVar("") for s in cs} for cs in cand]
    for r in range(W.n):
        m.AddExactlyOne(x[r].values())
    by_slot: dict = {}
    for r in range(W.n):
        for s, v in x[r].items():
            by_slot.setdefault(s, []).append((r, v))
    for s, rv in by_slot.items():
        if len(rv) > 1:
            m.AddAtMostOne(v for _, v in rv)
    block_of, windows = _blocks(ctx, m, x)
    _capacities(ctx, m, by_slot)
    groups = interchangeable(ctx, block_of, cand)
    for group in groups:                              # symmetry: such racks stand in slot order
        at = [sum(s * v for s, v in x[r].items()) for r in group]
        for u, w in zip(at, at[1:]):
            m.Add(u < w)
    cost, ys = [], []
    for (a, b), links in sorted(pairs(ctx).items()):
        sa, sb = cand[a], cand[b]
        C = pair_costs(ctx, links, sa, sb)
        rows: list = [[] for _ in sa]
        cols: list = [[] for _ in sb]
        for i, j in zip(*np.nonzero(C < INF)):
            v = m.NewBoolVar("")
            rows[i].append(v)
            cols[j].append(v)
            cost.append((int(C[i, j]), v))
            ys.append((a, b, int(sa[i]), int(sb[j]), v))
        for s, vs in zip(sa, rows):
            m.Add(sum(vs) == x[a][int(s)])
        for t, vs in zip(sb, cols):
            m.Add(sum(vs) == x[b][int(t)])
    m.Minimize(sum(c * v for c, v in cost))
    if hint is not None and (hint >= 0).all():
        hint = hint.copy()
        for group in groups:                          # the same layout, in the order kept
            hint[group] = np.sort(hint[group])
        for r in range(W.n):                          # a complete hint: x, z and y
            for s, v in x[r].items():
                m.AddHint(v, int(hint[r]) == s)
        for racks, z in windows:
            first = int(hint[racks].min())
            for s, v in z.items():
                m.AddHint(v, s == first)
        for a, b, s, t, v in ys:
            m.AddHint(v, int(hint[a]) == s and int(hint[b]) == t)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1                 # one worker, a fixed seed: deterministic
    solver.parameters.random_seed = int(seed) & 0x7FFFFFFF
    solver.parameters.max_deterministic_time = max(float(det_time), 0.05)
    # probing in presolve (up to 1 unit a round) would otherwise eat a small budget
    # before the search even tries the hint
    solver.parameters.probing_deterministic_time_limit = min(1.0, 0.1 * float(det_time))
    solver.parameters.presolve_probing_deterministic_time_limit = min(30.0, 0.1 * float(det_time))
    if wall_s is not None:
        solver.parameters.max_time_in_seconds = max(float(wall_s), 0.05)
    st = solver.Solve(m)
    # stopped by the wall clock, not the work limit: not reproducible
    cut = (wall_s is not None and st != cp_model.OPTIMAL and st != cp_model.INFEASIBLE
           and solver.WallTime() >= wall_s and solver.DeterministicTime() < det_time)
    if st == cp_model.INFEASIBLE:
        return Exact(None, None, INF, True, cut)
    if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Exact(None, None, 0, False, cut)
    pos = np.array([next(s for s, v in x[r].items() if solver.Value(v)) for r in range(W.n)], np.int64)
    value = int(round(solver.ObjectiveValue()))
    bound = int(np.ceil(solver.BestObjectiveBound() - 1e-6))
    return Exact(pos, value, min(bound, value), st == cp_model.OPTIMAL, cut)


def interchangeable(ctx: Ctx, block_of: dict, cand: list | None = None) -> list[list]:
    """Groups of racks that any layout may swap without changing its feasibility
    or objective: the same candidate slots, power, liquid and air heat, block
    (or none), and the same links (fabric, count) to every other rack. Ordering
    each group's slots removes only layouts that a swap maps to one kept."""
    W = ctx.W
    cand = candidates(ctx) if cand is None else cand
    links: list = [dict() for _ in range(W.n)]
    for i in range(len(W.la)):
        a, b = int(W.la[i]), int(W.lb[i])
        key = (int(W.lfab[i]), int(W.llevel[i]))
        for u, v in ((a, b), (b, a)):
            links[u][(v, key)] = links[u].get((v, key), 0) + int(W.lcount[i])

    def same(r, q):
        own = lambda t: {k: n for k, n in links[t].items() if k[0] not in (r, q)}
        between = lambda t, o: sorted((k[1], n) for k, n in links[t].items() if k[0] == o)
        return own(r) == own(q) and between(r, q) == between(q, r)

    sig: dict = {}
    for r in range(W.n):
        key = (int(W.kind[r]), int(W.power[r]), int(W.liquid[r]), int(W.air[r]), block_of.get(r),
               tuple(cand[r].tolist()))
        sig.setdefault(key, []).append(r)
    groups = []
    for rs in sig.values():
        while rs:
            head, rest = rs[0], rs[1:]
            group = [head] + [q for q in rest if same(head, q)]
            if len(group) > 1:
                groups.append(group)
            rs = [q for q in rest if q not in group]
    return groups


def _blocks(ctx: Ctx, m, x) -> dict:
    """Each block's racks fill the consecutive slots of one window of one row
    segment. Returns rack -> its block (racks in blocks), and each block's
    racks with its start variables."""
    W, T = ctx.W, ctx.T
    block_of: dict = {}
    windows: list = []
    for ci, c in enumerate(ctx.clusters):
        size = ctx.block[ci]
        if size <= 1:
            continue
        base = W.compute_base[ci]
        for first in range(0, c.racks, size):
            racks = range(base + first, base + min(first + size, c.racks))
            n = len(racks)
            block_of.update((r, (ci, first)) for r in racks)
            ok = set(x[racks[0]])                       # a block's racks share their candidates
            starts = [s for s in sorted(ok) if all(
                (s + i) in ok and T.row_id[s + i] == T.row_id[s] and T.sec[s + i] == T.sec[s]
                for i in range(n))]
            z = {s: m.NewBoolVar("") for s in starts}
            m.AddExactlyOne(z.values())
            windows.append((list(racks), z))
            for r in racks:
                for s, v in x[r].items():
                    cover = [z[s0] for s0 in range(s - n + 1, s + 1) if s0 in z]
                    if not cover:
                        m.Add(v == 0)
                    else:
                        m.Add(v <= sum(cover))
    return block_of, windows


def _capacities(ctx: Ctx, m, by_slot: dict) -> None:
    """Every row's busway and every hall's CDU and air capacity, as Ctx holds them."""
    W, T = ctx.W, ctx.T
    rows: dict = {}
    halls: dict = {}
    for s, rv in by_slot.items():
        rows.setdefault(int(T.row_id[s]), []).extend(rv)
        halls.setdefault(int(T.hall[s]), []).extend(rv)
    for row, rv in rows.items():
        if ctx.row_cap[row] < INF:
            m.Add(sum(int(W.power[r]) * v for r, v in rv) <= int(ctx.row_cap[row]))
    for k, rv in halls.items():
        if ctx.cdu_cap[k] < INF:
            m.Add(sum(int(W.liquid[r]) * v for r, v in rv if W.liquid[r]) <= int(ctx.cdu_cap[k]))
        if ctx.air_cap[k] < INF:
            m.Add(sum(int(W.air[r]) * v for r, v in rv if W.air[r]) <= int(ctx.air_cap[k]))
