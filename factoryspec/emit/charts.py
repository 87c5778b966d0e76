"""report.html's charts, as inline SVG written here.

Why not a charting library: the page must open without a network, byte for
byte the same from the same layout, and stay small for a campus of thousands
of racks. A JavaScript library would have to be vendored (hundreds of kB in
every report) and would draw at view time; these few bar charts, histograms
and a heat map are a few dozen SVG elements each, drawn once, to fixed
precision, and every mark carries its exact figure in a <title>.
"""

from __future__ import annotations

from html import escape
from math import ceil, log10

WIDTH = 820
LABEL_W = 200
PLOT_W = 250          # bars' length at the largest value; their figures in a column after
BAR_H = 16
GAP = 5
FONT = 'font-family="sans-serif" font-size="11"'
NEUTRAL = "#4e79a7"


def f(x: float) -> str:
    """Coordinates at 0.1 px: the same figures give the same bytes."""
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _svg(width: float, height: float, body: list[str], label: str) -> str:
    return (f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {f(width)} {f(height)}" '
            f'width="{f(width)}" height="{f(height)}" role="img" aria-label="{escape(label)}" {FONT}>'
            + "".join(body) + "</svg>")


def fullness(percent: float) -> str:
    """Green below 70 %, amber to 90 %, red beyond: how close a check is to its limit."""
    return "#59a14f" if percent < 70 else "#edc948" if percent < 90 else "#e15759"


def bars(items: list[tuple[str, float, str, str]], label: str, limit: float | None = None) -> str:
    """Horizontal bars, one per (label, value, text beside the bar, fill), scaled to
    the largest value (or `limit`, drawn as a line, e.g. 100 %)."""
    top = max([v for _, v, _, _ in items] + [limit or 0, 1e-12])
    span = PLOT_W
    body = []
    for i, (name, value, text, fill) in enumerate(items):
        y = GAP + i * (BAR_H + GAP)
        w = span * min(value, top) / top
        body.append(f'<text x="{LABEL_W - 6}" y="{f(y + BAR_H - 4)}" text-anchor="end">{escape(_clip(name))}</text>'
                    f'<rect x="{LABEL_W}" y="{f(y)}" width="{f(max(w, 0.5))}" height="{BAR_H}" fill="{fill}">'
                    f'<title>{escape(name)}: {escape(text)}</title></rect>'
                    f'<text x="{LABEL_W + span + 8}" y="{f(y + BAR_H - 4)}">{escape(_cut(text))}</text>')
    height = GAP + len(items) * (BAR_H + GAP)
    if limit:
        x = LABEL_W + span * limit / top
        body.append(f'<line x1="{f(x)}" y1="0" x2="{f(x)}" y2="{f(height)}" stroke="#333" stroke-dasharray="3 2"/>')
    return _svg(WIDTH, height + GAP, body, label)


def stacked(groups: list[tuple[str, list[tuple[str, float, str]], str, float | None]], label: str) -> str:
    """One horizontal bar per group (label, segments (name, value, text), text
    beside it, limit or None), segments in alternating shades; a group's limit is
    a tick across its bar."""
    top = max([sum(v for _, v, _ in segs) for _, segs, _, _ in groups]
              + [lim or 0 for _, _, _, lim in groups] + [1e-12])
    span = PLOT_W
    body = []
    for i, (name, segs, text, lim) in enumerate(groups):
        y = GAP + i * (BAR_H + GAP)
        x = float(LABEL_W)
        for k, (seg, value, seg_text) in enumerate(segs):
            w = span * value / top
            body.append(f'<rect x="{f(x)}" y="{f(y)}" width="{f(max(w, 0.5))}" height="{BAR_H}" '
                        f'fill="{NEUTRAL if k % 2 == 0 else "#76b7b2"}" stroke="#fff" stroke-width="0.5">'
                        f'<title>{escape(seg)}: {escape(seg_text)}</title></rect>')
            x += w
        body.append(f'<text x="{LABEL_W - 6}" y="{f(y + BAR_H - 4)}" text-anchor="end">{escape(_clip(name))}</text>'
                    f'<text x="{LABEL_W + span + 8}" y="{f(y + BAR_H - 4)}">{escape(_cut(text))}</text>')
        if lim:
            lx = LABEL_W + span * lim / top
            body.append(f'<line x1="{f(lx)}" y1="{f(y - 2)}" x2="{f(lx)}" y2="{f(y + BAR_H + 2)}" stroke="#e15759" '
                        f'stroke-width="2"><title>{escape(name)}: limit</title></line>')
    return _svg(WIDTH, GAP + len(groups) * (BAR_H + GAP) + GAP, body, label)


