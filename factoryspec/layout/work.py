"""Deterministic work budgets: how far a solver step may go, counted in its
own units of work rather than in seconds, so that the same spec, seed and
limit give the same layout on an idle machine and on a loaded one.

A `Budget` holds a number of work units (for the bound: cells of the numpy
arrays its loops fill). `spend(n)` charges n units and says whether the
budget is spent; the step then stops where it is and keeps what it has
(every step that takes a budget has a valid answer at any stopping point).
Budgets are derived from `--time-limit` by a fixed rule (solve.py: units per
second of limit, measured once on a reference machine), never from the clock.

The wall clock survives only as a safety stop (`SafetyStop`):
when a loaded machine runs so slowly that a step has not finished its units
by then, it stops anyway and the budget records `interrupted`, which the
result reports as such (that run is not reproducible).
"""

from __future__ import annotations

import time


class SafetyStop:
    """The wall-clock safety stop of one solve: fires once the seconds since it
    was made, plus `reserve` (the seconds what follows takes on an idle machine)
    scaled by how slowly this process runs, pass `limit`. The scale is the wall
    seconds per CPU second it has had so far (at least 1): a process given a
    tenth of a core needs ten times the reserve to verify and write its outputs,
    so on a loaded machine the stop comes early enough for the whole compile to
    end near the limit. Read from clocks, so only the stop depends on load."""

    QUIET_S = 0.2                 # CPU seconds before the wall/CPU ratio is trusted

    def __init__(self, limit: float, reserve: float = 0.0):
        self.limit, self.reserve = limit, reserve
        self._t0, self._c0 = time.perf_counter(), time.process_time()

    def slowdown(self) -> float:
        wall, cpu = time.perf_counter() - self._t0, time.process_time() - self._c0
        return max(wall / cpu, 1.0) if cpu > self.QUIET_S else 1.0

    def __call__(self) -> bool:
        return self.seconds_left() < 0

    def seconds_left(self) -> float:
        """Wall seconds until the stop fires (negative once it has)."""
        return self.limit - (time.perf_counter() - self._t0) - self.reserve * self.slowdown()


class Budget:
    def __init__(self, units: float, stop: SafetyStop | None = None):
        self.left = float(units)
        self.spent = 0.0
        self.cut = False              # the units ran out (deterministic)
        self.interrupted = False      # the wall-clock safety stop fired (not reproducible)
        self._safety = stop

    def spend(self, units: float) -> bool:
        """Charge `units`; True when the step must stop (units spent, or the
        safety stop passed)."""
        self.spent += units
        self.left -= units
        if self.left < 0:
            self.cut = True
        if self._safety is not None and self._safety():
            self.interrupted = True
        return self.cut or self.interrupted

    @property
    def done(self) -> bool:
        return self.cut or self.interrupted


UNLIMITED = None       # pass for "no budget": the step runs to the end
