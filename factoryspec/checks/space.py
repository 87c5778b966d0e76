"""Space: racks against slots, halls against buildings, buildings against land,
and the geometry of each hall.

* `hall-slots`: the compute racks placed in a hall plus its network racks
  (ceil(switches placed there / switch.per_rack), per fabric) must fit its
  positions that are not reserved. Compute racks never exceed the free compute
  positions (placement stops there); network racks may overflow.
* `cluster-space`: racks of a cluster that fit none of its halls (even fill by
  free positions, see model/derive.py), or a cluster with no hall at all.
* `hall-geometry`: rows run along the hall's width, so `rows x row_pitch` must
  fit its depth and `slots_per_row x slot_width` plus `cross_aisles x 1.2 m`
  (the TIA-942 aisle width) must fit its width.
* `hall-area`: the halls of a building (width x depth each) must fit the
  building's footprint x floors.
* `building-land`: the buildings' footprints must fit the site's land.
* `hall-overlap`: no two halls may overlap on the site plan (model/derive.py:
  `position`s where given, else halls side by side and buildings one after
  another); halls of a multi-floor building are not compared with each other.
* `rack-fit`: a system's rack must fit a hall's positions: its width within
  `slot_width`, its depth within `row_pitch`.
* NVLink domains and scalable units against the rows: the contiguity rule.
* `reserved-out-of-range`: a `reserved` block naming a row or slots the hall
  does not have.
"""

from __future__ import annotations

import bisect
import heapq
from fractions import Fraction
from typing import Iterator

from ..diagnostics import Diagnostic, error, warning
from ..model import Factory
from ..lang.units import AREA, LENGTH, Quantity, format_quantity
from ._base import Measure, show

CODES = ("check-budget", "hall-overlap", "hall-slots", "cluster-space", "hall-geometry", "hall-area", "building-land", "rack-fit",
         "reserved-out-of-range")

# Width of one cross-aisle: TIA-942 suggests a 1.2 m aisle.
CROSS_AISLE_WIDTH = Quantity(Fraction(6, 5), LENGTH)


def rows_extent_key(h) -> tuple:
    """What rows_extent depends on, by identity (see there)."""
    return id(h.row_pitch.value), h.rows, id(h.slot_width.value), h.slots_per_row, h.cross_aisles


def rows_extent(h, memo: dict) -> tuple[Fraction, Fraction]:
    """(depth, width) that the rows of hall `h` need: rows x row_pitch, and
    slots_per_row x slot_width plus the cross-aisles.

    The copies of a repeated hall share their values' objects, so `memo` is
    keyed by identity (exact arithmetic is the cost of 100,000 halls, hashing
    a Fraction costs as much): it must not outlive the halls, keep it to one
    check of one model."""
    key = rows_extent_key(h)
    extent = memo.get(key)
    if extent is None:
        extent = memo[key] = (h.row_pitch.value * h.rows,
                              h.slot_width.value * h.slots_per_row + CROSS_AISLE_WIDTH.value * h.cross_aisles)
    return extent


def measure(f: Factory) -> Iterator[Measure]:
    memo: dict = {}
    for h in f.halls:
        used = h.load.compute_racks + h.load.network_racks
        if used:
            yield Measure("hall-slots", f"hall {h.qualname} slots", used, h.usable_slots, h.at(), "slots", h)
        depth, width = rows_extent(h, memo)
        yield Measure("hall-geometry", f"hall {h.qualname} depth", Quantity(depth, LENGTH), h.size.depth,
                      h.at("rows"), "m", h)
        yield Measure("hall-geometry", f"hall {h.qualname} width", Quantity(width, LENGTH), h.size.width,
                      h.at("slots_per_row"), "m", h)
    for b in f.buildings:
        if b.size is not None and b.halls:
            area = Quantity(sum((h.size.area.value for h in b.halls), Fraction(0)), AREA)
            limit = Quantity(b.size.area.value * b.floors, AREA)
            yield Measure("hall-area", f"building {b.qualname} floor area", area, limit, b.at("size"), "m2", b)
    for s in f.sites:
        sized = [b for b in s.buildings if b.size is not None]
        if s.land is not None and sized:
            area = Quantity(sum((b.size.area.value for b in sized), Fraction(0)), AREA)
            yield Measure("building-land", f"site {s.qualname} land", area, s.land, s.at("land"), "m2", s)


