"""Power density of the layout as built: per hall, per building and in total.

report.md and report.html print the same rows: IT power (the plan's figures
as built), kW per compute rack (the compute racks' own power, switches and
their optics excluded, over their count: the density a rack's busway tap and
CDU see) and IT kW per m2 of hall floor (the hall's `size`). Exact fractions
throughout; the emitters format them.
"""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction

import attrs


def exact(x) -> Fraction:
    """A JSON number as the exact value it stands for (floats by their shortest text)."""
    return Fraction(str(x)) if isinstance(x, float) else Fraction(x)


@attrs.frozen(kw_only=True)
class Load:
    """One hall's or building's figures (`name` is its qualified name)."""
    name: str
    halls: int
    compute_racks: int
    network_racks: int
    it_w: Fraction
    compute_w: Fraction            # the compute racks' power alone
    area_m2: Fraction | None       # hall floor; None when a hall has no size

    @property
    def kw_per_rack(self) -> Fraction | None:
        return self.compute_w / 1000 / self.compute_racks if self.compute_racks else None

    @property
    def kw_per_m2(self) -> Fraction | None:
        return self.it_w / 1000 / self.area_m2 if self.area_m2 else None


def hall_loads(plan: dict, result, areas: dict) -> list[Load]:
    """One Load per hall of the plan, in its order. `areas`: hall -> floor m2 (the model's)."""
    compute_w: dict = defaultdict(Fraction)
    for p in result.layout.placements:
        if p.kind == "compute":
            compute_w[p.hall] += exact(p.power_w)
    out = []
    for h in plan["halls"]:
        name = h["name"]
        area = areas.get(name)
        out.append(Load(name=name, halls=1, compute_racks=h["compute_racks"], network_racks=h["network_racks"],
                        it_w=exact(h["it_power_w"]), compute_w=compute_w[name],
                        area_m2=exact(area) if area is not None else None))
    return out


def building_loads(halls: list[Load], buildings: dict) -> list[Load]:
    """The halls' loads summed per building (`buildings`: hall -> building, the
    model's), buildings in the order of their first hall."""
    groups: dict = {}
    for h in halls:
        groups.setdefault(buildings.get(h.name, h.name.rpartition(".")[0]), []).append(h)
    return [total(name, hs) for name, hs in groups.items()]


def total(name: str, loads: list[Load]) -> Load:
    areas = [x.area_m2 for x in loads]
    return Load(name=name, halls=sum(x.halls for x in loads), compute_racks=sum(x.compute_racks for x in loads),
                network_racks=sum(x.network_racks for x in loads), it_w=sum((x.it_w for x in loads), Fraction(0)),
                compute_w=sum((x.compute_w for x in loads), Fraction(0)),
                area_m2=None if any(a is None for a in areas) else sum(areas, Fraction(0)))


def tightest(headroom: list[dict]) -> list[tuple[dict, int]]:
    """Per check kind, in the order kinds first appear: its fullest measure (the
    first of equals) and how many measures the kind has."""
    best: dict = {}
    count: dict = defaultdict(int)
    for m in headroom:
        k = m["check"]
        count[k] += 1
        if k not in best or ratio(m) > ratio(best[k]):
            best[k] = m
    return [(m, count[k]) for k, m in best.items()]


def ratio(m: dict) -> Fraction:
    limit = exact(m["limit"])
    return exact(m["used"]) / limit if limit else Fraction(0)
