"""verify() accepts the solver's layouts and rejects tampered ones with
specific messages."""

from __future__ import annotations

import attrs
import pytest

from factoryspec.layout import solve
from factoryspec.layout.generate import small
from factoryspec.layout.verify import verify


@pytest.fixture(scope="module")
def solved():
    p = small(racks=16, rows=4, slots=12, cross_aisles=0)
    r = solve(p, 20)
    assert r.layout is not None
    return p, r


def tamper_placement(layout, rid, **changes):
    return attrs.evolve(layout, placements=tuple(attrs.evolve(x, **changes) if x.id == rid else x
                                                 for x in layout.placements))


def messages(p, layout, objective=None):
    return [d.message for d in verify(p, layout, objective)]


def test_solver_output_verifies(solved):
    p, r = solved
    assert verify(p, r.layout, r.objective_units) == []


def test_rack_moved_onto_a_used_slot(solved):
    p, r = solved
    a, b = r.layout.placements[0], r.layout.placements[1]
    bad = tamper_placement(r.layout, b.id, row=a.row, slot=a.slot, x_m=a.x_m, y_m=a.y_m)
    msgs = messages(p, bad)
    assert any(f"holds both {a.id} and {b.id}" in m for m in msgs)


def test_rack_missing_or_twice(solved):
    p, r = solved
    gone = attrs.evolve(r.layout, placements=r.layout.placements[1:])
    assert any("train/c1 of cluster train is not placed" in m for m in messages(p, gone))
    twice = attrs.evolve(r.layout, placements=r.layout.placements + r.layout.placements[:1])
    assert any("is placed 2 times" in m for m in messages(p, twice))


def test_removed_link(solved):
    p, r = solved
    ln = r.layout.links[3]
    bad = attrs.evolve(r.layout, links=r.layout.links[:3] + r.layout.links[4:])
    msgs = messages(p, bad)
    assert any(f"{ln.a} -> {ln.b}" in m and f"needs {ln.count} cables, the layout has 0" in m for m in msgs)


def test_wrong_count(solved):
    p, r = solved
    links = list(r.layout.links)
    links[0] = attrs.evolve(links[0], count=links[0].count + 1)
    msgs = messages(p, attrs.evolve(r.layout, links=tuple(links)))
    assert any("the fabric needs" in m for m in msgs)


def test_wrong_medium(solved):
    p, r = solved
    links = list(r.layout.links)
    links[0] = attrs.evolve(links[0], medium="smf_dr_100m")
    msgs = messages(p, attrs.evolve(r.layout, links=tuple(links)))
    assert any("uses smf_dr_100m but mmf_sr_50m reaches" in m for m in msgs)
    links[0] = attrs.evolve(links[0], medium="dac_2m")
    msgs = messages(p, attrs.evolve(r.layout, links=tuple(links)))
    assert any("uses dac_2m (reach 2 m)" in m for m in msgs)


def test_wrong_length(solved):
    p, r = solved
    links = list(r.layout.links)
    links[2] = attrs.evolve(links[2], length_m=links[2].length_m + 1)
    msgs = messages(p, attrs.evolve(r.layout, links=tuple(links)))
    assert any("stored length" in m and "the positions give" in m for m in msgs)


def test_overloaded_busway(solved):
    p, r = solved
    h = attrs.evolve(p.halls[0], busway_w_per_feed=200_000)      # 160 kW per row: 4 racks of 40 kW
    msgs = [d for d in verify(attrs.evolve(p, halls=(h,)), r.layout)]
    assert any(d.code == "busway-overload" and "each of its A and B busways carries 160,000 W" in d.message
               for d in msgs)


def test_cdu_overload(solved):
    p, r = solved
    h = attrs.evolve(p.halls[0], cdu_capacity_w_usable=100_000)
    assert any(d.code == "cdu-capacity" for d in verify(attrs.evolve(p, halls=(h,)), r.layout))


def test_broken_scalable_unit(solved):
    p, r = solved
    pl = {x.id: x for x in r.layout.placements}
    a, b = pl["train/c1"], pl["train/c16"]        # swap racks of two different scalable units
    bad = tamper_placement(r.layout, a.id, row=b.row, slot=b.slot, x_m=b.x_m, y_m=b.y_m)
    bad = attrs.evolve(bad, placements=tuple(
        attrs.evolve(x, row=a.row, slot=a.slot, x_m=a.x_m, y_m=a.y_m) if x.id == b.id else x
        for x in bad.placements))
    msgs = messages(p, bad)
    assert any("scalable unit 1 of cluster train (train/c1..train/c4) is not in consecutive slots" in m
               for m in msgs)
    assert any("scalable unit 4 of cluster train" in m for m in msgs)


def test_reserved_and_out_of_range_and_network_slot(solved):
    p, r = solved
    x = next(x for x in r.layout.placements if x.kind == "compute")
    h = attrs.evolve(p.halls[0], reserved={(x.row, x.slot)})
    assert any("reserved slot" in d.message for d in verify(attrs.evolve(p, halls=(h,)), r.layout))
    far = tamper_placement(r.layout, x.id, row=99)
    assert any("outside hall h1" in m for m in messages(p, far))
    free_net = {(row, s) for row in range(1, 5) for s in (11, 12)} - {(y.row, y.slot) for y in r.layout.placements}
    row, s = sorted(free_net)[0]
    onto = tamper_placement(r.layout, x.id, row=row, slot=s)
    assert any("stands in network slot" in m for m in messages(p, onto))


def test_coordinates_and_objective(solved):
    p, r = solved
    x = r.layout.placements[0]
    moved = tamper_placement(r.layout, x.id, x_m=x.x_m + 0.5)
    assert any("coordinates" in m for m in messages(p, moved))
    assert any("claims an objective" in m for m in messages(p, r.layout, r.objective_units + 1))


def test_switches_must_cover_each_tier_once(solved):
    p, r = solved
    net = [x for x in r.layout.placements if x.kind == "network"]
    bad = tamper_placement(r.layout, net[0].id, switches=net[0].switches - 1)
    msgs = messages(p, bad)
    assert any("are in no rack" in m for m in msgs)
