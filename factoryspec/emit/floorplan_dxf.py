"""floorplan-<hall>.dxf: the hall's plan for CAD, in metres, in layout.json's
coordinates (site x and y: a rack's insert point is its `x_m`, `y_m`), so it
overlays the building drawings once their origin is matched to the hall's.

The same geometry as the SVG plan (hall_geometry.py), on named layers: walls,
racks (one block per rack system, inserted once a rack with its ID as
an attribute, on a layer for compute and one for network racks), reserved runs, busways A and B, cable
trays and entry, CDUs (a block with its number as an attribute) and
their notes. Written by ezdxf in its reproducible mode (no creation time, no random
GUIDs): the same layout gives the same bytes.
"""

from __future__ import annotations

import io
from collections import OrderedDict

import ezdxf

from ..layout.problem import Hall, LayoutProblem
from ..layout.result import SolveResult
from . import hall_geometry as hg

# name -> ACI colour
LAYERS = {"FS-WALL": 8, "FS-RACK-COMPUTE": 5, "FS-RACK-NETWORK": 7, "FS-RESERVED": 9, "FS-BUSWAY-A": 1,
          "FS-BUSWAY-B": 6, "FS-TRAY": 30, "FS-CABLE-ENTRY": 1, "FS-CDU": 4, "FS-TEXT": 7}


def file_name(hall_id: str) -> str:
    return "floorplan-" + "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in hall_id) + ".dxf"


def block_name(system: str) -> str:
    """A rack system's block: DXF names allow letters, digits, - and _."""
    return "RACK-" + "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in system)


def emit(problem: LayoutProblem, result: SolveResult, hall: Hall, sheet: hg.HallSheet | None = None) -> bytes:
    """The hall's DXF, built and written under ezdxf's fixed metadata (its
    reproducible mode: no creation times, no random GUIDs)."""
    before = ezdxf.options.write_fixed_meta_data_for_testing
    ezdxf.options.write_fixed_meta_data_for_testing = True
    try:
        return _emit(problem, result, hall, sheet or hg.HallSheet())
    finally:
        ezdxf.options.write_fixed_meta_data_for_testing = before


def _emit(problem: LayoutProblem, result: SolveResult, hall: Hall, sheet: hg.HallSheet) -> bytes:
    placed = {(p.row, p.slot): p for p in result.layout.placements if p.hall == hall.id}
    g = hg.plan(problem, placed, hall, sheet)
    doc = ezdxf.new("R2010", setup=False)
    doc.units = ezdxf.units.M
    doc.header["$INSUNITS"] = ezdxf.units.M
    doc.header["$MEASUREMENT"] = 1
    for name, colour in LAYERS.items():
        doc.layers.add(name, color=colour)
    msp = doc.modelspace()
    ox, oy = hall.origin_xy_m

    def pt(x: float, y: float) -> tuple[float, float]:
        return (round(ox + x, 4), round(oy + y, 4))

    def box(b: hg.Box, layer: str) -> None:
        msp.add_lwpolyline([pt(b.x0, b.y0), pt(b.x1, b.y0), pt(b.x1, b.y1), pt(b.x0, b.y1)], close=True,
                           dxfattribs={"layer": layer})

    _walls(g, box)
    _racks(doc, msp, g, placed, pt)
    for r, first, last in _reserved_runs(hall):
        box(hg.Box(g.slots[(r, first)].x0, g.slots[(r, first)].y0, g.slots[(r, last)].x1,
                   g.slots[(r, last)].y1), "FS-RESERVED")
    for _, feed, y, x0, x1 in g.busways:
        msp.add_line(pt(x0, y), pt(x1, y), dxfattribs={"layer": "FS-BUSWAY-" + feed})
    for b in g.trays:
        box(b, "FS-TRAY")
    msp.add_line(pt(*g.entry), pt(*g.entry_wall), dxfattribs={"layer": "FS-CABLE-ENTRY"})
    msp.add_circle(pt(*g.entry_wall), 0.25, dxfattribs={"layer": "FS-CABLE-ENTRY"})
    _cdus(doc, msp, g, pt)
    title = f"hall {hall.id}" + (f", spec {sheet.spec}" if sheet.spec else "") + \
        (f", spec hash {sheet.spec_hash[:16]}" if sheet.spec_hash else "")
    msp.add_text(title, height=0.4, dxfattribs={"layer": "FS-TEXT"}).set_placement(
        pt(g.walls.x0, g.walls.y0 - hg.WALL_M - 0.8))
    return _bytes(doc)


