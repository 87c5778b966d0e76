"""Power: facility load against the utility, IT load against power trains.

* Utility (`utility-capacity`): a site's facility power, IT load x PUE, must fit
  the utility's usable capacity: the contracted capacity times the share the
  redundancy scheme leaves usable (N 100 %, N+1 n/(n+1) over `modules`, 2N 50 %,
  3N/2 67 %, 4N/3 75 %, 2(N+1) half of N+1). The IT load is the racks placed in
  the site's halls (plus any that fit no hall) and their switches.
* Power trains (`power-train-capacity`): a `power` block (UPS, substation,
  switchgear) carries IT load (the mechanical plant is fed separately, so no
  PUE here). Its usable capacity is capacity x modules x the redundancy share.
  Trains of a hall feed that hall; trains of a building feed its halls that
  have no trains of their own.

A container with an erroneous block (left out of the model) is not checked:
its capacity would be under-counted.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Iterator

from ..diagnostics import Diagnostic, error
from ..model import Factory
from ..model.derive import site_it_power
from ..lang.units import POWER, Quantity
from ._base import Measure, share, show

CODES = ("utility-capacity", "power-train-capacity")


def _scheme(x) -> str:
    r = x.redundancy
    text = r.text
    mods = getattr(x, "modules", None) if x.kind == "utility" else x.count
    if r.spare and mods:
        text += f" over {mods} modules"
    return f"{text}: {share(x.share)} usable"


def measure(f: Factory) -> Iterator[Measure]:
    for site in f.sites:
        if not site.utilities or not site.complete:
            continue
        it = site_it_power(f, site)
        if it.value <= 0:
            continue
        facility = Quantity(it.value * site.pue, POWER)
        usable = Quantity(sum((u.usable.value for u in site.utilities), Fraction(0)), POWER)
        yield Measure("utility-capacity", f"site {site.qualname} utility", facility, usable,
                      site.utilities[0].at("capacity"), "W", site)
    for b in f.buildings:
        if b.power and b.complete:
            load = sum((h.load.it_power.value for h in b.halls if not h.power), Fraction(0))
            if load > 0:
                usable = sum((p.usable.value for p in b.power), Fraction(0))
                yield Measure("power-train-capacity", f"building {b.qualname} power",
                              Quantity(load, POWER), Quantity(usable, POWER), b.power[0].at("capacity"), "W", b)
    for h in f.halls:
        if h.power and h.complete and h.load.it_power.value > 0:
            usable = sum((p.usable.value for p in h.power), Fraction(0))
            yield Measure("power-train-capacity", f"hall {h.qualname} power", h.load.it_power,
                          Quantity(usable, POWER), h.power[0].at("capacity"), "W", h)


def check(f: Factory) -> Iterator[Diagnostic]:
    for m in measure(f):
        if not m.exceeded or m.limit_value <= 0:   # a zero capacity is the sanity rule's
            continue
        if m.check == "utility-capacity":
            site = m.ctx
            it = Quantity(m.used.value / site.pue, POWER)
            parts = ", ".join(f"{show(u.capacity)} under {_scheme(u)}" for u in site.utilities)
            yield error("utility-capacity",
                        f"site {site.qualname} needs {show(m.used)} ({show(it)} IT x PUE {show(site.pue)}) "
                        f"but its utility gives {show(m.limit)} usable ({parts})", m.span,
                        f"short by {show(Quantity(m.used.value - m.limit.value, POWER))}: raise the utility "
                        "capacity, lower the PUE, or place fewer racks")
        else:
            parts = ", ".join(f"{p.count} x {show(p.capacity)} under {_scheme(p)}" for p in m.ctx.power)
            where = m.ctx.label
            yield error("power-train-capacity",
                        f"{where} draws {show(m.used)} of IT load but its power trains give "
                        f"{show(m.limit)} usable ({parts})", m.span,
                        f"short by {show(Quantity(m.used.value - m.limit.value, POWER))}: add modules, raise "
                        "their capacity, or move racks elsewhere")
