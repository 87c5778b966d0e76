"""`assert TEST, "message"`: parsing, evaluation over resolved values and
derived figures, the diagnostics of bad asserts, and fmt."""

from __future__ import annotations

from fractions import Fraction

import pytest

from factoryspec.checks import asserts
from factoryspec.lang import nodes as n
from factoryspec.lang.fmt import format_text
from factoryspec.lang.parser import parse
from factoryspec.pipeline import check
from factoryspec.checks.figures import plan_json

CAMPUS = """\
import catalog.nvidia

let limit = 3

site s {
  pue = 1.25
  building b {
    hall h[1..2] {
      size = 10 m x 54 m
      rows = 2
      slots_per_row = 4
      busway = 2 MW
    }
  }
  cluster train {
    system = gb300_nvl72
    racks = 4
    fabric f {
      switch = q3400
    }
  }
}
"""

ASSERT_CODES = {"assert-failed", "assert-not-boolean", "assert-message", "undefined-reference",
                "unit-mismatch", "type-mismatch"}


def run(tmp_path, extra: str, base: str = CAMPUS):
    path = tmp_path / "spec.fac"
    path.write_text(base + extra, encoding="utf-8")
    result = check(str(path))
    return result, [d for d in result.diagnostics if d.code in ASSERT_CODES]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


# ---- parsing ----------------------------------------------------------------------

def test_parses_at_top_level_and_in_blocks():
    result = parse('assert a.b <= 3 MW, "m"\nhall h { assert not (x or y) and z != 2, msg }\n')
    assert result.diagnostics == []
    top, block = result.module.body
    assert top == n.Assert(n.Compare("<=", n.Ref(("a", "b"), None), n.Number(Fraction(3), "MW", None), None),
                           n.String("m", None), None)
    inner = block.body[0]
    assert isinstance(inner, n.Assert) and isinstance(inner.test, n.Logic) and inner.test.op == "and"
    assert isinstance(inner.test.left, n.Not) and inner.test.left.operand.op == "or"
    assert (top.span.line, top.span.column, top.span.end_column) == (1, 1, 24)


def test_a_comparison_is_a_value_but_and_or_need_parentheses():
    assert parse("let ok = a < b\nlet both = (a < b and c)\n").diagnostics == []
    (d,) = parse("let both = a < b and c\n").diagnostics
    assert d.code == "syntax" and "parentheses" in d.hint


def test_comparisons_do_not_chain():
    (d,) = parse('assert a < b < c, "m"\n').diagnostics
    assert d.code == "syntax" and "do not chain" in d.hint


def test_keyword_typo_suggests_assert():
    (d,) = parse('asert x < 1, "m"\n').diagnostics
    assert d.hint == "did you mean `assert`?"


# ---- evaluation ---------------------------------------------------------------------

def test_passing_asserts_say_nothing(tmp_path):
    _, diags = run(tmp_path, """
assert s.train.racks * gb300_nvl72.power <= 540 kW, "four racks"
assert s.b.h1.rows == 2 and s.b.h2.slots == 8, "geometry"
assert not (plan.racks > 4), "racks"
assert s.train.system == gb300_nvl72 and "a" != "b" and (1 < 2) == true, "equality of other values"
""")
    assert diags == []


def test_failure_names_the_message_and_both_sides(tmp_path):
    result, diags = run(tmp_path, 'assert s.train.racks * gb300_nvl72.power <= 500 kW, "the 500 kW phase"\n')
    (d,) = diags
    assert d.code == "assert-failed" and d.severity.value == "error"
    assert d.message == ("assertion failed: the 500 kW phase: s.train.racks * gb300_nvl72.power = 540 kW, "
                         "which is not <= 500 kW")
    text = (tmp_path / "spec.fac").read_text()
    assert (d.span.line, d.span.column) == (line_of(text, "the 500 kW phase"), 1)


def test_comparisons_are_exact(tmp_path):
    # 540 kW + 1 uW is not <= 540 kW, however the figures round for display.
    _, diags = run(tmp_path, """
assert s.train.racks * gb300_nvl72.power <= 540 kW, "equal passes"
assert s.train.racks * gb300_nvl72.power + 1 W / 1000000 <= 540 kW, "a microwatt over"
assert 1 / 3 * 3 == 1, "fractions"
""")
    (d,) = diags
    assert "a microwatt over" in d.message and "exactly" in d.message


