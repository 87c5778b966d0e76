"""Engineering checks: one failing and one passing fixture per rule in tests/checks/.

Each fixture marks the diagnostics it expects inline, `#! code` on the line
where they must be reported (as tests/cases/). `*_pass.fac` files have no
marker and must lint clean; `base_pass.fac` is the clean factory every other
fixture changes in one respect. `common.fac` holds the catalog items.
"""

from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factoryspec import checks
from factoryspec.diagnostics import codes
from factoryspec.checks import busway
from factoryspec.diagnostics import Severity
from factoryspec.model.export import to_json
from factoryspec.pipeline import check
from factoryspec.checks.figures import plan_json
from factoryspec.lang.resolve import parse_redundancy

HERE = Path(__file__).parent / "checks"
FIXTURES = sorted(p for p in HERE.glob("*.fac") if p.name != "common.fac")
MARK = "#!"


def expected(path: Path) -> set[tuple[int, str]]:
    out = set()
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if MARK in line:
            out |= {(lineno, code) for code in line.split(MARK, 1)[1].split()}
    return out


def got(path: Path) -> set[tuple[int, str]]:
    result = check(str(path))
    assert result.model is not None
    return {(d.span.line, d.code) for d in result.diagnostics
            if d.span and Path(d.span.file).resolve() == path.resolve()} | \
        {(0, d.code) for d in result.diagnostics if d.span is None}


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_fixture(fixture: Path):
    assert got(fixture) == expected(fixture)


def test_every_rule_has_a_failing_and_a_passing_fixture():
    names = {p.stem for p in FIXTURES}
    for rule in checks.RULES:
        short = rule.__name__.rsplit(".", 1)[-1]
        assert any(n.startswith(short) and n.endswith("_fail") for n in names), short
        # sanity's passing case is every clean fixture (base_pass among them)
        assert short == "sanity" or any(n.startswith(short) and n.endswith("_pass") for n in names), short


def test_every_code_of_every_rule_is_registered_and_exercised():
    exercised = set()
    for p in FIXTURES:
        exercised |= {code for _, code in expected(p)}
    for rule in checks.RULES:
        for code in rule.CODES:
            assert codes.get(code) is not None, code
            assert code in exercised, f"no fixture expects {code}"
    assert codes.get("internal-error") is not None


def test_explanations_name_the_defaults():
    assert "80 %" in codes.get("busway-overload").explanation
    util = codes.get("utility-capacity").explanation
    for share in ("N 100 %", "2N 50 %", "3N/2", "67 %", "4N/3", "75 %", "n/(n+1)"):
        assert share in util
    assert "ceil(switches" in codes.get("hall-slots").explanation


def test_passing_fixtures_have_headroom_under_100_percent():
    result = check(str(HERE / "base_pass.fac"))
    ms = list(checks.measures(result.model))
    assert ms and all(not m.exceeded for m in ms)
    assert {m.check for m in ms} >= {"utility-capacity", "power-train-capacity", "busway-overload",
                                     "cdu-capacity", "air-capacity", "cooling-plant-capacity", "hall-slots",
                                     "hall-geometry", "hall-area", "building-land", "floor-load",
                                     "fabric-size", "cable-reach"}


def test_messages_carry_the_numbers():
    result = check(str(HERE / "busway_fail.fac"))
    (d,) = [d for d in result.diagnostics if d.code == "busway-overload"]
    # 7 racks x 135 kW = 945 kW, + 100 switches x 2 kW / 10 rows = 20 kW; 80 % x 1 MW = 800 kW.
    assert "7 racks" in d.message and "965 kW" in d.message and "800 kW" in d.message
    assert "120.6 %" in d.message and "5 racks of 135 kW" in d.message
    result = check(str(HERE / "power_fail.fac"))
    msgs = {d.code: d.message for d in result.diagnostics}
    assert "11.05 MW" in msgs["utility-capacity"] and "8.84 MW IT x PUE 1.25" in msgs["utility-capacity"]
    assert "8 MW usable" in msgs["power-train-capacity"] and "N+1 over 5 modules: 80 %" in msgs["power-train-capacity"]


