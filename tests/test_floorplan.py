"""The floor plans: labels never collide on any hall of any shipped spec, the
SVG carries the racks as the report expects them, the legend names only what
is drawn, and the DXF reads back with its layers, blocks and extents matching
layout.json.

Label boxes follow emit/textbox.py: a character is 0.62 em wide (capitals,
m, w, % and @ 0.85 em), a line 0.8 em above its baseline to 0.25 em below.
The shipped specs are drawn full (every free slot holding a rack with the
longest id its cluster can give), the worst case of any layout; a compiled
spec checks a real one."""

import io
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import ezdxf
import ezdxf.bbox
import pytest

from factoryspec.api import check
from factoryspec.emit import floorplan, floorplan_dxf, textbox
from factoryspec.emit.hall_geometry import sheet_of
from factoryspec.layout.problem import Hall
from factoryspec.layout.result import Layout, Placement, SolveResult
from factoryspec.layout.to_problem import build_problem

from compiled import compile_verified

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "specs").glob("*.fac"))
# and the other shapes: benchmark campuses, a single row, row ends, two halls
SHAPES = sorted((ROOT / "benchmarks" / "specs").glob("*.fac")) + sorted((ROOT / "tests" / "exact").glob("*.fac"))
NS = "{http://www.w3.org/2000/svg}"
SLACK = 0.2             # px: coordinates are written to 0.1 px


def _problem(spec: Path):
    c = check(spec)
    assert c.ok, [d.message for d in c.diagnostics if d.severity == "error"]
    problem = build_problem(c.checked, variables=c.variables)
    name = c.checked.program.project_name(c.checked.program.entry)
    return c, problem, {h.qualname: sheet_of(h, name, problem.spec_hash) for h in c.model.halls}


def _full(problem, hall: Hall) -> Layout:
    """Every free slot of the hall holding a rack: network slots the longest
    network id of its clusters, the others compute racks numbered in the
    thousands."""
    clusters = [c for c in problem.clusters if hall.id in problem.allowed(c)] or list(problem.clusters)
    c = max(clusters, key=lambda c: len(c.id))
    fab = max(c.fabrics, key=lambda f: len(f.id), default=None)
    out, n = [], 1000
    for r in range(1, hall.rows + 1):
        for s in range(1, hall.slots_per_row + 1):
            if (r, s) in hall.reserved:
                continue
            n += 1
            net = fab is not None and s > hall.slots_per_row - hall.network_slots_per_row_end
            out.append(Placement(id=f"{c.id}/{fab.id}/spine{n}" if net else f"{c.id}/c{n}",
                                 kind="network" if net else "compute", cluster=c.id,
                                 system="switchbox" if net else c.system, hall=hall.id, row=r, slot=s,
                                 x_m=0.0, y_m=0.0, power_w=1000, feeds="AB", fabric=fab.id if net else None,
                                 tier="spine" if net else None))
    return Layout(placements=tuple(out))


def _result(layout: Layout) -> SolveResult:
    return SolveResult(status="feasible", layout=layout, objective=None, lower_bound=None, gap=None,
                       baseline_objective=None, seconds=0.0)


def _labels_and_shapes(svg: bytes):
    """Every label's box with the group it belongs to (a rack, CDU or reserved run, else None),
    and every solid shape's box with its group."""
    root = ET.fromstring(svg)
    labels, shapes = [], []

    def walk(el, owner):
        cls = el.get("class")
        if el.tag == NS + "g" and cls in ("rack", "cdu", "reserved"):
            owner = el
            body = next(el.iter(NS + "rect"))
            shapes.append((_rect(body), owner, cls))
        if el.tag == NS + "text":
            x, y, size = float(el.get("x")), float(el.get("y")), float(el.get("font-size", "11"))
            labels.append((textbox.extent(el.text or "", size, x, y, el.get("text-anchor", "start"),
                                          "rotate(-90" in (el.get("transform") or "")), owner, el.text))
        if el.tag == NS + "rect" and cls in ("wall", "tray"):
            shapes.append((_rect(el), None, cls))
        for child in el:
            walk(child, owner)

    walk(root, None)
    return root, labels, shapes


