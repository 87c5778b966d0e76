"""siteplan.svg: the site to scale: land, buildings, halls and the cables between halls.

What it draws, and from where:

* Buildings (model.Building: `size` at `origin`, the site plan of
  model/derive.py), outlined and named with their size; one without a size is
  outlined around its halls, dashed. Their power trains and cooling plants are
  schematic blocks (dashed: the spec gives no position or footprint) in the
  building's room beside its halls, where they fit.
* Halls (model.Hall `size` at `origin`) filled in the colour of the cluster
  with the most compute racks in them, their rows drawn as the layout problem
  has them, their cable entry (the network end of row 1) marked, and their
  name. Each is a `<g class="hall" data-hall="<hall id>">`, which report.html
  makes clickable; labels let clicks through (pointer-events none).
* The cables between halls along the path the length model measures
  (siteroutes.py: to the entry, then Manhattan between entries), bundled per
  route segment: a ribbon as wide as its cables, of its media side by side
  (each as wide as its share), the count on it where it fits, every medium
  with its count in its tooltip.
* The land, when the site gives one: the spec gives its area, not its shape,
  so it is drawn as a square from the site's origin (the corner positions are
  measured from), or, where the buildings reach beyond that square, as a
  rectangle of the same area stretched as far as they reach.
  When it dwarfs the buildings, it is drawn in a key plan beside the drawing,
  with the drawn area marked in it.
* The site's utility supplies and site-level cooling plants, schematic blocks
  beside the drawing; a scale bar; a legend.

No text overlaps other text (sitelabels.py); no scripts. Deterministic:
sorted iteration and fixed number formatting.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from html import escape
from math import sqrt

from ..diagnostics import natural_key
from ..layout.problem import LayoutProblem
from ..layout.result import SolveResult
from ..model import types as t
from . import siteroutes
from .floorplan import PALETTE
from .sitelabels import Labels, coord as _n, width, wrap

MARGIN = 40
PLAN_PX = 1500.0               # the drawing's longer side at most, px
MAX_SCALE = 8.0                # px per metre at most (a single small building)
PANEL_W = 300                  # the panel beside the drawing: site services, key plan
KEY_PX = 220.0                 # the key plan's longer side
LAND_IN_PLAN = 1.25            # land drawn in the plan when that shrinks it at most this much; else a key plan
MEDIA_COLOURS = ("#c0392b", "#1f4e9c", "#1e8449", "#7d3c98", "#b9770e", "#117a65", "#5d6d7e", "#a04000",
                 "#2e4053", "#6c3483")
LAND = "#2e7d32"

Rect = tuple[float, float, float, float]         # x, y, width, depth in metres


def emit(model: t.Factory, problem: LayoutProblem, result: SolveResult) -> bytes:
    return _Plan(model, problem, result).svg().encode("utf-8")


def _m(q) -> float:
    return float(q.value if hasattr(q, "value") else q)


def _num(x: float, places: int = 1) -> str:
    """A figure for people: thousands separated, at most `places` decimals, no trailing zeros."""
    text = f"{x:,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _short(name: str, parent: str) -> str:
    return name[len(parent) + 1:] if name.startswith(parent + ".") else name


class _Plan:
    def __init__(self, model: t.Factory, problem: LayoutProblem, result: SolveResult):
        self.model, self.problem, self.result = model, problem, result
        self.halls = sorted(problem.halls, key=lambda h: (natural_key(h.id), h.id))
        by_name = {h.qualname: h for h in model.halls}
        self.hall_rect = {h.id: self._hall_rect(h, by_name.get(h.id)) for h in self.halls}
        self.buildings = [b for b in model.buildings if b.origin is not None]
        self.building_rect = {b.qualname: self._building_rect(b) for b in self.buildings}
        self.entry = {k: (x / 1000, y / 1000) for k, (x, y) in siteroutes.entries(self.halls).items()}
        self.compute: dict = defaultdict(Counter)        # hall -> cluster -> compute racks
        self.network: Counter = Counter()                # hall -> network racks
        for p in result.layout.placements:
            if p.kind == "compute":
                self.compute[p.hall][p.cluster] += 1
            else:
                self.network[p.hall] += 1
        self.pairs = siteroutes.between_halls(result.layout)
        self.leaving: Counter = Counter()               # hall -> its cables to other halls
        for pair, media in self.pairs.items():
            for hall in pair:
                self.leaving[hall] += sum(media.values())
        self.runs = siteroutes.runs(self.halls, self.pairs)
        self.labels = Labels()
        self.extra: list[str] = []             # shapes beside and below the drawing
        rects = list(self.building_rect.values()) + list(self.hall_rect.values())
        self.extent = _union(rects) if rects else (0.0, 0.0, 1.0, 1.0)
        self.land = self._land()
        self.land_in_plan = self.land is not None and max(self.land[2], self.land[3]) <= \
            LAND_IN_PLAN * max(self.extent[2], self.extent[3])
        self.frame = _union([self.extent, self.land]) if self.land_in_plan else self.extent
        _, _, fw, fd = self.frame
        self.scale = min(MAX_SCALE, PLAN_PX / max(fw, fd, 1.0))
        self.left, self.top = MARGIN, MARGIN + 44

    # ---- geometry (metres) ---------------------------------------------------------

    @staticmethod
    def _hall_rect(h, hall: t.Hall | None) -> Rect:
        x, y = h.origin_xy_m
        if hall is not None:
            return x, y, _m(hall.size.width), _m(hall.size.depth)
        return x, y, siteroutes.row_length_mm(h) / 1000, h.rows * h.row_pitch_m

    def _building_rect(self, b: t.Building) -> Rect:
        x, y = _m(b.origin[0]), _m(b.origin[1])
        if b.size is not None:
            return x, y, _m(b.size.width), _m(b.size.depth)
        inside = [self.hall_rect[h.qualname] for h in b.halls if h.qualname in self.hall_rect]
        return _union(inside) if inside else (x, y, 0.0, 0.0)

    def _land(self) -> Rect | None:
        """The land as a rectangle from the site origin (module docstring), when
        exactly one site gives its land (several sites would share the corner)."""
        lands = [s.land for s in self.model.sites if s.land is not None]
        if len(lands) != 1 or len(self.model.sites) != 1:
            return None
        area = _m(lands[0])
        x0, y0, w, d = self.extent
        reach_x, reach_y = max(x0 + w, 1.0), max(y0 + d, 1.0)
        side = sqrt(area)
        if reach_x <= side and reach_y <= side:
            return 0.0, 0.0, side, side
        # stretched only as far as the buildings reach
        long = max(reach_x, reach_y)
        short = area / long
        if short >= min(reach_x, reach_y):
            return (0.0, 0.0, long, short) if reach_x >= reach_y else (0.0, 0.0, short, long)
        wide = sqrt(area * reach_x / reach_y)      # less land than the buildings' extent: its proportions
        return 0.0, 0.0, wide, area / wide

    def px(self, x: float, y: float) -> tuple[float, float]:
        return self.left + (x - self.frame[0]) * self.scale, self.top + (y - self.frame[1]) * self.scale

    def box_px(self, r: Rect) -> tuple[float, float, float, float]:
        x, y = self.px(r[0], r[1])
        return x, y, r[2] * self.scale, r[3] * self.scale

    # ---- the document ------------------------------------------------------------

    def svg(self) -> str:
        plan_w, plan_h = self.frame[2] * self.scale, self.frame[3] * self.scale
        body = self._title()
        titled = len(self.labels.boxes)
        if self.land_in_plan:
            body.append(self._land_rect())
        for b in self.buildings:
            body += self._building(b)
        colours = {c.id: PALETTE[i % len(PALETTE)] for i, c in enumerate(self.problem.clusters)}
        for h in self.halls:
            body.append(self._hall(h, colours))
        body += self._routes()
        body += self._entries()
        if self.land_in_plan:                 # its label last: buildings and halls are named first
            x, y, w, d = self.box_px(self.land)
            text = "land boundary (area as given, shape assumed)"
            if not self.labels.place(x + w - 4, y + 14, text, 10, anchor="end", fill=LAND, halo=True):
                self.labels.place(x + 4, y + d - 5, text, 10, fill=LAND, halo=True)
        # the panel right of the drawing and of every label it placed (the title's excepted)
        beside = max((b[2] for b in self.labels.boxes[titled:]), default=0.0)
        self.panel_x = max(self.left + plan_w, beside) + 36
        self.width = int(max(900, self.panel_x + PANEL_W + MARGIN))
        panel_bottom = self._panel()
        y = self._scale_bar(self.top + plan_h + 26)
        y = self._legend(colours, max(y + 20, panel_bottom + 20))
        y = self._notes(y + 10)
        body += self.extra
        height = int(y + MARGIN)
        head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width}" height="{height}" '
                f'viewBox="0 0 {self.width} {height}" font-family="Arial, Helvetica, sans-serif" font-size="11">')
        return "\n".join([head, f'<rect width="{self.width}" height="{height}" fill="#fff"/>', *body,
                          *self.labels.svg, "</svg>"]) + "\n"

    def _title(self) -> list[str]:
        sites = ", ".join(s.qualname for s in self.model.sites) or "site"
        self.labels.place(MARGIN, MARGIN, f"site plan: {sites}", 15, bold=True, force=True)
        self.labels.place(MARGIN, MARGIN + 20, self.summary(), 11, force=True)
        return []

    def summary(self) -> str:
        """The title's figures: the buildings and their sizes as the spec gives
        them, the halls, the buildings' extent on the site and the land."""
        sizes = Counter(str(b.size) if b.size is not None else None for b in self.buildings)
        order = list(dict.fromkeys(str(b.size) if b.size is not None else None for b in self.buildings))
        parts = [f"{sizes[s]} building{'s' if sizes[s] != 1 else ''} "
                 + (s if s is not None else "(no size given)") for s in order]
        text = ", ".join(parts) or "no buildings"
        text += f"; {len(self.halls)} hall{'s' if len(self.halls) != 1 else ''}"
        x0, y0, w, d = self.extent
        text += f"; together {_num(w)} m x {_num(d)} m"
        lands = [s.land for s in self.model.sites if s.land is not None]
        if lands:
            text += "; land " + " + ".join(f"{_num(_m(q) / 1e4)} ha" for q in lands)
        return text

    def _land_rect(self) -> str:
        x, y, w, d = self.box_px(self.land)
        return (f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(d)}" fill="none" stroke="{LAND}" '
                f'stroke-width="1.5" stroke-dasharray="10 4 2 4"><title>{escape(self._land_title())}</title></rect>')

    def _land_title(self) -> str:
        x, y, w, d = self.land
        return (f"land: {_num(w * d / 1e4)} ha, drawn as {_num(w)} m x {_num(d)} m from the site origin "
                f"(the spec gives the area only)")

    # ---- buildings ---------------------------------------------------------------

    def _building(self, b: t.Building) -> list[str]:
        x, y, w, d = self.box_px(self.building_rect[b.qualname])
        dash = '' if b.size is not None else ' stroke-dasharray="6 3"'
        blocks = [(f"{p.name or 'power'}: {p.count} x {p.capacity}, {p.redundancy.text}", "#fdecea")
                  for p in b.power]
        blocks += [(f"{p.name or 'cooling'}: {p.count} x {p.capacity}, {p.redundancy.text}", "#e8f1fb")
                   for p in b.cooling]
        size = str(b.size) if b.size is not None else "no size given"
        title = escape(f"building {b.qualname}: {size}; " + ("; ".join(text for text, _ in blocks) or "no plant"))
        out = [f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(d)}" fill="#f4f4f2" stroke="#222" '
               f'stroke-width="1.4"{dash}><title>{title}</title></rect>']
        name = b.name or b.qualname
        for bx, by in ((x, y - 6), (x + 4, y + 14)):
            if self.labels.place(bx, by, name, 12, bold=True, halo=True):
                self.labels.place(bx + width(name, 12, True) + 6, by, size, 10, fill="#444", halo=True)
                break
        out += self._blocks(b, blocks)
        return out

    def _blocks(self, b: t.Building, blocks: list[tuple[str, str]]) -> list[str]:
        """Plant blocks, schematic, in the building's room beside or below its halls:
        the first room that takes them all, else the one that takes the most."""
        if not blocks or b.size is None:
            return []
        bx, by, bw, bd = self.box_px(self.building_rect[b.qualname])
        inside = [self.box_px(self.hall_rect[h.qualname]) for h in b.halls if h.qualname in self.hall_rect]
        right = max((x + w for x, _, w, _ in inside), default=bx) + 6
        below = max((y + h for _, y, _, h in inside), default=by) + 6
        rooms = [(right, by + 20, bx + bw - 4 - right, bd - 24, False),     # beside the halls: a column
                 (bx + 4, below, bw - 8, by + bd - 4 - below, True)]        # below them: a row
        fits = [self._stack(blocks, room) for room in rooms]
        best = max(fits, key=len)
        out = []
        for (x, y, w, h), (text, fill) in zip(best, blocks):
            out.append(f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" fill="{fill}" '
                       f'stroke="#666" stroke-dasharray="3 2"><title>{escape(text)} (schematic)</title></rect>')
            self.labels.place(x + 4, y + 11.5, text, 9, force=True)
        return out

    def _stack(self, blocks: list[tuple[str, str]], room: tuple) -> list[tuple[float, float, float, float]]:
        """Where the blocks stand in a room, in a column or in rows, as many as fit."""
        x0, y0, room_w, room_h, across = room
        out, x, y = [], x0, y0
        for text, _ in blocks:
            w, h = width(text, 9) + 8, 16.0
            if across and x > x0 and x + w > x0 + room_w:
                x, y = x0, y + h + 4
            if x + w > x0 + room_w or y + h > y0 + room_h or not self.labels.free((x, y, x + w, y + h)):
                break
            out.append((x, y, w, h))
            if across:
                x += w + 4
            else:
                y += h + 4
        return out

    # ---- halls -------------------------------------------------------------------

    def _hall(self, h, colours: dict) -> str:
        compute, network = self.compute[h.id], self.network[h.id]
        main = max(sorted(compute), key=lambda c: compute[c]) if compute else None
        fill = colours.get(main, "#ddd") if main else "#ddd"
        x, y, w, d = self.box_px(self.hall_rect[h.id])
        between = self.leaving[h.id]
        title = escape(f"hall {h.id}: {sum(compute.values()):,} compute racks "
                       f"({', '.join(f'{c} {k:,}' for c, k in sorted(compute.items())) or 'none'}), "
                       f"{network:,} network racks; {h.rows} rows x {h.slots_per_row} slots; "
                       f"{between:,} cables to other halls")
        row_len = siteroutes.row_length_mm(h) / 1000 * self.scale
        ox, oy = self.px(*h.origin_xy_m)
        rows = "".join(f"M{_n(ox)} {_n(oy + r * h.row_pitch_m * self.scale)}h{_n(row_len)}" for r in range(h.rows))
        self._hall_label(h, x, y, w, d)
        return (f'<g class="hall" data-hall="{escape(h.id)}"><title>{title}</title>'
                f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(d)}" fill="{fill}" fill-opacity="0.4" '
                f'stroke="#333" stroke-width="0.9"/>'
                f'<path d="{rows}" stroke="#333" stroke-opacity="0.35" stroke-width="0.6" fill="none"/></g>')

    def _hall_label(self, h, x: float, y: float, w: float, d: float) -> None:
        """The hall's name inside it, across or upright, as large as fits."""
        building = next((b.qualname for b in self.buildings if h.id.startswith(b.qualname + ".")), "")
        name = _short(h.id, building)
        cx, cy = x + w / 2, y + d / 2
        for size in (11, 9, 7):
            text_w = width(name, size)
            if text_w + 4 <= w and size + 4 <= d and \
                    self.labels.place(cx, y + d - 6, name, size, anchor="middle", bold=True, halo=True):
                return
            if text_w + 4 <= d and size + 2 <= w and \
                    self.labels.place(cx + size * 0.35, cy, name, size, anchor="middle", vertical=True, bold=True,
                                      halo=True):
                return

    def _entries(self) -> list[str]:
        out = []
        for h in self.halls:
            x, y = self.px(*self.entry[h.id])
            out.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="2.6" fill="#111">'
                       f'<title>cable entry of {escape(h.id)}</title></circle>')
        return out

    # ---- cables between halls ------------------------------------------------------

    def media_colours(self) -> dict[str, str]:
        total: Counter = Counter()
        for m in self.pairs.values():
            total.update(m)
        ranked = sorted(total, key=lambda k: (-total[k], k))
        return {k: MEDIA_COLOURS[i % len(MEDIA_COLOURS)] for i, k in enumerate(ranked)}

    def _routes(self) -> list[str]:
        """Each run a ribbon of its media side by side, as wide as its cables
        (1 to 8 px), each medium's share of the width its share of the cables."""
        if not self.runs:
            return []
        colours = self.media_colours()
        most = max(r.cables for r in self.runs)
        out = []
        ordered = sorted(self.runs, key=lambda r: (-r.cables, r.horizontal, r.at, r.start))
        for r in ordered:
            (x1, y1), (x2, y2) = self._ends(r)
            stroke = 1.0 + 7.0 * r.cables / most
            media = ", ".join(f"{m} {n:,}" for m, n in r.media)
            title = escape(f"{r.cables:,} cables between halls over {_num((r.end - r.start) / 1000)} m "
                           f"({r.pairs} pair{'s' if r.pairs != 1 else ''} of halls): {media}")
            parts, side = [], -stroke / 2
            for m, n in r.media:
                w = stroke * n / r.cables
                dx, dy = (0.0, side + w / 2) if r.horizontal else (side + w / 2, 0.0)
                parts.append(f'<line x1="{_n(x1 + dx)}" y1="{_n(y1 + dy)}" x2="{_n(x2 + dx)}" y2="{_n(y2 + dy)}" '
                             f'stroke="{colours[m]}" stroke-width="{w:.2f}"/>')
                side += w
            out.append(f'<g class="route" stroke-opacity="0.85" data-cables="{r.cables}"><title>{title}</title>'
                       + "".join(parts) + "</g>")
        for r in ordered:
            self._count_label(r, 1.0 + 7.0 * r.cables / most)
        return out

    def _ends(self, r: siteroutes.Run) -> tuple[tuple[float, float], tuple[float, float]]:
        if r.horizontal:
            return self.px(r.start / 1000, r.at / 1000), self.px(r.end / 1000, r.at / 1000)
        return self.px(r.at / 1000, r.start / 1000), self.px(r.at / 1000, r.end / 1000)

    def _count_label(self, r: siteroutes.Run, stroke: float) -> None:
        """The run's cable count beside it, where it fits and misses every other label."""
        text, size = f"{r.cables:,}", 9.0
        (x1, y1), (x2, y2) = self._ends(r)
        length = abs(x2 - x1) + abs(y2 - y1)
        if width(text, size) + 8 > length:
            return
        off = stroke / 2 + 3
        for f in (0.5, 0.3, 0.7, 0.15, 0.85):
            x, y = x1 + (x2 - x1) * f, y1 + (y2 - y1) * f
            if r.horizontal:
                spots = ((x, y - off), (x, y + off + size * 0.8))
                if any(self.labels.place(sx, sy, text, size, anchor="middle", halo=True) for sx, sy in spots):
                    return
            else:
                spots = ((x - off, y), (x + off + size * 0.8, y))
                if any(self.labels.place(sx, sy, text, size, anchor="middle", vertical=True, halo=True)
                       for sx, sy in spots):
                    return

    # ---- beside and below the drawing ----------------------------------------------

    def _panel(self) -> float:
        """Site services and the key plan, right of the drawing; the y below them."""
        x, y = self.panel_x, self.top
        blocks = []
        for s in self.model.sites:
            prefix = f"{s.name or s.qualname} " if len(self.model.sites) > 1 else ""
            for u in s.utilities:
                modules = f" in {u.modules} modules" if u.modules else ""
                blocks.append((f"{prefix}utility: {u.capacity}{modules}, {u.redundancy.text}", "#fdecea"))
            for p in s.cooling:
                blocks.append((f"{prefix}{p.name or 'cooling'}: {p.count} x {p.capacity}, {p.redundancy.text}",
                               "#e8f1fb"))
        if blocks:
            self.labels.place(x, y + 10, "site services (schematic: no position given)", 11, bold=True, force=True)
            y += 20
            for text, fill in blocks:
                w = width(text, 9) + 8
                self.extra.append(
                    f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="16" fill="{fill}" stroke="#666" '
                    f'stroke-dasharray="3 2"><title>{escape(text)}</title></rect>')
                self.labels.place(x + 4, y + 11.5, text, 9, force=True)
                y += 22
            y += 10
        if self.land is not None and not self.land_in_plan:
            y = self._key_plan(x, y)
        return y

    def _key_plan(self, x: float, y: float) -> float:
        """The land at a small scale with the drawn area shaded in it."""
        self.labels.place(x, y + 10, "key plan: the land", 11, bold=True, force=True)
        y += 18
        lx, ly, lw, ld = self.land
        k = KEY_PX / max(lw, ld)
        ex, ey, ew, ed = self.frame
        self.extra.append(
            f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(lw * k)}" height="{_n(ld * k)}" fill="#f3f8f1" '
            f'stroke="{LAND}" stroke-width="1.5" stroke-dasharray="10 4 2 4"><title>{escape(self._land_title())}'
            f'</title></rect>')
        self.extra.append(
            f'<rect x="{_n(x + (ex - lx) * k)}" y="{_n(y + (ey - ly) * k)}" width="{_n(max(ew * k, 1.5))}" '
            f'height="{_n(max(ed * k, 1.5))}" fill="#555" fill-opacity="0.6" stroke="#111" stroke-width="0.8">'
            f'<title>the area drawn to the left</title></rect>')
        y += ld * k + 14
        for line in wrap(f"{_num(lw * ld / 1e4)} ha (as given), drawn as {_num(lw)} m x {_num(ld)} m from the "
                         f"site origin: the spec gives the area, not the shape. Shaded: the buildings, "
                         f"drawn to the left.", 9, PANEL_W):
            self.labels.place(x, y, line, 9, fill="#333", force=True)
            y += 12
        return y

    def _scale_bar(self, y: float) -> float:
        """A bar of a round length, 80 to 200 px long, in four parts; the y below it."""
        metres = next(m for m in (k * 10 ** e for e in range(-1, 6) for k in (1, 2, 5))
                      if m * self.scale >= 80)
        px = metres * self.scale
        out = []
        for i in range(4):
            fill = "#111" if i % 2 == 0 else "#fff"
            out.append(f'<rect x="{_n(self.left + i * px / 4)}" y="{_n(y)}" width="{_n(px / 4)}" height="6" '
                       f'fill="{fill}" stroke="#111" stroke-width="0.8"/>')
        self.extra.extend(out)
        for f, text in ((0, "0"), (0.5, f"{_num(metres / 2)}"), (1, f"{_num(metres)} m")):
            self.labels.place(self.left + f * px, y + 18, text, 10, anchor="middle" if f < 1 else "start",
                              force=True)
        return y + 24

    def _legend(self, colours: dict, y: float) -> float:
        items = [("rect", colours[c.id], f"halls mostly of {c.id} ({c.system})") for c in self.problem.clusters]
        total: Counter = Counter()
        for m in self.pairs.values():
            total.update(m)
        media = self.media_colours()
        items += [("line", media[k], f"{k}: {total[k]:,} cables between halls")
                  for k in sorted(total, key=lambda k: (-total[k], k))]
        items += [("dot", "#111", "cable entry (network end of row 1)"),
                  ("dash", "#666", "schematic block: no position or footprint in the spec")]
        if self.land is not None:
            items.append(("land", LAND, "land boundary"))
        x = MARGIN
        for shape, colour, text in items:
            size = 30 + width(text, 10)
            if x > MARGIN and x + size > self.width - MARGIN:
                x, y = MARGIN, y + 18
            self.extra.append(_swatch(shape, colour, x, y))
            self.labels.place(x + 22, y + 10, text, 10, force=True)
            x += size
        return y + 18

    def _notes(self, y: float) -> float:
        text = "No cable runs between halls: every link stays in its hall." if not self.runs else ("Cables between halls are drawn where the length model measures them: from each rack along its "
                "row and the end aisle to its hall's cable entry, then |dx| + |dy| between the two entries, "
                "drawn down the upper hall's end-aisle line and along the lower hall's entry line. Each "
                "segment carries every route through it: width by cables, of its media side by side, labelled "
                "with its cable count (every medium's count in its tooltip).")
        for line in wrap(text, 10, self.width - 2 * MARGIN):
            self.labels.place(MARGIN, y + 10, line, 10, fill="#333", force=True)
            y += 14
        return y