def nice_step(span: float, most: int) -> float:
    """The smallest 1, 2 or 5 x 10^k that cuts `span` into at most `most` bins."""
    if span <= 0:
        return 1.0
    base = 10 ** int(log10(span / most) // 1)
    for m in (1, 2, 5, 10):
        if span / (base * m) <= most:
            return base * m
    return base * 10


def histogram(name: str, lengths: list[tuple[float, int]], width: float = 270, height: float = 132) -> str:
    """Cables of one medium by length: (length m, cables) pairs in bins of a round
    width from 0 to the longest, bars by cable count."""
    longest = max(length for length, _ in lengths)
    step = nice_step(longest, 24)
    n = max(1, ceil(longest / step + 1e-9))
    if longest >= n * step:
        n += 1
    counts = [0] * n
    for length, count in lengths:
        counts[min(int(length // step), n - 1)] += count
    top = max(counts)
    left, bottom, plot_w, plot_h = 8, height - 18, width - 16, height - 52
    bw = plot_w / n
    body = [f'<text x="{left}" y="13" font-weight="bold">{escape(name)}</text>',
            f'<text x="{left}" y="27" fill="#555">{sum(counts):,} cables, bins of {step:g} m, '
            f'tallest {top:,}</text>']
    for i, c in enumerate(counts):
        if not c:
            continue
        h = plot_h * c / top
        body.append(f'<rect x="{f(left + i * bw)}" y="{f(bottom - h)}" width="{f(max(bw - 1, 0.5))}" '
                    f'height="{f(max(h, 0.5))}" fill="{NEUTRAL}"><title>{step * i:g}-{step * (i + 1):g} m: '
                    f'{c:,} cables</title></rect>')
    body.append(f'<line x1="{left}" y1="{bottom}" x2="{f(left + plot_w)}" y2="{bottom}" stroke="#999"/>'
                f'<text x="{left}" y="{height - 5}" fill="#555">0</text>'
                f'<text x="{f(left + plot_w)}" y="{height - 5}" text-anchor="end" fill="#555">{step * n:g} m</text>'
                f'<text x="{f(left + plot_w / 2)}" y="{height - 5}" text-anchor="middle" fill="#555">'
                f'longest {longest:g} m</text>')
    return _svg(width, height, body, f"cable lengths of {name}")


def heatmap(rows: list[str], cols: list[str], cells: dict, label: str, links: dict | None = None) -> str:
    """A grid of rows x cols, each cell (row, col) -> (percent, text) coloured by
    fullness and printed; empty where the row has no such measure. `links`: row ->
    the data-hall its label opens."""
    cw, ch, lw, head = 74, 18, 180, 74
    body = []
    for j, col in enumerate(cols):
        x = lw + j * cw + cw / 2
        body.append(f'<text transform="translate({f(x)},{head - 6}) rotate(-30)" font-size="10">'
                    f'{escape(col)}</text>')
    for i, row in enumerate(rows):
        y = head + i * ch
        attr = f' class="hall-link" data-hall="{escape(links[row])}"' if links and row in links else ""
        body.append(f'<text x="{lw - 6}" y="{f(y + ch - 5)}" text-anchor="end"{attr}>{escape(_clip(row, 28))}'
                    f'</text>')
        for j, col in enumerate(cols):
            cell = cells.get((row, col))
            if cell is None:
                continue
            pct, text = cell
            x = lw + j * cw
            body.append(f'<rect x="{f(x + 1)}" y="{f(y + 1)}" width="{cw - 2}" height="{ch - 2}" '
                        f'fill="{fullness(pct)}" fill-opacity="{f(0.25 + 0.75 * min(pct, 100) / 100)}">'
                        f'<title>{escape(row)} {escape(col)}: {escape(text)}</title></rect>'
                        f'<text x="{f(x + cw / 2)}" y="{f(y + ch - 5)}" text-anchor="middle">{pct:g}</text>')
    return _svg(lw + len(cols) * cw + 8, head + len(rows) * ch + 6, body, label)


def _cut(text: str, most: int = 58) -> str:
    """A figure's text that fits its column: its head (the figure comes first)."""
    return text if len(text) <= most else text[:most - 1] + "\u2026"


def _clip(text: str, most: int = 32) -> str:
    """A label that fits its column: the tail of a long name (its distinctive part)."""
    return text if len(text) <= most else "\u2026" + text[-(most - 1):]