def _rect(el) -> tuple:
    x, y = float(el.get("x")), float(el.get("y"))
    return x, y, x + float(el.get("width")), y + float(el.get("height"))


def _hit(a, b) -> bool:
    return a[0] + SLACK < b[2] and b[0] + SLACK < a[2] and a[1] + SLACK < b[3] and b[1] + SLACK < a[3]


def _inside(a, b) -> bool:
    return a[0] >= b[0] - SLACK and a[1] >= b[1] - SLACK and a[2] <= b[2] + SLACK and a[3] <= b[3] + SLACK


def assert_labels_clear(svg: bytes, hall_id: str) -> None:
    root, labels, shapes = _labels_and_shapes(svg)
    w, h = float(root.get("width")), float(root.get("height"))
    for box, owner, text in labels:
        assert _inside(box, (0, 0, w, h)), (hall_id, text, "off the sheet")
    ordered = sorted(labels, key=lambda t: t[0][0])
    for i, (a, _, ta) in enumerate(ordered):          # sweep along x: pairs whose x ranges meet
        for b, _, tb_ in ordered[i + 1:]:
            if b[0] >= a[2]:
                break
            assert not _hit(a, b), (hall_id, ta, tb_, a, b)
    shapes.sort(key=lambda s: s[0][0])
    for box, owner, text in labels:
        if owner is not None:
            body = next(s for s in shapes if s[1] is owner)
            assert _inside(box, body[0]), (hall_id, text, "outside its own shape")
        for sbox, sowner, cls in shapes:
            if sbox[0] >= box[2]:
                break
            if sowner is not owner:
                assert not _hit(box, sbox), (hall_id, text, cls, box, sbox)


def _legend(root) -> set[str]:
    return {t.text for t in root.iter(NS + "text")}


@pytest.mark.parametrize("spec", SHIPPED + SHAPES, ids=lambda p: p.stem)
def test_labels_never_collide_on_a_shipped_spec_drawn_full(spec):
    _, problem, sheets = _problem(spec)
    for hall in problem.halls:
        svg = floorplan.emit(problem, _result(_full(problem, hall)), hall, [], ("a figure line",),
                             sheets[hall.id])
        assert_labels_clear(svg, hall.id)


@pytest.fixture(scope="module")
def cross_aisle(tmp_path_factory):
    """A compiled hall with a cross-aisle, reserved slots and free slots."""
    spec = ROOT / "tests" / "exact" / "cross_aisle.fac"
    out = tmp_path_factory.mktemp("cross")
    data = compile_verified(spec, out, limit=5)
    return spec, out, data


def test_a_compiled_plan_carries_every_rack_and_only_drawn_keys(cross_aisle):
    spec, out, data = cross_aisle
    (hall,) = data["halls"]
    svg = (out / floorplan.file_name(hall["id"])).read_bytes()
    assert_labels_clear(svg, hall["id"])
    root = ET.fromstring(svg)
    assert root.get("data-hall") == hall["id"]
    assert not list(root.iter(NS + "script")) and b"<script" not in svg
    racks = {g.get("data-rack") for g in root.iter(NS + "g") if g.get("class") == "rack"}
    assert racks == {p["id"] for p in data["placements"]}
    texts = _legend(root)
    assert "reserved" in texts and any(g.get("class") == "reserved" for g in root.iter(NS + "g"))
    assert any(t.startswith("cross-aisle") for t in texts)
    assert not any(t.startswith("CDU;") for t in texts)          # no CDUs in this hall: none in the legend
    assert any(t.startswith("scale 1:") for t in texts) and "cable entry" in texts
    assert any(t == data["spec_hash"][:16] for t in texts)       # the title block


def test_the_legend_leaves_out_what_a_hall_lacks():
    _, problem, sheets = _problem(ROOT / "specs" / "superpod.fac")
    (hall,) = problem.halls
    svg = floorplan.emit(problem, _result(_full(problem, hall)), hall, [], (), sheets[hall.id])
    texts = _legend(ET.fromstring(svg))
    assert "reserved" not in texts and not any(t.startswith("cross-aisle") for t in texts)
    assert "free slot" not in texts                                # every slot holds a rack
    assert any(t.startswith("CDU;") for t in texts)


