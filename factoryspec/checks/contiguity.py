"""Contiguity: scalable units and NVLink domains against the rows they stand in.

A cluster's racks stand in blocks of consecutive compute positions of one row
and one cross-aisle section: a block is the scalable unit, or the NVLink
domain (`nvlink_racks`), or their least common multiple when neither divides
the other (layout/problem.block_size). The network slots at a row's end,
reserved slots and cross-aisles cut rows into runs (see _rows.py). Only the
cluster's halls its racks may stand in count (placed, and rated for the
rack's floor load). Each of these is something the solver would otherwise
find only after lint passed:

* `nvlink-domain`: an NVLink domain longer than every run (error), or racks
  that are not whole domains (warning).
* `scalable-unit-fit`: a block longer than every run, the NVLink domain alone
  fitting.
* `scalable-unit-busway`: a block drawing more than one row's busway carries
  continuously, in every hall.
* `scalable-unit-rows`: the halls have the compute positions for the racks,
  but their runs and row busways hold too few whole blocks.

Loops run over clusters, their halls and each hall's row classes only.
"""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, error, warning
from ..model import Factory
from ..model.types import Cluster
from ..lang.units import POWER, Quantity
from ._base import show
from ._rows import block, blocks_per_row, hall_blocks, longest_run, usable_halls

CODES = ("nvlink-domain", "scalable-unit-fit", "scalable-unit-busway", "scalable-unit-rows")


def check(f: Factory) -> Iterator[Diagnostic]:
    cache: dict[tuple, tuple] = {}
    for c in f.clusters:
        n = c.system.nvlink_racks
        if n > 1 and c.racks % n:
            yield warning("nvlink-domain", f"cluster {c.qualname} has {c.racks:,} racks, not a whole number of "
                          f"{n}-rack NVLink domains of {c.system.qualname}", c.at("racks"),
                          f"use a multiple of {n}")
        if c.complete and c.racks > 0:
            yield from _cluster(c, cache)


def _where(c: Cluster):
    """A block's size is set by `scalable_unit` when the spec writes it, else by the system."""
    return c.at("scalable_unit") if c.is_set("scalable_unit") else c.at("system")


def _what(c: Cluster, b: int) -> str:
    su, n = c.scalable_unit, c.system.nvlink_racks
    if b == su or n <= 1:
        return f"scalable unit of {b} racks"
    if b == n:
        return f"NVLink domain of {b} racks"
    return (f"scalable unit of {su} racks in whole {n}-rack NVLink domains ({b} racks together, "
            f"the least common multiple)")


def _cluster(c: Cluster, cache: dict) -> Iterator[Diagnostic]:
    halls = usable_halls(c)
    if not halls:
        return                      # cluster-space or floor-load says why
    n, b = c.system.nvlink_racks, block(c)
    power = c.rack_power.value          # the fullest rack's: a block of b racks draws at most b x it
    figures = [_hall_figures(cache, h, b, power) for h in halls]
    longest = max(run for run, _, _ in figures)
    names = _names(halls)
    if n > 1 and n > longest:
        yield error("nvlink-domain", f"an NVLink domain of {c.system.qualname} spans {n} racks that must "
                    f"stand together in one row, but the longest run of compute positions in the rows of "
                    f"cluster {c.qualname}'s halls ({names}) is {longest}", c.at("system"),
                    "use halls with longer rows (network slots, reserved slots and cross-aisles cut them)")
        return
    if b > longest:
        yield error("scalable-unit-fit", f"cluster {c.qualname}: a {_what(c, b)} is longer than every row of "
                    f"its halls ({names}): the longest run of compute positions is {longest}", _where(c),
                    f"use a scalable unit of at most {longest} racks, or rows with {b} consecutive compute "
                    "positions (network slots, reserved slots and cross-aisles cut them)")
        return
    caps = [cap for _, cap, _ in figures]
    # one rack over a row's busway is the busway rule's, a zero busway the sanity rule's
    if b > 1 and all(cap == 0 for cap in caps) and any(h.busway.value > 0 for h in halls):
        best = max(halls, key=lambda h: h.busway_continuous.value)
        yield error("scalable-unit-busway", f"cluster {c.qualname}: a {_what(c, b)} draws "
                    f"{show(Quantity(b * power, POWER))} ({b} x {show(c.rack_power)}), more than one row "
                    f"busway carries in any of its halls (at most {show(best.busway_continuous)} continuous, "
                    f"in hall {best.qualname})", _where(c),
                    "a block stands in one row: a smaller scalable unit, or a larger `busway`")
        return
    yield from _rows(c, halls, b, names, sum(blocks for _, _, blocks in figures))


def _hall_figures(cache: dict, h, b: int, power) -> tuple[int, int | None, int]:
    """A hall's longest run, blocks per row's busway and whole blocks, for
    blocks of `b` racks of `power`: the same for every cluster of one system
    in the hall, so worked out once (clusters x halls can be large)."""
    key = (id(h), b, power)
    got = cache.get(key)
    if got is None:
        got = cache[key] = (longest_run(h), blocks_per_row(h, b, power), hall_blocks(h, b))
    return got


def _rows(c: Cluster, halls: list, b: int, names: str, have: int) -> Iterator[Diagnostic]:
    """The runs alone (busways aside: the busway rule weighs those) hold too few blocks."""
    need = -(-c.racks // b)
    positions = sum(h.compute_slots for h in halls)
    if have < need and positions >= c.racks:     # else the positions are short: cluster-space
        yield error("scalable-unit-rows", f"cluster {c.qualname} needs {need:,} blocks of {b} racks "
                    f"({c.racks:,} racks), but the rows of its halls ({names}) hold only {have:,} whole "
                    f"blocks, though they have {positions:,} compute positions", _where(c),
                    f"a scalable unit that divides the rows' runs of compute positions, more rows, or more "
                    f"halls")


def _names(halls: list) -> str:
    return ", ".join(h.qualname for h in halls[:4]) + (", ..." if len(halls) > 4 else "")
