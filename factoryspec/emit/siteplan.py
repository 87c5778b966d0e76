"""siteplan.svg: every hall on the site plan, to scale, with the cables between halls.

Halls are drawn at their origins (the model's site plan: `position`s, else
side by side and one after another) as the area their rows cover, coloured
by the cluster with the most
compute racks in them, with their cable entry (the network end of row 1)
marked. Each pair of halls that cables join is drawn as a line between the
two entries, as thick as the cable count allows, and titled with the count,
the media and the longest cable: where the long runs of the design go.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from html import escape

from ..layout.problem import LayoutProblem
from ..layout.result import SolveResult
from .floorplan import MARGIN, PALETTE, _n, legend, slot_x

LEGEND_H = 60
MAX_PX = 1400.0


def _extent(h) -> tuple[float, float]:
    """Width (rows' length, cross-aisles included) and depth (rows x pitch) in metres."""
    return slot_x(h, h.slots_per_row + 1), h.rows * h.row_pitch_m


def emit(problem: LayoutProblem, result: SolveResult) -> bytes:
    halls = problem.halls
    x0 = min(h.origin_xy_m[0] for h in halls)
    y0 = min(h.origin_xy_m[1] for h in halls)
    x1 = max(h.origin_xy_m[0] + _extent(h)[0] for h in halls)
    y1 = max(h.origin_xy_m[1] + _extent(h)[1] for h in halls)
    scale = max(0.05, min(8.0, MAX_PX / max(x1 - x0, y1 - y0, 1.0)))
    w = max(560, int(2 * MARGIN + (x1 - x0) * scale))
    h_px = int(2 * MARGIN + (y1 - y0) * scale + LEGEND_H)   # grown below if the legend wraps

    def px(x: float, y: float) -> tuple[float, float]:
        return MARGIN + (x - x0) * scale, MARGIN + (y - y0) * scale

    colours = {c.id: PALETTE[i % len(PALETTE)] for i, c in enumerate(problem.clusters)}
    hall_of = {p.id: p.hall for p in result.layout.placements}
    compute = defaultdict(Counter)
    network = Counter()
    for p in result.layout.placements:
        if p.kind == "compute":
            compute[p.hall][p.cluster] += 1
        else:
            network[p.hall] += 1
    entry = {h.id: px(h.origin_xy_m[0] + _extent(h)[0], h.origin_xy_m[1]) for h in halls}
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h_px}" viewBox="0 0 {w} {h_px}" '
           f'font-family="sans-serif" font-size="11">',
           f'<text x="{MARGIN}" y="{MARGIN - 16}" font-size="14" font-weight="bold">site plan: '
           f'{len(halls)} halls (their rows drawn), {_n(x1 - x0)} m x {_n(y1 - y0)} m</text>']
    for h in halls:
        out.append(_hall(h, px, scale, colours, compute.get(h.id, Counter()), network[h.id], entry[h.id]))
    out += _cables(result, hall_of, entry)
    keys, bottom = _legend(problem, colours, MARGIN + (y1 - y0) * scale + MARGIN + 10, w)
    out += keys
    h_px = max(h_px, int(bottom) + 38)
    out[0] = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h_px}" viewBox="0 0 {w} {h_px}" '
              f'font-family="sans-serif" font-size="11">')
    out.append("</svg>")
    return ("\n".join(out) + "\n").encode("utf-8")


def _hall(h, px, scale: float, colours: dict, compute: Counter, network: int, entry) -> str:
    x, y = px(*h.origin_xy_m)
    width, depth = _extent(h)
    main = max(sorted(compute), key=lambda c: compute[c]) if compute else None
    fill = colours.get(main, "#eee") if main else "#eee"
    racks = sum(compute.values())
    title = escape(f"hall {h.id}: {racks:,} compute racks "
                   f"({', '.join(f'{c} {k:,}' for c, k in sorted(compute.items()))}), {network:,} network racks; "
                   f"{h.rows} rows x {h.slots_per_row} slots")
    label = escape(".".join(h.id.split(".")[-2:]))          # building.hall: the site is the same for all
    text = (f'<text x="{_n(x + 3)}" y="{_n(y + 12)}" font-size="10">{label}</text>'
            if width * scale > 40 and depth * scale > 16 else "")
    return (f'<rect class="hall" data-hall="{escape(h.id)}" x="{_n(x)}" y="{_n(y)}" width="{_n(width * scale)}" '
            f'height="{_n(depth * scale)}" fill="{fill}" fill-opacity="0.55" stroke="#333" stroke-width="0.8"><title>{title}</title></rect>'
            f'{text}<circle cx="{_n(entry[0])}" cy="{_n(entry[1])}" r="2.5" fill="#d62728">'
            f'<title>cable entry of {escape(h.id)}</title></circle>')


def _cables(result: SolveResult, hall_of: dict, entry: dict) -> list[str]:
    count: Counter = Counter()
    media: dict = defaultdict(Counter)
    longest: dict = defaultdict(float)
    for link in result.layout.links:
        a, b = hall_of[link.a], hall_of[link.b]
        if a == b:
            continue
        key = tuple(sorted((a, b)))
        count[key] += link.count
        media[key][link.medium] += link.count
        longest[key] = max(longest[key], link.length_m)
    if not count:
        return []
    most = max(count.values())
    out = []
    for key in sorted(count):
        (xa, ya), (xb, yb) = entry[key[0]], entry[key[1]]
        width = 0.6 + 5.4 * count[key] / most
        title = escape(f"{key[0]} - {key[1]}: {count[key]:,} cables "
                       f"({', '.join(f'{m} {n:,}' for m, n in sorted(media[key].items()))}), "
                       f"longest {longest[key]:g} m")
        out.append(f'<line x1="{_n(xa)}" y1="{_n(ya)}" x2="{_n(xb)}" y2="{_n(yb)}" stroke="#d62728" '
                   f'stroke-opacity="0.45" stroke-width="{_n(width)}"><title>{title}</title></line>')
    return out


def _legend(problem: LayoutProblem, colours: dict, y: float, width: int) -> tuple[list[str], float]:
    items = [(colours[c.id], f"{c.id} ({c.system})") for c in problem.clusters]
    items.append(("#d62728", "cable entry; lines: cables between halls (width by count)"))
    return legend(items, y, width)
