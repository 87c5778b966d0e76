"""floorplan-<hall>.svg: one plan per hall, to scale, laid out as a drawing sheet.

The drawing (left) shows the hall's walls with its dimensions, the cold and hot
aisles, every slot and every rack with its ID, compute racks coloured by
cluster and network racks in one dark shade per fabric, reserved runs hatched,
the busways of each row, the cable trays with the cable entry, the CDUs with
the racks of their loops, a scale bar. The panel (right) holds the north
arrow, a legend of what is drawn and nothing else, the hall's figures, the
drawing's assumptions and a title block. Where each thing stands and why:
hall_geometry.py.

Every rack is a group `class="rack"` with `data-rack` (its id in layout.json);
the root carries `data-hall`. No scripts. Labels are placed by the box rule of
textbox.py: none overlaps another, and a rack's or CDU's labels lie inside it.
"""

from __future__ import annotations

import math
import textwrap
from html import escape

from ..layout.problem import Hall, LayoutProblem
from ..layout.result import SolveResult
from . import hall_geometry as hg
from . import textbox as tb

PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#e15759", "#9c755f",
           "#bab0ac", "#ff9da7")
NETWORK = "#333333"
# one dark shade per fabric, in the problem's order (the first is NETWORK), white text on each
NETWORK_SHADES = (NETWORK, "#1f5f5b", "#5a3a78", "#7a3b2e", "#2f4b7c", "#5c5c1f")
LOOP_COLOURS = ("#08519c", "#6baed6")     # CDU loops alternate, so neighbouring loops differ
MARGIN = 40
MAX_SCALE, MIN_SCALE, DRAWING_PX = 64.0, 12.0, 1800.0   # px a metre; the drawing's width aimed at
AISLE_FILL = {"cold": "#e3f0fb", "hot": "#fde7e1"}
TRAY, BUSWAY, ENTRY, WALL = "#e08a00", "#c62828", "#d62728", "#444444"


def slot_x(hall: Hall, slot: int) -> float:
    """Left edge of a slot in metres from the row start (cross-aisles included)."""
    return hg.slot_left(hall, slot)


def file_name(hall_id: str) -> str:
    return "floorplan-" + "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in hall_id) + ".svg"


def _n(x: float) -> str:
    """Coordinates with fixed precision: the same layout gives the same bytes."""
    return f"{x:.1f}".rstrip("0").rstrip(".")


def emit(problem: LayoutProblem, result: SolveResult, hall: Hall, cdus: list[tuple[int, float]],
         figures: tuple[str, ...] = (), sheet: hg.HallSheet | None = None) -> bytes:
    """The hall's plan. `figures` are lines of text printed in the panel (the
    hall's loads as built, from the same figures as report.md); `sheet` what
    the model knows of the hall (size, building, spec, CDUs); without it the
    hall is drawn around its rows and `cdus` ((count, capacity W), ...) alone."""
    if sheet is None:
        sheet = hg.HallSheet(cdus=tuple(hg.CduGroup(count=c, capacity_w=w, usable=c) for c, w in cdus))
    placed = {(p.row, p.slot): p for p in result.layout.placements if p.hall == hall.id}
    return _Drawing(problem, hall, placed, sheet, figures).svg()


