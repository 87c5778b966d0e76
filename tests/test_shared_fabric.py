"""Fabrics at site level shared by several clusters (`fabrics = [...]` in a cluster).

tests/topology/shared.fac: cluster train, 12 GB300 NVL72 racks in hall h1, and
cluster infer, 4 GB200 NVL72 racks in hall h2, join one storage fabric of
QM9700 switches (64 x 400G) at 1:1. Neither fabric nor cluster writes
`ports_per_rack`: each member takes its system's 36 storage ports a rack.

  endpoints  12 x 36 + 4 x 36 = 432 + 144 = 576
  leaves     576 / 32 down ports = 18 (32 up links each)
  spines     18 x 32 = 576 up links: 16 spines, 2 links from each leaf to each
             (a spine then takes 36 of its 64 ports)
  net racks  leaf ceil(18 / 8) = 3 + spine ceil(16 / 8) = 2 = 5, shared by
             endpoints: train 5 x 432/576 = 3.75, infer 1.25 -> 3 + 1, the
             last to the larger remainder (train): h1 4, h2 1
  power      34 switches x 750 W = 25.5 kW; optics 2 x (576 + 576) ends x 10 W
             = 23.04 kW; the fabric's 48.54 kW counted once, under its site
"""

import json
import re
from pathlib import Path

from click.testing import CliRunner

from compiled import cables_from, compile_verified
from factoryspec import api
from factoryspec.cli import main
from factoryspec.checks.figures import plan_text
from factoryspec.pipeline import check

ROOT = Path(__file__).parent
SPEC = ROOT / "topology" / "shared.fac"


def _plan():
    return api.plan(SPEC).figures


def test_shared_fabric_is_sized_over_its_members():
    j = _plan()
    (site,) = j["sites"]
    (fb,) = site["fabrics"]
    assert fb["name"] == "storage" and fb["role"] == "storage"
    assert fb["endpoints"] == 576 and fb["ports"] == 576
    assert fb["members"] == [
        {"cluster": "s.train", "racks": 12, "ports_per_rack": 36, "endpoints": 432},
        {"cluster": "s.infer", "racks": 4, "ports_per_rack": 36, "endpoints": 144}]
    assert fb["tiers"] == 2
    assert fb["switches"] == {"leaf": 18, "spine": 16, "core": 0, "total": 34}
    assert fb["links"]["endpoint_leaf"] == 576 and fb["links"]["leaf_spine"] == 576
    assert fb["network_racks"] == 5
    assert fb["it_power_w"] == 25_500 + 23_040
    # listed once: under the site, not under each member (which say they join it)
    assert all(c["fabrics"] == [] for c in j["clusters"])
    assert [c["joins"] for c in j["clusters"]] == [
        [{"fabric": "s.storage", "ports_per_rack": 36, "endpoints": 432}],
        [{"fabric": "s.storage", "ports_per_rack": 36, "endpoints": 144}]]
    assert j["switches_per_tier"]["total"] == 34


def test_shared_network_racks_stand_with_the_owner_as_compile_racks_them():
    j = _plan()
    halls = {h["name"]: h for h in j["halls"]}
    assert halls["s.b.h1"]["network_racks"] == 5 and halls["s.b.h2"]["network_racks"] == 0
    assert j["totals"]["network_racks"] == 5
    # the owner's hall: its 12 racks, the 34 switches (25.5 kW), its 432 host ends and every
    # switch end (2,304 - 576 = 1,728) at 10 W; infer's hall: its 4 racks and 144 host ends
    assert halls["s.b.h1"]["it_power_w"] == 1_620_000 + 25_500 + (432 + 1_728) * 10
    assert halls["s.b.h2"]["it_power_w"] == 480_000 + 144 * 10
    # IT power counts the shared fabric once: compute 2.1 MW + 48.54 kW
    assert j["totals"]["it_power_w"] == 2_100_000 + 48_540
    assert j["sites"][0]["it_power_w"] == j["totals"]["it_power_w"]
    assert j["totals"]["switch_power_w"] == 25_500 and j["totals"]["optics"]["power_w"] == 23_040