def _swatch(shape: str, colour: str, x: float, y: float) -> str:
    if shape == "line":
        return f'<line x1="{_n(x)}" y1="{_n(y + 6)}" x2="{_n(x + 16)}" y2="{_n(y + 6)}" stroke="{colour}" stroke-width="4"/>'
    if shape == "dot":
        return f'<circle cx="{_n(x + 8)}" cy="{_n(y + 6)}" r="2.6" fill="{colour}"/>'
    if shape == "dash":
        return (f'<rect x="{_n(x)}" y="{_n(y)}" width="16" height="12" fill="#fff" stroke="{colour}" '
                f'stroke-dasharray="3 2"/>')
    if shape == "land":
        return (f'<rect x="{_n(x)}" y="{_n(y)}" width="16" height="12" fill="none" stroke="{colour}" '
                f'stroke-width="1.5" stroke-dasharray="5 2"/>')
    return f'<rect x="{_n(x)}" y="{_n(y)}" width="16" height="12" fill="{colour}" fill-opacity="0.4" stroke="#333"/>'


def _union(rects: list[Rect]) -> Rect:
    x0 = min(r[0] for r in rects)
    y0 = min(r[1] for r in rects)
    x1 = max(r[0] + r[2] for r in rects)
    y1 = max(r[1] + r[3] for r in rects)
    return x0, y0, x1 - x0, y1 - y0
