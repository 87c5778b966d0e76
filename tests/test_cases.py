"""Diagnostic cases as files: expected (line, code) pairs written inline as `#! code`."""

import re
from pathlib import Path

import pytest

from factoryspec.pipeline import check

CASES = Path(__file__).parent / "cases"
MARK = re.compile(r"#!\s*(.*)$")


def expected(path: Path) -> set[tuple[str, int, str]]:
    out = set()
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        m = MARK.search(line)
        if m:
            out |= {(path.name, lineno, code) for code in m.group(1).split()}
    return out


@pytest.mark.parametrize("case", sorted(CASES.glob("*.fac")), ids=lambda p: p.stem)
def test_case(case: Path):
    result = check(str(case), root=str(CASES))
    got = {(Path(d.span.file).name, d.span.line, d.code) for d in result.diagnostics if d.span}
    assert got == expected(case)
    assert all(d.span for d in result.diagnostics), "every diagnostic here has a position"


def test_import_cycle_reported_at_closing_import():
    result = check(str(CASES / "cycle" / "a.fac"))
    cycles = [d for d in result.diagnostics if d.code == "import-cycle"]
    assert len(cycles) == 1
    d = cycles[0]
    assert Path(d.span.file).name == "b.fac" and d.span.line == 1
    assert "a.fac -> " in d.message and d.message.endswith("a.fac")


def test_missing_brace_hint_names_the_line():
    result = check(str(CASES / "syntax_missing_brace.fac"))
    d, note = result.diagnostics
    assert d.span.line == 1 and d.span.column == 8
    assert "before line 4" in d.hint
    # and a note where the `}` belongs (info: one mistake, one error)
    assert note.severity.value == "info" and note.span.line == 4 and note.span.column == 1