def _walls(g: hg.Plan, box) -> None:
    """The hall's size (inner line) and the wall's outer face."""
    w, t = g.walls, hg.WALL_M
    box(w, "FS-WALL")
    box(hg.Box(w.x0 - t, w.y0 - t, w.x1 + t, w.y1 + t), "FS-WALL")


def _racks(doc, msp, g: hg.Plan, placed: dict, pt) -> None:
    """One block per rack system (its footprint, centred on the insert point, and
    an ID attribute reading along the rack's depth); one insert per rack, on
    the layer of its kind. The ID alone is an attribute: the layer gives the
    kind, the block the system, and a rack's other fields are layout.json's."""
    hw, hd = g.hall.slot_width_m / 2 - 0.03, g.rack_depth / 2
    longest = max((len(p.id) for p in placed.values()), default=1)
    height = round(min(0.1, 1.6 * hd / (0.62 * longest)), 3)
    for system in sorted({p.system for p in placed.values()}):
        blk = doc.blocks.new(block_name(system))
        blk.add_lwpolyline([(-hw, -hd), (hw, -hd), (hw, hd), (-hw, hd)], close=True)
        blk.add_attdef("ID", insert=(height / 2, -hd + 0.1), height=height, dxfattribs={"rotation": 90})
    for (r, s), p in sorted(placed.items()):
        layer = "FS-RACK-NETWORK" if p.kind == "network" else "FS-RACK-COMPUTE"
        x, y = round(p.x_m, 4), round(p.y_m, 4)
        ref = msp.add_blockref(block_name(p.system), (x, y), dxfattribs={"layer": layer})
        # the attribute where the block's ATTDEF puts it (add_auto_attribs does the same, more slowly)
        ref.add_attrib("ID", p.id, insert=(round(x + height / 2, 4), round(y - hd + 0.1, 4)),
                       dxfattribs={"layer": layer, "height": height, "rotation": 90})


def _cdus(doc, msp, g: hg.Plan, pt) -> None:
    if not g.cdus:
        return
    hgt = g.cdus[0].box.h                       # every CDU of a hall is drawn alike
    blk = doc.blocks.new("CDU")
    blk.add_lwpolyline([(0, 0), (hg.CDU_W_M, 0), (hg.CDU_W_M, hgt), (0, hgt)], close=True)
    blk.add_attdef("NUMBER", insert=(0.1, hgt / 2), height=min(0.15, hgt / 3))
    for c in g.cdus:
        ref = msp.add_blockref("CDU", pt(c.box.x0, c.box.y0), dxfattribs={"layer": "FS-CDU"})
        ref.add_auto_attribs({"NUMBER": f"CDU {c.number}"})
    msp.add_text("CDU positions assumed: the spec gives none", height=0.25,
                 dxfattribs={"layer": "FS-TEXT"}).set_placement(pt(g.cdus[0].box.x0, g.walls.y1 + hg.WALL_M + 0.5))


def _reserved_runs(hall: Hall) -> list[tuple[int, int, int]]:
    out = []
    for r, s in sorted(hall.reserved):
        if 1 <= r <= hall.rows and 1 <= s <= hall.slots_per_row:
            if out and out[-1][0] == r and out[-1][2] == s - 1:
                out[-1] = (r, out[-1][1], s)
            else:
                out.append((r, s, s))
    return out


def _bytes(doc) -> bytes:
    """The DXF text. ezdxf adds the CLASS records of the entity types in use in
    set order, which varies with Python's string hashing from one process to
    the next: they are added here first, sorted, so every process writes them
    alike (writing adds none it already holds)."""
    doc.classes.add_required_classes(doc.dxfversion)
    doc.classes.classes = OrderedDict(sorted(doc.classes.classes.items()))
    stream = io.StringIO()
    doc.write(stream)
    return stream.getvalue().encode("utf-8")