def test_plan_text_lists_the_shared_fabric_once_with_its_members():
    text = plan_text(check(str(SPEC)).model)
    assert text.count("fabric storage (") == 1
    assert "shared storage fabric storage (fat_tree, qm9700, 1:1, 1 rail): 576 endpoints, 2 tiers" in text
    assert "shared by s.train 12 racks x 36 = 432, s.infer 4 racks x 36 = 144" in text
    assert "joins shared fabric s.storage: 432 endpoints" in text


def test_written_ports_per_rack_apply_to_every_member(tmp_path):
    text = SPEC.read_text().replace('role = "storage"', 'role = "storage"\n    ports_per_rack = 8')
    p = tmp_path / "s.fac"
    p.write_text(text)
    (fb,) = api.plan(p).figures["sites"][0]["fabrics"]
    assert fb["endpoints"] == (12 + 4) * 8
    assert [m["ports_per_rack"] for m in fb["members"]] == [8, 8]


def test_rails_must_divide_every_members_ports(tmp_path):
    # 36 storage ports of a rack do not split over 8 rails
    text = SPEC.read_text().replace('role = "storage"', 'role = "storage"\n    rails = 8')
    p = tmp_path / "s.fac"
    p.write_text(text)
    codes = [d.code for d in check(str(p)).diagnostics]
    assert codes.count("fabric-ports") == 1


