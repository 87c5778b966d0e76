"""The layout solver on small generated problems: feasibility, constraints,
bound, baseline, infeasibility diagnostics, determinism and parallel runs."""

from __future__ import annotations

import itertools

import math

import attrs
import pytest

from factoryspec.diagnostics import Span
from factoryspec.layout import Cabling, LayoutProblem, solve
from factoryspec.layout.generate import LINKX, SMALL_SHAPES, campus, small
from factoryspec.layout.jsonio import dumps, layout_to_json
from factoryspec.layout.verify import verify

SPAN = Span("spec.fac", 7, 3, 7, 9)


def solved(p: LayoutProblem, **kw):
    r = solve(p, time_limit_s=20, **kw)
    assert r.layout is not None, r.diagnostics
    assert verify(p, r.layout, r.objective_units) == []
    return r


def by_id(r):
    return {x.id: x for x in r.layout.placements}


@pytest.mark.parametrize("kw", SMALL_SHAPES + (dict(objective="cost_then_headroom"),))
def test_small_problems_solve_verify_and_bound(kw):
    p = small(**kw)
    r = solved(p)
    assert r.status in ("optimal", "feasible")
    assert r.lower_bound <= r.objective <= r.baseline_objective
    assert r.lower_bound_units <= r.objective_units <= r.baseline_units
    assert 0 <= r.gap < 1
    racks = sum(c.racks for c in p.clusters)
    assert sum(1 for x in r.layout.placements if x.kind == "compute") == racks


def test_constraints_hold_in_the_layout():
    p = small(racks=12, rows=4, slots=12, cross_aisles=1, reserved={(1, 1), (2, 5)})
    r = solved(p)
    h = p.halls[0]
    taken = {(x.row, x.slot) for x in r.layout.placements}
    assert not taken & h.reserved
    for x in r.layout.placements:
        if x.kind == "compute":
            assert x.slot <= h.slots_per_row - h.network_slots_per_row_end
    # scalable units of 4: consecutive slots of one row, not across the cross-aisle after slot 6
    pl = by_id(r)
    for su in range(3):
        members = [pl[f"train/c{su * 4 + i + 1}"] for i in range(4)]
        assert len({(m.hall, m.row) for m in members}) == 1
        slots = sorted(m.slot for m in members)
        assert slots == list(range(slots[0], slots[0] + 4))
        assert slots[-1] <= 6 or slots[0] > 6


def test_busway_limits_racks_per_row():
    # 1 MW x 0.8 per row, 40 kW racks: 20 racks would fit; 250 kW racks: 3 per row
    p = small(racks=8, su=1, rows=4, slots=10)
    c = attrs.evolve(p.clusters[0], rack_power_w=250_000)
    p = attrs.evolve(p, clusters=(c,), halls=(attrs.evolve(p.halls[0], cdu_capacity_w_usable=None,
                                                           air_capacity_w_usable=None),))
    r = solved(p)
    rows: dict = {}
    for x in r.layout.placements:
        rows[x.row] = rows.get(x.row, 0) + x.power_w
    assert max(rows.values()) <= 800_000


def test_links_take_the_cheapest_reaching_medium_and_lengths_follow_the_routes():
    p = small()
    r = solved(p)
    pl = by_id(r)
    media = set()
    for ln in r.layout.links:
        a, b = pl[ln.a], pl[ln.b]
        dx = abs(a.x_m - b.x_m)
        if a.row == b.row and dx <= 3 + 1e-9:     # one row segment (no cross-aisles), within in_row_max
            # across the rack tops: the run, 2 x 0.5 m rise and 2 x 0.5 m slack, in 1 m bins
            assert ln.length_m == math.ceil(dx + 2 - 1e-9)
            assert ln.medium == ("dac_2m" if ln.length_m <= 2 else "acc_5m")
        else:
            # the drops (2 x (2.3 + 0.6) m) and slack (2 x 1 m) plus the horizontal run
            assert ln.length_m >= 7.8 + dx - 1e-9
            assert ln.medium == "mmf_sr_50m"      # nothing shorter reaches 7.8 m, SR is cheapest to 50 m
        media.add(ln.medium)
    assert "acc_5m" in media and "mmf_sr_50m" in media


