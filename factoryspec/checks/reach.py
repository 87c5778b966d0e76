"""Reach: a hall whose geometry makes some link longer than every medium reaches.

Cables follow the trays, so lengths are Manhattan distances along the rows and
across them, plus a vertical drop and slack at each end. Before solving we use
a lower bound that no layout can beat: the racks a fabric has in a hall
(placed compactly: whole rows of `slots_per_row` positions) span
`row length + (rows used - 1) x row_pitch` along the trays; every rack must
reach the switches above it (a single switch, or the spines of a leaf/spine
fabric, which every leaf reaches), and however those are placed, some rack is
at least half that span away. The longest link is thus at least
`span / 2 + 2 x (tray_height + slack)` (ports at the rack top; the cabling
block's tray_height and slack, 1 m each by default), or, when half the span is
within `in_row_max` so that link may run across the rack tops,
`span / 2 + 2 x (in_row_rise + in_row_slack)` if that is less. When that
exceeds the reach of every medium the fabric may use (its `media`, or every
medium in scope) no layout of that hall can cable the fabric: `cable-reach`.

Two limits need no hall span at all (layout/assign_halls.reach_checks):

* `fabric-media`: a fabric with no medium to use (none allowed, none in scope).
* `shortest-link-reach`: even two adjacent racks (one `slot_width` apart) need
  the drops and slack at both ends, `2 x (rack_height + tray_height) + 2 x
  slack` (a port may be at the rack's bottom), or across the rack tops, when
  `slot_width <= in_row_max`, `2 x (in_row_rise + in_row_slack)` if that is
  less, rounded up to whole `length_bin`s, while a medium reaches only its
  whole bins. When that is beyond every medium the fabric may use, no layout
  anywhere can cable it; it is reported instead of `cable-reach` for that
  fabric.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Iterator

from ..diagnostics import Diagnostic, error
from ..model import Factory, Fabric, Hall
from ..lang.units import LENGTH, Quantity
from ..lang.vocabulary import KINDS
from ._base import Measure, show

CODES = ("cable-reach", "shortest-link-reach", "fabric-media")


def _getter(f: Factory, fab: Fabric):
    """name -> value (m) of the cabling that applies to the fabric, or its default."""
    cab = None
    site = fab.site or (fab.cluster.site if fab.cluster is not None else None)
    if site is not None:
        cab = site.cabling
    cab = cab or f.cabling
    k = KINDS["cabling"]
    return (lambda a: getattr(cab, a).value) if cab is not None else (lambda a: k.attr(a).default.value)


def _cabling(f: Factory, fab: Fabric) -> tuple[Fraction, Fraction, Fraction]:
    """(both ends' vertical part with ports at the rack top: tray, then rack tops; in_row_max), in m."""
    get = _getter(f, fab)
    return (2 * (get("tray_height") + get("slack")), 2 * (get("in_row_rise") + get("in_row_slack")),
            get("in_row_max"))


def _vertical(f: Factory, fab: Fabric) -> tuple[Fraction, Fraction, Fraction, Fraction]:
    """(drops and slack of one tray link, rises and slack of one rack-top link, in_row_max,
    length bin), in m, as the solver's cable model."""
    get = _getter(f, fab)
    return (2 * (get("rack_height") + get("tray_height")) + 2 * get("slack"),
            2 * (get("in_row_rise") + get("in_row_slack")), get("in_row_max"), get("length_bin"))


def shortest_link(f: Factory, fab: Fabric) -> tuple[Fraction, Fraction] | None:
    """(shortest possible link, longest reach of its media), both in whole bins, in m; None
    when the fabric's cluster has no hall."""
    halls = fab.halls
    if not halls or not fab.usable_media:
        return None
    tray, top, top_max, bin_ = _vertical(f, fab)
    if bin_ <= 0:
        return None
    sw = min(h.slot_width.value for h in halls)
    raw = sw + (min(tray, top) if 0 < top_max and sw <= top_max else tray)
    need = -(-raw // bin_) * bin_
    reach = max(m.reach.value for m in fab.usable_media) // bin_ * bin_
    return need, reach


def _fabric_limits(f: Factory) -> tuple[list[Diagnostic], set]:
    """fabric-media and shortest-link-reach errors, and the fabrics they rule out."""
    out, ruled_out = [], set()
    for fab in f.fabrics:
        if not fab.complete or fab.sized is None or any(c.racks <= 0 for c in fab.members):
            continue
        if not fab.media:
            out.append(error("fabric-media", f"fabric {fab.qualname} may use no cable medium: "
                             + ("its `media` list is empty" if fab.media_explicit else "no `media` is in scope"),
                             fab.at("media"), "define or import media (e.g. `import catalog.nvidia`) or list "
                             "them in the fabric's `media`"))
            ruled_out.add(fab)
            continue
        if not fab.usable_media:            # all too slow: checks/media.py says so
            ruled_out.add(fab)
            continue
        limits = shortest_link(f, fab)
        if limits is not None and limits[0] > limits[1]:
            need, reach = limits
            which = "allowed" if fab.media_explicit else "in scope"
            best = max(fab.usable_media, key=lambda m: m.reach.value)
            out.append(error("shortest-link-reach", f"fabric {fab.qualname}: even two adjacent racks need "
                             f"{show(Quantity(need, LENGTH))} of cable (drops to the trays or rises to the rack "
                             f"tops, and slack, at both ends, in whole length bins), more than any medium {which} reaches (the longest, "
                             f"{best.qualname}, reaches {show(best.reach)}; "
                             f"{show(Quantity(reach, LENGTH))} in whole bins)", fab.at("media"),
                             "allow a longer-reach medium in `media`, or shorten the cabling's rack_height, "
                             "tray_height, slack, in_row_rise, in_row_slack or length_bin"))
            ruled_out.add(fab)
    return out, ruled_out


def longest_link(h: Hall, racks: int, tray: Fraction, top: Fraction, top_max: Fraction) -> Fraction:
    """Lower bound (m) on the longest link of a fabric with `racks` racks in hall `h`; `tray`
    and `top` are both ends' vertical parts of the two routes, `top_max` in_row_max."""
    per_row = max(h.slots_per_row - h.net_per_row, 1)
    rows = min(-(-racks // per_row), max(h.rows, 1))
    length = min(racks, per_row) * h.slot_width.value
    span = length + (rows - 1) * h.row_pitch.value
    # that link runs at least span / 2; across the rack tops only if it may be that short
    return span / 2 + (min(tray, top) if span / 2 <= top_max else tray)


def measure(f: Factory) -> Iterator[Measure]:
    built_in: dict = {}                          # as built: fabric -> halls it has cables in
    for h in f.halls:
        for fab in h.load.longest or ():
            built_in.setdefault(fab, []).append(h)
    for fab in f.fabrics:
        if not fab.members or fab.sized is None or not fab.usable_media:
            continue
        best = max(fab.usable_media, key=lambda m: m.reach.value)
        tray, top, top_max = _cabling(f, fab)
        built = built_in.get(fab, [])
        for h in built:                                     # as built: the layout's own longest cable
            yield Measure("cable-reach", f"hall {h.qualname} fabric {fab.qualname} longest link",
                          h.load.longest[fab], best.reach, h.at(), "m", None)
        for h, racks in ({} if built else fab.placement).items():
            need = longest_link(h, racks, tray, top, top_max)
            yield Measure("cable-reach", f"hall {h.qualname} fabric {fab.qualname} longest link",
                          Quantity(need, LENGTH), best.reach, h.at(), "m", (h, fab, best, racks))


def check(f: Factory) -> Iterator[Diagnostic]:
    errors, ruled_out = _fabric_limits(f)
    yield from errors
    for m in measure(f):
        if not m.exceeded or m.ctx is None:      # as-built figures are verify's to judge
            continue
        h, fab, best, racks = m.ctx
        if fab in ruled_out:
            continue
        which = "allowed" if fab.media_explicit else "in scope"
        yield error("cable-reach", f"hall {h.qualname}: the {racks:,} racks of fabric {fab.qualname} span the "
                    f"hall so that some link runs at least {show(m.used)} along the trays, longer than any "
                    f"medium {which} reaches (the longest, {best.qualname}, reaches {show(best.reach)})", m.span,
                    "allow a longer-reach medium in the fabric's `media` (optical), or use a smaller hall")
