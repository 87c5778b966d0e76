"""Inputs the fuzzer (fuzz/fuzz.py) found, kept as they were found: each must
give coded diagnostics, no exception and no internal error."""

from pathlib import Path

import pytest

from factoryspec.pipeline import check

TESTS = Path(__file__).resolve().parent
CASES = sorted((TESTS / "fuzz_regressions").glob("*.fac"))


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_a_found_input_gives_coded_diagnostics(case):
    result = check(str(case), root=str(TESTS))
    codes = {d.code for d in result.diagnostics}
    assert codes and "internal-error" not in codes, codes


COMPILES = sorted((TESTS / "fuzz_regressions" / "compile").glob("*.fac"))


@pytest.mark.parametrize("case", COMPILES, ids=lambda p: p.stem)
def test_a_found_compile_ends_with_a_layout_or_coded_diagnostics(case, tmp_path):
    """Specs that lint clean but once broke the solver: compile now either
    writes a layout that verifies or stops with coded diagnostics."""
    from factoryspec import api
    result = api.compile(str(case), time_limit=3, root=str(TESTS))
    codes = {d.code for d in result.diagnostics}
    assert "internal-error" not in codes, codes
    assert result.ok or any(d.severity.value == "error" for d in result.diagnostics)
    if result.ok:
        result.write(tmp_path / "out")
        assert api.verify(str(case), str(tmp_path / "out" / "layout.json"), root=str(TESTS)).ok