class _Drawing:
    """One sheet: shapes and labels in px, every label's box kept to avoid overlaps."""

    def __init__(self, problem: LayoutProblem, hall: Hall, placed: dict, sheet: hg.HallSheet, figures):
        self.problem, self.hall, self.placed, self.sheet, self.figures = problem, hall, placed, sheet, figures
        self.g = hg.plan(problem, placed, hall, sheet)
        self.colours = _colours(problem)
        self.liquid = {c.id: c.liquid_fraction > 0 for c in problem.clusters}
        self.boxes: list[tuple] = []           # every label's box, px
        self.drawn: set[str] = set()           # legend keys of what is drawn
        w = self.g.walls
        self.row_labels_outside = (w.x1 - self.g.row_length) < 1.1
        left_m = min([w.x0 - hg.WALL_M] + [c.box.x0 for c in self.g.cdus])
        right_m = w.x1 + hg.WALL_M + (1.3 if self.row_labels_outside else 0.0)
        self.s = max(MIN_SCALE, min(MAX_SCALE, DRAWING_PX / (right_m - left_m)))
        self.xm0, self.ym0 = left_m, w.y0 - hg.WALL_M
        self.X0, self.Y0 = MARGIN + 80, MARGIN + 64
        self.right_px = self.px(right_m)
        if self.g.entry_wall[0] > self.g.entry[0]:          # the entry's label stands beyond the right wall
            self.right_px = max(self.right_px, self.px(w.x1 + hg.WALL_M) + 8 + tb.width("cable entry", 10))

    def px(self, x: float) -> float:
        return self.X0 + (x - self.xm0) * self.s

    def py(self, y: float) -> float:
        return self.Y0 + (y - self.ym0) * self.s

    def rect(self, b: hg.Box) -> str:
        return (f'x="{_n(self.px(b.x0))}" y="{_n(self.py(b.y0))}" width="{_n(b.w * self.s)}" '
                f'height="{_n(b.h * self.s)}"')

    def text(self, s: str, x: float, y: float, size: float, anchor: str = "start", rotated: bool = False,
             extra: str = "", keep: bool = True) -> str:
        """A label at px (x, y) (its baseline anchor), its box recorded."""
        if keep:
            self.boxes.append(tb.extent(s, size, x, y, anchor, rotated))
        a = f' text-anchor="{anchor}"' if anchor != "start" else ""
        r = f' transform="rotate(-90 {_n(x)} {_n(y)})"' if rotated else ""
        return f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}"{a}{r}{extra}>{escape(s)}</text>'

    def free(self, box: tuple) -> bool:
        return not any(tb.overlaps(box, b) for b in self.boxes)

    # -- the sheet ---------------------------------------------------------
    def svg(self) -> bytes:
        body = []
        body += self.aisles()
        body += self.walls()
        body += self.trays()
        body += self.racks()
        body += self.busways()
        body += self.cdus()
        body += self.entry()
        body += self.row_labels()
        body += self.dimensions()
        bottom = self.scale_bar(body)
        panel, panel_w, panel_bottom = self.panel(self.right_px + 48)
        w = int(math.ceil(self.right_px + 48 + panel_w + MARGIN))
        h = int(math.ceil(max(bottom, panel_bottom) + MARGIN))
        head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
                f'font-family="sans-serif" font-size="11" data-hall="{escape(self.hall.id)}">')
        defs = ('<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
                'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#999" '
                'stroke-width="2"/></pattern></defs>')
        bg = f'<rect x="0" y="0" width="{w}" height="{h}" fill="#fff"/>'
        return ("\n".join([head, defs, bg, *body, *panel, "</svg>"]) + "\n").encode("utf-8")

    def aisles(self) -> list[str]:
        out = []
        for kind, b in self.g.aisles:
            out.append(f'<rect class="aisle" {self.rect(b)} fill="{AISLE_FILL[kind]}"/>')
            self.drawn.add(kind)
        for b in self.g.cross:
            out.append(f'<rect class="cross-aisle" {self.rect(b)} fill="#f3f3f3"/>')
            self.drawn.add("cross")
        out += self.aisle_labels()
        return out

    def aisle_labels(self) -> list[str]:
        """'cold aisle' / 'hot aisle' centred in the first row segment of each aisle, where there is room."""
        out = []
        seg = self.g.cross[0].x0 if self.g.cross else self.g.row_length
        for kind, b in self.g.aisles:
            size = min(10.0, b.h * self.s * 0.3)
            cx, cy = self.px(seg / 2), self.py((b.y0 + b.y1) / 2)
            y = tb.baseline_for_centre(cy, size)
            label = f"{kind} aisle"
            box = tb.extent(label, size, cx, y, "middle")
            if size >= 6 and self.free(box) and box[2] - box[0] < seg * self.s - 4:
                out.append(self.text(label, cx, y, size, "middle", extra=' fill="#777"'))
        return out

    def walls(self) -> list[str]:
        w, t = self.g.walls, hg.WALL_M
        outer = hg.Box(w.x0 - t, w.y0 - t, w.x1 + t, w.y1 + t)
        self.drawn.add("wall")
        # the wall as four solid bands: a label must not cross any of them
        bands = [hg.Box(outer.x0, outer.y0, outer.x1, w.y0), hg.Box(outer.x0, w.y1, outer.x1, outer.y1),
                 hg.Box(outer.x0, w.y0, w.x0, w.y1), hg.Box(w.x1, w.y0, outer.x1, w.y1)]
        return [f'<rect class="wall" {self.rect(b)} fill="{WALL}"/>' for b in bands]

    def trays(self) -> list[str]:
        self.drawn.add("tray")
        return [f'<rect class="tray" {self.rect(b)} fill="{TRAY}" fill-opacity="0.55"/>' for b in self.g.trays]

    def racks(self) -> list[str]:
        out = []
        h = self.hall
        reserved_runs = _runs(sorted(h.reserved))
        for (r, s), b in sorted(self.g.slots.items()):
            if (r, s) in h.reserved:
                continue
            p = self.placed.get((r, s))
            inset = hg.Box(b.x0 + 0.03, b.y0, b.x1 - 0.03, b.y1)
            if p is None:
                net = s > h.slots_per_row - h.network_slots_per_row_end
                self.drawn.add("free-net" if net else "free")
                stroke = ' stroke="#4e79a7" stroke-dasharray="3 2"' if net else ' stroke="#bbb"'
                out.append(f'<rect class="slot" {self.rect(inset)} fill="#fff"{stroke} stroke-width="0.8"/>')
                continue
            out.append(self.rack(p, inset))
        for r, first, last in reserved_runs:
            if (r, first) not in self.g.slots:
                continue
            b = hg.Box(self.g.slots[(r, first)].x0, self.g.slots[(r, first)].y0, self.g.slots[(r, last)].x1,
                       self.g.slots[(r, last)].y1)
            self.drawn.add("reserved")
            title = f"reserved: row {r}, slots {first}-{last}" if last > first else f"reserved: row {r}, slot {first}"
            label = ""
            size, turned = tb.fit(["reserved"], b.w * self.s, b.h * self.s, 10.0)
            if size >= 5:
                label = self.centred(["reserved"], b, size, turned, "#555")
            out.append(f'<g class="reserved"><title>{escape(title)}</title><rect {self.rect(b)} '
                       f'fill="url(#hatch)" stroke="#999"/>{label}</g>')
        return out

    def rack(self, p, b: hg.Box) -> str:
        fill = self.colours.get((p.cluster, p.fabric) if p.kind == "network" else p.cluster, "#888")
        self.drawn.add(("net", p.cluster, p.fabric) if p.kind == "network" else ("cluster", p.cluster))
        loop = self.g.loop_of.get((p.row, p.slot))
        mark, text_box = "", b
        if loop is not None:                       # a bar along the rack's front: the colour of its CDU loop
            bar = 0.12
            front_down = hg.faces_down(p.row)
            mb = hg.Box(b.x0, b.y1 - bar, b.x1, b.y1) if front_down else hg.Box(b.x0, b.y0, b.x1, b.y0 + bar)
            text_box = hg.Box(b.x0, b.y0, b.x1, b.y1 - bar) if front_down else hg.Box(b.x0, b.y0 + bar, b.x1, b.y1)
            mark = f'<rect {self.rect(mb)} fill="{LOOP_COLOURS[(loop - 1) % len(LOOP_COLOURS)]}"/>'
        lines = _local_id(p).split("/")
        size, turned = tb.fit(lines, text_box.w * self.s, text_box.h * self.s, 10.0)
        ink = "#fff" if _dark(fill) else "#000"
        what = f"{p.system} ({p.kind}" + (f", fabric {p.fabric} {p.tier}" if p.fabric else "") + ")"
        cdu = f", CDU {loop} loop" if loop is not None else ""
        title = escape(f"{p.id}: {what}, row {p.row} slot {p.slot}, {p.power_w / 1000:g} kW, feeds {p.feeds}{cdu}")
        return (f'<g class="rack" data-rack="{escape(p.id)}"><title>{title}</title>'
                f'<rect {self.rect(b)} fill="{fill}"/>{mark}'
                f'{self.centred(lines, text_box, size, turned, ink)}</g>')

    def centred(self, lines: list[str], b: hg.Box, size: float, turned: bool, ink: str) -> str:
        """Lines stacked and centred in box b (metres), level or reading upwards."""
        cx, cy = self.px((b.x0 + b.x1) / 2), self.py((b.y0 + b.y1) / 2)
        step = tb.LINE_EM * size
        out = []
        for i, line in enumerate(lines):
            off = (i - (len(lines) - 1) / 2) * step
            if turned:
                # turned text: its box spans x - 0.8 size .. x + 0.25 size; centre that on cx + off
                x = cx + off + (tb.ASCENT_EM - tb.DESCENT_EM) / 2 * size
                out.append(self.text(line, x, cy, size, "middle", True, f' fill="{ink}"'))
            else:
                out.append(self.text(line, cx, tb.baseline_for_centre(cy + off, size), size, "middle",
                                     extra=f' fill="{ink}"'))
        return "".join(out)

    def busways(self) -> list[str]:
        out = []
        for r, feed, y, x0, x1 in self.g.busways:
            self.drawn.add("busway-" + feed)
            dash = "" if feed == "A" else ' stroke-dasharray="6 3"'
            out.append(f'<line class="busway" x1="{_n(self.px(x0))}" y1="{_n(self.py(y))}" x2="{_n(self.px(x1))}" '
                       f'y2="{_n(self.py(y))}" stroke="{BUSWAY}" stroke-width="1.6"{dash}>'
                       f'<title>row {r} busway {feed}</title></line>')
        return out

    def cdus(self) -> list[str]:
        out = []
        for c in self.g.cdus:
            self.drawn.add("cdu")
            colour = LOOP_COLOURS[(c.number - 1) % len(LOOP_COLOURS)] if c.racks else "#999"
            rows = sorted({r for r, _ in c.racks})
            cx1, cy = c.box.x1, (c.box.y0 + c.box.y1) / 2
            for r in rows:                          # supply to the start of each row of its loop
                ry = (r - 1) * self.hall.row_pitch_m
                out.append(f'<line x1="{_n(self.px(cx1))}" y1="{_n(self.py(cy))}" x2="{_n(self.px(-0.05))}" '
                           f'y2="{_n(self.py(ry))}" stroke="{colour}" stroke-width="1.2"/>')
            span = f"row {rows[0]}" if len(rows) == 1 else (f"rows {rows[0]}-{rows[-1]}" if rows else "")
            title = (f"CDU {c.number}: {c.capacity_w / 1e6:g} MW, " +
                     (f"loop of {len(c.racks)} racks in {span}" if c.racks else "standby (no loop)"))
            lines = [f"CDU {c.number}", f"{len(c.racks)} racks" if c.racks else "standby"]
            size, turned = tb.fit(lines, c.box.w * self.s - 4, c.box.h * self.s - 4, 10.0)
            out.append(f'<g class="cdu" data-cdu="{c.number}"><title>{escape(title)}</title>'
                       f'<rect {self.rect(c.box)} fill="#deebf7" stroke="{colour}" stroke-width="2"/>'
                       f'{self.centred(lines, c.box, size, turned, "#000") if size >= 4 else ""}</g>')
        return out

    def entry(self) -> list[str]:
        self.drawn.add("entry")
        (ex, ey), (wx, wy) = self.g.entry, self.g.entry_wall
        x1, y1, x2, y2 = self.px(ex), self.py(ey), self.px(wx), self.py(wy)
        t = hg.WALL_M * self.s
        on_right = wx > ex
        mx, my = (x2 + t / 2, y2) if on_right else (x2, y2 - t / 2)
        out = [f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(mx)}" y2="{_n(my)}" stroke="{ENTRY}" stroke-width="2.5"/>',
               f'<rect x="{_n(mx - 5)}" y="{_n(my - 5)}" width="10" height="10" fill="{ENTRY}">'
               f'<title>cable entry (the cable model\'s: network end of row 1)</title></rect>']
        if on_right:
            out.append(self.text("cable entry", x2 + t + 8, tb.baseline_for_centre(my, 10), 10,
                                 extra=f' fill="{ENTRY}"'))
        else:
            out.append(self.text("cable entry", mx + 9, self.py(self.g.walls.y0 - hg.WALL_M) - 5, 10,
                                 extra=f' fill="{ENTRY}"'))
        return out

    def row_labels(self) -> list[str]:
        out = []
        length = self.g.row_length
        band = self.g.trays[-1].w if self.g.trays else 0.3
        x = self.px(self.g.walls.x1 + hg.WALL_M + 0.2) if self.row_labels_outside else \
            self.px(length + 0.1 + 2 * band) + 4
        for r in range(1, self.hall.rows + 1):
            y = (r - 1) * self.hall.row_pitch_m
            out.append(self.text(f"row {r}", x, tb.baseline_for_centre(self.py(y), 11), 11, extra=' font-weight="bold"'))
        for r, feed, y, _, _ in self.g.busways:
            by = tb.baseline_for_centre(self.py(y), 8)
            if self.free(tb.extent(feed, 8, x, by)):       # beside its busway, unless something is there
                out.append(self.text(feed, x, by, 8, extra=f' fill="{BUSWAY}"'))
        return out

    # -- dimensions, scale bar ---------------------------------------------
    def dim(self, a: float, b: float, at: float, label: str, vertical: bool) -> list[str]:
        """A dimension line from a to b (px) at `at` (px), ticks at both ends, its label outside it."""
        size = 10.0
        if vertical:
            line = f'M{_n(at)} {_n(a)}V{_n(b)}M{_n(at - 4)} {_n(a)}h8M{_n(at - 4)} {_n(b)}h8'
            lx, ly = at - 4, (a + b) / 2
            box = tb.extent(label, size, lx, ly, "middle", True)
            text = self.text(label, lx, ly, size, "middle", True) if box[3] - box[1] < b - a and self.free(box) else ""
        else:
            line = f'M{_n(a)} {_n(at)}H{_n(b)}M{_n(a)} {_n(at - 4)}v8M{_n(b)} {_n(at - 4)}v8'
            lx, ly = (a + b) / 2, at - 4
            box = tb.extent(label, size, lx, ly, "middle")
            text = self.text(label, lx, ly, size, "middle") if box[2] - box[0] < b - a and self.free(box) else ""
        return [f'<path class="dim" d="{line}" stroke="#000" stroke-width="0.8" fill="none"/>', text]

    def dimensions(self) -> list[str]:
        w, h, t = self.g.walls, self.hall, hg.WALL_M
        top = self.py(w.y0 - t) - 30
        size = self.sheet.size_m
        width_label = f"{_m(w.w)} m" + ("" if size else " (rows + clearance; no size given)")
        out = self.dim(self.px(w.x0), self.px(w.x1), top, width_label, False)
        left = self.px(min([w.x0 - t] + [c.box.x0 for c in self.g.cdus]))
        out += self.dim(self.py(w.y0), self.py(w.y1), left - 44, f"{_m(w.h)} m", True)
        if h.rows > 1:
            out += self.dim(self.py(0), self.py(h.row_pitch_m), left - 16, f"{_m(h.row_pitch_m)} m pitch", True)
        bottom = self.py(w.y1 + t) + 26
        cuts = [0.0] + [x for c in self.g.cross for x in (c.x0, c.x1)] + [self.g.row_length]
        out += self.dim(self.px(w.x0), self.px(0), bottom, f"{_m(-w.x0)} m", False)
        for a, b in zip(cuts, cuts[1:]):
            out += self.dim(self.px(a), self.px(b), bottom, f"{_m(b - a)} m", False)
        out += self.dim(self.px(self.g.row_length), self.px(w.x1), bottom, f"{_m(w.x1 - self.g.row_length)} m", False)
        n = h.slots_per_row
        out += self.dim(self.px(0), self.px(self.g.row_length), bottom + 24,
                        f"row {_m(self.g.row_length)} m: {n} slots x {_m(h.slot_width_m)} m"
                        + (f" + {len(self.g.cross)} cross-aisle x {_m(h.cross_aisle_width_m)} m" if self.g.cross else ""),
                        False)
        self.dims_bottom = bottom + 24
        return out

    def scale_bar(self, out: list[str]) -> float:
        """A bar of a round length (1, 2 or 5 x 10^k m, 120-300 px) under the drawing; the sheet's bottom."""
        target = 200 / self.s
        step = min((m * 10 ** k for k in range(-1, 4) for m in (1, 2, 5) if m * 10 ** k >= target / 2),
                   key=lambda v: abs(v - target))
        x, y = self.px(self.g.walls.x0), self.dims_bottom + 28
        n = 4
        seg = step * self.s / n
        for i in range(n):
            fill = "#000" if i % 2 == 0 else "#fff"
            out.append(f'<rect x="{_n(x + i * seg)}" y="{_n(y)}" width="{_n(seg)}" height="6" fill="{fill}" '
                       f'stroke="#000" stroke-width="0.6"/>')
        out.append(self.text("0", x, y + 18, 10, "middle"))
        out.append(self.text(f"{_m(step)} m", x + n * seg, y + 18, 10, "middle"))
        ratio = 1000 / (self.s * 25.4 / 96)
        out.append(self.text(f"scale 1:{ratio:.0f} at 100 % (96 px an inch)", x + n * seg + 34, y + 8, 10))
        return y + 24

    # -- the panel ---------------------------------------------------------
    def panel(self, x: float) -> tuple[list[str], float, float]:
        out, y = [], float(MARGIN)
        lines_w = []
        heading = f"Floor plan: hall {self.hall.id}"
        out.append(self.text(heading, x, y + 12, 16, extra=' font-weight="bold"', keep=False))
        lines_w.append(tb.width(heading, 16))
        y += 30
        out += _north(x + 20, y)
        out.append(self.text("plan north (assumed)", x + 48, y + 30, 10, keep=False))
        y += 64
        items = self.legend_items()
        for swatch, label in items:
            out.append(swatch.format(x=_n(x), y=_n(y), x2=_n(x + 22), ym=_n(y + 6)))
            out.append(self.text(label, x + 30, y + 10, 11, keep=False))
            lines_w.append(30 + tb.width(label, 11))
            y += 18
        y += 10
        for line in self.figures:
            out.append(self.text(line, x, y + 10, 11, keep=False))
            lines_w.append(tb.width(line, 11))
            y += 16
        rows = self.title_rows()
        width = max([360.0, 88 + max(tb.width(v, 10) for _, v in rows)] + lines_w)
        chars = int(width / (tb.CHAR_EM * 10))
        y += 10
        for note in self.notes():
            for line in textwrap.wrap(note, chars, subsequent_indent="  "):
                out.append(self.text(line, x, y + 10, 10, extra=' fill="#444"', keep=False))
                y += 14
        y += 14
        block, y = self.title_block(rows, x, y, width)
        return out + block, width, y

    def legend_items(self) -> list[tuple[str, str]]:
        """Swatches (format strings of x, y) and labels of what the drawing holds, nothing else."""
        plain = ' stroke="#666" stroke-width="0.6"'
        sw = '<rect x="{x}" y="{y}" width="22" height="12" fill="%s"%s/>'
        d, items = self.drawn, []
        for c in self.problem.clusters:
            if ("cluster", c.id) in d:
                items.append((sw % (self.colours[c.id], plain), f"{c.id} ({c.system}): compute rack"))
        labels = self.problem.fabric_labels()
        nets = [(c, f) for c in self.problem.clusters for f in c.fabrics if ("net", c.id, f.id) in d]
        for c, f in nets:
            name = labels[(c.id, f.id)]
            items.append((sw % (self.colours[(c.id, f.id)], plain), f"{name}: network rack ({_tiers(f.plan)})"))
        common = _common_prefix([p for p in self.placed.values()])
        if self.placed:
            items.append(("", f"rack labels: the rack id after '{common}'" if common else "rack labels: rack ids"))
        keys = [("free", sw % ("#fff", ' stroke="#bbb" stroke-width="0.8"'), "free slot"),
                ("free-net", sw % ("#fff", ' stroke="#4e79a7" stroke-width="0.8" stroke-dasharray="3 2"'), "free network slot"),
                ("reserved", sw % ("url(#hatch)", plain), "reserved"),
                ("cold", sw % (AISLE_FILL["cold"], plain), "cold aisle (rack fronts)"),
                ("hot", sw % (AISLE_FILL["hot"], plain), "hot aisle (rack backs)"),
                ("cross", sw % ("#f3f3f3", plain), f"cross-aisle, {_m(self.hall.cross_aisle_width_m)} m"),
                ("wall", sw % (WALL, plain), "wall"),
                ("busway-A", f'<line x1="{{x}}" y1="{{ym}}" x2="{{x2}}" y2="{{ym}}" stroke="{BUSWAY}" stroke-width="1.6"/>',
                 f"busway A ({self.hall.busway_w_per_feed / 1e6:g} MW a feed), at the rack fronts"),
                ("busway-B", f'<line x1="{{x}}" y1="{{ym}}" x2="{{x2}}" y2="{{ym}}" stroke="{BUSWAY}" stroke-width="1.6" '
                 f'stroke-dasharray="6 3"/>', "busway B"),
                ("tray", sw % (TRAY, ' fill-opacity="0.55"' + plain), "cable tray (overhead), at the rack backs"),
                ("entry", f'<rect x="{{x}}" y="{{y}}" width="10" height="10" fill="{ENTRY}"/>', "cable entry"),
                ("cdu", sw % ("#deebf7", f' stroke="{LOOP_COLOURS[0]}" stroke-width="2"'),
                 "CDU; its loop's racks carry a bar of its colour")]
        items += [(s, label) for key, s, label in keys if key in d]
        return [(s or "", label) for s, label in items]

    def notes(self) -> list[str]:
        g, out = self.g, []
        if not g.size_given:
            out.append("The spec gives no hall size: the walls are drawn 1.5 m around the rows.")
        elif g.size_short:
            out.append("The spec's hall size is smaller than its rows: the walls are drawn to fit the rows.")
        out.append("Rows are centred in the hall (the spec places halls, not rows); rack fronts alternate, "
                   "row 1 facing row 2.")
        out.append("Trays and busways run over the racks; they are drawn beside their row. Cable lengths follow "
                   "the trays: over each row, along both row ends, through cross-aisles, to the entry.")
        if g.cdus:
            where = "outside the wall (the end aisle is too narrow)" if g.cdus[0].outside else \
                "along the wall at the start of the rows"
            out.append(f"The spec gives no CDU positions: they are drawn {where}. Loops take the liquid-cooled "
                       "racks in row order.")
            spare = sum(1 for (r, s), p in self.placed.items() if (r, s) not in g.loop_of and p.kind == "compute"
                        and self.liquid.get(p.cluster))
            if spare:
                out.append(f"{spare:,} liquid-cooled racks are beyond the CDUs' loops (no loop bar).")
        return out

    def title_rows(self) -> list[tuple[str, str]]:
        h, sheet = self.hall, self.sheet
        compute = sum(p.kind == "compute" for p in self.placed.values())
        network = len(self.placed) - compute
        slots = h.rows * h.slots_per_row
        free = slots - len(self.placed) - len(h.reserved)
        size = f"{_m(sheet.size_m[0])} m x {_m(sheet.size_m[1])} m" if sheet.size_m else "not given"
        rows = [("spec", sheet.spec or "-"), ("building", sheet.building or "-"), ("hall", h.id),
                ("spec hash", (sheet.spec_hash or "-")[:16]),
                ("racks", f"{compute:,} compute + {network:,} network in {slots:,} slots "
                          f"({free:,} free, {len(h.reserved):,} reserved)"),
                ("IT power", f"{sum(p.power_w for p in self.placed.values()) / 1e6:,.3f} MW as placed"),
                ("hall size", f"{size}; {h.rows} rows x {h.slots_per_row} slots, {_m(h.row_pitch_m)} m pitch")]
        return rows

    def title_block(self, rows: list, x: float, y: float, width: float) -> tuple[list[str], float]:
        out = [f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" height="{_n(20 * len(rows) + 30)}" '
               f'fill="none" stroke="#000" stroke-width="1.2"/>',
               self.text("factoryspec floor plan", x + 8, y + 18, 12, extra=' font-weight="bold"', keep=False)]
        y0 = y + 30
        for i, (k, v) in enumerate(rows):
            yy = y0 + 20 * i
            out.append(f'<path d="M{_n(x)} {_n(yy)}H{_n(x + width)}" stroke="#000" stroke-width="0.6"/>')
            out.append(self.text(k, x + 8, yy + 14, 10, extra=' fill="#555"', keep=False))
            out.append(self.text(v, x + 80, yy + 14, 10, keep=False))
        return out, y0 + 20 * len(rows)


