"""Lint knows everything that can be known without solving.

Each spec in tests/lint_compile/ is infeasible for a reason that depends only
on the spec, marked inline as `#! code` on the line it must be reported at (as
tests/checks/). Lint must report exactly that; `compile` must reject it with
the same code at the same line; and the solver, handed the spec's problem
without lint in front of it, must meet the same code at the same line, so the
two never disagree about why.
"""

from pathlib import Path

import pytest
from click.testing import CliRunner

from factoryspec.checks import contiguity, reach
from factoryspec.cli import main
from factoryspec.diagnostics import Severity
from factoryspec.layout.solve import solve
from factoryspec.pipeline import check
from factoryspec.layout.to_problem import build_problem
from test_checks import expected

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "tests" / "lint_compile"
CORPUS = sorted(p for p in HERE.glob("*.fac") if p.name != "common.fac")
NEW = set(contiguity.CODES) | {"shortest-link-reach", "fabric-media"}


def _mine(diags, path: Path) -> set[tuple[int, str]]:
    return {(d.span.line if d.span else 0, d.code) for d in diags
            if d.severity is Severity.ERROR and (d.span is None or Path(d.span.file).resolve() == path.resolve())}


def test_corpus_is_large_enough():
    assert len(CORPUS) >= 12
    assert all(len(expected(p)) == 1 for p in CORPUS), "one reason per spec"


@pytest.mark.parametrize("spec", CORPUS, ids=lambda p: p.stem)
def test_lint_reports_it(spec: Path):
    result = check(str(spec))
    assert _mine(result.diagnostics, spec) == expected(spec)
    r = CliRunner().invoke(main, ["lint", str(spec)], catch_exceptions=False)
    assert r.exit_code == 1, r.output


@pytest.mark.parametrize("spec", CORPUS, ids=lambda p: p.stem)
def test_compile_rejects_it_the_same_way(spec: Path, tmp_path):
    (line, code), = expected(spec)
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["compile", str(spec), "-o", str(out), "--time-limit", "2"],
                           catch_exceptions=False)
    assert r.exit_code in (1, 3), r.output
    assert f"error[{code}]" in r.output and f"{spec.name}:{line}:" in r.output, r.output
    assert not out.exists()


@pytest.mark.parametrize("spec", CORPUS, ids=lambda p: p.stem)
def test_solver_agrees_without_lint(spec: Path):
    result = solve(build_problem(check(str(spec))), time_limit_s=2)
    assert result.status == "infeasible"
    assert _mine(result.diagnostics, spec) == expected(spec)


@pytest.mark.parametrize("spec", sorted((ROOT / "specs").glob("*.fac")), ids=lambda p: p.stem)
def test_shipped_specs_are_clean_of_these_codes(spec: Path):
    result = check(str(spec))
    assert not [d for d in result.diagnostics if d.code in NEW]
    assert set(reach.CODES) >= {"shortest-link-reach", "fabric-media"}
