"""Quantities with units: exact rational values and dimension checking.

Why not pint: factoryspec needs exact arithmetic (1024 racks x 135 kW must be
exactly 138.24 MW, with no float drift in totals), a closed vocabulary that
gives good did-you-mean suggestions, and the data-center reading of symbols
(`Gb/s` is gigabits per second; to pint `Gb` is a gigabarn). The table below
is small, explicit and fast; values are Fractions in SI base units.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Iterable

import attrs

# Dimension exponents over these base quantities.
BASES = ("kg", "m", "s", "A", "degC", "b", "USD")

Dims = tuple[int, int, int, int, int, int, int]
NONE: Dims = (0, 0, 0, 0, 0, 0, 0)


def _d(kg=0, m=0, s=0, A=0, degC=0, b=0, USD=0) -> Dims:
    return (kg, m, s, A, degC, b, USD)


POWER = _d(kg=1, m=2, s=-3)
ENERGY = _d(kg=1, m=2, s=-2)
LENGTH = _d(m=1)
AREA = _d(m=2)
VOLUME = _d(m=3)
MASS = _d(kg=1)
AREAL_DENSITY = _d(kg=1, m=-2)
TIME = _d(s=1)
DATA_RATE = _d(b=1, s=-1)
DATA = _d(b=1)
TEMPERATURE = _d(degC=1)
MONEY = _d(USD=1)
CURRENT = _d(A=1)
VOLTAGE = _d(kg=1, m=2, s=-3, A=-1)
FLOW = _d(m=3, s=-1)
MONEY_PER_LENGTH = _d(m=-1, USD=1)
MONEY_PER_POWER = _d(kg=-1, m=-2, s=3, USD=1)

DIMENSION_NAMES = {
    NONE: "a plain number", POWER: "power", ENERGY: "energy", LENGTH: "length", AREA: "area",
    VOLUME: "volume", MASS: "mass", AREAL_DENSITY: "mass per area", TIME: "time",
    DATA_RATE: "data rate", DATA: "data size", TEMPERATURE: "temperature", MONEY: "money",
    CURRENT: "current", VOLTAGE: "voltage", FLOW: "flow rate", MONEY_PER_LENGTH: "money per length",
    MONEY_PER_POWER: "money per power",
}

_F = Fraction
_INCH = _F(254, 10000)
_FOOT = 12 * _INCH
_POUND = _F(45359237, 100000000)

# symbol -> (factor to SI base, dimension, description)
UNITS: dict[str, tuple[Fraction, Dims, str]] = {
    "W": (_F(1), POWER, "watt"), "kW": (_F(10**3), POWER, "kilowatt"),
    "MW": (_F(10**6), POWER, "megawatt"), "GW": (_F(10**9), POWER, "gigawatt"),
    # Apparent power is treated as real power (unity power factor), as
    # planners do when sizing from kVA ratings.
    "VA": (_F(1), POWER, "volt-ampere"), "kVA": (_F(10**3), POWER, "kilovolt-ampere"),
    "MVA": (_F(10**6), POWER, "megavolt-ampere"),
    "Wh": (_F(3600), ENERGY, "watt-hour"), "kWh": (_F(3600 * 10**3), ENERGY, "kilowatt-hour"),
    "MWh": (_F(3600 * 10**6), ENERGY, "megawatt-hour"), "GWh": (_F(3600 * 10**9), ENERGY, "gigawatt-hour"),
    "mm": (_F(1, 1000), LENGTH, "millimetre"), "cm": (_F(1, 100), LENGTH, "centimetre"),
    "m": (_F(1), LENGTH, "metre"), "km": (_F(1000), LENGTH, "kilometre"),
    "in": (_INCH, LENGTH, "inch"), "ft": (_FOOT, LENGTH, "foot"), "mi": (5280 * _FOOT, LENGTH, "mile"),
    "m2": (_F(1), AREA, "square metre"), "km2": (_F(10**6), AREA, "square kilometre"),
    "ft2": (_FOOT ** 2, AREA, "square foot"), "sqft": (_FOOT ** 2, AREA, "square foot"),
    "ha": (_F(10**4), AREA, "hectare"), "acre": (43560 * _FOOT ** 2, AREA, "acre (43,560 ft2)"),
    "acres": (43560 * _FOOT ** 2, AREA, "acre (43,560 ft2)"),
    "m3": (_F(1), VOLUME, "cubic metre"), "L": (_F(1, 1000), VOLUME, "litre"),
    "g": (_F(1, 1000), MASS, "gram"), "kg": (_F(1), MASS, "kilogram"),
    "t": (_F(1000), MASS, "tonne"), "lb": (_POUND, MASS, "pound"),
    "s": (_F(1), TIME, "second"), "ms": (_F(1, 1000), TIME, "millisecond"),
    "min": (_F(60), TIME, "minute"), "h": (_F(3600), TIME, "hour"),
    "b": (_F(1), DATA, "bit"), "kb": (_F(10**3), DATA, "kilobit"), "Mb": (_F(10**6), DATA, "megabit"),
    "Gb": (_F(10**9), DATA, "gigabit"), "Tb": (_F(10**12), DATA, "terabit"),
    "B": (_F(8), DATA, "byte"), "GB": (_F(8 * 10**9), DATA, "gigabyte"), "TB": (_F(8 * 10**12), DATA, "terabyte"),
    "Gbps": (_F(10**9), DATA_RATE, "gigabit per second"), "Tbps": (_F(10**12), DATA_RATE, "terabit per second"),
    "degC": (_F(1), TEMPERATURE, "degree Celsius (absolute readings only)"),
    "USD": (_F(1), MONEY, "US dollar"), "kUSD": (_F(10**3), MONEY, "thousand US dollars"),
    "MUSD": (_F(10**6), MONEY, "million US dollars"),
    "A": (_F(1), CURRENT, "ampere"), "V": (_F(1), VOLTAGE, "volt"), "kV": (_F(10**3), VOLTAGE, "kilovolt"),
    "%": (_F(1, 100), NONE, "percent"), "percent": (_F(1, 100), NONE, "percent"),
}

# How to show a value of each dimension: candidate units, largest first.
_DISPLAY: dict[Dims, tuple[str, ...]] = {
    POWER: ("GW", "MW", "kW", "W"), ENERGY: ("GWh", "MWh", "kWh", "Wh"), LENGTH: ("km", "m", "mm"),
    AREA: ("m2",), VOLUME: ("m3",), MASS: ("t", "kg"), TIME: ("h", "min", "s"),
    DATA: ("Tb", "Gb", "Mb", "b"), TEMPERATURE: ("degC",), MONEY: ("USD",), CURRENT: ("A",),
    VOLTAGE: ("kV", "V"),
}
_COMPOUND_DISPLAY = {AREAL_DENSITY: "kg/m2", DATA_RATE: "Gb/s", FLOW: "L/s",
                     MONEY_PER_LENGTH: "USD/m", MONEY_PER_POWER: "USD/kW"}


def _sub(a: Dims, b: Dims) -> Dims:
    return tuple(x - y for x, y in zip(a, b))  # type: ignore[return-value]


def lookup(symbol: str) -> tuple[Fraction, Dims] | None:
    """Factor and dimension of a unit as written after a number, or None if unknown.

    A compound `num/den` (`kg/m2`, `Gb/s`, `USD/m`) divides two table units.
    """
    entry = UNITS.get(symbol)
    if entry:
        return entry[0], entry[1]
    if "/" in symbol:
        num, den = symbol.split("/", 1)
        a, b = UNITS.get(num), UNITS.get(den)
        if a and b:
            return a[0] / b[0], _sub(a[1], b[1])
    return None


def known_symbols() -> Iterable[str]:
    yield from UNITS
    yield from ("kg/m2", "lb/ft2", "Gb/s", "Tb/s", "Mb/s", "USD/m", "USD/kW", "W/m2", "L/s", "L/min")


def dimension_name(d: Dims) -> str:
    if d in DIMENSION_NAMES:
        return DIMENSION_NAMES[d]
    parts = [f"{b}^{e}" if e != 1 else b for b, e in zip(BASES, d) if e]
    return " ".join(parts)


@attrs.frozen(slots=True)
class Quantity:
    """An exact value in SI base units with its dimension."""

    value: Fraction
    dims: Dims = NONE

    @classmethod
    def of(cls, value, unit: str | None = None) -> "Quantity":
        v = Fraction(value)
        if unit is None:
            return cls(v, NONE)
        factor, dims = lookup(unit) or (None, None)
        if factor is None:
            raise KeyError(unit)
        return cls(v * factor, dims)

    @property
    def dimensionless(self) -> bool:
        return self.dims == NONE

    def compatible(self, other: "Quantity") -> bool:
        return self.dims == other.dims

    def __add__(self, other: "Quantity") -> "Quantity":
        if self.dims != other.dims:
            raise DimensionError(self.dims, other.dims)
        return Quantity(self.value + other.value, self.dims)

    def __sub__(self, other: "Quantity") -> "Quantity":
        if self.dims != other.dims:
            raise DimensionError(self.dims, other.dims)
        return Quantity(self.value - other.value, self.dims)

    def __mul__(self, other: "Quantity") -> "Quantity":
        return Quantity(self.value * other.value, tuple(a + b for a, b in zip(self.dims, other.dims)))

    def __truediv__(self, other: "Quantity") -> "Quantity":
        if other.value == 0:
            raise ZeroDivisionError
        return Quantity(self.value / other.value, _sub(self.dims, other.dims))

    def __neg__(self) -> "Quantity":
        return Quantity(-self.value, self.dims)

    def in_unit(self, unit: str) -> Fraction:
        """This value expressed in `unit` (which must have the same dimension)."""
        factor, dims = lookup(unit)
        if dims != self.dims:
            raise DimensionError(self.dims, dims)
        return self.value / factor

    def __str__(self) -> str:
        return format_quantity(self)


class DimensionError(Exception):
    def __init__(self, left: Dims, right: Dims):
        super().__init__(f"{dimension_name(left)} vs {dimension_name(right)}")
        self.left, self.right = left, right


# Beyond this magnitude a value is shown in scientific notation: the resolver
# keeps values within 1e30 (factoryspec/lang/limits.py), but products of them are
# formatted too, and str() of an int of more than 4,300 digits is refused.
_PLAIN_BELOW = 10 ** 30


def format_number(x: Fraction, places: int = 6) -> str:
    """Exact when the decimal terminates within `places` digits (138.24 stays
    138.24), otherwise rounded to `places` significant digits. Works for any
    Fraction, however large."""
    if abs(x) >= _PLAIN_BELOW or (x.denominator.bit_length() > 400 and abs(x) < 1):
        return _scientific(x, places)
    if x.denominator == 1:
        return f"{x.numerator:,}" if abs(x.numerator) >= 10000 else str(x.numerator)
    for p in range(1, places + 1):
        scaled = x * 10 ** p
        if scaled.denominator == 1:
            sign = "-" if scaled < 0 else ""
            digits = str(abs(scaled.numerator)).rjust(p + 1, "0")
            return f"{sign}{digits[:-p]}.{digits[-p:]}"
    return f"{float(x):.{places}g}"


def _scientific(x: Fraction, places: int) -> str:
    """`1.5e+40`, for any size: float() overflows past 1e308, so the exponent
    is found from the bit lengths first and only the mantissa is a float."""
    if x == 0:
        return "0"
    a = abs(x)
    e = int((a.numerator.bit_length() - a.denominator.bit_length()) * 0.30102999566398)
    scale = Fraction(10) ** e if e >= 0 else Fraction(1, 10 ** -e)
    m = float(a / scale)
    while m >= 10:
        m, e = m / 10, e + 1
    while m < 1:
        m, e = m * 10, e - 1
    sign = "-" if x < 0 else ""
    return f"{sign}{m:.{places}g}e{'+' if e >= 0 else '-'}{abs(e):02d}"


def format_quantity(q: Quantity, unit: str | None = None) -> str:
    if unit:
        return f"{format_number(q.in_unit(unit))} {unit}"
    if q.dims == NONE:
        return format_number(q.value)
    if q.dims in _COMPOUND_DISPLAY:
        u = _COMPOUND_DISPLAY[q.dims]
        return f"{format_number(q.in_unit(u))} {u}"
    for u in _DISPLAY.get(q.dims, ()):
        if abs(q.value) >= UNITS[u][0] or u == _DISPLAY[q.dims][-1]:
            return f"{format_number(q.value / UNITS[u][0])} {u}"
    return f"{format_number(q.value)} {dimension_name(q.dims)}"
