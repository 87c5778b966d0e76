"""What a hall's floor plan draws, in metres: shared by the SVG and DXF plans.

Coordinates are the layout's own within the hall (layout.json's `x_m`/`y_m`
less the hall origin): x along the rows from the start of row 1 (slot 1's
left edge at x = 0), y across the rows, row r's centre line at
y = (r - 1) * row_pitch. Everything else is placed around the rows:

* Walls: the hall's `size` (width along the rows, depth across them) with the
  rows centred in it; the spec places halls, not rows within a hall, and
  the cable model measures from the rows, so centring changes no length.
* Aisles: rack fronts alternate (row 1 faces row 2), so the gaps between rows
  are cold and hot in turn, and the strips between the outer rows and the
  walls take the side of the rack face they meet.
* Trays: the cable model's (layout/geometry.py): one over every row, one along
  each row end (x = 0 and x = row length) and one through every cross-aisle;
  the cable entry at the network end of row 1. Row trays and busways run over
  the racks; they are drawn beside their row (tray at the rack backs,
  busways at the fronts) so that they do not hide the rack IDs.
* CDUs: the spec gives their count, capacity and racks per loop, never their
  positions: they stand along the wall at the start of the rows (or outside
  it, where the end aisle is too narrow), each beside the rows of its loop.
  Loops take the liquid-cooled racks in row order, `racks_per_cdu` each
  (else an even share of the CDUs the redundancy leaves usable); racks beyond
  every CDU's loop (a hall the cdu checks flag) have none.
"""

from __future__ import annotations

import math

import attrs

from ..layout.problem import Hall, LayoutProblem

RACK_DEPTH_M = 1.2
DEFAULT_CLEARANCE_M = 1.5         # around the rows when the spec gives no hall size
WALL_M = 0.3                      # wall thickness as drawn (outside the hall's size)
CDU_W_M, CDU_D_M = 0.8, 1.2       # a CDU's footprint as drawn (the spec gives none)


@attrs.frozen(kw_only=True)
class CduGroup:
    """One `cdu` block of a hall: `count` units of `capacity_w`, `usable` of them
    carrying load under its redundancy, `racks_per_cdu` (None: not given)."""
    count: int
    capacity_w: float
    usable: float = 0.0
    racks_per_cdu: int | None = None
    redundancy: str = ""


@attrs.frozen(kw_only=True)
class HallSheet:
    """What the model knows of a hall beyond the layout problem: its size
    (width, depth in metres; None when not given), building, the spec's name and
    hash, and its CDU groups."""
    size_m: tuple | None = None
    building: str = ""
    spec: str = ""
    spec_hash: str = ""
    cdus: tuple = ()


@attrs.frozen
class Box:
    """An axis-aligned rectangle, metres."""
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def w(self) -> float:
        return self.x1 - self.x0

    @property
    def h(self) -> float:
        return self.y1 - self.y0


@attrs.frozen(kw_only=True)
class Cdu:
    number: int                   # 1-based within the hall
    box: Box
    capacity_w: float
    racks: tuple                  # (row, slot) of its loop's racks; () for a standby unit
    outside: bool                 # drawn outside the wall: no room in the end aisle


@attrs.frozen(kw_only=True)
class Plan:
    hall: Hall
    row_length: float
    rack_depth: float
    walls: Box                    # the hall's inner outline (its size)
    size_given: bool
    size_short: bool              # the spec's size is smaller than its rows: walls grown to fit
    slots: dict                   # (row, slot) -> Box of the slot
    aisles: tuple                 # (kind "cold" | "hot", Box)
    cross: tuple                  # Box of each cross-aisle's gap (full depth of the rows)
    trays: tuple                  # Box of each tray segment
    entry: tuple                  # (x, y) of the cable entry, on the tray (the model's point)
    entry_wall: tuple             # (x, y) where its conduit meets the wall
    busways: tuple                # (row, feed "A" | "B", y, x0, x1)
    cdus: tuple                   # Cdu
    loop_of: dict                 # (row, slot) -> CDU number


def row_length(h: Hall) -> float:
    """Row length in metres, cross-aisles included (as the cable model)."""
    return slot_left(h, h.slots_per_row + 1)


