"""Proportions an engineer would question: nothing overflows, but the figures
do not fit together. All are warnings.

* `hall-underused`: the rows of a hall with their aisles, `rows x row_pitch`
  deep by `slots_per_row x slot_width` (plus 1.2 m per cross-aisle) wide, cover
  less than 25 % of the hall's `size`. Why 25 %: the row pitch already holds the
  hot and cold aisles, so in a real hall the rows take about 50-80 % of the
  floor; the rest is end-of-row and perimeter aisles, in-room CDUs or PDUs and
  egress routes. Below a quarter the hall is more than four times the floor its
  rows need, which no aisle or equipment allowance explains; it is usually a
  size in the wrong unit or a draft row count (a hall 120 m wide whose rows
  fill 12 m).
* `excess-land`: a site's `land` is 100 times (or more) the footprints of its
  buildings, i.e. they cover 1 % of it or less. Campuses usually build on
  10-40 % of their land (setbacks, substations, cooling yards, roads and later
  phases take the rest); 1 % suggests a unit slip (acre for m2, km2 for ha) or
  a parcel bought for buildings the spec does not hold yet.
* `scalable-unit-remainder`: a cluster's `racks` is not a whole number of its
  `scalable_unit`s; the layout then ends the cluster with a short unit.

Figures left out or impossible (a hall deeper than its rows allow, a zero
size, a site that lost a building to an error) are other rules' business, so
those cases are skipped here.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Iterator

from ..diagnostics import Diagnostic, warning
from ..model import Factory
from ..lang.units import AREA, LENGTH, Quantity
from ._base import share, show
from .space import rows_extent, rows_extent_key

CODES = ("hall-underused", "excess-land", "scalable-unit-remainder")

MIN_HALL_USE = Fraction(1, 4)     # rows and their aisles / hall floor (see the module docstring)
MAX_LAND_RATIO = 100              # land / building footprints


def check(f: Factory) -> Iterator[Diagnostic]:
    memo: dict = {}
    for h in f.halls:
        yield from _hall(h, memo)
    for s in f.sites:
        yield from _land(s)
    for c in f.clusters:
        yield from _scalable_unit(c)


def _underused(h, memo: dict) -> tuple | None:
    """(depth, width, floor, used) of a hall whose rows use too little of its
    floor, else None. Keyed like space.rows_extent (by identity, one check
    only): the copies of a repeated hall need the arithmetic once. The memo
    is shared with rows_extent, whose keys are shorter."""
    key = (id(h.size.width.value), id(h.size.depth.value), *rows_extent_key(h))
    if key in memo:
        return memo[key]
    depth, width = rows_extent(h, memo)
    floor = h.size.area.value
    found = None
    if floor <= 0 or depth <= 0 or width <= 0:
        pass                        # a zero is the sanity rule's
    elif depth > h.size.depth.value or width > h.size.width.value:
        pass                        # the rows do not fit at all: hall-geometry
    elif (used := depth * width) < MIN_HALL_USE * floor:
        found = (depth, width, floor, used)
    memo[key] = found
    return found


def _hall(h, memo: dict) -> Iterator[Diagnostic]:
    found = _underused(h, memo)
    if found is None:
        return
    depth, width, floor, used = found
    aisles = f" + {h.cross_aisles} cross-aisles" if h.cross_aisles else ""
    need = f"{show(Quantity(width, LENGTH))} x {show(Quantity(depth, LENGTH))}"
    yield warning("hall-underused",
                  f"hall {h.qualname}: its rows and their aisles cover {show(Quantity(used, AREA))} "
                  f"({h.rows} rows x {show(h.row_pitch)} pitch = {show(Quantity(depth, LENGTH))} deep, "
                  f"{h.slots_per_row} slots x {show(h.slot_width)}{aisles} = {show(Quantity(width, LENGTH))} "
                  f"wide), {share(used / floor)} of its {h.size} floor ({show(Quantity(floor, AREA))}); under "
                  f"{share(MIN_HALL_USE)} the hall is over {int(1 / MIN_HALL_USE)} times what its rows need",
                  h.at("size"),
                  f"make the hall closer to {need} plus aisles, or add rows or slots; "
                  "`allow = [\"hall-underused\"]` in the hall if the floor is kept for later rows")


def _land(s) -> Iterator[Diagnostic]:
    if s.land is None or not s.complete or not s.buildings or any(b.size is None for b in s.buildings):
        return                      # unsized buildings: their need is unknown, so is the ratio
    built = sum((b.size.area.value for b in s.buildings), Fraction(0))
    if built <= 0 or s.land.value < MAX_LAND_RATIO * built:
        return
    n = len(s.buildings)
    yield warning("excess-land",
                  f"site {s.qualname} has {show(s.land)} of land, {float(s.land.value / built):,.1f} x the "
                  f"{show(Quantity(built, AREA))} {'its building covers' if n == 1 else f'its {n} buildings cover'} (they use "
                  f"{share(built / s.land.value)} of it; {MAX_LAND_RATIO} x or more is questioned)",
                  s.at("land"),
                  "check the unit of `land` (acre, ha, km2); if the parcel holds later phases, add their "
                  "buildings, or `allow = [\"excess-land\"]` in the site")


def _scalable_unit(c) -> Iterator[Diagnostic]:
    su, racks = c.scalable_unit, c.racks - c.appliance_racks     # appliances' own racks are no unit's
    if su <= 1 or racks % su == 0:
        return
    units, rest = divmod(racks, su)
    below, above = units * su, (units + 1) * su
    if units:
        what = f"{units:,} scalable unit{'s' if units > 1 else ''} of {su} and {rest} racks left over"
        nearest = f"{below:,} or {above:,} racks ({units:,} or {units + 1:,} units)"
    else:
        what = f"less than one scalable unit of {su}"
        nearest = f"{above:,} racks (one unit)"
    yield warning("scalable-unit-remainder",
                  f"cluster {c.qualname}: {racks:,} racks are {what}; the last unit would be short",
                  c.at("scalable_unit"), f"use {nearest}, or a scalable_unit that divides {racks:,}")