# ---- the engineering defaults ----------------------------------------------------

@pytest.mark.parametrize("scheme,modules,share", [
    ("N", None, Fraction(1)),
    ("N+1", 4, Fraction(3, 4)),          # n/(n+1) with n+1 = 4 modules
    ("N+1", 12, Fraction(11, 12)),
    ("2N", None, Fraction(1, 2)),
    ("3N/2", None, Fraction(2, 3)),      # 67 %
    ("4N/3", None, Fraction(3, 4)),      # 75 %
    ("2(N+1)", 4, Fraction(3, 8)),
])
def test_redundancy_shares(scheme, modules, share):
    assert parse_redundancy(scheme).usable_share(modules) == share


def test_busway_even_fill_levels(lint_text):
    result = lint_text(_hall_spec(rows=10, spr=12, net=2, racks=64))
    h = result.model.halls[0]
    # 64 racks over 10 rows of 10 compute slots: 6 per row = 60 < 64, so 7 in 4 rows and 6 in 6.
    assert busway.level(h, 64) == (7, 4, 1)
    assert busway.level(h, 100) == (10, 10, 1)
    assert busway.level(h, 1) == (1, 1, 1)


def test_busway_level_skips_reserved_rows(lint_text):
    text = _hall_spec(rows=3, spr=4, net=0, racks=8, extra="reserved {\n row = 1\n slots = 1..4\n}\n")
    result = lint_text(text)
    h = result.model.halls[0]
    assert h.row_classes() == [(0, 1, 1), (4, 2, 2)]
    assert busway.level(h, 8) == (4, 2, 2)       # row 1 is fully reserved: 4 + 4 in rows 2 and 3


def test_no_check_reports_on_a_spec_with_resolve_errors(lint_text):
    # A hall with a bad value is left out of the model: the cluster naming it must not be
    # reported as homeless, and nothing may crash.
    text = _hall_spec(rows=10, spr=12, net=2, racks=64).replace("busway = 2 MW", "busway = 2 m")
    result = lint_text(text)
    assert [d.code for d in result.diagnostics if d.severity is Severity.ERROR] == ["unit-mismatch"]
    assert result.model.skipped == ["s.b.h1"]


def _hall_spec(*, rows, spr, net, racks, extra=""):
    return f"""
system r {{
  gpus = 72
  power = 135 kW
  compute_ports = 72
  port_speed = 800 Gb/s
}}
site s {{
  building b {{
    floor_rating = 2500 kg/m2
    hall h1 {{
      size = 60 m x 60 m
      rows = {rows}
      slots_per_row = {spr}
      network_slots = {net}
      busway = 2 MW
      {extra}
    }}
  }}
  cluster c {{
    system = r
    racks = {racks}
  }}
}}
"""


# ---- bad input never crashes a rule --------------------------------------------------

_NUMBER = r"(?<![\w.])\d+(\.\d+)?(?![\w.])"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_no_rule_crashes_on_odd_numbers(tmp_path, data):
    import re
    import shutil

    text = (HERE / "base_pass.fac").read_text()
    spots = list(re.finditer(_NUMBER, text))
    picks = data.draw(st.lists(st.integers(0, len(spots) - 1), min_size=1, max_size=6, unique=True))
    values = ["0", "1", "2", "3", "7", "64", "99999", "10000000", "0.5"]
    out, last = [], 0
    for i in sorted(picks):
        m = spots[i]
        out.append(text[last:m.start()])
        out.append(data.draw(st.sampled_from(values)))
        last = m.end()
    out.append(text[last:])
    spec = tmp_path / "odd.fac"
    spec.write_text("".join(out))
    if not (tmp_path / "common.fac").exists():
        shutil.copy(HERE / "common.fac", tmp_path / "common.fac")
    result = check(str(spec))
    assert "internal-error" not in {d.code for d in result.diagnostics}, \
        [d.message for d in result.diagnostics if d.code == "internal-error"]
    if result.model is not None:
        plan_json(result.model, result.diagnostics)
        to_json(result.model)
        result.graph()
