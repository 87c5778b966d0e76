"""Busway: the heaviest row of each hall against its busway's continuous limit.

A busway may carry `busway x busway_limit` continuously; the default limit is
80 % of the rating (the continuous-load rule for overcurrent devices; NetBox
models a feed's max_utilization the same way). With `feeds = 2` each row has an
A and a B busway and either must carry the whole row when the other fails, so
the limit is per busway, not doubled.

Racks are spread over the rows as evenly as the free positions allow (the
best a planner can do: fill every row to the same level), so the heaviest row
holds L racks, the smallest level with sum(min(row's compute slots, L)) >= the
hall's compute racks. Rows are grouped by capacity (only rows with reserved
slots differ), so this never loops over rows. A hall holding several systems
is taken at its average rack power; its switches' power is spread evenly over
its rows (network racks sit at the row ends). The plan's headroom also shows
each hall's IT load against all its rows' busways together.

Distribution (`distribution-mismatch`): a hall's rows are fed AC (three-phase
busway, the default) or DC (a DC busbar: Kyber-class racks take 800 V DC), and
its busway may be rated by current (`busway_current`, model/busway.py gives the
rule). A system that takes DC (`distribution = "dc"` on the system) cannot
stand in an AC hall, nor an AC one in a DC hall: every hall a cluster may use
must match its system.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Iterator

from ..diagnostics import Diagnostic, error
from ..model import Factory, Hall
from ..model.busway import DISTRIBUTIONS
from ..model.derive import level
from ..lang.units import POWER, Quantity
from ._base import Measure, pct, share, show

CODES = ("busway-overload", "distribution-mismatch")


def measure(f: Factory) -> Iterator[Measure]:
    for h in f.halls:
        if h.load.rows is not None:
            yield from _as_built(h)
            continue
        racks = h.load.compute_racks
        if racks <= 0 or h.rows <= 0:
            continue
        L, n_rows, first = level(h, racks)
        if L == 0:
            continue
        compute = sum((c.share_power(k) for c, k in h.load.compute.items()), Fraction(0))
        switches = h.load.it_power.value - compute
        row = compute * L / racks + switches / h.rows
        yield Measure("busway-overload", f"hall {h.qualname} busway row {first}", Quantity(row, POWER),
                      h.busway_continuous, h.at("busway"), "W", (h, L, n_rows, first))
        # The hall as a whole: its IT load against all its rows' busways. Headroom
        # only: when it is over, the fullest row is over too and is reported.
        yield Measure("busway-overload", f"hall {h.qualname} busways", h.load.it_power,
                      Quantity(h.busway_continuous.value * h.rows, POWER), h.at("busway"), "W", None)


def _as_built(h: Hall) -> Iterator[Measure]:
    """The same two measures over a solved layout: its heaviest row (the first
    of equal ones) and the whole hall, from the rows' actual loads."""
    if not h.load.rows:
        return
    row = min(h.load.rows, key=lambda r: (-h.load.rows[r].value, r))
    yield Measure("busway-overload", f"hall {h.qualname} busway row {row}", h.load.rows[row],
                  h.busway_continuous, h.at("busway"), "W", None)
    yield Measure("busway-overload", f"hall {h.qualname} busways", h.load.it_power,
                  Quantity(h.busway_continuous.value * h.rows, POWER), h.at("busway"), "W", None)


def _distribution(f: Factory) -> Iterator[Diagnostic]:
    for h in f.halls:
        if h.distribution not in DISTRIBUTIONS:
            yield error("invalid-value", f"hall {h.qualname}: unknown distribution `{h.distribution}`",
                        h.at("distribution"), "distributions: " + ", ".join(DISTRIBUTIONS))
        if h.is_set("busway_current") and h.spans.get("busway") is not h.spans.get("busway_current"):
            yield error("invalid-value", f"hall {h.qualname} writes both `busway` and `busway_current`",
                        h.at("busway_current"), "write one: the rating, or the current it comes from")
    for s in f.systems:
        if s.distribution not in DISTRIBUTIONS:
            yield error("invalid-value", f"system {s.qualname}: unknown distribution `{s.distribution}`",
                        s.at("distribution"), "distributions: " + ", ".join(DISTRIBUTIONS))
    for c in f.clusters:
        need = c.system.distribution
        wrong = [h for h in c.halls if h.distribution != need and h.distribution in DISTRIBUTIONS]
        if need not in DISTRIBUTIONS or not wrong:
            continue
        names = ", ".join(h.qualname for h in wrong[:5]) + (f" and {len(wrong) - 5} more" if len(wrong) > 5 else "")
        span = c.at("halls") if c.halls_explicit else c.at("system")
        yield error("distribution-mismatch", f"cluster {c.qualname}: system {c.system.qualname} takes "
                    f"{need.upper()} power but hall{'s' if len(wrong) > 1 else ''} {names} "
                    f"{'are' if len(wrong) > 1 else 'is'} fed {('DC' if need == 'ac' else 'AC')}", span,
                    f"list in `halls` only halls with `distribution = \"{need}\"`, or set the halls' "
                    "`distribution` to match")


def check(f: Factory) -> Iterator[Diagnostic]:
    yield from _distribution(f)
    for m in measure(f):
        if not m.exceeded or m.limit_value <= 0 or m.ctx is None:   # a zero busway is the sanity rule's
            continue
        h, L, n_rows, first = m.ctx
        others = f" (and {n_rows - 1} other row{'s' if n_rows > 2 else ''} alike)" if n_rows > 1 else ""
        fits = ""
        per_rack = Fraction(0)
        compute = sum((c.share_power(k) for c, k in h.load.compute.items()), Fraction(0))
        if h.load.compute_racks:
            per_rack = compute / h.load.compute_racks
        if per_rack > 0:
            k = int(h.busway_continuous.value / per_rack)
            fits = f"; it can carry {k} rack{'s' if k != 1 else ''} of {show(Quantity(per_rack, POWER))}"
        yield error("busway-overload",
                    f"hall {h.qualname}: the busway of row {first}{others} carries {L} racks, "
                    f"{show(m.used)}, {pct(m.used, m.limit)} of its continuous limit {show(m.limit)} "
                    f"({show(h.busway)} x {share(h.busway_limit)}){fits}",
                    m.span,
                    f"the hall must hold {h.load.compute_racks:,} compute racks in {h.rows} rows: raise `busway`, "
                    "add rows, or move racks to another hall")
