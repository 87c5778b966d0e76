"""What the rules share: the headroom measure and number formatting."""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

import attrs

from ..diagnostics import Span
from ..lang.units import NONE, Quantity, format_number, format_quantity, lookup

# Units of the plain counts a measure may carry (for JSON and text).
UNIT_NAMES = {"W": "power", "m": "length", "m2": "area", "kg/m2": "mass per area"}


@attrs.frozen
class Measure:
    """How much of a limit a subject uses: one line of the plan's headroom.

    `used` and `limit` are exact (Quantity, or Fraction/int for counts); `unit`
    is the unit of the JSON numbers: SI base units (W, m, m2, kg/m2) or a count
    (racks, slots, endpoints).
    """
    check: str                 # the diagnostic code of the rule
    subject: str               # "hall b1.h2 busway row 7"
    used: object
    limit: object
    span: Span | None
    unit: str
    ctx: object = attrs.field(default=None, eq=False, repr=False)   # the model object(s), for messages

    @property
    def used_value(self) -> Fraction:
        return _value(self.used)

    @property
    def limit_value(self) -> Fraction:
        return _value(self.limit)

    @property
    def exceeded(self) -> bool:
        return self.used_value > self.limit_value

    @property
    def percent(self) -> Fraction | None:
        lim = self.limit_value
        if lim <= 0:
            return None
        return self.used_value * 100 / lim

    def text(self) -> str:
        pct = self.percent
        p = f"{_float(pct):.1f}%" if pct is not None else "n/a"
        return f"{self.subject}: {p} ({show(self.used)} of {show(self.limit)})"

    def to_json(self) -> dict:
        pct = self.percent
        s = self.span
        return {
            "check": self.check,
            "subject": self.subject,
            "used": number(self.used_value),
            "limit": number(self.limit_value),
            "unit": self.unit,
            "percent": round(_float(pct), 1) if pct is not None and abs(pct) < 10 ** 300 else None,
            "span": span_json(s),
        }


def _value(x) -> Fraction:
    if isinstance(x, Quantity):
        return x.value
    return Fraction(x)


@lru_cache(maxsize=4096)
def show(x, unit: str | None = None) -> str:
    """A value for a message: `138.24 MW`, `1,024`, `881.766 kW`: exact when it
    has at most three decimals in its display unit, else rounded (see _round).
    (Cached: a campus repeats the same figures in many messages.)"""
    if isinstance(x, Quantity):
        if x.dims == NONE:
            return _round(x.value)
        text = format_quantity(x, unit) if unit else format_quantity(x)
        number_part, _, symbol = text.rpartition(" ")
        if "." in number_part and len(number_part.split(".")[1]) > 3:
            factor = lookup(symbol)[0] if lookup(symbol) else Fraction(1)
            return f"{_round(x.value / factor)} {symbol}"
        return text
    if isinstance(x, int):
        return f"{x:,}"
    return _round(Fraction(x))


def _round(x: Fraction) -> str:
    """Exact up to three decimals, else rounded to six significant digits."""
    x = Fraction(x)
    if abs(x) >= 10 ** 30:
        return format_number(x)        # scientific: no whole digits to count
    if (x * 1000).denominator != 1:
        whole = len(str(abs(int(x)))) if int(x) else 0
        places = max(0, 6 - whole)
        x = Fraction(round(x * 10 ** places), 10 ** places)
    return format_number(x)


def pct(used, limit) -> str:
    lim = _value(limit)
    if lim <= 0:
        return "n/a"
    return f"{_float(_value(used) * 100 / lim):.1f} %"


def _float(x: Fraction) -> float:
    """float(x), or +-inf where it does not fit (a share of a zero-ish limit)."""
    try:
        return float(x)
    except OverflowError:
        return float("inf") if x > 0 else float("-inf")


def share(x: Fraction) -> str:
    """A share as a percentage: 3/4 -> `75 %`, 2/3 -> `66.7 %`."""
    p = Fraction(x) * 100
    return f"{format_number(p) if (p * 10).denominator == 1 else f'{float(p):.1f}'} %"


def number(x: Fraction):
    """A JSON number: int when whole, else a float."""
    x = Fraction(x)
    return int(x) if x.denominator == 1 else float(x)


def span_json(s: Span | None) -> dict | None:
    if s is None:
        return None
    return {"file": s.file, "line": s.line, "column": s.column, "end_line": s.end_line,
            "end_column": s.end_column}


def qty(value: Fraction, like: Quantity) -> Quantity:
    return Quantity(Fraction(value), like.dims)
