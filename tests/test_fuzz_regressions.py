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
