"""Floor: a rack's weight over its footprint against the floor rating.

The load a rack puts on the floor is its weight over its footprint (width x
depth; 600 mm x 1200 mm when the system does not say): an NVL72 rack of
1,360 kg on 0.72 m2 puts ~1,890 kg/m2 on its footprint. It must not exceed the
hall's `floor_rating` (or its building's; the vocabulary's default is
1,500 kg/m2). A typical office floor is ~340 kg/m2 (70 lb/ft2); AI halls are
slab-on-grade or specially rated. Checked for every system placed in a hall.
"""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, error
from ..model import Factory
from ..lang.units import AREAL_DENSITY, Quantity
from ._base import Measure, show

CODES = ("floor-load",)


def measure(f: Factory) -> Iterator[Measure]:
    loads: dict = {}
    for h in f.halls:
        seen = []
        for c in h.load.compute:
            s = c.system
            if s in seen:
                continue
            seen.append(s)
            if s not in loads:
                area = s.footprint.area.value
                loads[s] = Quantity(s.weight.value / area, AREAL_DENSITY) if area > 0 else None
            load = loads[s]
            if load is None:
                continue
            yield Measure("floor-load", f"hall {h.qualname} floor ({s.qualname})", load, h.floor_rating,
                          h.floor_rating_span or h.at(), "kg/m2", (h, s))


def check(f: Factory) -> Iterator[Diagnostic]:
    texts: dict = {}     # a campus repeats one rack in many halls: build its words once
    for m in measure(f):
        if m.exceeded:
            h, s = m.ctx
            if s not in texts:
                texts[s] = (f"a {s.qualname} rack ({show(s.weight)} on {s.footprint}) loads the floor with "
                            f"{show(m.used)}",
                            f"set `floor_rating` (hall or building) to at least {show(m.used)} if the slab is "
                            "rated for it, or use a lighter rack or a larger footprint")
            what, hint = texts[s]
            yield error("floor-load", f"{what}, more than hall {h.qualname}'s rating of {show(m.limit)}", m.span,
                        hint)
