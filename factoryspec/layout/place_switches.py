"""Network racks to slots by min-cost flow.

Placing one tier of racks while every other rack stays put is a transportation
problem: the cost of a rack at a slot is the sum, over its links to placed
racks, of count x unit cost at that length, and tiers' racks have no links
among themselves. So each step is solved exactly (SimpleMinCostFlow):

    rack types (supply) -> candidate slots (cap 1) -> rows (busway headroom in
    racks) -> halls (air headroom in racks) -> sink

Racks with identical neighbour positions share a type (one cost row). Each type
also has an expensive arc to a per-hall hub that reaches every free slot of the
hall, so the flow is feasible whenever capacity exists, whatever candidate
arcs were pruned. Tiers are re-placed in turn (leaves, spines, cores, repeat)
while the objective improves: coordinate descent with exact steps.

The first placement of all network racks is one joint flow in which a rack's
cost is measured to its lower neighbours' anchors (a compute rack's slot, or
the anchor of the lower neighbour with the most links), so spines land near
their pods and cores near the middle of their cluster.
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import min_cost_flow

from .context import Ctx
from .costs import INF

NO_LIMIT = 1 << 40


def anchors(ctx: Ctx) -> np.ndarray:
    """Anchor slot of every rack: its own slot if placed, else bottom-up from below."""
    W = ctx.W
    anc = ctx.pos.copy()
    for level in (1, 2, 3):
        for x in np.nonzero((W.tier == level) & (anc < 0))[0]:
            lo, hi = ctx.adj_ptr[x], ctx.adj_ptr[x + 1]
            down = ~ctx.adj_up[lo:hi]
            nb, cnt = ctx.adj_nbr[lo:hi][down], ctx.adj_cnt[lo:hi][down]
            ok = anc[nb] >= 0
            if ok.any():
                nb, cnt = nb[ok], cnt[ok]
                anc[x] = anc[nb[np.argmax(cnt)]]
    return anc


def _neighbours(ctx: Ctx, x: int, slots: np.ndarray, lower_only: bool):
    lo, hi = ctx.adj_ptr[x], ctx.adj_ptr[x + 1]
    nb, cnt, fab = ctx.adj_nbr[lo:hi], ctx.adj_cnt[lo:hi], ctx.adj_fab[lo:hi]
    keep = slots[nb] >= 0
    if lower_only:
        keep &= ~ctx.adj_up[lo:hi]
    return slots[nb[keep]], cnt[keep], fab[keep]


def place(ctx: Ctx, racks: np.ndarray, use_anchors: bool = False) -> bool:
    """Place `racks` (network racks) at the cheapest free slots; False if no
    capacity. Racks already placed are first taken out."""
    racks = np.asarray(racks, np.int64)
    if len(racks) == 0:
        return True
    ctx.unplace(racks)
    ref = anchors(ctx) if use_anchors else ctx.pos
    free = ctx.free_slots()
    power = int(ctx.W.power[racks].max())
    types, type_racks = _types(ctx, racks, ref, use_anchors)
    arcs = _arcs(ctx, types, free)
    sol = _flow(ctx, types, type_racks, arcs, free, power)
    if sol is None:
        return False
    rk, sl = sol
    ctx.place(rk, sl)
    return True


def _types(ctx: Ctx, racks, ref, lower_only):
    """Racks with the same cluster and the same neighbours (slots, counts,
    fabrics) cost the same everywhere: one type, one row of costs."""
    index: dict = {}
    types, type_racks = [], []
    for x in racks:
        x = int(x)
        ns, cnt, fab = _neighbours(ctx, x, ref, lower_only)
        o = np.lexsort((cnt, ns))
        ci = int(ctx.rack_local_cluster[x])
        key = (ci, ns[o].tobytes(), cnt[o].tobytes(), fab[o].tobytes())
        if key not in index:
            index[key] = len(types)
            types.append((ci, ns[o], cnt[o], fab[o]))
            type_racks.append([])
        type_racks[index[key]].append(x)
    return types, type_racks


def _arcs(ctx: Ctx, types, free):
    """Per type: candidate slots and costs (finite only)."""
    T = ctx.T
    free_hall = T.hall[free]
    out = []
    ox = np.array([h.origin_xy_m[0] for h in ctx.halls])
    oy = np.array([h.origin_xy_m[1] for h in ctx.halls])
    for ci, ns, cnt, fab in types:
        allowed = ctx.net_allowed[ci]
        halls = _candidate_halls(T.hall[ns], allowed, ox, oy)
        cand = free[np.isin(free_hall, halls)]
        # one matrix of lengths per type: candidates x neighbours
        bins = T.length_bins_matrix(cand, ns)
        cost = np.zeros(len(cand), np.int64)
        bad = np.zeros(len(cand), bool)
        for f in np.unique(fab):
            cols = fab == f
            u = ctx.tables[f].lookup(ctx.units[f], bins[:, cols])
            over = u >= INF
            bad |= over.any(axis=1)
            cost += (np.where(over, 0, u) * cnt[cols]).sum(axis=1)
        out.append((cand[~bad], cost[~bad]))
    return out


def _candidate_halls(nbr_halls, allowed, ox, oy):
    """Allowed halls whose origin lies in the bounding box of the neighbours'
    halls: a rack between its neighbours (e.g. a spine half-way from its pod to
    the cores) may split a long run into two shorter, cheaper ones."""
    if len(nbr_halls) == 0:
        return np.nonzero(allowed)[0]
    hs = np.unique(nbr_halls)
    inside = ((ox >= ox[hs].min()) & (ox <= ox[hs].max()) & (oy >= oy[hs].min()) & (oy <= oy[hs].max()))
    out = np.nonzero(inside & allowed)[0]
    return out if len(out) else np.nonzero(allowed)[0]


def _flow(ctx: Ctx, types, type_racks, arcs, free, power):
    T = ctx.T
    nT, nF = len(types), len(free)
    slot_node = np.full(T.n, -1, np.int64)
    slot_node[free] = nT + np.arange(nF)
    rows = np.unique(T.row_id[free])
    row_node = {int(r): nT + nF + i for i, r in enumerate(rows)}
    halls = np.unique(T.hall[free])
    hall_node = {int(h): nT + nF + len(rows) + i for i, h in enumerate(halls)}
    hub_node = {int(h): nT + nF + len(rows) + len(halls) + i for i, h in enumerate(halls)}
    sink = nT + nF + len(rows) + 2 * len(halls)
    tails, heads, caps, costs = [], [], [], []

    maxc = max((int(c.max()) for _, c in arcs if len(c)), default=0)
    scale = max(1, maxc // (1 << 40) + 1)
    big = (maxc // scale) * 4 + 1
    for t, (cand, cost) in enumerate(arcs):
        sup = len(type_racks[t])
        if len(cand):
            tails.append(np.full(len(cand), t))
            heads.append(slot_node[cand])
            caps.append(np.ones(len(cand), np.int64))
            costs.append(cost // scale)
        ci = types[t][0]
        hs = [h for h in hub_node if ctx.net_allowed[ci][h]]
        tails.append(np.full(len(hs), t))
        heads.append(np.array([hub_node[h] for h in hs], np.int64))
        caps.append(np.full(len(hs), sup))
        costs.append(np.full(len(hs), big))
    hub_arc_start = sum(len(x) for x in tails)
    fh = T.hall[free]
    tails.append(np.array([hub_node[int(h)] for h in fh], np.int64))
    heads.append(nT + np.arange(nF))
    caps.append(np.ones(nF, np.int64))
    costs.append(np.zeros(nF, np.int64))
    tails.append(nT + np.arange(nF))
    heads.append(np.array([row_node[int(r)] for r in T.row_id[free]], np.int64))
    caps.append(np.ones(nF, np.int64))
    costs.append(np.zeros(nF, np.int64))
    room = ctx.row_cap[rows] - ctx.row_load[rows]
    tails.append(np.array([row_node[int(r)] for r in rows], np.int64))
    heads.append(np.array([hall_node[int(ctx.row_hall[r])] for r in rows], np.int64))
    caps.append(np.maximum(room // power, 0) if power else np.full(len(rows), NO_LIMIT))
    costs.append(np.zeros(len(rows), np.int64))
    air = ctx.air_cap[halls] - ctx.hall_air[halls]
    tails.append(np.array([hall_node[int(h)] for h in halls], np.int64))
    heads.append(np.full(len(halls), sink))
    caps.append(np.minimum(np.maximum(air // power, 0), NO_LIMIT) if power else np.full(len(halls), NO_LIMIT))
    costs.append(np.zeros(len(halls), np.int64))

    f = min_cost_flow.SimpleMinCostFlow()
    tl = np.concatenate(tails).astype(np.int32)
    hd = np.concatenate(heads).astype(np.int32)
    arcs_idx = f.add_arcs_with_capacity_and_unit_cost(
        tl, hd, np.concatenate(caps).astype(np.int64), np.concatenate(costs).astype(np.int64))
    total = sum(len(r) for r in type_racks)
    supplies = np.zeros(sink + 1, np.int64)
    supplies[:nT] = [len(r) for r in type_racks]
    supplies[sink] = -total
    f.set_nodes_supplies(np.arange(sink + 1, dtype=np.int32), supplies)
    if f.solve() != f.OPTIMAL:
        return None
    flows = f.flows(arcs_idx)
    return _decode(tl, hd, flows, nT, nF, free, type_racks, hub_node, hub_arc_start)


def _decode(tl, hd, flows, nT, nF, free, type_racks, hub_node, hub_arc_start):
    left = [list(r) for r in type_racks]
    rk, sl = [], []
    hub_of = {v: h for h, v in hub_node.items()}
    hub_demand: dict = {}
    used = np.nonzero(flows[:hub_arc_start] > 0)[0]
    for a in used:
        t, head = int(tl[a]), int(hd[a])
        if head in hub_of:
            hub_demand.setdefault(hub_of[head], []).extend([t] * int(flows[a]))
        else:
            rk.append(left[t].pop(0))
            sl.append(int(free[head - nT]))
    hub_slots: dict = {}
    for a in np.nonzero(flows[hub_arc_start:hub_arc_start + nF] > 0)[0]:
        s = int(free[a])
        hub_slots.setdefault(int(hub_of[int(tl[hub_arc_start + a])]), []).append(s)
    for h, ts in hub_demand.items():
        for t, s in zip(ts, hub_slots.get(h, [])):
            rk.append(left[t].pop(0))
            sl.append(s)
    return np.array(rk, np.int64), np.array(sl, np.int64)


def refine(ctx: Ctx, groups: list, rounds: int, deadline=None) -> int:
    """Re-place each group of racks (a tier of a fabric) given the rest, keeping
    a move only if the objective over that group's links falls. Returns the
    number of improving moves."""
    moves = 0
    for _ in range(rounds):
        improved = False
        for racks, links in groups:
            if deadline is not None and deadline():
                return moves
            before = ctx.objective_value(links)
            snap = ctx.snapshot()
            if not place(ctx, racks) or ctx.objective_value(links) >= before:
                ctx.restore(snap)
                continue
            improved = True
            moves += 1
        if not improved:
            break
    return moves
