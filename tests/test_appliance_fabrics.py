"""Appliances with ports on several fabrics (tests/topology/multi_fabric_appliances.fac):
a UFM with compute ports on rails 1-4 and a management port, storage heads with
storage ports and a management port, each set cabled to the cluster's fabric of
its role at the positions of the appliance's node slots. Figures by hand in the
spec's header."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from compiled import compile_verified

from factoryspec import api
from factoryspec.model.graph import build_graph
from factoryspec.pipeline import check

SPEC = Path(__file__).resolve().parent / "topology" / "multi_fabric_appliances.fac"


def _errors(text: str, tmp_path: Path) -> list:
    spec = tmp_path / "s.fac"
    spec.write_text(text)
    return [d for d in check(str(spec)).diagnostics if d.severity.name == "ERROR"]


def _in_heads(line: str) -> str:
    """The spec with `line` written in the storage heads' `appliances` block."""
    return SPEC.read_text().replace("      count = 2\n      own_racks", f"      count = 2\n      {line}\n      own_racks")


def _line(text: str, needle: str) -> int:
    return next(i for i, ln in enumerate(text.splitlines(), 1) if needle in ln)


def test_each_role_is_an_endpoint_of_its_fabric():
    result = check(str(SPEC))
    assert not result.diagnostics, result.diagnostics
    (c,) = result.model.clusters
    fabrics = {f.name: f for f in c.fabrics}
    assert {n: (f.endpoints, f.ports) for n, f in fabrics.items()} == \
        {"compute": (160, 14 * 8 + 4), "storage": (40, 14 * 2 + 2 * 2), "oob": (20, 14 + 1 + 2)}
    ufm, heads = c.appliances
    assert [(p.fabric.name, p.attr, p.rail_list(), p.per_rail()) for p in ufm.links] == \
        [("compute", "ports", (1, 2, 3, 4), 1), ("oob", "management_ports", (1,), 1)]
    assert [(p.fabric.name, p.attr, p.rail_list(), p.per_rail()) for p in heads.links] == \
        [("storage", "storage_ports", (1,), 2), ("oob", "management_ports", (1,), 1)]
    # the heads start rack 5 (slot 16): on the storage fabric 2 positions a slot, so 32 and 34
    storage = fabrics["storage"]
    assert [p.position(i, 2) for p in storage.member_appliances(c) for i in range(p.count)] == [32, 34]


def test_the_plan_lists_each_fabric_of_an_appliance():
    figures = api.plan(SPEC).figures
    (c,) = figures["clusters"]
    heads = c["appliances"][1]
    assert heads["ports"] == 6 and heads["links"] == [
        {"fabric": "storage", "from": "storage_ports", "rails": [1], "cables": 4},
        {"fabric": "oob", "from": "management_ports", "rails": [1], "cables": 2}]
    text = api.plan(SPEC).text()
    assert ("appliances heads: 2 x storage_head, in 1 rack of their own, 6 ports: 4 on fabric storage rails 1; "
            "2 on fabric oob rails 1") in text
    assert {f["name"]: f["links"]["endpoint_leaf"] for f in c["fabrics"]} == {"compute": 116, "storage": 32, "oob": 17}


def test_the_layout_cables_each_rack_on_each_fabric(tmp_path):
    data = compile_verified(SPEC, tmp_path / "out")
    by = Counter()
    for ln in data["links"]:
        if ln["level"] == "endpoint":
            by[(ln["a"], ln["fabric"])] += ln["count"]
    # rack 4: nodes 12-13, the UFM (slot 15); rack 5: the two heads
    assert {k: v for k, v in by.items() if k[0] in ("s.c/c4", "s.c/c5")} == {
        ("s.c/c4", "compute"): 2 * 8 + 4, ("s.c/c4", "storage"): 2 * 2, ("s.c/c4", "oob"): 2 + 1,
        ("s.c/c5", "storage"): 2 * 2, ("s.c/c5", "oob"): 2}
    assert sum(by.values()) == 116 + 32 + 17
    heads = data["clusters"][0]["appliances"][1]
    assert (heads["rack"], heads["slot"], heads["rails"]) == ("s.c/c5", 1, [])
    assert heads["ports"] == [{"fabric": "storage", "from": "storage_ports", "rails": [1], "per_rail": 2},
                              {"fabric": "oob", "from": "management_ports", "rails": [1], "per_rail": 1}]


def test_graph_links_an_appliance_to_each_of_its_fabrics():
    G = build_graph(check(str(SPEC)).model)
    assert G.nodes["appliances:s.c.heads"]["ports"] == 2 * 3
    assert G.edges["appliances:s.c.heads", "fabric:s.c.storage", "links"]["cables"] == 4
    assert G.edges["appliances:s.c.heads", "fabric:s.c.oob", "links"]["cables"] == 2
    assert not G.has_edge("appliances:s.c.heads", "fabric:s.c.compute")