def check(f: Factory) -> Iterator[Diagnostic]:
    for m in measure(f):
        if not m.exceeded:
            continue
        if m.check == "hall-slots":
            h = m.ctx
            reserved = f", {h.reserved_slots:,} reserved" if h.reserved_slots else ""
            yield error("hall-slots", f"hall {h.qualname} must hold {h.load.compute_racks:,} compute racks and "
                        f"{h.load.network_racks:,} network racks, {m.used:,} in all, but has {m.limit:,} positions "
                        f"({h.rows} rows x {h.slots_per_row} slots{reserved})",
                        m.span, "add rows or slots, raise switch `per_rack`, or give the clusters more halls")
        elif m.check == "hall-geometry":
            h = m.ctx
            if m.subject.endswith("depth"):
                yield error("hall-geometry", f"hall {h.qualname}: {h.rows} rows x {show(h.row_pitch)} pitch = "
                            f"{show(m.used)}, deeper than the hall ({show(h.size.depth)})", m.span,
                            "rows run along the width: fewer rows, a tighter row_pitch, or a deeper hall")
            else:
                aisles = (f" + {h.cross_aisles} cross-aisles x {show(CROSS_AISLE_WIDTH)}"
                          if h.cross_aisles else "")
                yield error("hall-geometry", f"hall {h.qualname}: {h.slots_per_row} slots x "
                            f"{show(h.slot_width)}{aisles} = {show(m.used)}, wider than the hall "
                            f"({show(h.size.width)})", m.span, "fewer slots per row, or a wider hall")
        elif m.check == "hall-area":
            b = m.ctx
            floors = f" x {b.floors} floors" if b.floors > 1 else ""
            yield error("hall-area", f"the halls of building {b.qualname} cover {show(m.used)} but the building "
                        f"has {show(m.limit)} ({b.size}{floors})", m.span,
                        "make the building larger (or add floors), or the halls smaller")
        else:
            s = m.ctx
            yield error("building-land", f"the buildings of site {s.qualname} cover {show(m.used)} but the "
                        f"site has {show(m.limit)} of land", m.span, "more land, or smaller buildings")
    yield from _clusters(f)
    yield from _fit(f)
    yield from _reserved(f)
    yield from _overlaps(f)


def _overlaps(f: Factory) -> Iterator[Diagnostic]:
    """Halls whose floors overlap on the site plan (derive.plan). Halls of a
    building with several floors may stand above each other, so they are not
    compared with each other. A sweep along x in floats finds the candidates
    (_candidates); each is then decided exactly (touching halls do not
    overlap). Pairs are reported in sweep order: by the later hall's place
    along x, then the earlier one's along y; lazily, so that checks.run's
    budget stops a spec of thousands of halls on one spot early."""
    order = {h: i for i, h in enumerate(f.halls)}
    box = {h: _box(h) for h in f.halls if h.origin is not None}
    placed = sorted(box, key=lambda h: (box[h][0], box[h][2], order[h]))
    boxes = [box[h] for h in placed]
    for k, (i, j) in enumerate(_candidates(boxes)):
        a, b = placed[i], placed[j]
        if k == MAX_PAIRS:
            # Stacked halls of a building with floors are not reported, so
            # no diagnostic budget stops their pairs: this does.
            yield warning("check-budget", f"the overlap check stopped after {MAX_PAIRS:,} pairs of halls that "
                          f"stand on one another (at hall {b.qualname}); the pairs after it are not checked",
                          b.at("position"), "give the halls positions of their own")
            return
        if a.building is b.building and a.building is not None and a.building.floors > 1:
            continue
        if not _overlap(a, b):
            continue
        first, later = sorted((a, b), key=order.get)     # reported where the later one is placed
        owner = later if later.is_set("position") or later.building is None else later.building
        yield error("hall-overlap", f"halls {first.qualname} and {later.qualname} overlap on the site "
                    f"plan: {_rect(first)} and {_rect(later)}", owner.at("position"),
                    "give the halls (or their buildings) `position`s that keep them apart; links "
                    "between halls are measured on this plan")


SLACK = 1e-6                               # m: floats only pick candidates
MAX_PAIRS = 1_000_000                      # candidate pairs examined (about 1 s)


def _near(a: tuple, b: tuple) -> bool:
    """The float test for a candidate pair, `a` before `b` along x: their
    boxes come within SLACK of each other."""
    ax0, ax1, ay0, ay1 = a
    bx0, _, by0, by1 = b
    return bx0 < ax1 + SLACK and by0 < ay1 + SLACK and ay0 < by1 + SLACK


def _candidates(boxes: list[tuple]) -> Iterator[tuple[int, int]]:
    """Pairs (i, j), i < j, of `boxes` (sorted by x0) that pass _near.

    Comparing each box with every later one that starts before it ends is
    quadratic when many boxes share a stretch of x (buildings one after
    another along y put a hall of each in the same column). So the sweep keeps
    the boxes still open along x in a max-tree over their y ranges and asks it
    only for those that reach the new box's y range: O((n + pairs) log n).
    The tree works on ranges widened by SLACK (closed), which pick every pair
    _near picks, and _near then decides exactly as a plain sweep would."""
    n = len(boxes)
    if n < 2:
        return
    lo = [(b[2] - SLACK, k) for k, b in enumerate(boxes)]
    lo.sort()
    slot = [0] * n                         # box -> its leaf, in order of y0
    for leaf, (_, k) in enumerate(lo):
        slot[k] = leaf
    los = [y for y, _ in lo]
    tree = _MaxTree(n)
    open_: list[tuple[float, int]] = []    # heap of (x1 widened, box) still open
    for j, b in enumerate(boxes):
        x_from = b[0] - SLACK
        while open_ and open_[0][0] < x_from:
            tree.set(slot[heapq.heappop(open_)[1]], _NONE)
        y_from, y_to = b[2] - SLACK, b[3] + SLACK
        for leaf in tree.at_least(y_from, bisect.bisect_right(los, y_to)):
            i = lo[leaf][1]
            if _near(boxes[i], b):
                yield i, j
        tree.set(slot[j], y_to)
        heapq.heappush(open_, (b[1] + SLACK, j))


