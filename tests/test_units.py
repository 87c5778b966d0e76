from fractions import Fraction

import pytest
from hypothesis import given, strategies as st

from factoryspec.lang import units as u
from factoryspec.lang.units import Quantity as Q


def test_rack_power_total_is_exact():
    # 1024 racks x 135 kW = 138,240 kW = 138.24 MW exactly, with no float drift.
    total = Q.of(1024) * Q.of(135, "kW")
    assert total == Q.of("138.24", "MW")
    assert total.value == 138_240_000
    assert str(total) == "138.24 MW"


def test_decimal_literals_are_exact():
    assert Q.of("0.1", "MW") + Q.of("0.2", "MW") == Q.of("0.3", "MW")


def test_conversions():
    assert Q.of(1, "acre").in_unit("m2") == Fraction("4046.8564224")
    assert Q.of(1, "ft").in_unit("mm") == Fraction("304.8")
    assert Q.of(1, "lb").in_unit("kg") == Fraction("0.45359237")
    assert Q.of(800, "Gb/s").in_unit("Tb/s") == Fraction(4, 5)
    assert Q.of(70, "lb/ft2").in_unit("kg/m2") == pytest.approx(341.77, abs=0.01)  # IBM's 70 lb/ft2
    assert Q.of(85, "%").value == Fraction(17, 20)


def test_division_makes_dimensionless():
    racks = Q.of(200, "MW") / Q.of(135, "kW")
    assert racks.dimensionless
    assert racks.value == Fraction(200_000, 135)


def test_mismatch_raises_dimension_error():
    with pytest.raises(u.DimensionError):
        Q.of(1, "MW") + Q.of(1, "m")


def test_unknown_unit():
    assert u.lookup("MWW") is None
    assert u.lookup("kg/m2") is not None
    assert u.lookup("foo/bar") is None


def test_format():
    assert str(Q.of(750, "MW") / Q.of("1.25")) == "600 MW"
    assert str(Q.of(1500, "kg")) == "1.5 t"
    assert u.format_number(Fraction(1, 3)) == "0.333333"
    assert u.format_number(Fraction(-5, 2)) == "-2.5"


powers = st.sampled_from(["W", "kW", "MW", "GW"])
values = st.fractions(min_value=-10**6, max_value=10**6, max_denominator=1000)


@given(values, powers, values, powers)
def test_addition_commutes_and_converts(a, ua, b, ub):
    x, y = Q.of(a, ua), Q.of(b, ub)
    assert x + y == y + x
    assert (x + y) - y == x


@given(values, powers)
def test_in_unit_round_trips(a, unit):
    q = Q.of(a, unit)
    assert Q.of(q.in_unit(unit), unit) == q