def test_ports_twice_on_one_fabric_is_an_error(tmp_path):
    # the heads' block names the storage fabric for `ports`, and they have storage ports too
    text = _in_heads('fabric = "storage"').replace("appliance storage_head {\n", "appliance storage_head {\n  ports = 2\n")
    errors = _errors(text, tmp_path)
    assert [d.code for d in errors] == ["appliance-fabric"], errors
    assert "`ports` and `storage_ports` would both be endpoints of fabric s.c.storage" in errors[0].message
    assert errors[0].span.line == _line(text, 'fabric = "storage"')


def test_an_appliance_without_ports_and_a_fabric_for_none(tmp_path):
    text = SPEC.read_text().replace("  storage_ports = 2\n  storage_port_speed = 400 Gb/s\n  management_ports = 1\n"
                                    "  management_port_speed = 1 Gb/s\n  power = 1.5 kW", "  power = 1.5 kW")
    (d,) = _errors(text, tmp_path)
    assert d.code == "appliance-fabric" and "storage_head has no ports" in d.message
    text = _in_heads('fabric = "storage"')
    (d,) = _errors(text, tmp_path)
    assert d.code == "appliance-fabric" and "has none" in d.message
    assert d.span.line == _line(text, 'fabric = "storage"')


def test_role_ports_take_their_own_rails(tmp_path):
    # 4 storage ports a head on one rail of 2 positions a slot: too many; the hint names storage_rails
    head = SPEC.read_text().index("appliance storage_head")
    text = SPEC.read_text()[:head] + SPEC.read_text()[head:].replace("storage_ports = 2", "storage_ports = 4", 1)
    (d,) = _errors(text, tmp_path)
    assert d.code == "appliance-rails" and d.message.startswith("appliances s.c.heads (storage_ports):")
    assert d.hint.startswith("fabric s.c.storage has 1 rail: at most 2 ports an appliance"), d.hint
    assert d.span.line == _line(text, "appliance = storage_head")
    # naming a storage rail that does not exist is reported at `storage_rails`
    text = _in_heads("storage_rails = [2]")
    (d,) = _errors(text, tmp_path)
    assert d.code == "appliance-rails" and "rail 2 does not exist" in d.message
    assert d.span.line == _line(text, "storage_rails = [2]")


def test_without_a_fabric_of_the_role_the_ports_are_not_cabled(tmp_path):
    # no management fabric: the management ports stay uncabled, as a system's do; the plan says so
    text = SPEC.read_text().replace('    fabric oob {\n      role = "management"\n      switch = sn2201\n    }\n', "")
    text = text.replace(" and oob.endpoints == 20", "")
    spec = tmp_path / "s.fac"
    spec.write_text(text)
    result = check(str(spec))
    assert not [d for d in result.diagnostics if d.severity.name == "ERROR"], result.diagnostics
    (c,) = api.plan(spec).figures["clusters"]
    heads = c["appliances"][1]
    assert heads["links"] == [{"fabric": "storage", "from": "storage_ports", "rails": [1], "cables": 4}]
    assert "6 ports: 4 on fabric storage rails 1; 2 not cabled" in api.plan(spec).text()


def test_verify_rejects_a_storage_cable_moved_between_racks(tmp_path):
    import json

    from click.testing import CliRunner

    from factoryspec.cli import main
    out = tmp_path / "out"
    data = compile_verified(SPEC, out)
    ends = {ln["a"]: ln for ln in data["links"] if ln["level"] == "endpoint" and ln["fabric"] == "storage"
            and ln["a"] in ("s.c/c4", "s.c/c5")}
    ends["s.c/c5"]["count"] -= 1           # a head's storage cable now leaves rack 4
    ends["s.c/c4"]["count"] += 1
    (out / "layout.json").write_text(json.dumps(data))
    r = CliRunner().invoke(main, ["verify", str(SPEC), str(out / "layout.json")], catch_exceptions=False)
    assert r.exit_code != 0 and "s.c/c5" in r.output, r.output


SHARED_OOB = SPEC.parent / "nvl72_shared_oob.fac"


def test_whole_rack_appliances_on_their_own_and_a_shared_fabric(tmp_path):
    # management servers in racks of their own, 2 a rack, storage ports on the cluster's
    # storage fabric, a management port on the site's management fabric
    data = compile_verified(SHARED_OOB, tmp_path / "out")
    by = Counter()
    for ln in data["links"]:
        if ln["level"] == "endpoint":
            by[(ln["a"], ln["fabric"])] += ln["count"]
    assert sum(v for (_, f), v in by.items() if f == "north_south") == 4 * 36 + 3 * 4
    assert sum(v for (_, f), v in by.items() if f == "s.oob") == 4 * 2 + 3 + 2 * 2
    assert {k: v for k, v in by.items() if k[0] in ("s.a/c5", "s.a/c6")} == {
        ("s.a/c5", "north_south"): 8, ("s.a/c5", "s.oob"): 2, ("s.a/c6", "north_south"): 4, ("s.a/c6", "s.oob"): 1}
    # 3 a rack need 3 management positions; a rack has 2: reported at `per_rack`
    text = SHARED_OOB.read_text().replace("per_rack = 2", "per_rack = 3")
    (d,) = _errors(text, tmp_path)
    assert d.code == "appliance-rails" and "(management_ports)" in d.message and d.hint.startswith("set `per_rack = 2`")
    assert d.span.line == _line(text, "per_rack = 3")
