"""The hall-graph chain bound (layout/routes.py) against brute force.

The lemma the lower bound rests on: for a compute slot r and a switch slot q in
another hall, route[state(r), state(q)] is at most the cost of every chain of k
links r -> y1 -> ... -> q through distinct slots, with lengths from the solver's
own cable model (trays, and the rack tops within a row segment). Brute force enumerates every such chain (a min-plus product
over real slots) on small multi-hall sites: halls in one building and in
buildings far apart, cross-aisles, reserved slots, and coarse state steps.
"""

from __future__ import annotations

import attrs
import numpy as np
import pytest

from factoryspec.layout import routes
from factoryspec.layout.bound import lower_bound, psi_table, shortest_bin
from factoryspec.layout.context import Ctx
from factoryspec.layout.costs import INF
from factoryspec.layout.generate import campus, small
from factoryspec.layout.geometry import SLOT_COMPUTE, SLOT_RESERVED
from factoryspec.layout.routes import min_plus, route_bound, short_units


def _site(origins, rows=3, slots=6, racks=8, **kw):
    p = small(racks=racks, su=4, rows=rows, slots=slots, network=2, halls=len(origins), radix=8, ports=2,
              rails=1)
    halls = tuple(attrs.evolve(h, origin_xy_m=o, **kw) for h, o in zip(p.halls, origins))
    return attrs.evolve(p, halls=halls)


SITES = {
    "one building": _site([(0.0, 0.0), (12.0, 0.0)]),
    "buildings 60 m apart": _site([(0.0, 0.0), (8.0, 0.0), (70.0, 0.0)]),
    "buildings stacked in y": _site([(0.0, 0.0), (0.0, 45.0), (30.0, 95.0)], rows=4, slots=5),
    "cross-aisles, reserved": _site([(0.0, 0.0), (40.0, 20.0)], slots=8, cross_aisles=1,
                                    reserved=frozenset({(1, 1), (2, 7)})),
}


def _brute(ctx, g, nmax, k):
    """Least cost of a k-link chain between every pair of slots, through usable
    slots, consecutive racks in distinct slots (the solver's real lengths)."""
    T = ctx.T
    n = T.n
    ids = np.arange(n)
    bins = T.length_bins(np.repeat(ids, n), np.tile(ids, n)).reshape(n, n)
    cost = np.where(bins <= nmax, g[np.minimum(bins, nmax)], INF).astype(np.int64)
    np.fill_diagonal(cost, INF)                      # two racks never share a slot
    through = cost.copy()
    through[:, T.kind == SLOT_RESERVED] = INF        # intermediate racks stand in usable slots
    m = through
    for _ in range(k - 2):
        m = min_plus(m, through)
    return min_plus(m, cost) if k > 1 else cost


@pytest.mark.parametrize("name", sorted(SITES))
@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("max_states", [600, 12])
def test_route_never_exceeds_a_real_chain(name, k, max_states, monkeypatch):
    monkeypatch.setattr(routes, "MAX_STATES", max_states)     # 12 forces a coarse step
    ctx = Ctx(SITES[name], [0], list(range(len(SITES[name].halls))))
    T = ctx.T
    g = ctx.units[0]
    nmax = ctx.tables[0].nmax
    n_lo = shortest_bin(ctx, 0)
    rb = route_bound(ctx, 0, ctx.tables[0], g, n_lo, k)
    if max_states == 12:
        assert rb.delta > T.bin_mm
    brute = _brute(ctx, g, nmax, k)
    comp = np.nonzero(T.kind == SLOT_COMPUTE)[0]
    usable = np.nonzero(T.kind != SLOT_RESERVED)[0]
    rows = rb.source_states(comp)
    got, best = [], []
    for q in usable:
        col = rb.column(int(T.hall[q]), int(T.run[q]))
        assert col is not None
        other = T.hall[comp] != T.hall[q]
        got.append(col[rows][other])
        best.append(brute[comp, q][other])
    got, best = np.concatenate(got), np.concatenate(best)
    assert len(got) and (got <= best).all()
    if max_states == 600:                 # and close: it loses at most a 1 m step per hop, and
        assert (got / best).mean() > 0.98   # prices a hop within a hall as if on the rack tops


