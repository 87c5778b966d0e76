"""The local search that moves compute racks with the switches (layout/improve.py):
it lowers the objective where rows were packed far from the switches' slots, the
layout still verifies, the result is the same bytes run after run, and it is
never worse than the layout without it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from factoryspec.cli import main
from factoryspec.layout import improve
from factoryspec.layout.generate import SMALL_SHAPES, small
from factoryspec.layout.solve import solve
from factoryspec.layout.verify import verify

ROOT = Path(__file__).parent
WHOLE = ROOT / "topology" / "whole_rack_appliances.fac"
LIMIT = "10"


def _compile(spec: Path, out: Path) -> dict:
    r = CliRunner().invoke(main, ["compile", str(spec), "-o", str(out), "--time-limit", LIMIT, "--jobs", "1"],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(main, ["verify", str(spec), str(out / "layout.json")], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return json.loads((out / "layout.json").read_text())


def test_moving_compute_racks_beats_the_baseline_and_verifies(tmp_path):
    # rows packed first leave one scalable unit on optics to the leaf rack they
    # share; moving it beside a free slot and the leaves after it turns them to copper
    solver = _compile(WHOLE, tmp_path / "a")["solver"]
    assert solver["objective"] < solver["baseline_objective"]
    assert solver["lower_bound"] <= solver["objective"]


def test_the_improved_layout_is_the_same_bytes_twice(tmp_path):
    _compile(WHOLE, tmp_path / "a")
    _compile(WHOLE, tmp_path / "b")
    assert (tmp_path / "a" / "layout.json").read_bytes() == (tmp_path / "b" / "layout.json").read_bytes()


def test_the_phase_is_what_lowers_the_objective(tmp_path, monkeypatch):
    on = _compile(WHOLE, tmp_path / "on")["solver"]
    monkeypatch.setattr(improve, "ENABLED", False)
    off = _compile(WHOLE, tmp_path / "off")["solver"]
    assert on["objective"] < off["objective"]


@pytest.mark.parametrize("kw", SMALL_SHAPES)
def test_the_phase_never_raises_the_objective(kw, monkeypatch):
    p = small(**kw)
    on = solve(p, time_limit_s=5)
    assert on.layout is not None and verify(p, on.layout, on.objective_units) == []
    monkeypatch.setattr(improve, "ENABLED", False)
    off = solve(p, time_limit_s=5)
    assert on.objective_units <= off.objective_units
    assert on.lower_bound_units <= on.objective_units <= on.baseline_units