_NONE = float("-inf")


class _MaxTree:
    """Leaves 0..n-1 with float values (_NONE when empty); the maximum of each
    subtree is kept so a search skips subtrees with no value high enough."""

    def __init__(self, n: int) -> None:
        self.size = 1 << max(n - 1, 0).bit_length()
        self.t = [_NONE] * (2 * self.size)

    def set(self, leaf: int, value: float) -> None:
        t, k = self.t, leaf + self.size
        t[k] = value
        k >>= 1
        while k:            # up to the first ancestor whose maximum stays as it was
            a, b = t[2 * k], t[2 * k + 1]
            m = a if a > b else b
            if t[k] == m:
                break
            t[k] = m
            k >>= 1

    def at_least(self, value: float, end: int) -> Iterator[int]:
        """Leaves before `end` whose value is at least `value`, in leaf order."""
        t, size = self.t, self.size
        stack = [(1, 0, size)]
        while stack:
            k, l, r = stack.pop()
            if l >= end or t[k] < value:
                continue
            if k >= size:
                yield k - size
                continue
            m = (l + r) // 2
            stack.append((2 * k + 1, m, r))
            stack.append((2 * k, l, m))


def _box(h) -> tuple[float, float, float, float]:
    (x, y), size = h.origin, h.size
    x, y = _float(x.value), _float(y.value)
    return x, x + _float(size.width.value), y, y + _float(size.depth.value)


def _float(q: Fraction) -> float:
    return q.numerator / q.denominator     # what float(q) computes, without its dispatch


def _overlap(a, b) -> bool:
    """Exact: the open rectangles of two halls intersect."""
    (ax, ay), (bx, by) = ((q.value for q in h.origin) for h in (a, b))
    return (bx < ax + a.size.width.value and ax < bx + b.size.width.value
            and by < ay + a.size.depth.value and ay < by + b.size.depth.value)


def _rect(h) -> str:
    x, y = h.origin
    return f"{h.size} at ({format_quantity(x, 'm')}, {format_quantity(y, 'm')})"


def _clusters(f: Factory) -> Iterator[Diagnostic]:
    for c in f.clusters:
        if not c.complete:
            continue
        if not c.halls:
            yield error("cluster-space", f"cluster {c.qualname} has {c.racks:,} racks and no hall to put them in",
                        c.at("racks"), "add a building with halls, or name them in `halls`")
            continue
        if c.unplaced > 0:
            placed = c.racks - c.unplaced
            names = ", ".join(h.qualname for h in c.halls[:4]) + (", ..." if len(c.halls) > 4 else "")
            yield error("cluster-space", f"cluster {c.qualname} has {c.racks:,} racks but its halls ({names}) "
                        f"take only {placed:,} of them; {c.unplaced:,} racks have no slot",
                        c.at("racks"), "add halls (or name more in `halls`), add rows, or reduce `racks`")


def _fit(f: Factory) -> Iterator[Diagnostic]:
    for h in f.halls:
        systems = []
        for c in h.load.compute:
            if c.system not in systems:
                systems.append(c.system)
        for s in systems:
            fp = s.footprint
            if fp.width.value > h.slot_width.value:
                yield error("rack-fit", f"system {s.qualname} is {show(fp.width)} wide but hall {h.qualname}'s "
                            f"positions are {show(h.slot_width)}", h.at("slot_width"),
                            f"set slot_width to at least {show(fp.width)}")
            if fp.depth.value >= h.row_pitch.value:
                yield error("rack-fit", f"system {s.qualname} is {show(fp.depth)} deep, which leaves no aisle in "
                            f"hall {h.qualname}'s row pitch of {show(h.row_pitch)}", h.at("row_pitch"),
                            "the row pitch is rack depth plus the hot and cold aisles")


def _reserved(f: Factory) -> Iterator[Diagnostic]:
    for h in f.halls:
        for r in h.reserved:
            if not 1 <= r.row <= h.rows:
                yield error("reserved-out-of-range", f"hall {h.qualname} has rows 1..{h.rows}; there is no row "
                            f"{r.row}", r.at("row"))
            elif r.start < 1 or r.end > h.slots_per_row or r.start > r.end:
                yield error("reserved-out-of-range", f"hall {h.qualname}'s rows have slots 1..{h.slots_per_row}; "
                            f"`{r.start}..{r.end}` is outside them", r.at("slots"))
