"""A short, deterministic run of each fuzz target (fuzz/fuzz.py): fixed seed,
fixed number of cases, zero findings expected. The long runs are for people
(see "Fuzzing" in the README); this keeps the harness working and catches a
regression the corpus mutations reach quickly."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fuzz.fuzz import Options, run  # noqa: E402

CASES = [
    pytest.param("lint", 300),
    pytest.param("compile", 5),
    pytest.param("verify", 30),
    pytest.param("lsp", 20),
]


@pytest.mark.parametrize("target,count", CASES)
def test_no_findings(target, count, tmp_path):
    # Stop at the first finding and skip shrinking: the test only needs to know there is one.
    stats = run(Options(target, count=count, seed=0, jobs=2, out=tmp_path, shrink_seconds=0,
                        quiet=True, stop_after=1))
    found = [f"{f.kind} [{f.target}] {f.message} ({f.where}; {f.note})" for f in stats["findings"]]
    assert not found, "\n".join(found)
    assert stats["cases"] == count