def test_a_right_side_expression_is_shown_with_its_value(tmp_path):
    _, diags = run(tmp_path, 'assert plan.racks < limit, "few racks"\n')
    (d,) = diags
    assert d.message.endswith("plan.racks = 4, which is not < limit (3)")


def test_and_reports_each_false_side(tmp_path):
    _, diags = run(tmp_path, 'assert plan.racks == 5 and plan.gpus == 1, "both"\n')
    (d,) = diags
    assert "plan.racks = 4, which is not == 5; plan.gpus = 288, which is not == 1" in d.message


def test_an_assert_in_a_repeated_block_is_checked_per_instance(tmp_path):
    base = CAMPUS.replace("      busway = 2 MW\n", '      busway = 2 MW\n      assert index < 2, "one hall"\n')
    _, diags = run(tmp_path, "", base)
    (d,) = diags
    assert d.message == "assertion failed in hall s.b.h2: one hall: index = 2, which is not < 2"


def test_derived_figures_are_the_plan_numbers(tmp_path):
    result, _ = run(tmp_path, "")
    totals = plan_json(result.model)["totals"]
    fab = plan_json(result.model)["clusters"][0]["fabrics"][0]
    rules = "\n".join([
        f"assert plan.racks == {totals['racks']}, \"r\"",
        f"assert plan.gpus == {totals['gpus']}, \"g\"",
        f"assert plan.switches == {totals['switches']}, \"s\"",
        f"assert plan.network_racks == {totals['network_racks']}, \"n\"",
        f"assert plan.it_power == {totals['it_power_w']} W, \"i\"",
        f"assert plan.facility_power == {totals['facility_power_w']} W, \"f\"",
        f"assert plan.slots_free == {totals['slots_free']}, \"sf\"",
        f"assert plan.links == {fab['links']['total']}, \"l\"",
        f"assert s.train.f.spines == {fab['switches']['spine']}, \"sp\"",
        f"assert s.train.f.leaves == {fab['switches']['leaf']}, \"lf\"",
        f"assert s.train.f.tiers == {fab['tiers']}, \"t\"",
        f"assert s.train.f.network_racks == {fab['network_racks']}, \"nr\"",
        "assert s.train.gpus == 4 * gb300_nvl72.gpus, \"cg\"",
        "assert s.facility_power == s.it_power * s.pue, \"site\"",
        "assert s.b.h1.slots == 8, \"hs\"",
    ]) + "\n"
    _, diags = run(tmp_path, rules)
    assert diags == []


def test_every_figure_has_a_value_on_a_shipped_spec():
    from pathlib import Path
    from factoryspec.lang.resolve import ERROR

    spec = Path(__file__).resolve().parent.parent / "specs" / "childress.fac"
    result = check(str(spec))
    figures = asserts.Figures(result.model)
    for name in asserts.PLAN:
        assert figures.member(asserts.PLAN_ROOT, name) is not ERROR, name
    for ent in result.resolved.entities():
        for name in asserts.FIGURES.get(ent.kind, {}):
            assert figures.member(ent, name) is not ERROR, (ent, name)


# ---- bad asserts -------------------------------------------------------------------------

def test_undefined_names_suggest_figures(tmp_path):
    _, diags = run(tmp_path, 'assert plan.rack <= 1, "a"\nassert s.train.gpu <= 1, "b"\nassert nope < 1, "c"\n')
    by_line = {d.span.line: d for d in diags}
    assert [d.code for d in diags] == ["undefined-reference"] * 3
    text = (tmp_path / "spec.fac").read_text()
    assert by_line[line_of(text, '"a"')].hint == "did you mean `racks`?"
    assert by_line[line_of(text, '"b"')].hint == "did you mean `gpus`?"
    assert by_line[line_of(text, '"c"')].span.column == 8


def test_figures_are_only_known_to_asserts(tmp_path):
    _, diags = run(tmp_path, "let x = plan.racks\nlet y = s.train.gpus\nassert x == y, \"m\"\n")
    hints = sorted(d.hint for d in diags if d.code == "undefined-reference")
    assert hints == ["`gpus` is derived from the model: only an `assert` can use it",
                     "`plan.racks` and the other derived figures can only be used in an `assert`"]


