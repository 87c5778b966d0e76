"""Lower bounds on a chain of k links between halls, along the hall graph.

A chain from a compute rack in hall K to a top switch in hall H != K passes
through k - 1 network racks (leaf, spine), each standing in a slot of some
hall. `psi_k(d)` in bound.py lets those racks stand anywhere along the route,
so it splits a 200 m run into three ~70 m hops. But racks stand only in halls:
the open ground between buildings holds none, and a link between halls always
runs from its slot to its hall's cable entry, across to the other entry, and
on to the far slot. This module keeps that structure.

A slot is summarised by its hall and its run t to the hall's entry (floored to
a step `delta`). For two slots a, b the horizontal run is at least
    other halls:  t_a + |entry_a - entry_b| + t_b      (exact, by the tray model)
    same hall:    |t_a - t_b|                         (run = row length - x + y,
                  so |t_a - t_b| = |-Δx + Δy| <= |Δx| + |Δy|, and the tray run
                  between two slots of a hall is at least that)
and flooring to delta lowers the first and lowers the second by at most
delta - 1, which is subtracted. A link between halls always takes the tray
route, so it is at least that run plus the tray's drops and slack (T.v_mm). A
link within a hall may be a short one across the rack tops: with horizontal
run h it is at least h + T.v_lo_mm (the smaller vertical part), and the full
T.v_mm once h > in_row_max (T.lift, priced by `short_units`). A link costs at
least the unit of the bin its lower-bound length falls in (units never fall
with length), and at least the shortest link's unit (n_lo). So the least sum
over every sequence of states (a min-plus matrix product) bounds every real
chain:

    route[s, q] <= cost of any chain from a compute slot in state s to a top
                   switch slot in state q.

States are few (halls x distinct floored runs); delta grows until there are at
most MAX_STATES, which keeps the products cheap and changes only tightness
(with more halls than that, the table is skipped and bound.py uses psi alone).
"""

from __future__ import annotations

import numpy as np

from .costs import INF
from .geometry import SLOT_COMPUTE, SLOT_RESERVED

MAX_STATES = 600
SHIFT = 40                        # state key = hall << SHIFT | floored run (mm < 2^40)
MASK = (1 << SHIFT) - 1


class RouteBound:
    """route[s, q] over source states (compute slots `comp`) and switch states
    (usable slots `net`), for chains of k links."""

    def __init__(self, T, comp, net, delta: int, table, g: np.ndarray, n_lo: int, k: int):
        self.T, self.delta = T, delta
        self.table, self.g, self.n_lo = table, g, n_lo
        self.g_short = short_units(T, table, g)
        self.src_keys = self._keys(comp)
        self.net_keys = self._keys(net)
        src_h, src_t = self.src_keys >> SHIFT, self.src_keys & MASK
        net_h, net_t = self.net_keys >> SHIFT, self.net_keys & MASK
        first = np.minimum(T.base, max(T.n - 1, 0))         # every hall's entry (same for all its slots)
        ex, ey = T.ex[first], T.ey[first]
        self.entry_gap = np.abs(ex[:, None] - ex[None, :]) + np.abs(ey[:, None] - ey[None, :])
        a = self._hops(src_h, src_t, net_h, net_t)
        b = self._hops(net_h, net_t, net_h, net_t)
        m = a
        for _ in range(k - 1):
            m = min_plus(m, b)
        self.route = m

    def key(self, hall, run):
        """State key of slots: hall and run floored to delta, packed in one integer."""
        return (np.asarray(hall, np.int64) << SHIFT) | (np.asarray(run, np.int64) // self.delta * self.delta)

    def _keys(self, mask) -> np.ndarray:
        return np.unique(self.key(self.T.hall[mask], self.T.run[mask]))

    def _hops(self, ha, ta, hb, tb) -> np.ndarray:
        inter = ta[:, None] + self.entry_gap[ha][:, hb] + tb[None, :]
        intra = np.maximum(np.abs(ta[:, None] - tb[None, :]) - (self.delta - 1), 0)
        return np.where(ha[:, None] == hb[None, :], self.unit(intra, short=True), self.unit(inter))

    def unit(self, length: np.ndarray, short: bool = False) -> np.ndarray:
        """The least unit of a link of horizontal run `length`: its bin, at least n_lo.
        Between halls (short=False) by the tray route; within a hall (short=True)
        the rack-top route may be shorter, so by the smaller vertical part, lifted."""
        T = self.T
        if short:
            return self.table.lookup(self.g_short, np.maximum(-(-(length + T.v_lo_mm) // T.bin_mm), self.n_lo))
        return self.table.lookup(self.g, np.maximum(-(-(length + T.v_mm) // T.bin_mm), self.n_lo))

    def source_states(self, slots: np.ndarray) -> np.ndarray:
        """Row of route for each compute slot (slots the cluster may use)."""
        return np.searchsorted(self.src_keys, self.key(self.T.hall[slots], self.T.run[slots]))

    def net_states(self, slots: np.ndarray) -> np.ndarray:
        """Column of route for each usable slot the cluster's switches may take."""
        return np.searchsorted(self.net_keys, self.key(self.T.hall[slots], self.T.run[slots]))

    def column(self, hall: int, run: int) -> np.ndarray | None:
        """route[:, q] for a switch slot in `hall` whose run is `run` (None if no such state)."""
        k = int(self.key(hall, run))
        q = int(np.searchsorted(self.net_keys, k))
        return self.route[:, q] if q < len(self.net_keys) and self.net_keys[q] == k else None


def short_units(T, table, g: np.ndarray) -> np.ndarray:
    """g indexed by the bin of h + T.v_lo_mm (h a link's horizontal run): the unit
    of the least bin its real length can fall in (T.lift), INF beyond reach. It
    never exceeds the real unit of such a link (units never fall with length),
    never falls as the bin grows, and equals g when no link takes the rack tops."""
    return table.lookup(g, T.lift(np.arange(len(g))))


def step(T, mask, bin_mm: int) -> int | None:
    """The smallest multiple of bin_mm (doubling) that keeps the states few;
    None when even one state per hall is too many."""
    if len(np.unique(T.hall[mask])) > MAX_STATES:
        return None
    delta = max(bin_mm, 1)
    while len(np.unique((T.hall[mask] << SHIFT) | (T.run[mask] // delta))) > MAX_STATES:
        delta *= 2
    return delta


def route_bound(ctx, ci: int, table, g: np.ndarray, n_lo: int, k: int) -> RouteBound | None:
    """The route table of cluster ci's k-link chains (costs from the fabric's
    CostTable `table` and its unit array `g`), or None when it would not help
    (one link) or be too large (more halls than MAX_STATES)."""
    T = ctx.T
    if k < 2:
        return None
    comp = (T.kind == SLOT_COMPUTE) & ctx.allowed[ci][T.hall]
    net = (T.kind != SLOT_RESERVED) & ctx.net_allowed[ci][T.hall]
    delta = step(T, comp | net, T.bin_mm)
    return None if delta is None else RouteBound(T, comp, net, delta, table, g, n_lo, k)


def min_plus(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(x ⊗ y)[i, j] = min_l x[i, l] + y[l, j], saturating at INF."""
    out = np.full((x.shape[0], y.shape[1]), INF, np.int64)
    for l in range(x.shape[1]):
        np.minimum(out, x[:, l:l + 1] + y[l][None, :], out=out)
    return np.minimum(out, INF)
