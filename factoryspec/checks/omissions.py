"""Omissions: IT load that the spec gives no power train or no heat rejection.

Both are warnings, not errors: a spec may leave the electrical or mechanical
plant out on purpose (an early draft, a colocation hall whose landlord owns
it), but then every capacity check of that plant is silently skipped, so the
message says what is assumed instead.

* `no-power-train`: a building holding IT load in halls that no `power` block
  feeds, neither the hall's own nor the building's (trains cannot stand at the
  site: the site has only its `utility`). Assumed: the utility feeds the racks
  directly, with no UPS or switchgear in between.
* `no-cooling-plant`: a building holding IT load with no `cooling` plant in the
  building nor in its site (a site plant covers all its buildings). Assumed: no
  heat rejection is modelled; the CDUs and air handling move the heat, but
  nothing rejects it.

A building, hall or site that lost a block to an error is not checked: the
block left out may be the very plant this rule looks for.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Iterator

from ..diagnostics import Diagnostic, warning
from ..model import Factory
from ..lang.units import POWER, Quantity
from ._base import show

CODES = ("no-power-train", "no-cooling-plant")


def check(f: Factory) -> Iterator[Diagnostic]:
    for b in f.buildings:
        if not b.complete or not all(h.complete for h in b.halls):
            continue
        yield from _power(b)
        yield from _cooling(b)


def _it(halls) -> Quantity:
    return Quantity(sum((h.load.it_power.value for h in halls), Fraction(0)), POWER)


def _which(halls, building) -> str:
    if len(halls) == len(building.halls):
        return "its halls" if len(halls) > 1 else f"its hall {halls[0].name}"
    names = ", ".join(h.name or h.qualname for h in halls[:4]) + (", ..." if len(halls) > 4 else "")
    return f"hall{'s' if len(halls) > 1 else ''} {names}"


def _them(halls) -> str:
    return "that hall" if len(halls) == 1 else "those halls"


def _power(b) -> Iterator[Diagnostic]:
    if b.power:
        return
    bare = [h for h in b.halls if not h.power and h.load.it_power.value > 0]
    if not bare:
        return
    yield warning("no-power-train",
                  f"building {b.qualname} holds {show(_it(bare))} of IT load in {_which(bare, b)} but no `power` "
                  f"block (UPS, substation or switchgear) in the building or in {_them(bare)}: the utility is "
                  "assumed to feed the racks directly, and no power train is sized", b.at(),
                  "add `power NAME { capacity = ... modules = ... }` to the building (or to each hall); "
                  "`allow = [\"no-power-train\"]` in the building if the utility really feeds the racks")


def _cooling(b) -> Iterator[Diagnostic]:
    site = b.site
    if b.cooling or (site is not None and (site.cooling or not site.complete)):
        return
    load = _it(b.halls)
    if load.value <= 0:
        return
    where = "the building or its site" if site is not None else "the building (it stands in no site)"
    yield warning("no-cooling-plant",
                  f"building {b.qualname} holds {show(load)} of IT load but no `cooling` plant in {where}: no "
                  "heat rejection is modelled (CDUs and air handling move the heat, nothing rejects it)",
                  b.at(), "add `cooling { capacity = ... modules = ... }` to the building or its site; "
                  "`allow = [\"no-cooling-plant\"]` in the building if the plant is outside this spec")
