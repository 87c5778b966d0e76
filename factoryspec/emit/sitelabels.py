"""Text on the site plan that never overlaps other text.

A label's box is estimated, not measured (an emitter has no fonts): CHAR_EM
of the font size per character, wider than the average sans-serif glyph
(Arial and Liberation Sans ~0.5-0.56 em, DejaVu Sans ~0.6 em), and the font
size high (ascent and descent). A label is placed only where its box misses
every box placed before it; otherwise the caller tries another place or
leaves it out (the element's tooltip still says it).
"""

from __future__ import annotations

from html import escape

CHAR_EM = 0.64          # width of a character, in font sizes
BOLD = 1.1              # bold glyphs are wider
PAD = 1.5               # px kept clear around each box

Box = tuple[float, float, float, float]          # x0, y0, x1, y1


def width(text: str, size: float, bold: bool = False) -> float:
    return len(text) * size * CHAR_EM * (BOLD if bold else 1.0)


def box(x: float, y: float, text: str, size: float, anchor: str = "start", vertical: bool = False,
        bold: bool = False) -> Box:
    """The box of text drawn at (x, y) (its baseline), left to right, or, when
    `vertical`, turned a quarter left about (x, y) (reading upwards)."""
    w = width(text, size, bold)
    u0 = {"start": 0.0, "middle": -w / 2, "end": -w}[anchor]
    up, down = 0.8 * size, 0.25 * size                     # ascent above, descent below the baseline
    if not vertical:
        return x + u0, y - up, x + u0 + w, y + down
    return x - up, y - u0 - w, x + down, y - u0


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] + PAD and b[0] < a[2] + PAD and a[1] < b[3] + PAD and b[1] < a[3] + PAD


CELL = 64.0             # px: boxes are filed by the grid cells they touch


class Labels:
    """The texts placed so far, and the SVG of each. Boxes are filed in a
    grid, so a campus of thousands of labels checks each against its
    neighbours only."""

    def __init__(self):
        self.boxes: list[Box] = []
        self.svg: list[str] = []
        self.grid: dict[tuple[int, int], list[Box]] = {}

    def free(self, b: Box) -> bool:
        return not any(overlaps(b, other) for cell in _cells(b) for other in self.grid.get(cell, ()))

    def _file(self, b: Box) -> None:
        self.boxes.append(b)
        for cell in _cells(b):
            self.grid.setdefault(cell, []).append(b)

    def place(self, x: float, y: float, text: str, size: float, anchor: str = "start", vertical: bool = False,
              bold: bool = False, fill: str = "#111", halo: bool = False, force: bool = False) -> bool:
        """Draw the text if its box is free (or `force`, for text laid out to
        stand clear by construction); True if drawn."""
        b = box(x, y, text, size, anchor, vertical, bold)
        if not force and not self.free(b):
            return False
        self._file(b)
        # labels never take a click: a hall's label lets it through to the hall
        attrs = [f'x="{coord(x)}" y="{coord(y)}" font-size="{coord(size)}" pointer-events="none"']
        if anchor != "start":
            attrs.append(f'text-anchor="{anchor}"')
        if vertical:
            attrs.append(f'transform="rotate(-90 {coord(x)} {coord(y)})"')
        if bold:
            attrs.append('font-weight="bold"')
        if fill != "#111":
            attrs.append(f'fill="{fill}"')
        if halo:
            attrs.append('stroke="#fff" stroke-width="2.5" stroke-linejoin="round" paint-order="stroke"')
        self.svg.append(f'<text {" ".join(attrs)}>{escape(text)}</text>')
        return True


def _cells(b: Box) -> list[tuple[int, int]]:
    """The grid cells a box touches, its padding included."""
    x0, y0 = int((b[0] - PAD) // CELL), int((b[1] - PAD) // CELL)
    x1, y1 = int((b[2] + PAD) // CELL), int((b[3] + PAD) // CELL)
    return [(i, j) for i in range(x0, x1 + 1) for j in range(y0, y1 + 1)]


def wrap(text: str, size: float, room: float) -> list[str]:
    """`text` in lines no wider than `room` px at `size`, broken at spaces."""
    lines, line = [], ""
    for word in text.split(" "):
        trial = f"{line} {word}" if line else word
        if line and width(trial, size) > room:
            lines.append(line)
            line = word
        else:
            line = trial
    return lines + ([line] if line else [])


def coord(x: float) -> str:
    """Coordinates with fixed precision: the same layout gives the same bytes."""
    return f"{x:.1f}".rstrip("0").rstrip(".")
