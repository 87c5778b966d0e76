"""What a solve returns: the layout (placements and aggregated links) and figures."""

from __future__ import annotations

import attrs


LEVELS = {1: "endpoint", 2: "leaf-spine", 3: "spine-core"}
# timeout: no layout within the solver's work budgets; interrupted: a layout, but cut
# by the wall-clock safety stop (not reproducible: layout/work.py)
STATUSES = ("optimal", "feasible", "infeasible", "timeout", "interrupted")


@attrs.frozen(kw_only=True)
class Placement:
    id: str
    kind: str                    # compute | network
    cluster: str
    system: str                  # compute: the system; network: the switch model
    hall: str
    row: int                     # 1-based
    slot: int                    # 1-based
    x_m: float                   # site coordinates: hall origin + position in the hall
    y_m: float
    power_w: int | float         # its system or switches plus its cable ends' optics (to the mW)
    feeds: str                   # "A", or "AB" when the hall has two busways per row
    fabric: str | None = None    # network racks: fabric id, tier, switches held
    tier: str | None = None
    first_switch: int | None = None   # 1-based index within the tier
    switches: int | None = None


@attrs.frozen(kw_only=True)
class Link:
    """`count` identical cables between racks a (lower tier) and b."""
    a: str
    b: str
    cluster: str
    fabric: str
    level: str                   # endpoint | leaf-spine | spine-core
    medium: str
    length_m: float
    count: int


@attrs.frozen(kw_only=True)
class Layout:
    placements: tuple = ()
    links: tuple = ()


@attrs.frozen(kw_only=True)
class SolveResult:
    status: str
    layout: Layout | None
    objective: float | None          # USD (cost objectives) or metres (length)
    lower_bound: float | None
    gap: float | None                # (objective - lower_bound) / objective
    baseline_objective: float | None
    seconds: float
    diagnostics: tuple = ()
    objective_kind: str = "cost"
    totals: dict = attrs.Factory(dict)
    # exact integer figures (micro-USD or mm) behind the floats above
    objective_units: int | None = None
    lower_bound_units: int | None = None
    baseline_units: int | None = None
    # the least --time-limit the work rules give a full first start and the outputs
    # (solve.finish_seconds and START_S_PER_RACK), from the spec's size alone
    least_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.layout is not None and self.status in ("optimal", "feasible", "interrupted")

