"""The naive layout a planner would draw first, costed like the optimum.

Clusters in spec order; each fills the halls it may use in order, rows in
order, segments left to right, one scalable-unit block after another (never
going back to an earlier gap), skipping a row whose busway or a hall whose CDU
or air capacity is exhausted. Then its switch racks, in fabric and tier order
(leaves, spines, cores), take the network slots at the row ends of those halls
in order, then any compute slot left over. Capacities are respected, so the
baseline is a feasible layout whenever this greedy fill succeeds.
"""

from __future__ import annotations

import numpy as np

from .assign_halls import HallData
from .context import Ctx
from .geometry import SLOT_COMPUTE, SLOT_NETWORK


def place_baseline(ctx: Ctx, hd: HallData) -> bool:
    ctx.reset()
    fill = [[[0] * len(segs) for segs in hd.segments[k]] for k in range(len(ctx.halls))]
    for ci, c in enumerate(ctx.clusters):
        if not _compute(ctx, hd, ci, fill):
            return False
        lo, hi = ctx.W.net_range[ci]
        if not _network(ctx, ci, np.arange(lo, hi)):
            return False
    return True


def _compute(ctx: Ctx, hd: HallData, ci: int, fill) -> bool:
    c = ctx.clusters[ci]
    b, base = ctx.block[ci], ctx.W.compute_base[ci]
    halls = [k for k in range(len(ctx.halls)) if ctx.allowed[ci][k]]
    cursor = [0, 0, 0]                       # position in halls, row, segment
    for start in range(0, c.racks, b):
        size = min(b, c.racks - start)
        spot = _next_spot(ctx, hd, ci, halls, cursor, fill, size)
        if spot is None:
            return False
        k, r, s = spot
        first = hd.segments[k][r][s][0] + fill[k][r][s]
        fill[k][r][s] += size
        ctx.place(np.arange(base + start, base + start + size), np.arange(first, first + size))
    return True


def _next_spot(ctx: Ctx, hd: HallData, ci: int, halls, cursor, fill, size):
    p, liq, air = size * hd.power[ci], size * hd.liquid[ci], size * hd.air[ci]
    while cursor[0] < len(halls):
        k = halls[cursor[0]]
        segs = hd.segments[k]
        hall_ok = ctx.hall_liq[k] + liq <= ctx.cdu_cap[k] and ctx.hall_air[k] + air <= ctx.air_cap[k]
        while hall_ok and cursor[1] < len(segs):
            row = int(np.nonzero(ctx.row_hall == k)[0][cursor[1]])
            if ctx.row_load[row] + p <= ctx.row_cap[row]:
                while cursor[2] < len(segs[cursor[1]]):
                    s = cursor[2]
                    if segs[cursor[1]][s][1] - fill[k][cursor[1]][s] >= size:
                        return k, cursor[1], s
                    cursor[2] += 1
            cursor[1], cursor[2] = cursor[1] + 1, 0
        cursor[0], cursor[1], cursor[2] = cursor[0] + 1, 0, 0
    return None


def _network(ctx: Ctx, ci: int, racks: np.ndarray) -> bool:
    T = ctx.T
    halls = [k for k in range(len(ctx.halls)) if ctx.net_allowed[ci][k] and ctx.allowed[ci][k]]
    halls += [k for k in range(len(ctx.halls)) if ctx.net_allowed[ci][k] and k not in halls]
    order = []
    for kind in (SLOT_NETWORK, SLOT_COMPUTE):        # row ends first, then leftovers
        for k in halls:
            lo = int(T.base[k])
            hi = lo + ctx.halls[k].rows * ctx.halls[k].slots_per_row
            order.extend(s for s in range(lo, hi) if T.kind[s] == kind)
    i = 0
    for x in racks:
        p = int(ctx.W.power[x])
        while i < len(order):
            s = order[i]
            i += 1
            row, k = T.row_id[s], T.hall[s]
            if (ctx.occ[s] < 0 and ctx.row_load[row] + p <= ctx.row_cap[row]
                    and ctx.hall_air[k] + p <= ctx.air_cap[k]):
                ctx.place([x], [s])
                break
        else:
            return False
    return True
