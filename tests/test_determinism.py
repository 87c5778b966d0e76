"""The same spec, seed and limit give the same bytes, whatever else the
machine runs: every budget inside the solver is a work count derived from
`--time-limit` (layout/work.py, layout/solve.py), the wall clock only a
safety stop that marks a result `interrupted`."""

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from factoryspec.cli import main

SPEC = Path(__file__).parent / "fidelity" / "b300_xdr_superpod.fac"
LIMIT = "0.1"     # binds: the bound's work budget is cut (see the first assert)


def _compile(out: Path, limit: str = LIMIT) -> dict:
    r = CliRunner().invoke(main, ["compile", str(SPEC), "-o", str(out), "--time-limit", limit, "--seed", "7",
                                  "--jobs", "1"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return json.loads((out / "layout.json").read_text())["solver"]


def _busy(n: int) -> list:
    """n processes spinning on the CPU (this machine has 2 cores)."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]


def test_a_binding_limit_gives_the_same_bytes_on_a_loaded_machine(tmp_path):
    unhurried = _compile(tmp_path / "long", "60")
    idle = _compile(tmp_path / "idle")
    assert idle["lower_bound"] < unhurried["lower_bound"]      # the limit binds
    assert idle["status"] == "feasible"
    load = _busy(max(2, os.cpu_count() or 2))
    try:
        loaded = _compile(tmp_path / "loaded")
    finally:
        for p in load:
            p.kill()
            p.wait()
    assert loaded["status"] == "feasible"
    for name in ("layout.json", "bom.csv", "report.md", "report.html"):
        assert (tmp_path / "idle" / name).read_bytes() == (tmp_path / "loaded" / name).read_bytes(), name