def _compile(tmp_path):
    run = CliRunner()
    out = tmp_path / "out"
    r = run.invoke(main, ["compile", str(SPEC), "-o", str(out), "--time-limit", "20", "--jobs", "1"],
                   catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return out


def test_compile_lays_out_the_shared_fabric_once_and_verify_accepts_it(tmp_path):
    out = _compile(tmp_path)
    r = CliRunner().invoke(main, ["verify", str(SPEC), str(out / "layout.json")], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    data = json.loads((out / "layout.json").read_text())
    net = [p for p in data["placements"] if p["kind"] == "network"]
    # its switches belong to its owner, the first member, and stand in its halls
    assert len(net) == 5 and {(p["cluster"], p["fabric"], p["hall"]) for p in net} == {
        ("s.train", "s.storage", "s.b.h1")}
    # where the plan said they would stand
    planned = {h["name"]: h["network_racks"] for h in _plan()["halls"]}
    assert planned == {h: sum(1 for p in net if p["hall"] == h) for h in planned}
    links = data["links"]
    assert {(ln["cluster"], ln["fabric"]) for ln in links} == {("s.train", "s.storage")}
    ends = {}
    for ln in links:
        if ln["level"] == "endpoint":
            cl = ln["a"].split("/c")[0]
            ends[cl] = ends.get(cl, 0) + ln["count"]
    assert ends == {"s.train": 432, "s.infer": 144}
    assert sum(ln["count"] for ln in links if ln["level"] == "leaf-spine") == 576
    bom = (out / "bom.csv").read_text()
    switch_lines = [line for line in bom.splitlines() if line.startswith("switch,")]
    assert len(switch_lines) == 1 and "s.storage (shared by s.train, s.infer), leaf 18 + spine 16" in switch_lines[0]
    assert ",34,switch," in switch_lines[0]
    report = (out / "report.md").read_text()
    assert report.count("s.storage (shared by s.train, s.infer)") == 1


def test_verify_rejects_a_moved_shared_fabric_link(tmp_path):
    out = _compile(tmp_path)
    data = json.loads((out / "layout.json").read_text())
    links = data["links"]
    # one cable of an infer rack moved to a train rack's link to the same leaf rack, at the
    # same length and medium: the cost and the cable count stay; the wiring does not
    by_end = {}
    for ln in links:
        if ln["level"] == "endpoint":
            by_end.setdefault((ln["b"], ln["medium"], ln["length_m"]), []).append(ln)
    pair = next((g for g in by_end.values() if len({x["a"].split("/c")[0] for x in g}) > 1), None)
    if pair is None:         # no such pair in this layout: move one to another rack of the member
        src = next(ln for ln in links if ln["a"].startswith("s.infer/") and ln["level"] == "endpoint")
        src["a"] = "s.infer/c2" if src["a"] != "s.infer/c2" else "s.infer/c1"
    else:
        a = next(x for x in pair if x["a"].startswith("s.infer/"))
        b = next(x for x in pair if x["a"].startswith("s.train/"))
        a["count"] -= 1
        b["count"] += 1
        if a["count"] == 0:
            links.remove(a)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    r = CliRunner().invoke(main, ["verify", str(SPEC), str(bad)], catch_exceptions=False)
    assert r.exit_code == 1
    # the cable ends moved change two racks' power, which verify reports first: give them the
    # power their cables now give, so that only the wiring is wrong
    for rid, want in re.findall(r"rack (\S+): power \S+ W, expected (\S+) W", r.output):
        p = next(p for p in data["placements"] if p["id"] == rid)
        p["power_w"] = int(want) if float(want).is_integer() else float(want)
    bad.write_text(json.dumps(data))
    r = CliRunner().invoke(main, ["verify", str(SPEC), str(bad)], catch_exceptions=False)
    assert r.exit_code == 1
    assert "of s.train/s.storage: the fabric needs" in r.output, r.output


def test_model_json_lists_the_shared_fabric_under_its_site():
    from factoryspec.model.export import to_json, validate

    result = check(str(SPEC))
    doc = to_json(result.model)
    assert validate(result.model, doc) == []
    (fab,) = doc["sites"][0]["fabrics"]
    assert fab["endpoints"] == 576 and [m["cluster"] for m in fab["members"]] == ["s.train", "s.infer"]
    assert [c["joins"] for c in doc["clusters"]] == [["s.storage"], ["s.storage"]]


def test_a_member_with_empty_node_slots_cables_only_its_nodes(tmp_path):
    # infer as 30 DGX B200 nodes in 8 racks of 4 (two empty slots), 4 ports a rack written on the
    # fabric: 12 x 4 + 8 x 4 = 80 endpoints, 48 + 30 of them ports; 3 leaves (32 down), 2 spines
    text = SPEC.read_text().replace('role = "storage"', 'role = "storage"\n    ports_per_rack = 4')
    text = text.replace("system = gb200_nvl72\n    racks = 4", "system = dgx_b200\n    nodes = 30")
    spec = tmp_path / "nodes.fac"
    spec.write_text(text)
    (fb,) = api.plan(spec).figures["sites"][0]["fabrics"]
    assert (fb["endpoints"], fb["ports"]) == (80, 78)
    assert fb["switches"] == {"leaf": 3, "spine": 2, "core": 0, "total": 5}
    run = CliRunner()
    r = run.invoke(main, ["compile", str(spec), "-o", str(tmp_path / "out"), "--time-limit", "10", "--jobs", "1"],
                   catch_exceptions=False)
    assert r.exit_code == 0, r.output
    r = run.invoke(main, ["verify", str(spec), str(tmp_path / "out" / "layout.json")], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    data = json.loads((tmp_path / "out" / "layout.json").read_text())
    ends = sum(ln["count"] for ln in data["links"] if ln["level"] == "endpoint" and ln["a"].startswith("s.infer/"))
    assert ends == 30


def test_graph_puts_the_shared_fabric_in_its_site_joined_by_its_members():
    import networkx as nx  # noqa: F401  (the graph needs it)
    from factoryspec.model.graph import build_graph

    g = build_graph(check(str(SPEC)).model)
    assert g.has_edge("site:s", "fabric:s.storage")
    assert g.has_edge("cluster:s.train", "fabric:s.storage") and g.has_edge("cluster:s.infer", "fabric:s.storage")


def test_two_shared_fabrics_beside_the_owners_own_compile_verify_and_bill_once_each(tmp_path):
    text = SPEC.read_text().replace("  cluster train {", '''  fabric oob {
    role = "management"
    switch = sn2201
    oversubscription = 11:1
  }
  cluster train {''').replace("fabrics = [storage]", "fabrics = [storage, oob]").replace(
        "halls = [b.h1]\n", '''halls = [b.h1]
    fabric storage {
      role = "storage"
      switch = qm9700
      ports_per_rack = 4
    }
''')
    spec = tmp_path / "two.fac"
    spec.write_text(text)
    # train's own `storage` hides the site's in train: joining it by that name is a fabric-join
    # error whose hint names the site's
    (d,) = [d for d in check(str(spec)).diagnostics if d.code == "fabric-join"]
    assert "write `s.storage`" in d.hint
    text = text.replace("fabrics = [storage, oob]", "fabrics = [s.storage, oob]")
    spec.write_text(text)
    run = CliRunner()
    r = run.invoke(main, ["compile", str(spec), "-o", str(tmp_path / "out"), "--time-limit", "10", "--jobs", "1"],
                   catch_exceptions=False)
    assert r.exit_code == 0, r.output
    r = run.invoke(main, ["verify", str(spec), str(tmp_path / "out" / "layout.json")], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    switches = [line for line in (tmp_path / "out" / "bom.csv").read_text().splitlines()
                if line.startswith("switch,")]
    # the owner's own `storage` and the site's `s.storage` are two fabrics, each billed once
    assert [line.split(",")[2].strip('"') for line in switches] == [
        "s.oob (shared by s.train", "s.storage (shared by s.train", "s.train/storage"]


# ---- appliances on a shared fabric ----------------------------------------------------

APPLIANCES = ROOT / "topology" / "shared_appliances.fac"


def test_appliances_of_a_member_are_endpoints_of_the_shared_fabric():
    # the pod: 7 nodes x 2 storage ports + 2 heads x 2 ports, in 3 racks of 8 positions
    j = api.plan(APPLIANCES).figures
    (site,) = j["sites"]
    (fb,) = site["fabrics"]
    assert (fb["endpoints"], fb["ports"]) == (432 + 144 + 24, 432 + 144 + 7 * 2 + 2 * 2)
    assert fb["links"]["endpoint_leaf"] == 594
    pod = next(c for c in j["clusters"] if c["name"] == "s.pod")
    assert pod["appliances"] == [{"name": "heads", "appliance": "storage_head", "count": 2, "ports": 4,
                                  "own_racks": 1,
                                  "links": [{"fabric": "storage", "from": "ports", "rails": [1], "cables": 4}]}]
    assert (pod["racks"], pod["nodes"], pod["gpus"]) == (3, 7, 56)


def test_appliances_on_a_shared_fabric_compile_cable_and_verify(tmp_path):
    out = tmp_path / "out"
    data = compile_verified(APPLIANCES, out)
    assert cables_from(data, "s.pod") == {"s.pod/c1": 8, "s.pod/c2": 6, "s.pod/c3": 4}     # 4 nodes, 3 nodes, the 2 heads
    # a head's cable moved to the node rack beside it: same count, not where its port is
    links = [ln for ln in data["links"] if ln["a"] == "s.pod/c3"]
    links[0]["count"] -= 1
    data["links"].append({**links[0], "a": "s.pod/c2", "count": 1})
    # the racks' module power follows their cable ends: set it as verify recounts it, so
    # that what is left wrong is where the cable goes
    racks = {p["id"]: p for p in data["placements"]}
    for _ in range(3):
        (out / "tampered.json").write_text(json.dumps(data))
        r = CliRunner().invoke(main, ["verify", str(APPLIANCES), str(out / "tampered.json")], catch_exceptions=False)
        fixes = re.findall(r"rack (\S+): power \S+ W, expected (\S+) W", r.output)
        if not fixes:
            break
        for rid, watts in fixes:
            racks[rid]["power_w"] = int(watts)
    assert r.exit_code != 0
    assert "endpoint link s.pod/c2 -> " in r.output and "the fabric needs 6 cables, the layout has 7" in r.output
    assert "endpoint link s.pod/c3 -> " in r.output and "the fabric needs 4 cables, the layout has 3" in r.output


def test_whole_rack_appliance_racks_on_a_shared_fabric(tmp_path):
    data = compile_verified(ROOT / "topology" / "shared_whole_rack_appliances.fac", tmp_path / "out")
    assert cables_from(data, "s.infer") == {**{f"s.infer/c{i}": 36 for i in range(1, 5)}, "s.infer/c5": 8, "s.infer/c6": 2,
                      "s.infer/c7": 4}
    # 12 x 36 + 4 x 36 + 5 x 2 + 4 storage cables
    assert sum(ln["count"] for ln in data["links"] if ln["level"] == "endpoint") == 432 + 144 + 10 + 4
