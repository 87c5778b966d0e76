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
* `invalid-value` (error): a cabling `length_bin` under MIN_LENGTH_BIN, or one
  that cuts a medium's reach into more than MAX_LENGTH_BINS bins: the layout
  tabulates every cable length bin by bin (layout/costs.py, layout/bound.py),
  so the bin sizes its tables and its time.
* `invalid-value` (error): a cabling `in_row_rise` above its `rack_height`: the
  rise runs from a port inside the rack to the rack top, so it is at most the
  rack's height (0 m for ports at the top).
* `implausible-value` (warning): a PUE above 3 (the industry average is ~1.56,
  AI halls 1.1-1.25), a rack above 2 MW (Rubin Ultra NVL576 is ~600 kW), a rack
  above 10 t.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Iterator

from ..diagnostics import Diagnostic, error, warning
from ..lang import limits
from ..model import Factory
from ._base import show

CODES = ("invalid-value", "implausible-value", "too-many-instances")

MAX_HALL_SLOTS = 100_000
MAX_CLUSTER_RACKS = 1_000_000
MAX_PUE = 3
MAX_RACK_POWER_W = 2_000_000
MAX_RACK_WEIGHT_KG = 10_000
MIN_LENGTH_BIN = Fraction(1, 100)     # m: cables are not sold by the millimetre
MAX_LENGTH_BINS = 100_000             # bins per medium reach (500 m in 1 cm bins is 50,000)
DEFAULT_LENGTH_BIN = Fraction(1)      # m, as the vocabulary's default


def _zero(obj, attr: str, what: str) -> Diagnostic | None:
    q = getattr(obj, attr)
    if q is not None and q.value == 0:
        # Worded as the resolver words a negative value: the rule, then the value.
        return error("invalid-value", f"{obj.label}: {what} must be more than zero, got {show(q)}", obj.at(attr),
                     "a zero here makes every figure that depends on it meaningless")
    return None


def check(f: Factory) -> Iterator[Diagnostic]:
    yield from _unchecked(f)
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
        found.append(_zero(s, "storage_port_speed", "the storage port speed"))
        found.append(_zero(s, "management_port_speed", "the management port speed"))
        if s.footprint.width.value == 0 or s.footprint.depth.value == 0:
            found.append(error("invalid-value", f"{s.label}: the rack has no footprint ({s.footprint})",
                               s.at("footprint")))
        if s.power.value * s.slots > MAX_RACK_POWER_W:       # a node system: a rack of its nodes
            yield warning("implausible-value", f"{s.label}: {show(s.power)} per {'node' if s.nodes_per_rack else 'rack'} is implausible",
                          s.at("power"), "the densest announced rack (Rubin Ultra NVL576) is ~600 kW")
        if s.weight.value * s.slots > MAX_RACK_WEIGHT_KG:
            yield warning("implausible-value", f"{s.label}: a rack of {show(s.weight)} is implausible",
                          s.at("weight"), "an NVL72 rack weighs ~1.4 t")
    for sw in f.switches:
        found.append(_zero(sw, "port_speed", "the port speed"))
    for m in f.media:
        found.append(_zero(m, "reach", "the reach"))
        found.append(_zero(m, "speed", "the speed"))
    for obj in f.buildings + f.halls:
        if obj.position is not None and len(obj.position) != 2:
            found.append(error("invalid-value", f"{obj.label}: `position` takes two lengths, x and y; got "
                               f"{len(obj.position)}", obj.at("position"), "e.g. `position = [120 m, 0 m]`"))
    found += _cabling(f)
    for c in f.clusters:
        if c.racks > MAX_CLUSTER_RACKS:
            found.append(error("invalid-value", f"{c.label}: {c.racks:,} racks is absurd (at most "
                               f"{MAX_CLUSTER_RACKS:,}; 10 GW of GB300 NVL72 is ~74,000 racks)", c.at("racks")))
    yield from (d for d in found if d is not None)


def _cabling(f: Factory) -> list[Diagnostic]:
    """A length bin the layout's per-bin tables can afford; a rise the rack can hold."""
    c = f.cabling
    rise = []
    if c is not None and c.in_row_rise.value > c.rack_height.value:
        rise = [error("invalid-value", f"cabling: an in_row_rise of {show(c.in_row_rise)} is more than the "
                      f"rack_height of {show(c.rack_height)}: it runs from a port inside the rack to its top",
                      c.at("in_row_rise"), "the rise is at most the rack height; 0.5 m suits switches "
                      "mounted near the rack top")]
    if c is not None and c.length_bin.value < MIN_LENGTH_BIN:
        return rise + [error("invalid-value", f"cabling: a length_bin of {show(c.length_bin)} is too fine (at least "
                      f"{show(MIN_LENGTH_BIN)} m)", c.at("length_bin"),
                      "cables are ordered in whole lengths: 0.5 m or 1 m bins are usual")]
    step = c.length_bin.value if c is not None else DEFAULT_LENGTH_BIN
    out = rise
    for m in f.media:
        if step > 0 and m.reach.value / step > MAX_LENGTH_BINS:
            out.append(error("invalid-value", f"{m.label}: its reach of {show(m.reach)} is "
                             f"{show(m.reach.value / step)} length bins of {show(step)} m; the layout "
                             f"tabulates at most {MAX_LENGTH_BINS:,}", m.at("reach"),
                             "a cable within a campus reaches a few km at most; or use a coarser length_bin"))
    return out



def _unchecked(f: Factory) -> Iterator[Diagnostic]:
    """Clusters past limits.MAX_MEMBERSHIPS cluster-hall pairs: one diagnostic
    at the first of them (the builder left them without halls)."""
    if not f.unchecked:
        return
    c, _ = f.unchecked[0]
    total = sum(len(x.halls) for x in f.clusters) + sum(k for _, k in f.unchecked)
    where = c.at("halls") if c.is_set("halls") else c.name_span or c.span
    k = len(f.unchecked)
    left = "1 cluster is not checked," if k == 1 else f"{k:,} clusters are not checked,"
    yield error("too-many-instances", f"the clusters list {total:,} halls in all (a building counts as its "
                f"halls, a cluster with no `halls` has every hall of its site), more than "
                f"{limits.MAX_MEMBERSHIPS:,}: {left} from cluster {c.qualname} on", where,
                "give each cluster the halls it uses (`halls = [...]`), or fewer, larger clusters")
