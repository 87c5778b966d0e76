"""floorplan-<hall>.svg: one plan per hall, to scale.

Rows run left to right; each slot is drawn at its position (cross-aisles
included). Compute racks are coloured by cluster, network racks are dark, in
one shade per fabric (compute, storage, management ...), and labelled with
their tier; reserved slots are hatched, slots kept for the network are
outlined in blue. The legend lists only what the hall holds. CDUs are drawn along the left wall: the spec
gives their count and capacity, not their positions.
"""

from __future__ import annotations

from html import escape

from ..layout.problem import Hall, LayoutProblem
from ..layout.result import SolveResult

PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#e15759", "#9c755f",
           "#bab0ac", "#ff9da7")
NETWORK = "#333333"
# one dark shade per fabric, in the problem's order (the first is NETWORK), white text on each
NETWORK_SHADES = (NETWORK, "#1f5f5b", "#5a3a78", "#7a3b2e", "#2f4b7c", "#5c5c1f")
RACK_DEPTH_M = 1.2
MARGIN = 40
CDU_STRIP_M = 3.0


def slot_x(hall: Hall, slot: int) -> float:
    """Left edge of a slot in metres from the row start (cross-aisles included)."""
    parts = hall.cross_aisles + 1
    before = sum(1 for k in range(1, hall.cross_aisles + 1) if slot > (k * hall.slots_per_row) // parts)
    return (slot - 1) * hall.slot_width_m + before * hall.cross_aisle_width_m


def file_name(hall_id: str) -> str:
    return "floorplan-" + "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in hall_id) + ".svg"


def _n(x: float) -> str:
    """Coordinates with fixed precision: the same layout gives the same bytes."""
    return f"{x:.1f}".rstrip("0").rstrip(".")


def emit(problem: LayoutProblem, result: SolveResult, hall: Hall, cdus: list[tuple[int, float]],
         figures: tuple[str, ...] = ()) -> bytes:
    """The hall's plan. `figures` are lines of text printed under the legend (the
    hall's loads as built, from the same figures as report.md)."""
    colours = {c.id: PALETTE[i % len(PALETTE)] for i, c in enumerate(problem.clusters)}
    fabrics = [(c.id, f.id) for c in problem.clusters for f in c.fabrics]
    colours.update({key: NETWORK_SHADES[i % len(NETWORK_SHADES)] for i, key in enumerate(fabrics)})
    width_m = slot_x(hall, hall.slots_per_row + 1)
    depth_m = hall.rows * hall.row_pitch_m
    scale = max(2.0, min(14.0, 1400.0 / max(width_m + CDU_STRIP_M, 1.0)))
    ox = MARGIN + CDU_STRIP_M * scale
    w = max(560, int(ox + width_m * scale + MARGIN))  # room for the title and legend
    out = ['<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
           'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#999" stroke-width="2"/>'
           '</pattern></defs>',
           f'<text x="{MARGIN}" y="{MARGIN - 16}" font-size="14" font-weight="bold">hall {escape(hall.id)}: '
           f'{hall.rows} rows x {hall.slots_per_row} slots</text>']
    placed = {(p.row, p.slot): p for p in result.layout.placements if p.hall == hall.id}
    rack_h = min(RACK_DEPTH_M, hall.row_pitch_m * 0.6) * scale
    for row in range(1, hall.rows + 1):
        y = MARGIN + (row - 1) * hall.row_pitch_m * scale
        out.append(f'<text x="{_n(ox - 4)}" y="{_n(y + rack_h / 2 + 4)}" text-anchor="end">{row}</text>')
        for slot in range(1, hall.slots_per_row + 1):
            out.append(_slot(hall, row, slot, placed.get((row, slot)), ox, y, scale, rack_h, colours))
    out += _cdus(cdus, scale, depth_m)
    legend_lines, y = _legend(problem, colours, hall, placed.values(), bool(cdus), MARGIN + depth_m * scale + 20, w)
    out += legend_lines
    for line in figures:
        y += 18
        out.append(f'<text x="{MARGIN}" y="{_n(y)}">{escape(line)}</text>')
    h = int(y + MARGIN / 2)
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
            f'font-family="sans-serif" font-size="11" data-hall="{escape(hall.id)}">')
    return ("\n".join([head, *out, "</svg>"]) + "\n").encode("utf-8")