def _trays_only(p):
    """Every cable on the trays: with copper across the rack tops, the free split
    already takes two short hops and one long one, as a real chain must."""
    return attrs.evolve(p, cabling=attrs.evolve(p.cabling, in_row_max_m=0.0))


def test_route_beats_the_free_split_between_buildings():
    ctx = Ctx(_trays_only(SITES["buildings 60 m apart"]), [0], [0, 1, 2])
    T = ctx.T
    g, nmax = ctx.units[0], ctx.tables[0].nmax
    n_lo = shortest_bin(ctx, 0)
    rb = route_bound(ctx, 0, ctx.tables[0], g, n_lo, 3)
    psi = psi_table(short_units(T, ctx.tables[0], g), n_lo, nmax, 3, 10**6, T.v_lo_mm, T.bin_mm)
    r = np.nonzero((T.kind == SLOT_COMPUTE) & (T.hall == 0))[0][0]
    q = np.nonzero((T.kind != SLOT_RESERVED) & (T.hall == 2))[0][0]
    d = int(T.horizontal(np.array([r]), np.array([q]))[0])
    split = int(psi[-(-(d + 3 * T.v_lo_mm) // T.bin_mm)])
    route = int(rb.column(2, int(T.run[q]))[rb.source_states(np.array([r]))[0]])
    # 70 m between buildings: psi splits it into three <= 50 m multimode hops, but no
    # rack stands between the buildings, so one hop must span the gap
    assert route > split


def test_routes_raise_the_bound_across_buildings_and_stay_below_the_layout(monkeypatch):
    from factoryspec.layout import solve

    p = _trays_only(_site([(0.0, 0.0), (70.0, 0.0)], rows=3, slots=6, racks=20))   # 12 compute slots a hall
    ctx = Ctx(p, [0], [0, 1])
    with_routes, _ = lower_bound(ctx)

    monkeypatch.setattr("factoryspec.layout.bound.route_bound", lambda *a: None)
    without, _ = lower_bound(ctx)
    monkeypatch.undo()
    assert with_routes > without
    r = solve(p, time_limit_s=20)
    assert r.lower_bound_units == with_routes
    assert with_routes <= r.objective_units


def test_state_step_grows_until_states_are_few(monkeypatch):
    monkeypatch.setattr(routes, "MAX_STATES", 40)
    p = campus(60, cluster_mw=60)
    ctx = Ctx(p, [0], list(range(len(p.halls))))
    rb = route_bound(ctx, 0, ctx.tables[0], ctx.units[0], 9, 3)
    assert len(rb.src_keys) <= 40 and len(rb.net_keys) <= 40
    assert rb.route.shape == (len(rb.src_keys), len(rb.net_keys))



def test_no_table_for_one_link_chains_or_too_many_halls(monkeypatch):
    ctx = Ctx(SITES["one building"], [0], [0, 1])
    assert route_bound(ctx, 0, ctx.tables[0], ctx.units[0], 9, 1) is None
    monkeypatch.setattr(routes, "MAX_STATES", 1)
    assert route_bound(ctx, 0, ctx.tables[0], ctx.units[0], 9, 3) is None


def test_a_bound_cut_short_by_its_work_budget_stays_valid():
    from factoryspec.layout.work import Budget
    p = _site([(0.0, 0.0), (70.0, 0.0)], rows=3, slots=6, racks=20)
    ctx = Ctx(p, [0], [0, 1])
    full, cut = lower_bound(ctx)
    assert not cut
    short, cut = lower_bound(ctx, Budget(0))             # no work at all: the base only
    c_min = short_units(ctx.T, ctx.tables[0], ctx.units[0])[shortest_bin(ctx, 0)]
    assert cut and short == int(ctx.W.lcount.sum()) * int(c_min) < full
    spent = Budget(1e18)
    assert lower_bound(ctx, spent) == (full, False)
    # any budget in between gives a bound between the two, the same on every run
    for units in (spent.spent / 4, spent.spent / 2, spent.spent * 0.9):
        mid, cut = lower_bound(ctx, Budget(units))
        assert short <= mid <= full and lower_bound(ctx, Budget(units)) == (mid, cut)
