"""Hall power distribution: AC or DC rows, busways rated by current, and
systems that take one kind (model/busway.py, checks/busway.py)."""

from fractions import Fraction
from pathlib import Path

from factoryspec.lang.units import CURRENT, VOLTAGE, Quantity
from factoryspec.model.busway import busway_rating
from factoryspec.pipeline import check

CHECKS = Path(__file__).parent / "checks"


def amps(n):
    return Quantity(Fraction(n), CURRENT)


def test_ac_rating_is_sqrt3_volts_amps_power_factor():
    # 800 A at 415 V three-phase: sqrt(3) x 415 x 800 = 575,040.87 W (the reference's ~575 kVA).
    w = busway_rating(amps(800), "ac", None, Fraction(1)).value
    assert abs(w - Fraction(575_040_868, 1000)) < 1
    assert busway_rating(amps(800), "ac", None, Fraction(95, 100)).value == w * Fraction(95, 100)
    at_480 = busway_rating(amps(800), "ac", Quantity(Fraction(480), VOLTAGE), Fraction(1)).value
    assert at_480 == w * 480 / 415


def test_dc_rating_is_volts_times_amps():
    assert busway_rating(amps(800), "dc", None, Fraction(1)).value == 640_000          # 800 V default
    assert busway_rating(amps(2500), "dc", None, Fraction(1)).value == 2_000_000
    # no power factor on DC
    assert busway_rating(amps(800), "dc", None, Fraction(1, 2)).value == 640_000


def test_a_dc_hall_rated_by_current_carries_what_the_same_rating_does():
    base = check(str(CHECKS / "base_pass.fac"))
    dc = check(str(CHECKS / "busway_dc_pass.fac"))
    assert not base.diagnostics and not dc.diagnostics
    (hb,), (hd,) = base.model.halls, dc.model.halls
    assert hd.busway.value == hb.busway.value == 2_000_000
    assert hd.busway_continuous.value == hb.busway_continuous.value == 1_600_000


def test_a_hall_without_busway_or_its_current_is_missing_an_attribute(tmp_path):
    (tmp_path / "common.fac").write_text((CHECKS / "common.fac").read_text())
    spec = tmp_path / "s.fac"
    spec.write_text((CHECKS / "base_pass.fac").read_text().replace("      busway = 2 MW\n", ""))
    codes = [(d.code, d.message) for d in check(str(spec)).diagnostics]
    assert ("missing-attribute", "hall s.b.h1 has no `busway`") in codes


def test_the_catalogs_kyber_rack_takes_dc(tmp_path):
    spec = tmp_path / "kyber.fac"
    spec.write_text((CHECKS / "base_pass.fac").read_text()
                    .replace('import "common.fac"', 'import "common.fac"\nimport catalog.nvidia')
                    .replace("system = rack135\n", "system = rubin_ultra_nvl576\n"))
    (tmp_path / "common.fac").write_text((CHECKS / "common.fac").read_text())
    diags = [d for d in check(str(spec)).diagnostics if d.code == "distribution-mismatch"]
    assert len(diags) == 1 and "takes DC power" in diags[0].message
