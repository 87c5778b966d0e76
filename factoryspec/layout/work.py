"""Deterministic work budgets: how far a solver step may go, counted in its
own units of work rather than in seconds, so that the same spec, seed and
limit give the same layout on an idle machine and on a loaded one.

A `Budget` holds a number of work units (for the bound: cells of the numpy
arrays its loops fill). `spend(n)` charges n units and says whether the
budget is spent; the step then stops where it is and keeps what it has
(every step that takes a budget has a valid answer at any stopping point).
Budgets are derived from `--time-limit` by a fixed rule (solve.py: units per
second of limit, measured once on a reference machine), never from the clock.

The wall clock survives only as a safety stop (`wall`, seconds from now):
when a loaded machine runs so slowly that a step has not finished its units
by then, it stops anyway and the budget records `interrupted`, which the
result reports as such (that run is not reproducible).
"""

from __future__ import annotations

import time


class Budget:
    def __init__(self, units: float, wall: float | None = None):
        self.left = float(units)
        self.spent = 0.0
        self.cut = False              # the units ran out (deterministic)
        self.interrupted = False      # the wall-clock safety stop fired (not reproducible)
        self._stop = None if wall is None else time.perf_counter() + wall

    def spend(self, units: float) -> bool:
        """Charge `units`; True when the step must stop (units spent, or the
        safety stop passed)."""
        self.spent += units
        self.left -= units
        if self.left < 0:
            self.cut = True
        if self._stop is not None and time.perf_counter() > self._stop:
            self.interrupted = True
        return self.cut or self.interrupted

    @property
    def done(self) -> bool:
        return self.cut or self.interrupted


UNLIMITED = None       # pass for "no budget": the step runs to the end