def test_the_dxf_reads_back_against_layout_json(cross_aisle):
    spec, out, data = cross_aisle
    (hall,) = data["halls"]
    text = (out / floorplan_dxf.file_name(hall["id"])).read_text(encoding="utf-8")
    doc = ezdxf.read(io.StringIO(text))
    assert doc.units == ezdxf.units.M
    layers = {layer.dxf.name for layer in doc.layers}
    assert set(floorplan_dxf.LAYERS) <= layers
    msp = doc.modelspace()
    inserts = [e for e in msp.query("INSERT") if e.dxf.name.startswith("RACK-")]
    placed = {p["id"]: p for p in data["placements"]}
    assert len(inserts) == len(placed)
    for e in inserts:
        p = placed[e.get_attrib_text("ID")]
        assert (e.dxf.insert.x, e.dxf.insert.y) == pytest.approx((p["x_m"], p["y_m"]))
        assert e.dxf.layer == ("FS-RACK-NETWORK" if p["kind"] == "network" else "FS-RACK-COMPUTE")
        assert e.dxf.name == floorplan_dxf.block_name(p["system"])
    for kind in ("compute", "network"):
        assert len(msp.query(f'INSERT[layer=="FS-RACK-{kind.upper()}"]')) == \
            sum(p["kind"] == kind for p in placed.values())
    # the racks' footprints span layout.json's centres +- half a slot (less the gap) and half a rack
    # depth; the walls enclose them
    feet = [v for e in inserts for v in e.virtual_entities() if v.dxftype() == "LWPOLYLINE"]
    racks = ezdxf.bbox.extents(feet)
    walls = ezdxf.bbox.extents(msp.query('*[layer=="FS-WALL"]'))
    xs, ys = [p["x_m"] for p in placed.values()], [p["y_m"] for p in placed.values()]
    assert (racks.extmin.x, racks.extmax.x) == pytest.approx((min(xs) - 0.27, max(xs) + 0.27))
    assert (racks.extmin.y, racks.extmax.y) == pytest.approx((min(ys) - 0.6, max(ys) + 0.6))
    assert walls.extmin.x < racks.extmin.x and walls.extmax.x > racks.extmax.x
    assert walls.extmin.y < racks.extmin.y and walls.extmax.y > racks.extmax.y
    assert len(msp.query('*[layer=="FS-RESERVED"]')) == 1           # row 1's two reserved slots: one run
    assert len(msp.query('*[layer=="FS-BUSWAY-A"]')) == 2 and len(msp.query('*[layer=="FS-TRAY"]')) >= 5


def test_the_dxf_holds_each_cdu_and_the_same_layout_gives_the_same_bytes():
    _, problem, sheets = _problem(ROOT / "specs" / "superpod.fac")
    (hall,) = problem.halls
    result = _result(_full(problem, hall))
    first = floorplan_dxf.emit(problem, result, hall, sheets[hall.id])
    assert first == floorplan_dxf.emit(problem, result, hall, sheets[hall.id])
    assert floorplan.emit(problem, result, hall, [], (), sheets[hall.id]) == \
        floorplan.emit(problem, result, hall, [], (), sheets[hall.id])
    doc = ezdxf.read(io.StringIO(first.decode("utf-8")))
    cdus = doc.modelspace().query('INSERT[layer=="FS-CDU"]')
    assert sorted(e.get_attrib_text("NUMBER") for e in cdus) == [f"CDU {i}" for i in range(1, 5)]


def test_the_dxf_is_the_same_from_any_process(tmp_path):
    """ezdxf orders some records by set iteration: the bytes must not follow Python's hash seed."""
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from test_floorplan import ROOT, _full, _problem, _result, floorplan_dxf\n"
            "_, problem, sheets = _problem(ROOT / 'tests' / 'exact' / 'cross_aisle.fac')\n"
            "(hall,) = problem.halls\n"
            "sys.stdout.buffer.write(floorplan_dxf.emit(problem, _result(_full(problem, hall)), hall, sheets[hall.id]))")
    outs = [subprocess.run([sys.executable, "-c", code, str(ROOT / "tests")], capture_output=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3", "4", "5")]
    assert outs[0] and all(out == outs[0] for out in outs)
