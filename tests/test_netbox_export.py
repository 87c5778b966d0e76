"""`factoryspec export netbox`: the bulk-import files, without a NetBox.

What a NetBox import needs and NetBox would refuse otherwise: every reference
(a device's type, role, rack and location; a cable's devices and interfaces; a
location's parent; a feed's panel) names an object of an earlier file; device
types are in the devicetype-library's form (tests/data/netbox-device-type.schema.json)
with an interface for every port a cable uses; names are unique where NetBox
keys them. And what the figures must agree with: the cables are the
cutsheets' (IDs, ends, lengths), the racks layout.json's placements, the
feeds' currents the busway rating's. A push to a real NetBox is
tests/test_netbox_push.py.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import jsonschema
import pytest

from factoryspec import api
from factoryspec.emit import netbox, netbox_design
from factoryspec.layout.to_problem import build_problem

yaml = pytest.importorskip("yaml")

HERE = Path(__file__).parent
SCHEMA = json.loads((HERE / "data" / "netbox-device-type.schema.json").read_text())
SPECS = [HERE / "netbox" / "two_halls.fac", HERE / "topology" / "nodes.fac",
         HERE / "topology" / "whole_rack_appliances.fac", HERE / "topology" / "multi_fabric_appliances.fac",
         HERE.parent / "specs" / "superpod.fac"]


@pytest.fixture(scope="module", params=SPECS, ids=lambda p: p.stem)
def exported(request, tmp_path_factory):
    spec = request.param
    out = tmp_path_factory.mktemp(spec.stem)
    r = api.compile(spec, time_limit=30, seed=1)
    assert r.ok, r.diagnostics
    r.write(out / "out")
    e = api.export("netbox", spec, out / "out" / "layout.json", out / "netbox")
    assert e.ok, e.diagnostics
    return spec, r, out


def _rows(out: Path, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO((out / "netbox" / name).read_text())))


def _types(out: Path) -> list[dict]:
    return list(yaml.safe_load_all((out / "netbox" / "02-device-types.yaml").read_text()))


def test_files_in_import_order(exported):
    _, _, out = exported
    assert sorted(p.name for p in (out / "netbox").iterdir()) == list(netbox.FILES)
    assert [f[:2] for f in netbox.FILES] == [f"{k:02d}" for k in range(1, len(netbox.FILES) + 1)]


def test_device_types_are_in_library_form(exported):
    _, _, out = exported
    types = _types(out)
    assert types
    for t in types:
        jsonschema.validate(t, SCHEMA)
    makers = {r["name"] for r in _rows(out, "01-manufacturers.csv")}
    assert {t["manufacturer"] for t in types} == makers
    assert len({(t["manufacturer"], t["model"]) for t in types}) == len(types)
    assert len({t["slug"] for t in types}) == len(types)


def test_every_reference_names_an_earlier_object(exported):
    _, _, out = exported
    sites = {r["name"] for r in _rows(out, "05-sites.csv")}
    locations = set()
    for r in _rows(out, "06-locations.csv"):
        assert r["site"] in sites and (not r["parent"] or r["parent"] in locations)
        assert r["name"] not in locations
        locations.add(r["name"])
    racks = {}
    for r in _rows(out, "07-racks.csv"):
        assert r["location"] in locations and r["role"] in {"compute", "network"}
        assert r["name"] not in racks
        racks[r["name"]] = r
    types = {(t["manufacturer"], t["model"]): t for t in _types(out)}
    roles = {r["name"] for r in _rows(out, "03-device-roles.csv")}
    ports = {}
    taken = set()                                 # (rack, U) of every device's units
    for d in _rows(out, "08-devices.csv"):
        t = types[(d["manufacturer"], d["device_type"])]
        assert d["role"] in roles and d["rack"] in racks and d["location"] == racks[d["rack"]]["location"]
        assert d["name"] not in ports
        ports[d["name"]] = {i["name"] for i in t["interfaces"]}
        u = int(d["position"])
        units = {(d["rack"], u + k) for k in range(int(t["u_height"]))}
        assert not units & taken, f"{d['name']} overlaps another device"
        assert u + t["u_height"] - 1 <= int(racks[d["rack"]]["u_height"])
        taken |= units
    panels = {r["name"] for r in _rows(out, "09-power-panels.csv")}
    assert all(f["power_panel"] in panels for f in _rows(out, "10-power-feeds.csv"))
    used = set()
    for c in _rows(out, "11-cables.csv"):
        for side in "ab":
            dev, port = c[f"side_{side}_device"], c[f"side_{side}_name"]
            assert port in ports[dev], f"{c['label']}: {dev} has no interface {port}"
            assert (dev, port) not in used, f"{c['label']}: {dev} {port} carries two cables"
            used.add((dev, port))


def test_cables_are_the_cutsheets(exported):
    _, _, out = exported
    sheet = {}
    for f in sorted((out / "out").glob("cutsheet-*.csv")):
        for r in csv.DictReader(f.open(newline="")):
            sheet[r["cable_id"]] = (r["a_device"], r["a_port"], r["b_device"], r["b_port"], r["length_m"])
    cables = {c["label"]: (c["side_a_device"], c["side_a_name"], c["side_b_device"], c["side_b_name"], c["length"])
              for c in _rows(out, "11-cables.csv")}
    assert cables == sheet and len(cables) == len(_rows(out, "11-cables.csv"))


def test_racks_and_devices_follow_the_layout(exported):
    spec, r, out = exported
    placements = {p.id: p for p in r.result.layout.placements}
    halls = {h.id: k + 1 for k, h in enumerate(r.problem.halls)}
    racks = _rows(out, "07-racks.csv")
    assert {x["name"] for x in racks} == set(placements)
    for x in racks:
        p = placements[x["name"]]
        assert x["location"] == f"{p.hall}/row{p.row}"
        assert x["facility_id"] == f"H{halls[p.hall]}-R{p.row:02d}-S{p.slot:02d}"
    switches = sum(p.switches for p in placements.values() if p.kind == "network")
    devices = _rows(out, "08-devices.csv")
    assert sum(d["role"] not in {"compute", "appliance"} for d in devices) == switches


def test_feeds_carry_the_busway(exported):
    spec, r, out = exported
    feeds = _rows(out, "10-power-feeds.csv")
    by_hall = {h.id: h for h in r.problem.halls}
    assert len(feeds) == sum(h.rows * (2 if h.feeds >= 2 else 1) for h in r.problem.halls)
    for f in feeds:
        h = by_hall[f["name"].rsplit("/row", 1)[0]]
        volts = int(f["voltage"])
        # the rated current of a three-phase busway: P / (sqrt(3) x V), to the ampere
        assert abs(int(f["amperage"]) - h.busway_w_per_feed / (math.sqrt(3) * volts)) <= 0.5
        assert int(f["max_utilization"]) == round(h.busway_limit * 100)
        assert f["type"] == ("primary" if f["name"].endswith("/A") else "redundant")


def test_the_same_layout_gives_the_same_bytes(exported, tmp_path):
    spec, _, out = exported
    again = api.export("netbox", spec, out / "out" / "layout.json", tmp_path / "again")
    assert again.ok
    for name in netbox.FILES:
        assert (tmp_path / "again" / name).read_bytes() == (out / "netbox" / name).read_bytes()


def test_a_scope_keeps_one_hall(tmp_path):
    spec = SPECS[0]
    r = api.compile(spec, time_limit=30, seed=1)
    assert r.ok
    c = api.check(spec)
    problem = build_problem(c.checked, variables=c.variables)
    whole = netbox_design.design(problem, r.result.layout, c.model)
    part = netbox_design.design(problem, r.result.layout, c.model, ("s.b.h1",))
    assert part.scope == ("s.b.h1",) and whole.scope == ("s.b.h1", "s.b.h2")
    assert {x["_hall"] for x in part.records["racks"]} == {"s.b.h1"}
    assert part.count("racks") == sum(p.hall == "s.b.h1" for p in r.result.layout.placements)
    assert all(x["_hall"] == x["_hall_b"] == "s.b.h1" for x in part.records["cables"])
    both_in_h1 = sum(x["_hall"] == x["_hall_b"] == "s.b.h1" for x in whole.records["cables"])
    assert part.count("cables") == both_in_h1
    assert part.records["device_types"] == whole.records["device_types"]   # shared: always there
    e = api.export("netbox", spec, tmp_path / "x.json", tmp_path / "nb", scope=["nope"])
    assert not e.ok


def test_a_scope_must_name_a_hall(tmp_path):
    spec = SPECS[0]
    r = api.compile(spec, time_limit=30, seed=1)
    r.write(tmp_path / "out")
    e = api.export("netbox", spec, tmp_path / "out" / "layout.json", tmp_path / "nb", scope=["h9"])
    assert not e.ok and [d.code for d in e.errors] == ["invalid-value"] and "s.b.h1" in e.errors[0].message
    assert not (tmp_path / "nb").exists()
