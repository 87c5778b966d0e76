"""How much room an SVG label takes, estimated without a font: the floor plan
places its labels by these boxes and the tests check them with the same rule.

A character is taken as CHAR_EM of the font size wide: sans-serif digits and
lower-case letters are 0.5-0.56 em (Helvetica, DejaVu Sans, Liberation Sans),
so 0.62 em is conservative for rack IDs, numbers and words; capitals run to
0.72 em (M, W and m to 0.83-0.94), so those count WIDE_EM. A line spans from 0.8 em
above its baseline to 0.25 em below (ascenders and descenders).
"""

from __future__ import annotations

CHAR_EM = 0.62
WIDE_EM = 0.85                     # capitals, m, w, % and @
ASCENT_EM, DESCENT_EM = 0.8, 0.25
LINE_EM = 1.15                     # baseline to baseline of stacked lines


def width(text: str, size: float) -> float:
    return size * sum(WIDE_EM if ch.isupper() or ch in "mw%@" else CHAR_EM for ch in text)


def extent(text: str, size: float, x: float, y: float, anchor: str = "start",
           rotated: bool = False) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) of a label at (x, y), its baseline's anchor point;
    `rotated`: turned -90 degrees about that point (reading upwards)."""
    w = width(text, size)
    u0 = {"start": 0.0, "middle": -w / 2, "end": -w}[anchor]
    u1 = u0 + w
    v0, v1 = -ASCENT_EM * size, DESCENT_EM * size
    if rotated:                                   # (x + u, y + v) -> (x + v, y - u)
        return x + v0, y - u1, x + v1, y - u0
    return x + u0, y + v0, x + u1, y + v1


def baseline_for_centre(cy: float, size: float) -> float:
    """The baseline that centres a line's box on cy."""
    return cy + (ASCENT_EM - DESCENT_EM) / 2 * size


def fit(lines: list[str], w: float, h: float, largest: float) -> tuple[float, bool]:
    """The largest font size (at most `largest`) at which `lines`, stacked, fit a
    w x h box with 1 px to spare on every side, and whether they fit turned
    (reading upwards) rather than level."""
    longest = max((width(s, 1.0) for s in lines), default=CHAR_EM) or CHAR_EM
    tall = ASCENT_EM + DESCENT_EM + LINE_EM * (len(lines) - 1)
    level = min(largest, (w - 2) / longest, (h - 2) / tall)
    turned = min(largest, (h - 2) / longest, (w - 2) / tall)
    return (turned, True) if turned > level * 1.2 else (level, False)   # level reads best


def overlaps(a: tuple, b: tuple) -> bool:
    """Two boxes share more than an edge."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