def slot_left(h: Hall, slot: int) -> float:
    """Left edge of a slot in metres from the row start (cross-aisles included)."""
    parts = h.cross_aisles + 1
    before = sum(1 for k in range(1, h.cross_aisles + 1) if slot > (k * h.slots_per_row) // parts)
    return (slot - 1) * h.slot_width_m + before * h.cross_aisle_width_m


def plan(problem: LayoutProblem, placed: dict, h: Hall, sheet: HallSheet) -> Plan:
    """The hall's drawing in metres; `placed` maps (row, slot) to its placement."""
    length = row_length(h)
    depth = min(RACK_DEPTH_M, h.row_pitch_m * 0.6)
    block_h = (h.rows - 1) * h.row_pitch_m + depth
    w, d = sheet.size_m or (length + 2 * DEFAULT_CLEARANCE_M, block_h + 2 * DEFAULT_CLEARANCE_M)
    short = w < length + 0.4 or d < block_h + 0.4
    w, d = max(w, length + 0.4), max(d, block_h + 0.4)
    walls = Box(-(w - length) / 2, -depth / 2 - (d - block_h) / 2, (w + length) / 2, -depth / 2 + (d + block_h) / 2)
    slots = {(r, s): Box(slot_left(h, s), y - depth / 2, slot_left(h, s) + h.slot_width_m, y + depth / 2)
             for r, y in _row_ys(h) for s in range(1, h.slots_per_row + 1)}
    band = min(0.3, (h.row_pitch_m - depth) / 8)
    trays, entry = _trays(h, length, depth, band)
    entry_wall = (walls.x1, entry[1]) if walls.x1 - entry[0] <= entry[1] - walls.y0 else (entry[0], walls.y0)
    cdus, loop_of = _cdus(problem, placed, h, sheet, walls, depth)
    return Plan(hall=h, row_length=length, rack_depth=depth, walls=walls, size_given=sheet.size_m is not None,
                size_short=short, slots=slots, aisles=_aisles(h, walls, length, depth), cross=_cross(h, depth),
                trays=trays, entry=entry, entry_wall=entry_wall, busways=_busways(h, length, depth, band),
                cdus=cdus, loop_of=loop_of)


def _row_ys(h: Hall):
    return [(r, (r - 1) * h.row_pitch_m) for r in range(1, h.rows + 1)]


def faces_down(row: int) -> bool:
    """Row fronts alternate: odd rows face +y (the next row), even rows face -y."""
    return row % 2 == 1


def _aisles(h: Hall, walls: Box, length: float, depth: float) -> tuple:
    """Cold and hot strips across the rows' length: between rows, and between the
    outer rows and the walls."""
    out = []
    ys = _row_ys(h)
    first_y, last_r, last_y = ys[0][1], ys[-1][0], ys[-1][1]
    out.append(("hot", Box(0.0, walls.y0, length, first_y - depth / 2)))          # row 1's backs
    for (r, y), (_, y2) in zip(ys, ys[1:]):
        out.append(("cold" if faces_down(r) else "hot", Box(0.0, y + depth / 2, length, y2 - depth / 2)))
    out.append(("cold" if faces_down(last_r) else "hot", Box(0.0, last_y + depth / 2, length, walls.y1)))
    return tuple((k, b) for k, b in out if b.h > 1e-6)


def _cross(h: Hall, depth: float) -> tuple:
    from ..layout.geometry import cross_after
    y0, y1 = -depth / 2, (h.rows - 1) * h.row_pitch_m + depth / 2
    return tuple(Box(slot_left(h, s + 1) - h.cross_aisle_width_m, y0, slot_left(h, s + 1), y1)
                 for s in cross_after(h))


def back_edge(h: Hall, row: int, depth: float) -> tuple[float, float]:
    """(y of the rack backs, direction outwards: +1 or -1) of a row."""
    y = (row - 1) * h.row_pitch_m
    return (y - depth / 2, -1.0) if faces_down(row) else (y + depth / 2, 1.0)


def _trays(h: Hall, length: float, depth: float, band: float) -> tuple[tuple, tuple]:
    """Tray segments (as drawn) and the cable entry: one tray beside every row at
    the rack backs, one at each row end, one through every cross-aisle."""
    gap = min(0.05, band / 4)
    rows = []
    for r, _ in _row_ys(h):
        y, out = back_edge(h, r, depth)
        a, b = y + out * gap, y + out * (gap + band)
        rows.append(Box(-gap - band, min(a, b), length + gap + band, max(a, b)))
    top, bottom = min(b.y0 for b in rows), max(b.y1 for b in rows)
    ends = [Box(-gap - band, top, -gap, bottom), Box(length + gap, top, length + gap + band, bottom)]
    crossings = [Box((c.x0 + c.x1 - band) / 2, top, (c.x0 + c.x1 + band) / 2, bottom) for c in _cross(h, depth)]
    entry = (length + gap + band / 2, (rows[0].y0 + rows[0].y1) / 2)
    return tuple(rows + ends + crossings), entry


def _busways(h: Hall, length: float, depth: float, band: float) -> tuple:
    """Busway lines beside each row at the rack fronts: A, then B when the hall has two feeds."""
    out = []
    for r, y in _row_ys(h):
        front = y + depth / 2 if faces_down(r) else y - depth / 2
        sign = 1.0 if faces_down(r) else -1.0
        for k, feed in enumerate("AB"[:max(1, min(h.feeds, 2))]):
            out.append((r, feed, front + sign * band * (0.6 + 1.1 * k), 0.0, length))
    return tuple(out)


def _cdus(problem: LayoutProblem, placed: dict, h: Hall, sheet: HallSheet, walls: Box,
          depth: float) -> tuple[tuple, dict]:
    units = [(g, k) for g in sheet.cdus for k in range(g.count)]
    if not units:
        return (), {}
    liquid = {c.id for c in problem.clusters if c.liquid_fraction > 0}
    racks = sorted(k for k, p in placed.items() if p.kind == "compute" and p.cluster in liquid)
    loops = _loops(racks, sheet.cdus)
    loop_of = {rack: i + 1 for i, loop in enumerate(loops) for rack in loop}
    gap = -walls.x0                              # end aisle at the start of the rows
    outside = gap < CDU_W_M + 0.6
    x0 = walls.x0 - WALL_M - 0.4 - CDU_W_M if outside else walls.x0 + 0.2
    span = walls.h - 0.4
    hgt = min(CDU_D_M, span / len(units) - 0.2)
    want = []
    for i in range(len(units)):
        rows = sorted({r for r, _ in loops[i]}) if i < len(loops) else []
        centre = (sum(rows) / len(rows) - 1) * h.row_pitch_m if rows else None
        want.append(centre)
    ys = _spread(want, hgt, walls.y0 + 0.2, walls.y1 - 0.2)
    cdus = tuple(Cdu(number=i + 1, box=Box(x0, y, x0 + CDU_W_M, y + hgt), capacity_w=g.capacity_w,
                     racks=tuple(loops[i]) if i < len(loops) else (), outside=outside)
                 for i, ((g, _), y) in enumerate(zip(units, ys)))
    return cdus, loop_of


def _loops(racks: list, groups: tuple) -> list[list]:
    """The racks of each CDU's loop, in row order: `racks_per_cdu` a loop (the
    first group's that gives it), else an even share of the usable CDUs."""
    if not racks:
        return []
    per = next((g.racks_per_cdu for g in groups if g.racks_per_cdu), None)
    if per is None:
        usable = max(1, math.floor(sum(g.usable for g in groups) + 1e-9))
        per = -(-len(racks) // usable)
    total = sum(g.count for g in groups)
    return [racks[i:i + per] for i in range(0, len(racks), per)][:total]   # racks beyond them: no loop


def _spread(want: list, hgt: float, lo: float, hi: float) -> list[float]:
    """Tops of boxes of height hgt, each as near its wanted centre as it can be
    (None: after the one before), none overlapping, all within [lo, hi]."""
    step = hgt + 0.2
    tops, y = [], lo
    for c in want:
        top = max(y, (c - hgt / 2) if c is not None else y)
        tops.append(top)
        y = top + step
    limit = hi - hgt
    for i in range(len(tops) - 1, -1, -1):       # push back up from the far wall
        tops[i] = min(tops[i], limit)
        limit = tops[i] - step
    return tops


def sheet_of(hall, spec: str, spec_hash: str) -> HallSheet:
    """A model hall's sheet data (model/types.py Hall)."""
    size = (float(hall.size.width.value), float(hall.size.depth.value)) if hall.size is not None else None
    cdus = tuple(CduGroup(count=c.count, capacity_w=float(c.capacity.value), usable=float(c.usable_units),
                          racks_per_cdu=c.racks_per_cdu, redundancy=c.redundancy.text) for c in hall.cdus)
    return HallSheet(size_m=size, building=hall.building.qualname if hall.building else "", spec=spec,
                     spec_hash=spec_hash, cdus=cdus)