def test_infeasible_slots_names_the_hall_with_numbers_and_span():
    p = small(racks=40, rows=3, slots=10)
    h = attrs.evolve(p.halls[0], span=SPAN)
    r = solve(attrs.evolve(p, halls=(h,)), time_limit_s=10)
    assert r.status == "infeasible" and r.layout is None
    d = r.diagnostics[0]
    assert d.code == "hall-slots"
    assert "hall h1 needs 40 compute slots for cluster train" in d.message and "has 24" in d.message
    assert d.span == SPAN


def test_infeasible_total_slots_counts_network_racks():
    p = small(racks=24, rows=3, slots=9, network=1)    # 24 compute slots, 27 in all
    h = attrs.evolve(p.halls[0], span=SPAN)
    r = solve(attrs.evolve(p, halls=(h,)), time_limit_s=10)
    assert r.status == "infeasible"
    msg = r.diagnostics[0].message
    net = sum(f.plan.switch_racks(f.switches_per_rack) for c in p.clusters for f in c.fabrics)
    assert f"needs {24 + net} slots" in msg and "has 27" in msg


def test_infeasible_cdu_and_floor_and_reach():
    p = small()
    cdu = solve(attrs.evolve(p, halls=(attrs.evolve(p.halls[0], cdu_capacity_w_usable=100_000,
                                                    span=SPAN),)), 10)
    assert cdu.status == "infeasible" and cdu.diagnostics[0].code == "cdu-capacity"
    assert "of heat to liquid" in cdu.diagnostics[0].message and cdu.diagnostics[0].span == SPAN
    floor = solve(attrs.evolve(p, halls=(attrs.evolve(p.halls[0], floor_rating_kg_m2=500),)), 10)
    assert floor.status == "infeasible" and floor.diagnostics[0].code == "floor-load"
    assert "1,111 kg/m2" in floor.diagnostics[0].message
    # DAC and ACC only, every cable on the trays: nothing reaches 7.8 m
    copper = attrs.evolve(p, media=LINKX[:2], cabling=attrs.evolve(p.cabling, in_row_max_m=0.0))
    reach = solve(copper, 10)
    assert reach.status == "infeasible" and reach.diagnostics[0].code == "shortest-link-reach"
    # across the rack tops neighbours are in reach, but not every link can be a neighbour's
    reach = solve(attrs.evolve(p, media=LINKX[:2]), 10)
    assert reach.status == "infeasible" and reach.diagnostics[0].code == "cable-reach"


def _halls_600_m_apart():
    # 28 racks need both halls (24 compute slots each), and no medium up to 500 m spans 600 m
    p = small(racks=28, halls=2, rows=3)
    far = attrs.evolve(p.halls[1], origin_xy_m=(600.0, 0.0))
    return attrs.evolve(p, halls=(p.halls[0], far), media=LINKX[:5])


def test_halls_too_far_apart_are_infeasible_by_the_bound():
    r = solve(_halls_600_m_apart(), 10)
    d = r.diagnostics[0]
    assert r.status == "infeasible" and d.code == "cable-reach"
    assert "too far apart" in d.message


def test_reach_failure_the_bound_does_not_prove_is_worded_as_such(monkeypatch):
    # with the bound blinded, the same problem is only "no layout found"
    import importlib

    monkeypatch.setattr(importlib.import_module("factoryspec.layout.solve"), "lower_bound", lambda ctx, *a: (0, False))
    r = solve(_halls_600_m_apart(), 10)
    d = r.diagnostics[0]
    assert r.status == "infeasible" and d.code == "cable-reach"
    assert "no layout was found whose links all stay within 500 m" in d.message
    assert "does not rule a layout out" in d.hint


def test_scalable_unit_longer_than_any_row_run():
    p = small(racks=16, su=16)
    r = solve(p, 10)
    assert r.status == "infeasible" and r.diagnostics[0].code == "scalable-unit-fit"
    assert "longest run of compute slots in one row of its halls is 8" in r.diagnostics[0].message


def test_same_seed_gives_identical_bytes():
    p = small(halls=2, racks=24, rows=3)
    a = dumps(layout_to_json(p, solve(p, 20, seed=3)))
    b = dumps(layout_to_json(p, solve(p, 20, seed=3)))
    assert a == b


def test_jobs_two_equals_jobs_one():
    p = campus(30, cluster_mw=10)         # three independent clusters, one hall each
    assert len(p.clusters) == 3
    one = solve(p, 60, seed=1, jobs=1)
    two = solve(p, 60, seed=1, jobs=2)
    assert dumps(layout_to_json(p, one)) == dumps(layout_to_json(p, two))
    assert verify(p, one.layout, one.objective_units) == []


