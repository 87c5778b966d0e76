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

Each line (of fixed x or fixed y) is cut wherever a route on it starts or
ends, into segments carrying the cables of every route through them;
neighbouring segments of one line carrying the same cables make one `Run`. Everything is in integer millimetres, as the
model measures, and sorted, so the same layout gives the same runs.
"""

from __future__ import annotations

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
    """The routes of `pairs` (between_halls) bundled into runs, sorted.

    A sweep along each line: every route adds its cables where it enters the
    line and takes them off where it leaves, so the work grows with the pairs
    and the points where routes start or end, not with their lengths (a
    campus of hundreds of halls has tens of thousands of pairs)."""
    at = entries(halls)
    events: dict = defaultdict(lambda: defaultdict(lambda: [Counter(), 0]))   # line -> point -> [media, pairs]
    for pair in sorted(pairs):
        (xa, ya), (_, yb), (xb, _) = path(at[pair[0]], at[pair[1]])
        for line, a, b in (((False, xa), ya, yb), ((True, yb), xa, xb)):
            if a != b:
                lo, hi = min(a, b), max(a, b)
                events[line][lo][0].update(pairs[pair])
                events[line][lo][1] += 1
                events[line][hi][0].subtract(pairs[pair])
                events[line][hi][1] -= 1
    out: list[Run] = []
    for (horizontal, at_), points in sorted(events.items()):
        media, through, start = Counter(), 0, None
        for point in sorted(points):
            if through and start is not None:
                _extend(out, Run(horizontal, at_, start, point, _ranked(media), through))
            delta, n = points[point]
            media.update(delta)
            through += n
            start = point
    return out


def _ranked(media: Counter) -> tuple:
    return tuple(sorted(((m, n) for m, n in media.items() if n), key=lambda mn: (-mn[1], mn[0])))


def _extend(out: list[Run], run: Run) -> None:
    """Append the run, or lengthen the last one where it goes on with the same cables."""
    last = out[-1] if out else None
    if last is not None and (last.horizontal, last.at, last.end, last.media, last.pairs) == \
            (run.horizontal, run.at, run.start, run.media, run.pairs):
        out[-1] = attrs.evolve(last, end=run.end)
    else:
        out.append(run)