def _slot(hall: Hall, row: int, slot: int, p, ox: float, y: float, scale: float, rack_h: float,
          colours: dict) -> str:
    x = ox + slot_x(hall, slot) * scale
    sw = hall.slot_width_m * scale
    net_slot = slot > hall.slots_per_row - hall.network_slots_per_row_end
    rect = f'x="{_n(x)}" y="{_n(y)}" width="{_n(sw - 0.5)}" height="{_n(rack_h)}"'
    if (row, slot) in hall.reserved:
        return f'<rect {rect} fill="url(#hatch)" stroke="#999"><title>reserved r{row} s{slot}</title></rect>'
    if p is None:
        stroke = "#4e79a7" if net_slot else "#ccc"
        return f'<rect {rect} fill="none" stroke="{stroke}" stroke-width="0.6"/>'
    rect += f' class="rack" data-rack="{escape(p.id)}"'
    title = escape(f"{p.id}: {p.system} ({p.kind}" + (f", fabric {p.fabric} {p.tier}" if p.fabric else "")
                   + f"), row {row} slot {slot}")
    if p.kind == "network":
        label = (p.tier or "?")[0].upper()
        text = (f'<text x="{_n(x + sw / 2)}" y="{_n(y + rack_h / 2 + 3)}" text-anchor="middle" fill="#fff" '
                f'font-size="{_n(min(9, sw * 0.8))}">{label}</text>') if sw >= 6 else ""
        return f'<rect {rect} fill="{colours.get((p.cluster, p.fabric), NETWORK)}"><title>{title}</title></rect>{text}'
    return f'<rect {rect} fill="{colours.get(p.cluster, "#888")}"><title>{title}</title></rect>'


def _cdus(cdus: list[tuple[int, float]], scale: float, depth_m: float) -> list[str]:
    out, n = [], sum(count for count, _ in cdus)
    if not n:
        return out
    step = depth_m * scale / n
    i = 0
    for count, capacity_w in cdus:
        for _ in range(count):
            y = MARGIN + i * step
            out.append(f'<rect x="{MARGIN}" y="{_n(y + 1)}" width="{_n(CDU_STRIP_M * scale * 0.6)}" '
                       f'height="{_n(max(step - 2, 2))}" fill="#9ecae1" stroke="#3182bd">'
                       f'<title>CDU {i + 1}: {capacity_w / 1e6:g} MW</title></rect>')
            i += 1
    return out


def _legend(problem: LayoutProblem, colours: dict, hall: Hall, placed, cdus: bool, y: float,
            width: int) -> tuple[list[str], float]:
    """Swatches for what the hall holds: its clusters, each fabric with network
    racks here, reserved slots if any, CDUs if any."""
    placed = list(placed)
    here = {p.cluster for p in placed if p.kind == "compute"}
    nets = {(p.cluster, p.fabric) for p in placed if p.kind == "network"}
    items = [(colours[c.id], f"{c.id} ({c.system})") for c in problem.clusters if c.id in here]
    fabrics = [(c.id, f) for c in problem.clusters for f in c.fabrics if (c.id, f.id) in nets]
    several = len(fabrics) > 1
    labels = problem.fabric_labels()
    for cid, f in fabrics:
        name = labels[(cid, f.id)] if several or f.members else "network rack"
        items.append((colours[(cid, f.id)], f"{name} ({', '.join(_tier_keys(f.plan))})"))
    if hall.reserved:
        items.append(("url(#hatch)", "reserved"))
    if cdus:
        items.append(("#9ecae1", "CDU"))
    out, y = legend(items, y, width)
    out.append(f'<text x="{MARGIN}" y="{_n(y + 36)}">scale: rows {hall.row_pitch_m:g} m apart, '
               f'slots {hall.slot_width_m:g} m wide</text>')
    return out, y + 36


def _tier_keys(plan) -> list[str]:
    names = {1: ("switch",), 2: ("leaf", "spine"), 3: ("leaf", "spine", "core")}[plan.tiers]
    return [f"{n[0].upper()} {n}" for n in names]


def legend(items: list[tuple[str, str]], y: float, width: int) -> tuple[list[str], float]:
    """Swatches and labels from the left margin, a new line before any that would cross
    the right margin; and the y of the last line."""
    out, x = [], MARGIN
    for fill, label in items:
        size = 28 + 7 * len(label)          # ~7 px a character at font-size 11
        if x > MARGIN and x + size > width - MARGIN:
            x, y = MARGIN, y + 18
        out.append(f'<rect x="{x}" y="{_n(y)}" width="12" height="12" fill="{fill}" stroke="#666"/>')
        out.append(f'<text x="{x + 16}" y="{_n(y + 10)}">{escape(label)}</text>')
        x += size
    return out, y
