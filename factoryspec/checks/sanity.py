"""Absurd values that the resolver's per-value checks let through.

The resolver already rejects negative quantities, counts below their minimum
(zero rows), counts above 10^7 (10^12 racks) and a PUE below 1. This rule adds
what needs the model:

* `invalid-value` (error): zero where only a positive value makes sense (a
  utility, power train, CDU, air or plant of 0 W, a 0 W rack, a busway of 0 W or
  a busway_limit of 0 %, a hall or rack side of 0 m, a row pitch or slot width of
  0 m, a medium reaching 0 m, a 0 Gb/s port); a hall of more than 100,000
  positions or a cluster of more than 1,000,000 racks (10 GW of GB300 is
  ~74,000 racks); a building or hall `position` that is not two lengths.
* `implausible-value` (warning): a PUE above 3 (the industry average is ~1.56,
  AI halls 1.1-1.25), a rack above 2 MW (Rubin Ultra NVL576 is ~600 kW), a rack
  above 10 t.
"""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, error, warning
from ..model import Factory
from ._base import show

CODES = ("invalid-value", "implausible-value")

MAX_HALL_SLOTS = 100_000
MAX_CLUSTER_RACKS = 1_000_000
MAX_PUE = 3
MAX_RACK_POWER_W = 2_000_000
MAX_RACK_WEIGHT_KG = 10_000


def _zero(obj, attr: str, what: str) -> Diagnostic | None:
    q = getattr(obj, attr)
    if q is not None and q.value == 0:
        return error("invalid-value", f"{obj.label}: {what} is zero", obj.at(attr),
                     "a zero here makes every figure that depends on it meaningless")
    return None


def check(f: Factory) -> Iterator[Diagnostic]:
    found = []
    for s in f.sites:
        for ut in s.utilities:
            found.append(_zero(ut, "capacity", "the utility capacity"))
        if s.pue > MAX_PUE:
            yield warning("implausible-value", f"site {s.qualname}: a PUE of {show(s.pue)} is implausible",
                          s.at("pue"), "the industry average is ~1.56; liquid-cooled AI halls run ~1.1-1.25")
    for p in f.power_trains:
        found.append(_zero(p, "capacity", "the module capacity"))
    for p in f.cooling_plants:
        found.append(_zero(p, "capacity", "the module capacity"))
    for h in f.halls:
        for x in h.cdus + h.air:
            found.append(_zero(x, "capacity", "the unit capacity"))
        found.append(_zero(h, "busway", "the busway rating"))
        found.append(_zero(h, "row_pitch", "the row pitch"))
        found.append(_zero(h, "slot_width", "the slot width"))
        if h.busway_limit == 0:
            found.append(error("invalid-value", f"{h.label}: busway_limit is 0 %", h.at("busway_limit"),
                               "the usual continuous limit is 80 %"))
        if h.size.width.value == 0 or h.size.depth.value == 0:
            found.append(error("invalid-value", f"{h.label}: the hall has no floor ({h.size})", h.at("size")))
        if h.slots > MAX_HALL_SLOTS:
            found.append(error("invalid-value", f"{h.label}: {h.rows:,} rows x {h.slots_per_row:,} slots = "
                               f"{h.slots:,} positions is absurd for one hall (at most {MAX_HALL_SLOTS:,})",
                               h.at("slots_per_row" if h.slots_per_row > h.rows else "rows")))
    for s in f.systems:
        found.append(_zero(s, "power", "the rack power"))
        found.append(_zero(s, "port_speed", "the port speed"))
        if s.footprint.width.value == 0 or s.footprint.depth.value == 0:
            found.append(error("invalid-value", f"{s.label}: the rack has no footprint ({s.footprint})",
                               s.at("footprint")))
        if s.power.value > MAX_RACK_POWER_W:
            yield warning("implausible-value", f"{s.label}: {show(s.power)} per rack is implausible",
                          s.at("power"), "the densest announced rack (Rubin Ultra NVL576) is ~600 kW")
        if s.weight.value > MAX_RACK_WEIGHT_KG:
            yield warning("implausible-value", f"{s.label}: a rack of {show(s.weight)} is implausible",
                          s.at("weight"), "an NVL72 rack weighs ~1.4 t")
    for sw in f.switches:
        found.append(_zero(sw, "port_speed", "the port speed"))
    for m in f.media:
        found.append(_zero(m, "reach", "the reach"))
    for obj in f.buildings + f.halls:
        if obj.position is not None and len(obj.position) != 2:
            found.append(error("invalid-value", f"{obj.label}: `position` takes two lengths, x and y; got "
                               f"{len(obj.position)}", obj.at("position"), "e.g. `position = [120 m, 0 m]`"))
    for c in f.clusters:
        if c.racks > MAX_CLUSTER_RACKS:
            found.append(error("invalid-value", f"{c.label}: {c.racks:,} racks is absurd (at most "
                               f"{MAX_CLUSTER_RACKS:,}; 10 GW of GB300 NVL72 is ~74,000 racks)", c.at("racks")))
    yield from (d for d in found if d is not None)

