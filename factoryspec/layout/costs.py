"""Cheapest medium and cost per cable length (closed form, tabulated per bin).

Cost of one link of medium m at length L (integer micro-USD, L in mm):
    fixed_u + (per_m_u * max(L, min_length) + 500) // 1000
where fixed_u and per_m_u are the USD figures times 10^6, rounded. A link
takes the cheapest medium whose reach covers L (ties: the first listed).
"""

from __future__ import annotations

import numpy as np

from .problem import LayoutProblem, micro_usd, mm

INF = 1 << 60
# Bins one table may hold. Lint keeps reach / length_bin far below this
# (checks/sanity.py); called directly with finer bins, lengths beyond it count
# as out of reach rather than build a table that never ends (see
# LayoutProblem.validate, which reports it).
MAX_BINS = 1_000_000


def media_for(problem: LayoutProblem, allowed: tuple, speed_bps: float = 0.0) -> list:
    """The media a fabric may use, in its own order (or the problem's): those
    allowed and fast enough for its links (Medium.carries)."""
    if not allowed:
        return [m for m in problem.media if m.carries(speed_bps)]
    by_id = {m.id: m for m in problem.media}
    return [by_id[i] for i in allowed if i in by_id and by_id[i].carries(speed_bps)]


class CostTable:
    """Per length bin n (length n * bin_mm): medium index, cost (uUSD) and the
    objective's unit (cost, or length in mm), INF where no medium reaches."""

    def __init__(self, problem: LayoutProblem, allowed: tuple, bin_mm: int, speed_bps: float = 0.0):
        self.media = media_for(problem, allowed, speed_bps)
        self.bin_mm = bin_mm
        reach = max((mm(m.reach_m) for m in self.media), default=0)
        self.nmax = min(reach // bin_mm, MAX_BINS)
        n = np.arange(self.nmax + 1, dtype=np.int64)
        length = n * bin_mm
        costs = np.full((max(len(self.media), 1), len(n)), INF, np.int64)
        for k, m in enumerate(self.media):
            ordered = np.maximum(length, mm(m.min_length_m))
            c = micro_usd(m.cost_fixed) + (micro_usd(m.cost_per_m) * ordered + 500) // 1000
            costs[k] = np.where(length <= mm(m.reach_m), c, INF)
        self.medium = np.argmin(costs, axis=0)          # first minimum: ties to the first listed
        self.cost = costs[self.medium, n]
        self.medium = np.where(self.cost >= INF, -1, self.medium)
        self.length_unit = np.where(self.cost >= INF, INF, length)

    def unit(self, objective: str) -> np.ndarray:
        return self.length_unit if objective == "length" else self.cost

    def lookup(self, table: np.ndarray, bins: np.ndarray) -> np.ndarray:
        """table[bins], INF beyond the longest reach."""
        bins = np.asarray(bins, np.int64)
        inside = bins <= self.nmax
        return np.where(inside, table[np.minimum(bins, self.nmax)], INF)