def test_progress_callback_reaches_completion():
    seen = []
    p = campus(30, cluster_mw=10)
    solve(p, 60, progress=lambda o, b, g, f: seen.append((o, b, g, f)))
    assert seen[-1][3] == 1.0
    assert [f for *_, f in seen] == sorted(f for *_, f in seen)      # it only moves forward
    assert all(b <= o for o, b, _, _ in seen if o is not None)


def test_progress_shows_while_one_component_solves():
    # One component: after its bound (no objective yet), then after each of its
    # starts with the best so far, before the end; never a bound above the objective.
    seen = []
    p = small(halls=2, racks=24, rows=3)
    solve(p, 60, progress=lambda o, b, g, f: seen.append((o, b, g, f)))
    assert seen[0][0] is None and 0 < seen[0][3] < 1
    during = [s for s in seen if s[0] is not None and s[3] < 1]
    assert during and all(b <= o and abs(g - (o - b) / o) < 1e-9 for o, b, g, _ in during)
    assert seen[-1][3] == 1.0 and seen[-1][0] == min(o for o, *_ in seen if o is not None)


def test_campus_of_two_buildings_has_a_valid_bound():
    p = campus(60, cluster_mw=60)
    r = solved(p)
    assert r.lower_bound <= r.objective <= r.baseline_objective
    assert {x.hall for x in r.layout.placements} == {h.id for h in p.halls}


def test_two_clusters_sharing_halls():
    p = small(racks=8, halls=2, rows=3)
    c1 = p.clusters[0]
    c2 = attrs.evolve(c1, id="infer", racks=8)
    r = solved(attrs.evolve(p, clusters=(c1, c2)))
    assert {x.cluster for x in r.layout.placements} == {"train", "infer"}


def test_allowed_halls_are_respected():
    p = small(racks=8, halls=3, rows=3)
    c = attrs.evolve(p.clusters[0], allowed_halls=("h3",))
    r = solved(attrs.evolve(p, clusters=(c,)))
    assert {x.hall for x in r.layout.placements} == {"h3"}


# ---- the bound is a lower bound on the true optimum (brute force) --------------------

def _brute_force_optimum(p: LayoutProblem) -> int:
    """Try every assignment of racks to slots of a tiny problem; the least verified
    objective (micro-USD). Uses the verifier's independent geometry and costs."""
    r = solve(p, 10)
    base = r.layout
    slots = [(h.id, row, s) for h in p.halls for row in range(1, h.rows + 1)
             for s in range(1, h.slots_per_row + 1)]
    best = None
    racks = list(base.placements)
    from factoryspec.layout.verify import _Verifier
    for perm in itertools.permutations(slots, len(racks)):
        moved = []
        for x, (hid, row, s) in zip(racks, perm):
            h = next(hh for hh in p.halls if hh.id == hid)
            x_mm = (2 * s - 1) * round(h.slot_width_m * 1000) // 2
            moved.append(attrs.evolve(x, hall=hid, row=row, slot=s,
                                      x_m=round(h.origin_xy_m[0] + x_mm / 1000, 3),
                                      y_m=round(h.origin_xy_m[1] + (row - 1) * h.row_pitch_m, 3)))
        v = _Verifier(p, attrs.evolve(base, placements=tuple(moved)))
        v.racks()
        v.slots()
        v.capacities()
        v.contiguity()
        if v.out:
            continue
        v.switches()
        # relink with recomputed lengths and cheapest media
        cost = 0
        pos = {x.id: x for x in moved}
        from factoryspec.layout.verify import _cheapest, _cost, _media
        for ln in base.links:
            length = v._length(pos[ln.a], pos[ln.b])
            m = _cheapest(_media(p, p.clusters[0].fabrics[0]), length)
            if m is None:
                cost = None
                break
            cost += _cost(m, length) * ln.count
        if cost is not None and (best is None or cost < best):
            best = cost
    return best


def test_bound_is_below_the_brute_force_optimum():
    # 2 compute racks (4 ports), one 8-port switch: 3 racks in a 1 x 5 hall, every permutation
    p = small(racks=2, su=1, rows=1, slots=5, network=0, radix=8, ports=4, rails=1)
    p = attrs.evolve(p, cabling=Cabling(tray_height_m=0.1, rack_height_m=0.5, slack_m=0.2, length_bin_m=0.1))
    r = solved(p)
    opt = _brute_force_optimum(p)
    assert r.lower_bound_units <= opt <= r.objective_units


