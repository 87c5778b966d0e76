"""Runs of compute positions in a hall's rows, as the solver packs them.

A scalable unit (or NVLink domain) stands on consecutive compute positions of
one row and one cross-aisle section (layout/assign_halls.row_segments): the
network slots at the row's end, reserved slots and cross-aisles all cut a
row's compute positions into runs. Computed per class of rows (rows without
reservations are all alike, each reserved row on its own), never per slot,
so it stays fast on a large campus.
"""

from __future__ import annotations

from fractions import Fraction

from ..model.types import Cluster, Hall


def cross_after(h: Hall) -> list[int]:
    """Slots after which each cross-aisle lies (as layout/geometry.cross_after)."""
    c, n = h.cross_aisles, h.slots_per_row
    if c <= 0 or n <= 1:
        return []
    if c + 1 >= n:                 # an aisle after every slot: no need to enumerate c of them
        return list(range(1, n))
    return sorted({k * n // (c + 1) for k in range(1, c + 1)} & set(range(1, n)))


def runs(h: Hall, reserved: list = ()) -> list[int]:
    """Lengths of the runs of compute positions in a row with these merged,
    sorted reserved (first, last) slot spans."""
    last = h.slots_per_row - h.net_per_row
    bounds = [0] + [x for x in cross_after(h) if x < last] + [max(last, 0)]
    out = []
    for a, b in zip(bounds, bounds[1:]):          # one section: slots a+1 .. b
        start = a + 1
        for lo, hi in reserved:
            if hi < start or lo > b:
                continue
            if lo > start:
                out.append(lo - start)
            start = max(start, hi + 1)
        if b >= start:
            out.append(b - start + 1)
    return out


def run_classes(h: Hall) -> list[tuple[tuple[int, ...], int]]:
    """(runs of a row, number of rows alike): the rows without reservations, then each reserved row."""
    spans = h.reserved_spans_by_row
    out = []
    plain = h.rows - len(spans)
    if plain > 0:
        out.append((tuple(runs(h)), plain))
    for r in sorted(spans):
        out.append((tuple(runs(h, spans[r])), 1))
    return out


def longest_run(h: Hall) -> int:
    return max((max(rs, default=0) for rs, _ in run_classes(h)), default=0)


def block(c: Cluster) -> int:
    """Racks kept contiguous: the scalable unit, the NVLink domain, or their lcm
    (as layout/problem.block_size)."""
    su, nv = max(c.scalable_unit, 1), max(c.system.nvlink_racks, 1)
    if su % nv == 0:
        return su
    if nv % su == 0:
        return nv
    from math import lcm
    return lcm(su, nv)


def blocks_per_row(h: Hall, b: int, power: Fraction) -> int | None:
    """Blocks of `b` racks of `power` (W) each that one row's busway carries, or None: no limit."""
    if power <= 0:
        return None
    return int(h.busway_continuous.value // (b * power))


def hall_blocks(h: Hall, b: int, power: Fraction | None = None) -> int:
    """Whole blocks of `b` racks the hall's rows hold: in their runs, and, given
    the racks' power, within each row's busway."""
    cap = None if power is None else blocks_per_row(h, b, power)
    total = 0
    for rs, count in run_classes(h):
        fit = sum(n // b for n in rs)
        total += count * (fit if cap is None else min(fit, cap))
    return total


def usable_halls(c: Cluster) -> list[Hall]:
    """The cluster's halls its racks may stand in: placed on the site plan and
    rated for the rack's floor load (as the solver's allowed halls)."""
    area = c.system.footprint.area.value
    w = c.rack_weight.value                  # its heaviest rack
    return [h for h in c.halls if h.complete and h.origin is not None
            and (w <= 0 or w <= h.floor_rating.value * area)]