def test_dimension_mismatch(tmp_path):
    _, diags = run(tmp_path, 'assert plan.it_power > 0, "m"\n')
    (d,) = diags
    assert d.code == "unit-mismatch" and "power" in d.message and "write it with one" in d.hint
    assert d.span.column == 8


def test_not_boolean(tmp_path):
    _, diags = run(tmp_path, 'assert plan.racks, "m"\nassert plan.racks > 1 and 3, "m"\n')
    assert [d.code for d in diags] == ["assert-not-boolean"] * 2
    assert diags[0].message == "an assert needs a condition; `plan.racks` is the number 4"
    assert diags[1].span.column == len("assert plan.racks > 1 and ") + 1


def test_message_must_be_a_string(tmp_path):
    _, diags = run(tmp_path, 'let why = "from a let"\nassert plan.racks > 0 * 1, why\nassert plan.racks > 9, 42\n')
    codes = sorted(d.code for d in diags)
    assert codes == ["assert-failed", "assert-message"]
    failed = next(d for d in diags if d.code == "assert-failed")
    assert ": 4, which" not in failed.message and "plan.racks = 4" in failed.message


def test_a_let_used_only_by_an_assert_is_not_unused(tmp_path):
    result, _ = run(tmp_path, 'let cap = 10\nassert plan.racks <= cap and limit > 0, "cap"\n')
    assert [d for d in result.diagnostics if d.code == "unused"] == []


def test_ordering_other_values_is_a_type_mismatch(tmp_path):
    _, diags = run(tmp_path, 'assert "a" < "b", "m"\nassert 1 == "a", "m"\n')
    assert [d.code for d in diags] == ["type-mismatch", "type-mismatch"]


def test_no_asserts_no_cost(tmp_path):
    result, _ = run(tmp_path, "")
    assert result.resolved.asserts == []


# ---- fmt ----------------------------------------------------------------------------------

@pytest.mark.parametrize("source, formatted", [
    ('assert   a.b<=3 MW,"m"\n', 'assert a.b <= 3 MW, "m"\n'),
    ('hall h {\n assert not(x>=-1)or y!=2 ,  msg # c\n}\n', 'hall h {\n  assert not (x >= -1) or y != 2, msg  # c\n}\n'),
    ("let v=(a<b and c)\n", "let v = (a < b and c)\n"),
])
def test_fmt(source, formatted):
    out = format_text(source).text
    assert out == formatted
    assert format_text(out).text == out
    assert parse(out).module == parse(source).module


def test_expect_is_an_assert_whose_failure_is_a_warning(tmp_path):
    spec = tmp_path / "e.fac"
    spec.write_text('let racks = 10\nexpect racks <= 8, "a soft target"\nassert racks <= 12, "a hard one"\n')
    result = check(str(spec))
    (d,) = result.diagnostics
    assert (d.code, d.severity.value, d.span.line) == ("expect-failed", "warning", 2)
    assert d.message == "expectation not met: a soft target: racks = 10, which is not <= 8"


@pytest.mark.parametrize("keyword, code", [("assert", "assert-failed"), ("expect", "expect-failed")])
def test_a_rule_broken_in_many_instances_is_reported_a_few_times_then_counted(tmp_path, keyword, code):
    # 30 halls break one rule: the first MAX_ASSERT_REPORTS say why, one line counts the rest.
    base = (CAMPUS.replace("hall h[1..2]", "hall h[1..31]")
            .replace("      busway = 2 MW\n", f'      busway = 2 MW\n      {keyword} index < 2, "one hall"\n'))
    result, _ = run(tmp_path, "", base)
    mine = [d for d in result.diagnostics if d.code == code]
    cap = asserts.limits.MAX_ASSERT_REPORTS
    assert cap < 30
    shown, (summary,) = mine[:cap], mine[cap:]
    assert [d.message.split(":")[0] for d in shown] == [f"{'assertion failed' if keyword == 'assert' else 'expectation not met'} in hall s.b.h{i}" for i in range(2, 2 + cap)]
    assert summary.message.endswith(f"in {30 - cap:,} more instances of this block (the first {cap} are shown)")
    assert summary.span.line == shown[0].span.line and summary.span.column > shown[0].span.column