def test_two_tier_bound_is_below_the_brute_force_optimum():
    # 4 compute racks, a leaf and a spine rack in a 2 x 3 hall (6P6 = 720 layouts), with tall
    # drops so that a hop beyond the next slot needs fibre: the chain term (compute ->
    # leaf -> spine, every switch slot's exact distances) is then positive. Every cable on
    # the trays (tests/test_copper.py has the rack-top route)
    p = small(racks=4, su=1, rows=2, slots=3, network=0, radix=4, ports=2, rails=1,
              cabling=Cabling(tray_height_m=0.5, rack_height_m=1.5, slack_m=0.2, length_bin_m=0.1,
                              in_row_max_m=0.0))
    r = solved(p)
    assert p.clusters[0].fabrics[0].plan.tiers == 2
    opt = _brute_force_optimum(p)
    assert r.lower_bound_units <= opt <= r.objective_units
    # and the chain term counts: above every link at the shortest link's cost
    from factoryspec.layout.bound import _x_min
    from factoryspec.layout.context import Ctx
    ctx = Ctx(p, [0], [0])
    n_lo = -(-(_x_min(ctx, 0) + ctx.T.v_mm) // ctx.T.bin_mm)
    assert r.lower_bound_units > int(ctx.W.lcount.sum()) * int(ctx.units[0][n_lo])


def test_hall_model_infeasibility_names_the_binding_halls():
    """Each cluster fits alone and the totals fit, but cluster a fills h1's compute
    slots and cluster b cannot fit the rest into small h2: CP-SAT finds the core."""
    p = small(racks=24, halls=1, rows=3, slots=10, network=2)
    h1 = attrs.evolve(p.halls[0], span=SPAN)
    h2 = attrs.evolve(p.halls[0], id="h2", rows=2, slots_per_row=12, network_slots_per_row_end=8,
                      origin_xy_m=(15.0, 0.0), span=Span("spec.fac", 9, 3, 9, 9))
    a = attrs.evolve(p.clusters[0], id="a", allowed_halls=("h1",))
    b = small(racks=16).clusters[0]
    b = attrs.evolve(b, id="b", allowed_halls=("h1", "h2"))
    r = solve(attrs.evolve(p, halls=(h1, h2), clusters=(a, b)), 10)
    assert r.status == "infeasible"
    msgs = {d.span: d.message for d in r.diagnostics}
    assert all(d.code == "hall-slots" for d in r.diagnostics)
    assert "hall h1 is limited by its rows" in msgs[h1.span]
    assert "hall h2 is limited by its room for 2 block(s) of 4 racks of cluster b" in msgs[h2.span]


def test_the_safety_stop_returns_the_layout_marked_interrupted():
    # A component whose wall-clock safety stop has already passed: one start runs
    # (a layout is always returned), and the result says it was cut by the clock.
    from factoryspec.layout.solve import _merge, solve_component, components
    p = small(halls=2, racks=24, rows=3)
    (cis, halls), = components(p)
    out = solve_component(p, cis, halls, budget_s=10.0, seed=0, safety_s=0.0)
    r = _merge(p, [out], 0.0)
    assert r.status == "interrupted"
    assert r.layout is not None and verify(p, r.layout, r.objective_units) == []


def test_a_tiny_limit_is_a_deterministic_budget_not_an_interruption():
    # 1 ns of limit: no work for the bound, one start; the safety stop (limit + 5 s)
    # does not fire, so the result is a reproducible "feasible", twice the same.
    p = small(halls=2, racks=24, rows=3)
    a, b = solve(p, time_limit_s=1e-9), solve(p, time_limit_s=1e-9)
    assert a.status == b.status == "feasible"
    assert a.layout == b.layout and a.lower_bound_units == b.lower_bound_units
    assert verify(p, a.layout, a.objective_units) == []


def test_one_switch_fabric_and_a_cluster_without_fabric():
    p = small(racks=3, su=1, radix=16, ports=4, rails=1)
    assert p.clusters[0].fabrics[0].plan.tiers == 1
    r = solved(p)
    assert {x.tier for x in r.layout.placements if x.kind == "network"} == {"switch"}
    bare = attrs.evolve(p, clusters=(attrs.evolve(p.clusters[0], fabrics=()),))
    r = solved(bare)
    assert r.status == "optimal" and r.objective == 0 and r.layout.links == ()
