"""The cables between halls, along the path the length model measures them.

The model (layout/problem.py, layout/geometry.py) runs a link between two
halls from its rack along the row and the end aisle to the hall's cable entry
(the network end of row 1: hall origin + (row length, 0)), then |dx| + |dy|
between the two entries, then to the other rack. Inside a hall the run
differs per rack; between the entries every cable of a pair of halls takes
the same Manhattan distance. Any staircase between the entries has that
length; the one drawn leaves the upper entry (smaller y, then x) along its
end aisle's line (x fixed) down to the lower entry's y, then runs along the
lower hall's entry line (y fixed) to it. Halls of stacked buildings share
end-aisle lines, and halls of a building share their entry line, so routes
meet on common segments.

Routes are cut at every entry's x (on lines of fixed y) and every entry's y
(on lines of fixed x) into elementary segments, each carrying the cables of
every route through it; neighbouring segments of one line carrying the same
cables merge into one `Run`. Everything is in integer millimetres, as the
model measures, and sorted, so the same layout gives the same runs.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict

import attrs

from ..layout.geometry import cross_after
from ..layout.problem import Hall, mm
from ..layout.result import Layout


@attrs.frozen
class Run:
    """A straight stretch of cable route: along x (`horizontal`, at y = `at`)
    or along y (at x = `at`), from `start` to `end` (mm, start < end)."""
    horizontal: bool
    at: int
    start: int
    end: int
    media: tuple                 # ((medium, cables), ...), most cables first, then by name
    pairs: int                   # pairs of halls whose cables run here

    @property
    def cables(self) -> int:
        return sum(n for _, n in self.media)


def row_length_mm(h: Hall) -> int:
    """A row's length as the length model takes it: slots and cross-aisles."""
    return h.slots_per_row * mm(h.slot_width_m) + len(cross_after(h)) * mm(h.cross_aisle_width_m)


def entries(halls: list[Hall]) -> dict[str, tuple[int, int]]:
    """Each hall's cable entry on the site (mm): its origin + (row length, 0)."""
    return {h.id: (mm(h.origin_xy_m[0]) + row_length_mm(h), mm(h.origin_xy_m[1])) for h in halls}


def between_halls(layout: Layout) -> dict[tuple[str, str], Counter]:
    """Cables between two halls, by medium, per pair of hall ids (sorted pair)."""
    hall_of = {p.id: p.hall for p in layout.placements}
    out: dict = defaultdict(Counter)
    for link in layout.links:
        a, b = hall_of[link.a], hall_of[link.b]
        if a != b:
            out[tuple(sorted((a, b)))][link.medium] += link.count
    return dict(out)


def path(a: tuple[int, int], b: tuple[int, int]) -> list[tuple[int, int]]:
    """Corner points of the drawn route between entries a and b (module docstring)."""
    (xa, ya), (xb, yb) = sorted((a, b), key=lambda p: (p[1], p[0]))
    return [(xa, ya), (xa, yb), (xb, yb)]


def runs(halls: list[Hall], pairs: dict[tuple[str, str], Counter]) -> list[Run]:
    """The routes of `pairs` (between_halls) bundled into runs, sorted."""
    at = entries(halls)
    xs = sorted({x for x, _ in at.values()})
    ys = sorted({y for _, y in at.values()})
    pieces: dict = defaultdict(Counter)          # (horizontal, at, start, end) -> media
    through: dict = defaultdict(set)
    for pair in sorted(pairs):
        (xa, ya), (_, yb), (xb, _) = path(at[pair[0]], at[pair[1]])
        for key in _cut(False, xa, ya, yb, ys) + _cut(True, yb, xa, xb, xs):
            pieces[key].update(pairs[pair])
            through[key].add(pair)
    return _merge(pieces, through)


def _cut(horizontal: bool, at: int, a: int, b: int, marks: list[int]) -> list[tuple]:
    """The elementary segments of the stretch a..b of a line, cut at `marks`."""
    lo, hi = min(a, b), max(a, b)
    if lo == hi:
        return []
    points = [lo] + [m for m in marks[bisect_left(marks, lo):] if lo < m < hi] + [hi]
    return [(horizontal, at, p, q) for p, q in zip(points, points[1:])]


def _merge(pieces: dict, through: dict) -> list[Run]:
    out: list[Run] = []
    for key in sorted(pieces):
        horizontal, at, start, end = key
        media = tuple(sorted(pieces[key].items(), key=lambda mn: (-mn[1], mn[0])))
        last = out[-1] if out else None
        if (last is not None and (last.horizontal, last.at, last.end) == (horizontal, at, start)
                and last.media == media and last.pairs == len(through[key])):
            out[-1] = attrs.evolve(last, end=end)
        else:
            out.append(Run(horizontal, at, start, end, media, len(through[key])))
    return out