def _north(x: float, y: float) -> list[str]:
    return [f'<path d="M{_n(x)} {_n(y)}l-10 34l10 -8l10 8z" fill="#000"/>',
            f'<text x="{_n(x)}" y="{_n(y + 50)}" font-size="12" text-anchor="middle" font-weight="bold">N</text>']


def _colours(problem: LayoutProblem) -> dict:
    colours = {c.id: PALETTE[i % len(PALETTE)] for i, c in enumerate(problem.clusters)}
    fabrics = [(c.id, f.id) for c in problem.clusters for f in c.fabrics]
    colours.update({key: NETWORK_SHADES[i % len(NETWORK_SHADES)] for i, key in enumerate(fabrics)})
    return colours


def _dark(colour: str) -> bool:
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.299 * r + 0.587 * g + 0.114 * b < 150


def _local_id(p) -> str:
    """A rack's id less its cluster's prefix (`superpod.pod/c12` -> `c12`)."""
    prefix = p.cluster + "/"
    return p.id[len(prefix):] if p.id.startswith(prefix) else p.id


def _common_prefix(placed: list) -> str:
    clusters = sorted({p.cluster for p in placed})
    return clusters[0] + "/" if len(clusters) == 1 else ""


def _runs(reserved: list) -> list[tuple[int, int, int]]:
    """Reserved (row, slot)s as (row, first, last) runs of consecutive slots."""
    out = []
    for r, s in reserved:
        if out and out[-1][0] == r and out[-1][2] == s - 1:
            out[-1] = (r, out[-1][1], s)
        else:
            out.append((r, s, s))
    return out


def _m(x: float) -> str:
    """Metres as written on a drawing: up to two decimals."""
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _tiers(plan) -> str:
    names = {1: ("switch",), 2: ("leaf", "spine"), 3: ("leaf", "spine", "core")}[plan.tiers]
    return ", ".join(names)


def legend(items: list[tuple[str, str]], y: float, width: int) -> tuple[list[str], float]:
    """Swatches and labels from the left margin, a new line before any that would cross
    the right margin; and the y of the last line (the site plan's legend)."""
    out, x = [], MARGIN
    for fill, label in items:
        size = 28 + 7 * len(label)          # ~7 px a character at font-size 11
        if x > MARGIN and x + size > width - MARGIN:
            x, y = MARGIN, y + 18
        out.append(f'<rect x="{x}" y="{_n(y)}" width="12" height="12" fill="{fill}" stroke="#666"/>')
        out.append(f'<text x="{x + 16}" y="{_n(y + 10)}">{escape(label)}</text>')
        x += size
    return out, y
