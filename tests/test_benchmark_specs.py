"""The benchmarks' specs stay valid: the hand-written ones (benchmarks/specs/) and
the generated campuses of bench_compile_cli.py check clean, so a new check cannot
silently break a benchmark (the generator once lacked a cooling plant)."""

from __future__ import annotations

from pathlib import Path

import pytest

from factoryspec import api
from generate import compile_campus_spec  # benchmarks/, on sys.path via conftest

ROOT = Path(__file__).resolve().parent.parent
SHAPES = sorted((ROOT / "benchmarks" / "specs").glob("*.fac"))
SPECS = SHAPES + sorted((ROOT / "benchmarks").glob("*.fac"))      # and bench_netbox.py's pod


def test_there_are_six_shapes_or_more():
    assert len(SHAPES) >= 6 and len(SPECS) > len(SHAPES)


@pytest.mark.parametrize("spec", SPECS, ids=[s.stem for s in SPECS])
def test_a_hand_written_benchmark_spec_checks_clean(spec):
    r = api.check(spec)
    assert r.ok and not r.diagnostics, [f"{d.code}: {d.message}" for d in r.diagnostics]


@pytest.mark.parametrize("mw", [100, 1000, 10_000])
def test_a_generated_campus_checks_without_errors(mw, tmp_path):
    spec = tmp_path / f"campus-{mw}.fac"
    spec.write_text(compile_campus_spec(mw), encoding="utf-8")
    r = api.check(spec)
    assert r.ok, [f"{d.code}: {d.message}" for d in r.diagnostics if d.severity.value == "error"]
