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
block's tray_height and slack, 1 m each by default). When that exceeds the
reach of every medium the fabric may use (its `media`, or every medium in
scope) no layout of that hall can cable the fabric: `cable-reach`.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Iterator

from ..diagnostics import Diagnostic, error
from ..model import Factory, Fabric, Hall
from ..units import LENGTH, Quantity
from ..vocabulary import KINDS
from ._base import Measure, show

CODES = ("cable-reach",)


def _cabling(f: Factory, fab: Fabric) -> tuple[Fraction, Fraction]:
    cab = None
    if fab.cluster is not None and fab.cluster.site is not None:
        cab = fab.cluster.site.cabling
    cab = cab or f.cabling
    if cab is not None:
        return cab.tray_height.value, cab.slack.value
    k = KINDS["cabling"]
    return k.attr("tray_height").default.value, k.attr("slack").default.value


def longest_link(h: Hall, racks: int, tray: Fraction, slack: Fraction) -> Fraction:
    """Lower bound (m) on the longest link of a fabric with `racks` racks in hall `h`."""
    per_row = max(h.slots_per_row - h.net_per_row, 1)
    rows = min(-(-racks // per_row), max(h.rows, 1))
    length = min(racks, per_row) * h.slot_width.value
    span = length + (rows - 1) * h.row_pitch.value
    return span / 2 + 2 * (tray + slack)


def measure(f: Factory) -> Iterator[Measure]:
    for fab in f.fabrics:
        c = fab.cluster
        if c is None or fab.sized is None or not fab.media:
            continue
        best = max(fab.media, key=lambda m: m.reach.value)
        tray, slack = _cabling(f, fab)
        built = [h for h in f.halls if h.load.longest is not None and fab in h.load.longest]
        for h in built:                                     # as built: the layout's own longest cable
            yield Measure("cable-reach", f"hall {h.qualname} fabric {fab.qualname} longest link",
                          h.load.longest[fab], best.reach, h.at(), "m", None)
        for h, racks in ({} if built else c.placement).items():
            need = longest_link(h, racks, tray, slack)
            yield Measure("cable-reach", f"hall {h.qualname} fabric {fab.qualname} longest link",
                          Quantity(need, LENGTH), best.reach, h.at(), "m", (h, fab, best, racks))


def check(f: Factory) -> Iterator[Diagnostic]:
    for m in measure(f):
        if not m.exceeded or m.ctx is None:      # as-built figures are verify's to judge
            continue
        h, fab, best, racks = m.ctx
        which = "allowed" if fab.media_explicit else "in scope"
        yield error("cable-reach", f"hall {h.qualname}: the {racks:,} racks of fabric {fab.qualname} span the "
                    f"hall so that some link runs at least {show(m.used)} along the trays, longer than any "
                    f"medium {which} reaches (the longest, {best.qualname}, reaches {show(best.reach)})", m.span,
                    "allow a longer-reach medium in the fabric's `media` (optical), or use a smaller hall")
