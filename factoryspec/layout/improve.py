"""Local search that moves compute racks jointly with the network racks.

Rows are packed before any switch is placed and the switch steps never move
a compute rack, so a scalable unit may end up far from the only free slots
its leaves can take (optics where copper would reach). This phase moves whole
scalable-unit blocks (ctx.block: the scalable unit, the NVLink domain, or
their lcm) and re-places the network racks around them:

    relocate   a block to another run of compute slots in one row segment
               whose slots are free or hold network racks (those are put back
               by the re-placement); the run may overlap the block's own slots
    swap       two blocks of the same size (of one cluster or of two)

After a move, the network racks linked to the moved racks (and the network
racks they displaced), with every rack above them in their fabrics, are placed
again, tier by tier from where they stand; if that does not lower the
objective, the same with the other leaves of those spines; then those jointly
from the lower neighbours' anchors (as the first placement). Each is polished
tier by tier (place_switches), and the first that lowers the whole objective
(recomputed exactly, ctx.objective_value) is kept; else the snapshot before
the move is restored, so the result is never worse than the input.

Why a move stays feasible: a block keeps its racks in their order and lands
on consecutive compute slots of one row segment (HallData.segments), so every
scalable unit and NVLink domain stays contiguous in one row segment; its hall
must be one the cluster may use (ctx.allowed: allowed halls and floor load);
compute slots are never network or reserved slots; the network racks are
placed by the min-cost flow, which takes only free, unreserved slots of halls
their fabric may use (ctx.net_allowed) within every row's busway and hall's
air headroom; and after each move every row busway, hall CDU and air load is
checked against its capacity (capacity_ok) before the move can be kept.

Determinism: the search charges its work to a Budget in reference seconds
(FLOW_S + FLOW_S_PER_SLOT x the component's slots for each re-placement flow,
1 / PROXY_CELLS_PER_S for each cell of the candidate ranking), derived by
solve.py from the component's budget_s; candidates are ranked and taken in a
fixed order; the wall clock is only the safety stop (`deadline`).
"""

from __future__ import annotations

import numpy as np

from .assign_halls import HallData
from .context import Ctx
from .costs import INF
from .place_switches import place
from .work import Budget

ENABLED = True            # the phase runs (tests turn it off to compare)
ROUNDS = 4                # passes over all blocks, while one improves
CANDIDATES = 6            # moves evaluated per block and pass: the best by the proxy
POLISH_ROUNDS = 3         # tier-by-tier re-placements after a move, while they improve
# Reference seconds of one re-placement (a min-cost flow over the free slots):
# FLOW_S + FLOW_S_PER_SLOT x the component's slots. Measured on one core of the
# 2-core reference VM with the fuzzer sharing it: 5.4 ms at 80 slots (superpod),
# 3.8 ms at 160 (mixed_halls), 8.9 ms at 2,496 (childress); with headroom.
# PROXY_CELLS_PER_S: cells a second of the candidate ranking's numpy arrays.
FLOW_S = 0.006
FLOW_S_PER_SLOT = 1.5e-6
PROXY_CELLS_PER_S = 3e7
CHUNK = 4096              # candidate starts ranked at a time (bounds memory)


def capacity_ok(ctx: Ctx) -> bool:
    """Every row busway, hall CDU and hall air load within its capacity."""
    return bool((ctx.row_load <= ctx.row_cap).all() and (ctx.hall_liq <= ctx.cdu_cap).all()
                and (ctx.hall_air <= ctx.air_cap).all())


