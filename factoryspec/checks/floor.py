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
    for h in f.halls:
        # per system, its heaviest rack in the hall (a node system's rack weighs what it holds)
        heaviest: dict = {}
        for c in h.load.compute:
            w = c.rack_weight
            if c.system not in heaviest or w.value > heaviest[c.system].value:
                heaviest[c.system] = w
        for s, w in heaviest.items():
            area = s.footprint.area.value
            if area <= 0:
                continue
            yield Measure("floor-load", f"hall {h.qualname} floor ({s.qualname})",
                          Quantity(w.value / area, AREAL_DENSITY), h.floor_rating,
                          h.floor_rating_span or h.at(), "kg/m2", (h, s, w))


def check(f: Factory) -> Iterator[Diagnostic]:
    texts: dict = {}     # a campus repeats one rack in many halls: build its words once
    for m in measure(f):
        if m.exceeded:
            h, s, w = m.ctx
            if (s, w.value) not in texts:
                texts[s, w.value] = (f"a {s.qualname} rack ({show(w)} on {s.footprint}) loads the floor with "
                            f"{show(m.used)}",
                            f"set `floor_rating` (hall or building) to at least {show(m.used)} if the slab is "
                            "rated for it, or use a lighter rack or a larger footprint")
            what, hint = texts[s, w.value]
            yield error("floor-load", f"{what}, more than hall {h.qualname}'s rating of {show(m.limit)}", m.span,
                        hint)
