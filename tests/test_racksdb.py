"""`factoryspec export racksdb`: the database RacksDB loads, checked against
layout.json; what RacksDB's loader does not check (no two pieces of equipment
in one U, nothing above a rack's top, unique names); refusals; determinism.

Two small specs: a node system (13 DGX nodes, 4 a rack, and a UFM in a node
slot) and a whole-rack system (8 NVL72 racks and 3 UFMs in racks of their own).
"""

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from factoryspec import api
from factoryspec.cli import main
from factoryspec.emit import racksdb as exporter

ROOT = Path(__file__).resolve().parent.parent
SPECS = {"nodes": ROOT / "tests/topology/nodes.fac",
         "whole_rack": ROOT / "tests/topology/whole_rack_appliances.fac"}


@pytest.fixture(scope="module", params=sorted(SPECS))
def compiled(request, tmp_path_factory):
    """(spec, layout.json path, its data, the exported database's directory)."""
    spec = SPECS[request.param]
    out = tmp_path_factory.mktemp(request.param)
    result = api.compile(spec, time_limit=20)
    assert result.ok, [d.message for d in result.errors]
    assert not result.write(out / "compiled")
    layout = out / "compiled/layout.json"
    r = api.export("racksdb", spec, layout, out / "db")
    assert r.ok and r.files == list(exporter.FILES), [d.message for d in r.diagnostics]
    return spec, layout, json.loads(layout.read_text()), out / "db"


def _load(db: Path):
    racksdb = pytest.importorskip("racksdb", reason="racksdb is not installed: the database is not loaded")
    return racksdb.RacksDB.load(db=db)


def _equipment(db):
    """(infrastructure part, equipment, its group) for everything in every rack."""
    for infra in db.infrastructures:
        for part in infra.layout:
            for group in ("nodes", "network", "misc"):
                for e in getattr(part, group):
                    yield part, e, group


def test_racksdb_holds_every_room_row_rack_and_switch(compiled):
    _, _, data, out = compiled
    db = _load(out)
    rooms = [room for dc in db.datacenters for room in dc.rooms]
    assert sorted(r.name for r in rooms) == sorted(h["id"] for h in data["halls"])
    assert sum(len(list(room.rows)) for room in rooms) == sum(h["rows"] for h in data["halls"])
    placed = {p["id"]: p for p in data["placements"]}
    assert len(db.racks) == len(placed) and {r.name for r in db.racks} == set(placed)
    for r in db.racks:
        p = placed[r.name]
        assert (r.room.name, r.row.name, r.slot) == (p["hall"], f"{p['hall']}/row{p['row']}", p["slot"] - 1)
    switches = {(e.name, part.rack.name, e.slot, e.type.id) for part, e, g in _equipment(db) if g == "network"}
    assert switches == {(d["name"], d["rack"], d["u"], d["model"]) for d in data["devices"]}


def test_racksdb_holds_the_nodes_and_appliances(compiled):
    _, _, data, out = compiled
    db = _load(out)
    nodes = {c["id"]: c["nodes"] for c in data.get("clusters", [])}   # node systems and appliance hosts
    want = Counter()
    for p in data["placements"]:
        if p["kind"] == "compute" and p["cluster"] not in nodes:
            want[p["cluster"]] += 1                                    # a whole-rack system: a rack, a node
    want.update(nodes)
    got = Counter(infra.name for infra in db.infrastructures for _ in infra.nodes)
    assert got == want and len(db.nodes) == sum(want.values())
    appliances = sum(a["count"] for c in data.get("clusters", []) for a in c["appliances"])
    assert sum(1 for _, _, g in _equipment(db) if g == "misc") == appliances > 0
    for c in data.get("clusters", []):
        for a in c["appliances"]:          # the first one where layout.json says it stands
            first = next(part.rack.name for part, e, _ in _equipment(db) if e.name == f"{c['id']}/{a['name']}-1")
            assert first == a["rack"]


def test_nothing_overlaps_or_stands_above_its_rack_and_names_are_unique(compiled):
    db = _load(compiled[3])
    used: dict = {}
    names = Counter()
    for part, e, _ in _equipment(db):
        names[e.name] += 1
        rack = part.rack
        low = e.position.height                # 0-based U, as RacksDB computes it
        assert 0 <= low and low + e.type.height <= rack.type.slots, (e.name, rack.name)
        for u in range(low, low + e.type.height):
            assert (rack.name, u) not in used, f"{e.name} and {used[(rack.name, u)]} share U{u + 1} of {rack.name}"
            used[(rack.name, u)] = e.name
    assert names and max(names.values()) == 1
    racks = Counter(r.name for r in db.racks)
    assert max(racks.values()) == 1
    rows = Counter(row.name for dc in db.datacenters for room in dc.rooms for row in room.rows)
    assert max(rows.values()) == 1


def test_the_export_is_byte_identical_when_run_twice(compiled, tmp_path):
    spec, layout, _, out = compiled
    assert api.export("racksdb", spec, layout, tmp_path / "again").ok
    for name in exporter.FILES:
        assert (tmp_path / "again" / name).read_bytes() == (out / name).read_bytes()


def _tampered(compiled, tmp_path, change) -> Path:
    data = json.loads(compiled[1].read_text())
    change(data)
    path = tmp_path / "layout.json"
    path.write_text(json.dumps(data))
    return path


def _onto_an_occupied_slot(data):
    a, b = [p for p in data["placements"] if p["kind"] == "compute"][:2]
    a.update(hall=b["hall"], row=b["row"], slot=b["slot"], x_m=b["x_m"], y_m=b["y_m"])


def _another_spec(data):
    data["spec_hash"] = "0" * 64


@pytest.mark.parametrize("change", [_onto_an_occupied_slot, _another_spec])
def test_a_tampered_layout_is_refused_and_nothing_is_written(compiled, tmp_path, change):
    layout = _tampered(compiled, tmp_path, change)
    r = api.export("racksdb", compiled[0], layout, tmp_path / "db")
    assert not r.ok and not r.files and r.errors and all(d.code for d in r.errors)
    assert not (tmp_path / "db").exists()
    cli = CliRunner().invoke(main, ["export", "racksdb", str(compiled[0]), str(layout), "-o", str(tmp_path / "db")])
    assert cli.exit_code == 1 and not (tmp_path / "db").exists()


def test_a_directory_holding_other_files_is_not_replaced(compiled, tmp_path):
    (tmp_path / "db").mkdir()
    (tmp_path / "db/notes.txt").write_text("mine")
    r = api.export("racksdb", compiled[0], compiled[1], tmp_path / "db")
    assert not r.ok and [d.code for d in r.errors] == ["output-dir-foreign"]
    assert sorted(p.name for p in (tmp_path / "db").iterdir()) == ["notes.txt"]


def test_cli_export_racksdb_writes_the_database(compiled, tmp_path):
    spec, layout, _, out = compiled
    r = CliRunner().invoke(main, ["export", "racksdb", str(spec), str(layout), "-o", str(tmp_path / "db")],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in (tmp_path / "db").iterdir()) == sorted(exporter.FILES)
    assert (tmp_path / "db/types.yml").read_bytes() == (out / "types.yml").read_bytes()