class _Search:
    def __init__(self, ctx: Ctx, hd: HallData, work: Budget, deadline):
        self.ctx, self.hd, self.work, self.deadline = ctx, hd, work, deadline
        W = ctx.W
        self.blocks = []              # (cluster, racks)
        for ci, c in enumerate(ctx.clusters):
            b, base = ctx.block[ci], W.compute_base[ci]
            for start in range(0, c.racks, b):
                self.blocks.append((ci, np.arange(base + start, base + min(start + b, c.racks), dtype=np.int64)))
        n_links = len(W.la)
        ends = np.concatenate([W.la, W.lb]).astype(np.int64)
        ids = np.concatenate([np.arange(n_links), np.arange(n_links)]).astype(np.int64)
        order = np.argsort(ends, kind="stable")
        self.rl_ids = ids[order]
        self.rl_ptr = np.searchsorted(ends[order], np.arange(W.n + 1))
        self.starts: dict = {}        # block size -> start slots of runs of that size in one segment
        self.flow_cost = FLOW_S + FLOW_S_PER_SLOT * ctx.T.n
        self.interrupted = False
        self._heads = None

    # ---- helpers ---------------------------------------------------------------------
    def place(self, racks, use_anchors: bool = False) -> bool:
        """place_switches.place, its work charged (FLOW_S, FLOW_S_PER_SLOT)."""
        self.work.spend(self.flow_cost)
        return place(self.ctx, racks, use_anchors=use_anchors)

    def links_of(self, racks) -> np.ndarray:
        parts = [self.rl_ids[self.rl_ptr[x]:self.rl_ptr[x + 1]] for x in np.asarray(racks).tolist()]
        return np.unique(np.concatenate(parts)) if parts else np.zeros(0, np.int64)

    def run_starts(self, size: int) -> np.ndarray:
        if size not in self.starts:
            out = []
            for k in range(len(self.ctx.halls)):
                for segs in self.hd.segments[k]:
                    for first, n in segs:
                        if n >= size:
                            out.append(np.arange(first, first + n - size + 1, dtype=np.int64))
            self.starts[size] = np.concatenate(out) if out else np.zeros(0, np.int64)
        return self.starts[size]

    def in_order(self, racks) -> tuple:
        """The block's racks by slot and its first slot; start -1 if not consecutive slots."""
        pos = self.ctx.pos[racks]
        o = np.argsort(pos, kind="stable")
        rs, ps = racks[o], pos[o]
        ok = len(ps) and ps[0] >= 0 and (ps == ps[0] + np.arange(len(ps))).all()
        return rs, int(ps[0]) if ok else -1

    def proxy(self, rs, starts) -> np.ndarray:
        """Cost of the block's links with its racks at starts + offset, all else where it stands."""
        ctx, W = self.ctx, self.ctx.W
        off, nsl, cnt, fab = [], [], [], []
        inside = set(rs.tolist())
        for i, x in enumerate(rs.tolist()):
            for j in self.rl_ids[self.rl_ptr[x]:self.rl_ptr[x + 1]].tolist():
                y = int(W.lb[j]) if int(W.la[j]) == x else int(W.la[j])
                if y in inside or ctx.pos[y] < 0:
                    continue
                off.append(i)
                nsl.append(int(ctx.pos[y]))
                cnt.append(int(W.lcount[j]))
                fab.append(int(W.lfab[j]))
        out = np.zeros(len(starts), np.int64)
        if not off or not len(starts):
            return out
        off, nsl, cnt, fab = (np.array(v, np.int64) for v in (off, nsl, cnt, fab))
        self.work.spend(len(starts) * len(off) / PROXY_CELLS_PER_S)
        for lo in range(0, len(starts), CHUNK):
            st = starts[lo:lo + CHUNK]
            a = st[:, None] + off[None, :]
            b = np.broadcast_to(nsl[None, :], a.shape)
            bins = ctx.T.length_bins(a, b)
            cost = np.zeros(len(st), np.int64)
            bad = np.zeros(len(st), bool)
            for f in np.unique(fab).tolist():
                cols = fab == f
                u = ctx.tables[f].lookup(ctx.units[f], bins[:, cols])
                over = u >= INF
                bad |= over.any(axis=1)
                cost += (np.where(over, 0, u) * cnt[cols]).sum(axis=1)
            out[lo:lo + CHUNK] = np.where(bad, INF, cost)
        return out

    # ---- candidates ------------------------------------------------------------------
    def candidates(self, bi: int, heads: np.ndarray) -> list:
        """Up to CANDIDATES moves of block bi, best proxy delta first: ('move', slot) or ('swap', block)."""
        ctx, W, T = self.ctx, self.ctx.W, self.ctx.T
        ci, racks = self.blocks[bi]
        rs, cur = self.in_order(racks)
        if cur < 0:
            return []
        size = len(rs)
        starts = self.run_starts(size)
        starts = starts[ctx.allowed[ci][T.hall[starts]]]
        if not len(starts):
            return []
        occ = ctx.occ
        other = np.zeros(T.n + 1, np.int64)         # slots holding a compute rack of another block
        held = occ >= 0
        other[1:] = np.cumsum(held & (W.kind[np.where(held, occ, 0)] == 0) & ~np.isin(occ, rs))
        free = other[starts + size] - other[starts] == 0
        swap_with = heads[starts]                   # the block whose first slot a start is, or -1
        keep = (starts != cur) & (free | (swap_with >= 0))
        starts, free, swap_with = starts[keep], free[keep], swap_with[keep]
        if not len(starts):
            return []
        here = int(self.proxy(rs, np.array([cur]))[0])
        delta = self.proxy(rs, starts) - here
        moves = []
        for s, d, f, j in zip(starts.tolist(), delta.tolist(), free.tolist(), swap_with.tolist()):
            if f:
                moves.append((d, 0, s, ("move", s)))
            if j >= 0 and j != bi:
                cj, rj = self.blocks[j]
                if len(rj) == size and ctx.allowed[cj][T.hall[cur]]:
                    moves.append((d, 1, s, ("swap", j)))
        moves.sort(key=lambda m: m[:3])
        moves = moves[:2 * CANDIDATES]
        scored = []
        for d, kind, s, mv in moves:                # a swap also moves the other block
            if kind == 1:
                rj, sj = self.in_order(self.blocks[mv[1]][1])
                d = d + int(self.proxy(rj, np.array([cur]))[0]) - int(self.proxy(rj, np.array([sj]))[0])
            scored.append((d, kind, s, mv))
        scored.sort(key=lambda m: m[:3])
        return [m[3] for m in scored[:CANDIDATES]]

    def heads(self) -> np.ndarray:
        """Per slot: the block whose first slot it is, or -1 (kept until a move is accepted)."""
        if self._heads is not None:
            return self._heads
        out = np.full(self.ctx.T.n, -1, np.int64)
        for bi, (_, racks) in enumerate(self.blocks):
            _, s = self.in_order(racks)
            if s >= 0:
                out[s] = bi
        self._heads = out
        return out

    # ---- one move ----------------------------------------------------------------------
    def attempt(self, bi: int, move, cur: int) -> int:
        """Apply the move and re-place the network racks around it; keep it and
        return the new objective if lower than cur, else restore and return cur."""
        ctx, W = self.ctx, self.ctx.W
        snap = ctx.snapshot()
        rs, s0 = self.in_order(self.blocks[bi][1])
        if move[0] == "move":
            moved, slots = rs, move[1] + np.arange(len(rs))
        else:
            rj, sj = self.in_order(self.blocks[move[1]][1])
            moved = np.concatenate([rs, rj])
            slots = np.concatenate([sj + np.arange(len(rs)), s0 + np.arange(len(rj))])
        ctx.unplace(moved)
        there = ctx.occ[slots]
        displaced = there[there >= 0]
        if (W.kind[displaced] == 0).any():
            ctx.restore(snap)
            return cur
        ctx.unplace(displaced)
        ctx.place(moved, slots)
        if not capacity_ok(ctx):
            ctx.restore(snap)
            return cur
        narrow = self.affected(moved, displaced, False)
        wide = self.affected(moved, displaced, True)
        after = ctx.snapshot()
        best_val, best = INF, None
        # from where they stand, the racks above only, then with the spines' other
        # leaves; then those from anchors
        for i, (net, joint) in enumerate(((narrow, False), (wide, False), (wide, True))):
            if i and len(net) == len(narrow) and not joint:
                continue                          # no other leaves: the same as the first
            if self.deadline():                   # the safety stop: a large fabric's flows are slow
                self.interrupted = True
                break
            if i:
                ctx.restore(after)
            if self.replace(net, joint) and capacity_ok(ctx) and (ctx.pos >= 0).all():
                val = ctx.objective_value()
                if val < best_val:
                    best_val, best = val, ctx.snapshot()
            if best_val < cur:
                break
        if best is not None and best_val < cur:
            ctx.restore(best)
            return best_val
        ctx.restore(snap)
        return cur

    def affected(self, moved, displaced, siblings: bool) -> np.ndarray:
        """Network racks linked to the moved racks, the displaced ones, every
        rack above them in their fabrics, and (siblings) the other leaves of
        those spines."""
        ctx, W = self.ctx, self.ctx.W
        seen = set(displaced.tolist())
        frontier = set(displaced.tolist())
        for x in moved.tolist():
            nb = ctx.adj_nbr[ctx.adj_ptr[x]:ctx.adj_ptr[x + 1]].tolist()
            frontier.update(y for y in nb if W.kind[y] == 1)
        seen |= frontier
        while frontier:
            nxt = set()
            for x in frontier:
                lo, hi = ctx.adj_ptr[x], ctx.adj_ptr[x + 1]
                up = ctx.adj_up[lo:hi]
                nxt.update(y for y in ctx.adj_nbr[lo:hi][up].tolist() if y not in seen)
            seen |= nxt
            frontier = nxt
        for x in [y for y in sorted(seen) if siblings and W.tier[y] == 2]:   # a spine's other leaves
            lo, hi = ctx.adj_ptr[x], ctx.adj_ptr[x + 1]
            down = ~ctx.adj_up[lo:hi]
            seen.update(y for y in ctx.adj_nbr[lo:hi][down].tolist() if W.kind[y] == 1)
        return np.array(sorted(seen), np.int64)

    def replace(self, net: np.ndarray, joint: bool) -> bool:
        """Place the racks `net` (some may be unplaced): jointly from the anchors,
        or tier by tier; then polish tier by tier while it improves."""
        ctx, W = self.ctx, self.ctx.W
        if not len(net):
            return True
        groups = [net[(W.tier[net] == t) & (W.fabric[net] == f)]
                  for t in range(1, 4) for f in range(len(W.fabrics))]
        groups = [g for g in groups if len(g)]
        if joint:
            if not self.place(net, True):
                ctx.unplace(net)
                for t in range(1, 4):
                    tier = net[W.tier[net] == t]
                    if len(tier) and not self.place(tier, True):
                        return False
        else:
            for g in groups:
                if not self.place(g):
                    return False
        links = [self.links_of(g) for g in groups]
        for _ in range(POLISH_ROUNDS):
            improved = False
            for g, ln in zip(groups, links):
                if self.deadline():
                    self.interrupted = True
                    return True
                before = ctx.objective_value(ln)
                snap = ctx.snapshot()
                if not self.place(g) or ctx.objective_value(ln) >= before:
                    ctx.restore(snap)
                    continue
                improved = True
            if not improved:
                break
        return True

    # ---- the search --------------------------------------------------------------------
    def run(self) -> int:
        ctx = self.ctx
        cur = ctx.objective_value()
        if cur >= INF or not self.blocks:
            return 0
        accepted = 0
        for _ in range(ROUNDS):
            improved = False
            # blocks whose links cost most per rack first (ties: block order)
            costs = [(-ctx.objective_value(self.links_of(r)) / max(len(r), 1), bi)
                     for bi, (_, r) in enumerate(self.blocks)]
            for _, bi in sorted(costs):
                if self.work.done:
                    return accepted
                if self.deadline():
                    self.interrupted = True
                    return accepted
                for mv in self.candidates(bi, self.heads()):
                    if self.work.done:
                        return accepted
                    val = self.attempt(bi, mv, cur)
                    if val < cur:
                        cur, improved = val, True
                        accepted += 1
                        self._heads = None
                        break
            if not improved:
                break
        return accepted


def improve(ctx: Ctx, hd: HallData, work: Budget, deadline=lambda: False) -> tuple[int, bool]:
    """Run the local search on the layout in ctx (complete and feasible);
    returns (moves accepted, whether the safety stop fired). The layout in ctx
    is never worse afterwards."""
    if not ENABLED or not len(ctx.W.la):
        return 0, False
    s = _Search(ctx, hd, work, deadline)
    n = s.run()
    return n, s.interrupted
