"""Compiling a test spec through the CLI and reading what it wrote: shared by the
tests that check a layout's racks and cables."""

import json
from pathlib import Path

from click.testing import CliRunner

from factoryspec.cli import main


def compile_verified(spec: Path, out: Path, limit: int = 20) -> dict:
    """layout.json of `spec` compiled into `out` (one job, `limit` seconds), after
    asserting that compile succeeded and verify accepts it."""
    r = CliRunner().invoke(main, ["compile", str(spec), "-o", str(out), "--time-limit", str(limit), "--jobs", "1"],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(main, ["verify", str(spec), str(out / "layout.json")], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return json.loads((out / "layout.json").read_text())


def cables_from(data: dict, cluster: str) -> dict[str, int]:
    """Cables leaving each compute rack of `cluster`, by rack id."""
    return {p["id"]: sum(ln["count"] for ln in data["links"] if ln["a"] == p["id"])
            for p in data["placements"] if p["kind"] == "compute" and p["cluster"] == cluster}
