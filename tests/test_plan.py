"""`factoryspec plan`: totals checked by hand, stable JSON keys, speed, CLI."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from factoryspec.cli import main
from factoryspec.pipeline import check
from factoryspec.checks.figures import plan_json, plan_text
from generate import campus_spec  # benchmarks/, on sys.path via conftest

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "tests" / "checks" / "base_pass.fac"


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_hand_calculation_base_fixture():
    """tests/checks/base_pass.fac, by hand.

    Compute: 64 racks x 135 kW                      = 8,640 kW
             64 x 72 GPUs                           = 4,608 GPUs
    Fabric:  64 racks x 72 ports                    = 4,608 endpoints, 8 rails -> 576 per rail
             144-port leaf at 1:1: 72 down, 72 up; 576 / 72 = 8 leaves per rail -> 64 leaves
             2 tiers (64 leaves <= 144). Each spine takes the same k links from all 64 leaves:
             k <= 144 // 64 = 2, so 72 up links / 2 = 36 spines (k = 2)
             switches 64 + 36 = 100; network racks ceil(100 / 8) = 13
             links: endpoint 4,608; leaf-spine 64 x 2 x 36 = 4,608
    IT:      8,640 kW + 100 x 2 kW = 8,840 kW       = 8.84 MW
    Facility 8.84 MW x PUE 1.25                     = 11.05 MW
    Cooling: liquid 8,640 kW x 85 % = 7,344 kW; air 8,640 x 15 % = 1,296 kW + 200 kW = 1,496 kW
    Slots:   10 rows x 12 = 120; used 64 + 13 = 77; free 43
    Busway:  64 racks over 10 rows of 10 compute slots -> 7 in the fullest rows:
             7 x 135 kW + 200 kW / 10 rows = 965 kW of 80 % x 2 MW = 1,600 kW -> 60.3 %
    Utility: 11.05 / 30 MW = 36.8 %;  UPS 12 x 2 MW x 11/12 = 22 MW: 8.84 / 22 = 40.2 %
    """
    result = check(str(BASE))
    j = plan_json(result.model, result.diagnostics)
    t = j["totals"]
    assert t["racks"] == 64 and t["gpus"] == 4608
    assert t["it_power_w"] == 8_840_000 and t["facility_power_w"] == 11_050_000
    assert t["cooling_liquid_w"] == 7_344_000 and t["cooling_air_w"] == 1_496_000
    assert (t["slots"], t["slots_used"], t["slots_free"]) == (120, 77, 43)
    assert t["network_racks"] == 13 and t["switches"] == 100
    assert j["switches_per_tier"] == {"leaf": 64, "spine": 36, "core": 0, "total": 100}
    assert j["links_per_tier"] == {"endpoint_leaf": 4608, "leaf_spine": 4608, "spine_core": 0, "total": 9216}
    (fab,) = j["clusters"][0]["fabrics"]
    assert fab["endpoints"] == 4608 and fab["tiers"] == 2 and fab["network_racks"] == 13
    head = {(h["check"], h["subject"]): h for h in j["headroom"]}
    bus = head[("busway-overload", "hall s.b.h1 busway row 1")]
    assert (bus["used"], bus["limit"], bus["percent"]) == (965_000, 1_600_000, 60.3)
    assert head[("utility-capacity", "site s utility")]["percent"] == 36.8
    assert head[("power-train-capacity", "building s.b power")]["limit"] == 22_000_000
    assert head[("power-train-capacity", "building s.b power")]["percent"] == 40.2
    assert BASE.read_text().splitlines()[bus["span"]["line"] - 1].strip() == "busway = 2 MW" and bus["span"]["file"].endswith("base_pass.fac")
    assert j["ok"] is True and j["diagnostics"] == []


def test_hand_calculation_childress():
    """specs/childress.fac (IREN Childress phase 1), by hand.

    Racks:   185 SUs x 8                             = 1,480 racks; x 72 = 106,560 GPUs
    Compute: 1,480 x 135 kW                          = 199.8 MW
    Fabric (Q3400, 144 ports, 1:1, 8 rails, 3 tiers, rail_optimized in SUs of 8 racks):
             an SU has 8 x 72 / 8 rails = 72 endpoints per rail = one leaf's 72 down ports,
             so 1 leaf per rail per SU: 185 x 8 = 1,480 leaves
             a pod holds (144/2) // 8 = 9 leaves per rail = 9 whole SUs -> ceil(185 / 9) = 21 pods
             each leaf's 72 up links go one to each of 72 spines per pod -> 21 x 72 = 1,512 spines
             cores per plane: a full 20-pod build stripes 72 links as 12 cores x 6 -> 12 per plane,
             72 planes x 12 = 864 cores; total 1,480 + 1,512 + 864 = 3,856 switches
    Storage (SN5600 split 2 = 128 x 400G, 3:1, 2 planes over 36 DPU ports a rack):
             per plane 1,480 x 18 = 26,640 endpoints; D = 96 down, 32 up
             leaves ceil(26,640 / 96) = 278 in ceil(278 / 64) = 5 pods of 56 = 280;
             spines 5 x 32 = 160; cores: 56 down links a spine need m x C >= 56 with 5m <= 128:
             m = 19, C = 3 -> 32 x 3 = 96; both planes: 560 + 320 + 192 = 1,072 switches
             links 53,280 + 560 x 32 + 320 x 57 = 53,280 + 17,920 + 18,240 = 89,440
    Management (SN2201, 48 x 1G, 11:1 over 2 ports a rack): 2,960 endpoints; D = 44, 4 up
             leaves ceil(2,960 / 44) = 68 in 3 pods of 23 = 69; spines 3 x 4 = 12;
             cores: m x C >= 23 with 3m <= 48: m = 12, C = 2 -> 4 x 2 = 8; 89 switches
             links 2,960 + 69 x 4 + 12 x 24 = 3,524
    Network: 3,856 x 2 kW + 1,072 x 1 kW + 89 x 100 W = 7.712 + 1.072 + 0.0089 = 8.7929 MW
    Links:   compute 106,560 + 1,480 x 72 + 1,512 x 72 = 106,560 + 106,560 + 108,864
                                                     = 321,984 cables, x 2 = 643,968 ends
    Optics:  the plan's budget, the highest of each fabric's media. Compute, the catalog's 800G
             media (smf_800g_2xfr4_2km; the 400G parts are too slow, the 1.6T ones a faster
             class than needed):
             106,560 host ends x 16 W (a single-port module each)         = 1.70496 MW
             537,408 switch ends x 15 W (a 30 W twin-port module per two) = 8.06112 MW
                                                                          = 9.76608 MW
             transceivers: at most one module per end (a DAC has none, a twin-port
             module serves two switch ends: the plan says "at most")     = 643,968
             storage 89,440 x 2 = 178,880 ends x 10 W (400G media)        = 1.7888 MW
             management 3,524 x 2 = 7,048 ends x 1 W (10GBASE-LR)         = 0.007048 MW
             all: 829,896 ends and modules, 11.561928 MW
    IT:      199.8 + 8.7929 + 11.561928              = 220.154828 MW
    Facility 220.154828 x PUE 1.25                   = 275.193535 MW  (of 750 MW: 36.7 %)
    Liquid:  199.8 MW x 85 %                         = 169.83 MW
    Air:     199.8 MW x 15 % + 8.7929 + 11.561928 MW = 50.324828 MW
    """
    spec = ROOT / "specs" / "childress.fac"
    if not spec.exists():
        pytest.skip("specs/childress.fac not present")
    result = check(str(spec))
    j = plan_json(result.model, result.diagnostics)
    t = j["totals"]
    assert (t["racks"], t["gpus"]) == (1480, 106_560)
    fabrics = {f["name"]: f for c in j["clusters"] for f in c["fabrics"]}
    assert fabrics["compute"]["switches"] == {"leaf": 1480, "spine": 1512, "core": 864, "total": 3856}
    assert fabrics["north_south"]["switches"] == {"leaf": 560, "spine": 320, "core": 192, "total": 1072}
    assert fabrics["oob"]["switches"] == {"leaf": 69, "spine": 12, "core": 8, "total": 89}
    assert fabrics["north_south"]["links"]["total"] == 89_440 and fabrics["oob"]["links"]["total"] == 3_524
    assert j["switches_per_tier"] == {"leaf": 1480 + 560 + 69, "spine": 1512 + 320 + 12, "core": 864 + 192 + 8,
                                      "total": 3856 + 1072 + 89}
    assert fabrics["compute"]["optics"]["power_w"] == 9_766_080
    assert t["optics"] == {"ends": 829_896, "transceivers": 829_896, "transceivers_exact": False,
                           "power_w": 11_561_928}
    assert (t["compute_power_w"], t["switch_power_w"]) == (199_800_000, 8_792_900)
    assert t["it_power_w"] == 220_154_828 == t["compute_power_w"] + t["switch_power_w"] + t["optics"]["power_w"]
    assert t["facility_power_w"] == 275_193_535
    assert t["cooling_liquid_w"] == 169_830_000 and t["cooling_air_w"] == 50_324_828
    util = [h for h in j["headroom"] if h["check"] == "utility-capacity"]
    assert util[0]["percent"] == 36.7
    text = plan_text(result.model, result.diagnostics)
    assert ("IT 220.155 MW = compute 199.8 MW + switches 8.7929 MW + optics 11.5619 MW; "
            "facility 275.194 MW") in text
    assert ("optics 643,968 cable ends in at most 643,968 transceivers (host ends x 16 W, switch ends x 15 W: the highest "
            "of its media) = 9.76608 MW") in text
    assert t["network_racks"] == sum(f["network_racks"] for c in j["clusters"] for f in c["fabrics"]) == 482 + 134 + 7


TOP_KEYS = {"version", "spec", "basis", "ok", "totals", "sites", "clusters", "halls", "switches_per_tier",
            "links_per_tier", "headroom", "diagnostics"}
TOTAL_KEYS = {"clusters", "racks", "gpus", "network_racks", "switches", "unplaced_racks", "compute_power_w",
              "switch_power_w", "optics", "it_power_w",
              "facility_power_w", "cooling_liquid_w", "cooling_air_w", "slots", "slots_reserved", "slots_used",
              "slots_free"}
CLUSTER_KEYS = {"name", "system", "racks", "nodes", "appliances", "gpus", "it_power_w", "unplaced_racks",
                "nvlink_domains", "halls", "fabrics", "joins"}
FABRIC_KEYS = {"name", "role", "switch", "topology", "endpoints", "ports", "rails", "planes", "oversubscription", "tiers", "switches",
               "links", "network_racks", "optics", "error"}
HALL_KEYS = {"name", "slots", "slots_reserved", "slots_used", "slots_free", "compute_racks", "network_racks",
             "gpus", "it_power_w", "cooling_liquid_w", "cooling_air_w", "clusters"}
HEADROOM_KEYS = {"check", "subject", "used", "limit", "unit", "percent", "span"}


def test_json_keys_are_stable_and_documented():
    import factoryspec.checks.figures as plan_module

    result = check(str(BASE))
    j = plan_json(result.model, result.diagnostics)
    assert set(j) == TOP_KEYS
    assert set(j["totals"]) == TOTAL_KEYS
    assert set(j["clusters"][0]) == CLUSTER_KEYS
    assert set(j["clusters"][0]["fabrics"][0]) == FABRIC_KEYS
    assert set(j["halls"][0]) == HALL_KEYS
    assert all(set(h) == HEADROOM_KEYS for h in j["headroom"])
    doc = plan_module.__doc__
    for key in TOP_KEYS | TOTAL_KEYS | CLUSTER_KEYS | FABRIC_KEYS | HALL_KEYS | HEADROOM_KEYS:
        assert key in doc, key


def test_plan_is_deterministic():
    a = json.dumps(plan_json(check(str(BASE)).model), sort_keys=True)
    b = json.dumps(plan_json(check(str(BASE)).model), sort_keys=True)
    assert a == b


def test_headroom_text_shows_the_fullest(tmp_path):
    text = plan_text(check(str(ROOT / "tests" / "checks" / "busway_fail.fac")).model)
    assert "120.6%  hall s.b.h1 busway row 1: 965 kW of 800 kW [busway-overload]  OVER" in text


def test_cli_plan_text_and_json():
    r = run("plan", str(BASE))
    assert r.exit_code == 0, r.output
    assert "IT 8.84 MW = compute 8.64 MW + switches 200 kW + optics 0 W; facility 11.05 MW" in r.stdout
    r = run("plan", "--format", "json", str(BASE))
    assert r.exit_code == 0
    assert json.loads(r.stdout)["totals"]["racks"] == 64


def test_cli_plan_exit_codes(tmp_path):
    r = run("plan", str(ROOT / "tests" / "checks" / "power_fail.fac"))
    assert r.exit_code == 1 and "error[utility-capacity]" in r.stderr and "Totals" in r.stdout
    r = run("plan", "--format", "json", str(ROOT / "tests" / "checks" / "power_fail.fac"))
    assert r.exit_code == 1 and json.loads(r.stdout)["ok"] is False
    r = run("plan", str(tmp_path / "missing.fac"))
    assert r.exit_code == 1 and "error[file-not-found]" in r.stderr    # as lint, compile, fmt and verify
    r = run("plan", "--format", "yaml", str(BASE))
    assert r.exit_code == 2


def test_cli_plan_var_changes_the_totals():
    r = run("plan", "--format", "json", "--var", "design_pue=1.5", str(ROOT / "specs" / "childress.fac"))
    if not (ROOT / "specs" / "childress.fac").exists():
        pytest.skip("specs/childress.fac not present")
    j = json.loads(r.stdout)
    assert j["totals"]["facility_power_w"] == 220_154_828 * 3 // 2


def test_plan_of_a_5_gw_campus(tmp_path):
    # Timing is measured by benchmarks/bench_plan.py; tests assert behaviour only.
    spec = tmp_path / "campus.fac"
    spec.write_text(campus_spec())
    result = check(str(spec))
    j = plan_json(result.model, result.diagnostics)
    assert "Totals" in plan_text(result.model, result.diagnostics)
    assert j["totals"]["racks"] == 29_600
    # 29,600 x 135 kW = 3,996 MW of compute, plus the switches
    assert j["totals"]["it_power_w"] > 3_996_000_000
    assert j["totals"]["facility_power_w"] <= 5_000_000_000
    assert j["ok"], [d["message"] for d in j["diagnostics"]][:3]
