"""Cooling: the liquid share of each hall's heat to its CDUs, the rest to air,
and all of it to the cooling plants.

* CDUs (`cdu-capacity`): the liquid heat of a hall (racks x power x the
  system's liquid_fraction; default 85 %) must fit capacity x count x the
  redundancy share of its `cdu` blocks (N 100 %, N+1 n/(n+1), 2N 50 % ...).
  When a `cdu` block sets `racks_per_cdu`, the liquid-cooled racks must also
  fit the usable CDUs x racks_per_cdu (loop length). A hall with liquid heat
  and no `cdu` block is an error.
* Air (`air-capacity`): the rest of the racks' heat plus all switch heat must
  fit the hall's `air` blocks (capacity x count x redundancy share). A hall with
  air-side heat and no `air` block gets a warning: the spec does not say how
  that heat leaves.
* Plants (`cooling-plant-capacity`): every watt of IT power becomes heat; a
  building's `cooling` plants reject the heat of its halls, a site's plants
  that of its halls not served by a building plant (and of racks that fit no
  hall). Capacity is per module x modules x the redundancy share.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Iterator

from ..diagnostics import Diagnostic, error, warning
from ..model import Factory
from ..model.derive import site_it_power
from ..lang.units import POWER, Quantity
from ._base import Measure, share, show

CODES = ("cdu-capacity", "air-capacity", "cooling-plant-capacity")


def _sum(items) -> Quantity:
    return Quantity(sum((x.usable.value for x in items), Fraction(0)), POWER)


def _groups(items) -> str:
    return ", ".join(f"{x.count} x {show(x.capacity)} under {x.redundancy.text}: {share(x.share)} usable"
                     for x in items)


def measure(f: Factory) -> Iterator[Measure]:
    for h in f.halls:
        if not h.complete:
            continue
        load = h.load
        if load.liquid.value > 0 and h.cdus:
            yield Measure("cdu-capacity", f"hall {h.qualname} CDUs", load.liquid, _sum(h.cdus),
                          h.cdus[0].at("capacity"), "W", h)
            limited = [c for c in h.cdus if c.racks_per_cdu]
            if limited:
                racks = sum(k for c, k in load.compute.items() if c.system.liquid_fraction > 0)
                limit = sum(int(c.usable_units) * c.racks_per_cdu for c in limited)
                yield Measure("cdu-capacity", f"hall {h.qualname} CDU racks", racks, limit,
                              limited[0].at("racks_per_cdu"), "racks", h)
        if load.air.value > 0 and h.air:
            yield Measure("air-capacity", f"hall {h.qualname} air", load.air, _sum(h.air),
                          h.air[0].at("capacity"), "W", h)
    covered = set()
    for b in f.buildings:
        if b.cooling and b.complete:
            covered.add(b)
            heat = sum((h.load.it_power.value for h in b.halls), Fraction(0))
            if heat > 0:
                yield Measure("cooling-plant-capacity", f"building {b.qualname} cooling", Quantity(heat, POWER),
                              _sum(b.cooling), b.cooling[0].at("capacity"), "W", b)
    for s in f.sites:
        if s.cooling and s.complete:
            heat = site_it_power(f, s).value
            heat -= sum((h.load.it_power.value for b in s.buildings if b.cooling for h in b.halls), Fraction(0))
            if heat > 0:
                yield Measure("cooling-plant-capacity", f"site {s.qualname} cooling", Quantity(heat, POWER),
                              _sum(s.cooling), s.cooling[0].at("capacity"), "W", s)


def check(f: Factory) -> Iterator[Diagnostic]:
    for h in f.halls:
        if not h.complete:
            continue
        if h.load.liquid.value > 0 and not h.cdus:
            yield error("cdu-capacity", f"hall {h.qualname} holds liquid-cooled racks ({show(h.load.liquid)} "
                        "of heat to liquid) but has no `cdu` block", h.at(),
                        "add `cdu { capacity = ... count = ... }` to the hall")
        if h.load.air.value > 0 and not h.air:
            yield warning("air-capacity", f"hall {h.qualname} sheds {show(h.load.air)} of heat to air "
                          "(the racks' non-liquid share and the switches) but has no `air` block", h.at(),
                          "add `air { capacity = ... count = ... }` to size the air handling")
    for m in measure(f):
        if not m.exceeded or m.limit_value <= 0:   # a zero capacity is the sanity rule's
            continue
        short = f"short by {show(_minus(m.used, m.limit))}"
        if m.subject.endswith("CDU racks"):
            h = m.ctx
            yield error("cdu-capacity", f"hall {h.qualname} has {m.used:,} liquid-cooled racks but its CDUs "
                        f"serve {m.limit:,} ({_groups(h.cdus)}; racks_per_cdu within the loop length)", m.span,
                        "add CDUs or raise racks_per_cdu if the loop allows")
        elif m.check == "cdu-capacity":
            h = m.ctx
            yield error("cdu-capacity", f"hall {h.qualname} sends {show(m.used)} of heat to liquid but its CDUs "
                        f"remove {show(m.limit)} ({_groups(h.cdus)})", m.span,
                        f"{short}: add CDUs or raise their capacity")
        elif m.check == "air-capacity":
            h = m.ctx
            yield error("air-capacity", f"hall {h.qualname} sheds {show(m.used)} of heat to air but its air "
                        f"handling removes {show(m.limit)} ({_groups(h.air)})", m.span,
                        f"{short}: add units or raise their capacity")
        else:
            yield error("cooling-plant-capacity", f"{m.ctx.label} must reject {show(m.used)} of heat but its "
                        f"cooling plant gives {show(m.limit)} ({_groups(m.ctx.cooling)})", m.span,
                        f"{short}: add modules or raise their capacity")


def _minus(a, b):
    if isinstance(a, Quantity):
        return Quantity(a.value - b.value, a.dims)
    return a - b
