"""Headroom as built on a spec of a shape no shipped spec has (two systems in
one building, a 2-tier and a 3-tier fabric, reserved slots, a cross-aisle,
hall-level power trains, a site plant): report.md, layout.json, the floor
plans and an independent recount agree; plan's estimate and the layout
differ only where the layout decides (optics media, rows)."""

import json
from pathlib import Path

from click.testing import CliRunner

import recount
from factoryspec.cli import main

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "tests" / "compile" / "mixed_halls.fac"


def test_a_new_shape_recounts_exactly(tmp_path):
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["compile", str(SPEC), "-o", str(out), "--time-limit", "20"])
    assert r.exit_code == 0, r.output
    assert recount.assert_agrees(SPEC, out) >= 10
    layout = json.loads((out / "layout.json").read_text())
    t = layout["totals"]
    # every cable has two ends, each at its own medium's power per end
    assert t["optics"]["ends"] == 2 * t["cables"]
    assert t["optics"]["power_w"] == sum(m["optics_w"] for m in t["by_medium"])
    # twin-port switch modules: fewer modules than cable ends, never more; copper has none
    from factoryspec.pipeline import check
    optical = {m.qualname: m.optical for m in check(str(SPEC)).model.media}
    assert all(m["cables"] <= m["transceivers"] <= 2 * m["cables"] if optical[m["medium"]]
               else m["transceivers"] == 0 for m in t["by_medium"])
    assert any(m["transceivers"] < 2 * m["cables"] for m in t["by_medium"] if optical[m["medium"]])
    assert t["optics"]["transceivers"] == sum(m["transceivers"] for m in t["by_medium"])
    # the BOM's module lines add up to the same count
    import csv
    bom = list(csv.DictReader((out / "bom.csv").open()))
    assert sum(int(r["quantity"]) for r in bom if r["category"] == "transceiver") == t["optics"]["transceivers"]
    plan = json.loads(CliRunner().invoke(main, ["plan", "--format", "json", str(SPEC)]).stdout)
    p = plan["totals"]
    # the estimate budgets the dearest medium, the layout counts the chosen ones
    assert p["optics"]["ends"] == t["optics"]["ends"]
    assert t["optics"]["power_w"] <= p["optics"]["power_w"]
    assert t["it_power_w"] == p["compute_power_w"] + p["switch_power_w"] + t["optics"]["power_w"]
    assert (p["racks"], p["network_racks"]) == (t["compute_racks"], t["network_racks"])
