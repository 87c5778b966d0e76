"""The state of one component's solve: racks, slots, capacities and positions.

A component is a set of clusters with the halls they may use, independent of
every other component (no hall shared), so components solve separately (and
in parallel) with identical results.
"""

from __future__ import annotations

import numpy as np

from . import wiring
from .costs import INF, CostTable
from .geometry import SLOT_COMPUTE, SLOT_RESERVED, build_slots
from .problem import LayoutProblem, block_size, watts


def floor_ok(weight_kg: float, footprint_m2: float, rating: float | None) -> bool:
    """A rack may stand on a floor when weight / footprint <= rating."""
    if rating is None or weight_kg <= 0:
        return True
    if footprint_m2 <= 0:
        return False
    return weight_kg <= rating * footprint_m2


def _capacity(w: float | None) -> int:
    """A capacity in whole watts for the int64 tables: none, or one beyond
    INF (10^18 W, far above any load the tables can sum), is unconstrained."""
    if w is None or not w < INF:          # `not <` also catches inf and nan
        return INF
    return watts(w)


class Ctx:
    def __init__(self, problem: LayoutProblem, clusters: list, halls: list):
        self.problem = problem
        self.objective = problem.objective
        self.cl = list(clusters)                      # problem cluster indices
        self.hl = list(halls)                         # problem hall indices
        self.clusters = [problem.clusters[i] for i in self.cl]
        self.halls = [problem.halls[k] for k in self.hl]
        self.W = wiring.build(problem, self.cl)
        self.T = build_slots(self.halls, problem.cabling)
        self.local = {pi: li for li, pi in enumerate(self.cl)}
        self.rack_local_cluster = np.array([self.local[int(c)] for c in self.W.cluster], np.int64) \
            if self.W.n else np.zeros(0, np.int64)
        self.tables = [CostTable(problem, f.spec.media, self.T.bin_mm, f.spec.link_speed_bps) for f in self.W.fabrics]
        self.units = [t.unit(self.objective) for t in self.tables]
        self._capacities()
        self._allowed()
        self._adjacency()
        self._fabric_slices()
        self.reset()

    # ---- static data -------------------------------------------------------------
    def _capacities(self):
        T = self.T
        self.n_rows = int(T.row_id.max()) + 1 if T.n else 0
        self.row_hall = np.zeros(self.n_rows, np.int64)
        self.row_cap = np.zeros(self.n_rows, np.int64)
        off = 0
        for k, h in enumerate(self.halls):
            rating = _capacity(h.busway_w_per_feed)
            cap = rating if rating >= INF else min(int(rating * h.busway_limit), INF)
            self.row_hall[off:off + h.rows] = k
            self.row_cap[off:off + h.rows] = cap
            off += h.rows
        self.cdu_cap = np.array([_capacity(h.cdu_capacity_w_usable) for h in self.halls], np.int64)
        self.air_cap = np.array([_capacity(h.air_capacity_w_usable) for h in self.halls], np.int64)

    def _allowed(self):
        """allowed[c][k]: cluster c's compute racks may stand in hall k (allowed and floor ok);
        net_allowed[c][k]: its network racks may."""
        hall_pos = {self.problem.halls[k].id: i for i, k in enumerate(self.hl)}
        self.allowed, self.net_allowed = [], []
        for c in self.clusters:
            ids = self.problem.allowed(c)
            mask = np.zeros(len(self.halls), bool)
            nmask = np.zeros(len(self.halls), bool)
            for hid in ids:
                if hid in hall_pos:
                    k = hall_pos[hid]
                    h = self.halls[k]
                    mask[k] = floor_ok(c.rack_weight_kg, c.footprint_m2, h.floor_rating_kg_m2)
                    nmask[k] = all(floor_ok(f.rack_weight_kg, f.rack_footprint_m2, h.floor_rating_kg_m2)
                                   for f in c.fabrics)
            self.allowed.append(mask)
            self.net_allowed.append(nmask)
        self.block = [block_size(c) for c in self.clusters]

    def _adjacency(self):
        """CSR of each rack's links: neighbour, count, fabric, and whether it is the upper end."""
        W = self.W
        a = np.concatenate([W.la, W.lb])
        b = np.concatenate([W.lb, W.la])
        cnt = np.concatenate([W.lcount, W.lcount])
        fab = np.concatenate([W.lfab, W.lfab]).astype(np.int64)
        upper = np.concatenate([np.ones(len(W.la), bool), np.zeros(len(W.la), bool)])  # b is above a
        order = np.lexsort((b, a))
        self.adj_nbr, self.adj_cnt = b[order], cnt[order]
        self.adj_fab, self.adj_up = fab[order], upper[order]
        self.adj_ptr = np.searchsorted(a[order], np.arange(W.n + 1))

    def _fabric_slices(self):
        W = self.W
        self.fab_slices = []
        for f in range(len(W.fabrics)):
            idx = np.nonzero(W.lfab == f)[0]
            self.fab_slices.append(idx)

    # ---- mutable state ----------------------------------------------------------------
    def reset(self):
        self.pos = np.full(self.W.n, -1, np.int64)
        self.occ = np.full(self.T.n, -1, np.int64)
        self.row_load = np.zeros(self.n_rows, np.int64)
        self.hall_liq = np.zeros(len(self.halls), np.int64)
        self.hall_air = np.zeros(len(self.halls), np.int64)

    def snapshot(self):
        return (self.pos.copy(), self.occ.copy(), self.row_load.copy(), self.hall_liq.copy(),
                self.hall_air.copy())

    def restore(self, snap):
        self.pos, self.occ, self.row_load, self.hall_liq, self.hall_air = (x.copy() for x in snap)

    def place(self, racks, slots):
        racks = np.asarray(racks, np.int64)
        slots = np.asarray(slots, np.int64)
        self.pos[racks] = slots
        self.occ[slots] = racks
        np.add.at(self.row_load, self.T.row_id[slots], self.W.power[racks])
        hall = self.T.hall[slots]
        np.add.at(self.hall_liq, hall, self.W.liquid[racks])
        np.add.at(self.hall_air, hall, self.W.air[racks])

    def unplace(self, racks):
        racks = np.asarray(racks, np.int64)
        racks = racks[self.pos[racks] >= 0]
        slots = self.pos[racks]
        self.occ[slots] = -1
        np.subtract.at(self.row_load, self.T.row_id[slots], self.W.power[racks])
        hall = self.T.hall[slots]
        np.subtract.at(self.hall_liq, hall, self.W.liquid[racks])
        np.subtract.at(self.hall_air, hall, self.W.air[racks])
        self.pos[racks] = -1

    def free_slots(self) -> np.ndarray:
        """Slots a network rack may take now: not reserved, not occupied."""
        return np.nonzero((self.T.kind != SLOT_RESERVED) & (self.occ < 0))[0]

    # ---- evaluation ---------------------------------------------------------------------
    def link_bins(self, idx=None) -> np.ndarray:
        W = self.W
        la = W.la if idx is None else W.la[idx]
        lb = W.lb if idx is None else W.lb[idx]
        return self.T.length_bins(self.pos[la], self.pos[lb])

    def link_units(self, idx: np.ndarray, table: str = "objective") -> np.ndarray:
        """Per-link unit (objective, or cost) of the links idx (all placed)."""
        W = self.W
        out = np.zeros(len(idx), np.int64)
        if len(idx) == 0:
            return out
        bins = self.T.length_bins(self.pos[W.la[idx]], self.pos[W.lb[idx]])
        fabs = W.lfab[idx]
        for f in np.unique(fabs):
            sel = fabs == f
            t = self.tables[f]
            arr = self.units[f] if table == "objective" else t.cost
            out[sel] = t.lookup(arr, bins[sel])
        return out

    def objective_value(self, idx=None) -> int:
        """Sum of count x unit over links (Python int, exact); INF if a link is out of reach."""
        if idx is None:
            idx = np.arange(len(self.W.la))
        u = self.link_units(idx)
        if len(u) and int(u.max()) >= INF:
            return INF
        return int(np.dot(u.astype(object), self.W.lcount[idx].astype(object))) if len(u) else 0

    def compute_slot_counts(self) -> np.ndarray:
        return np.bincount(self.T.hall[self.T.kind == SLOT_COMPUTE], minlength=len(self.halls))

    def usable_slot_counts(self) -> np.ndarray:
        return np.bincount(self.T.hall[self.T.kind != SLOT_RESERVED], minlength=len(self.halls))
