"""Solve a layout problem: the hierarchical decomposition, bound and baseline.

    components   clusters that share no hall solve independently (in parallel
                 processes with jobs > 1; results do not depend on jobs)
    halls        CP-SAT on scalable-unit block counts per hall (assign_halls)
    rows         constructive packing of blocks into row segments (place_rows)
    switches     min-cost flow of network racks to free slots, one tier at a
                 time, repeated while it improves (place_switches)
    media        closed form per link: cheapest medium that reaches (costs)
    starts       hall model compact / load-balanced x rows filled from the
                 entry / from the far end: four deterministic starts, best kept
    bound        a valid lower bound over all layouts (bound, routes)
    baseline     the naive layout, costed the same way (baseline); if it beats
                 the optimised one, it is returned instead, so objective <=
                 baseline always.

Objectives: `cost` and `length` change only the per-link unit. For
`cost_then_headroom` cable cost stays the objective; the hall model then
minimises the largest hall busway utilisation among its best compactness
solutions and rows are filled where busway headroom is largest (a
tie-break, not a proven lexicographic optimum); the headroom of every row,
CDU and air handling of the result is reported from the layout as built.

Determinism: CP-SAT runs with one worker, a fixed seed and a deterministic
time limit; every other step is a deterministic function of its input, and
improvement loops stop on a fixed number of rounds, not on the clock. The wall
clock is only a safety net: if it runs out, the best layout so far is returned
with status 'timeout' (that run may then differ from an unhurried one). The
bound may use at most BOUND_SHARE of a component's budget; halls it has not
scored by then count only the base (still a valid bound), also 'timeout'.
"""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor
from typing import Callable

import numpy as np

from ..diagnostics import error
from .assign_halls import HallData, assign, fmt_mm, prechecks, reach_checks
from .baseline import place_baseline
from .bound import lower_bound
from .context import Ctx
from .costs import INF
from .place_rows import pack
from .place_switches import place, refine
from .problem import LayoutProblem, milliwatts, module_mw, mw_to_w, watts
from .result import LEVELS, Layout, Link, Placement, SolveResult

REFINE_ROUNDS = 6
BOUND_SHARE = 0.4             # of a component's time budget, at most, for its lower bound
MAX_CUTS = 12
# compute rows filled from the hall entry outwards, then from the far end (which
# leaves the spare slots near the entry, where spines and cores want to be)
PACKINGS = (False, True)
# halls filled as compactly as possible, then also with their load balanced
# (which spreads the spare slots where switch racks can use them)
SPREADS = (False, True)

Progress = Callable[[float | None, float | None, float | None, float], None]


def components(problem: LayoutProblem) -> list[tuple[list, list]]:
    """(cluster indices, hall indices) of groups of clusters that share halls."""
    parent = list(range(len(problem.clusters)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    hall_index = {h.id: k for k, h in enumerate(problem.halls)}
    owner: dict = {}
    for ci, c in enumerate(problem.clusters):
        for hid in problem.allowed(c):
            k = hall_index[hid]
            if k in owner:
                parent[find(ci)] = find(owner[k])
            else:
                owner[k] = ci
    groups: dict = {}
    for ci in range(len(problem.clusters)):
        groups.setdefault(find(ci), []).append(ci)
    out = []
    for cis in sorted(groups.values()):
        halls = sorted({hall_index[h] for ci in cis for h in problem.allowed(problem.clusters[ci])})
        out.append((cis, halls))
    return out


def solve(problem: LayoutProblem, time_limit_s: float = 60.0, seed: int | None = None, jobs: int = 1,
          progress: Progress | None = None) -> SolveResult:
    t0 = time.perf_counter()
    problem.validate()
    seed = problem.seed if seed is None else seed
    comps = components(problem)
    weights = [max(1, sum(problem.clusters[ci].racks for ci in cis)) for cis, _ in comps]
    total_w = sum(weights)
    budgets = [time_limit_s * w / total_w for w in weights]
    args = [(problem, cis, halls, budgets[i], seed) for i, (cis, halls) in enumerate(comps)]
    results: list = [None] * len(comps)
    done_w = 0

    def report(i, r):
        nonlocal done_w
        results[i] = r
        done_w += weights[i]
        if progress:
            obj, lb = _partial_sums(results)
            gap = (obj - lb) / obj if obj else None
            progress(_to_float(problem, obj), _to_float(problem, lb), gap, done_w / total_w)

    if jobs > 1 and len(comps) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as ex:
            futures = [ex.submit(solve_component, *a) for a in args]
            for i, fut in enumerate(futures):
                report(i, fut.result())
    else:
        for i, a in enumerate(args):
            report(i, solve_component(*a))
    return _merge(problem, results, time.perf_counter() - t0)


def _partial_sums(results):
    done = [r for r in results if r is not None and r["status"] == "ok"]
    return sum(r["objective"] for r in done), sum(r["bound"] for r in done)


def _to_float(problem: LayoutProblem, units: int | None) -> float | None:
    """Exact integer units (uUSD or mm) to USD or metres."""
    if units is None:
        return None
    return units / 1000 if problem.objective == "length" else units / 1_000_000


# ---- one component -----------------------------------------------------------------

def solve_component(problem: LayoutProblem, clusters: list, halls: list, budget_s: float, seed: int) -> dict:
    t0 = time.perf_counter()
    deadline = lambda: time.perf_counter() - t0 > budget_s  # noqa: E731  (safety net only)
    ctx = Ctx(problem, clusters, halls)
    hd = HallData(ctx)
    diags = prechecks(ctx, hd) + reach_checks(ctx)
    if diags:
        return _failed("infeasible", diags)
    # the bound may take part of the budget; past that, it keeps what it has scored
    bound, bound_cut = lower_bound(ctx, lambda: time.perf_counter() - t0 > BOUND_SHARE * budget_s)
    if bound >= INF:
        return _failed("infeasible", [_reach_diag(ctx)])
    headroom = problem.objective == "cost_then_headroom"
    det_time = min(max(0.1 * budget_s, 0.5), 10.0)
    obj, best, last = INF, None, None
    for spread in SPREADS:                # a few deterministic starts; keep the best
        if deadline() and best is not None:
            break
        asg = _assignment(ctx, hd, det_time, seed, headroom or spread)
        if isinstance(asg, dict):
            if best is None and last is None:
                return asg               # infeasible or out of time: nothing to improve on
            continue
        last = asg
        for reverse in PACKINGS:
            if deadline() and best is not None:
                break
            if pack(ctx, hd, asg, balanced=headroom, reverse=reverse):
                continue
            if not place(ctx, np.nonzero(ctx.W.kind == 1)[0], use_anchors=True) and not _place_by_fabric(ctx):
                continue
            refine(ctx, _groups(ctx), REFINE_ROUNDS, deadline)
            value = ctx.objective_value()
            if best is None or value < obj:
                obj, best = value, ctx.snapshot()
    if best is None:
        return _failed("infeasible", [_network_diag(ctx)])
    timed_out = deadline() or bound_cut
    base_obj = None
    if place_baseline(ctx, hd):
        base_obj = ctx.objective_value()
        if base_obj < obj:            # never worse than the naive layout
            obj, best = base_obj, ctx.snapshot()
    ctx.restore(best)
    if obj >= INF:                    # the bound did not rule it out: say so
        return _failed("infeasible", [_reach_diag(ctx, proven=False)])
    out = _export(ctx, obj, bound, None if base_obj is None or base_obj >= INF else base_obj)
    out["timed_out"] = timed_out
    return out


def _assignment(ctx: Ctx, hd: HallData, det_time: float, seed: int, balance: bool):
    """Blocks per hall that also pack into rows (cutting the hall model where a
    packing fails), or a failed-result dict."""
    cuts: dict = {}
    for _ in range(MAX_CUTS):
        asg = assign(ctx, hd, det_time, seed, cuts, balance)
        if asg.status != "ok":
            return _failed(asg.status, asg.diagnostics)
        failures = pack(ctx, hd, asg)
        if not failures:
            return asg
        cuts.update(failures)
    return _failed("infeasible", [error("cluster-space", "scalable units could not be packed into the rows "
                                        "of the halls assigned to them", ctx.clusters[0].span)])


def _groups(ctx: Ctx) -> list:
    """(racks, links touching them) per fabric tier, lowest tier first."""
    W = ctx.W
    out = []
    for f, info in enumerate(W.fabrics):
        for racks in info.tier_racks:
            touch = np.isin(W.la, racks) | np.isin(W.lb, racks)
            out.append((racks, np.nonzero(touch)[0]))
    return out


def _place_by_fabric(ctx: Ctx) -> bool:
    """Fallback when the joint flow found no room (mixed rack powers): fabric by fabric."""
    ctx.unplace(np.nonzero(ctx.W.kind == 1)[0])
    for info in ctx.W.fabrics:
        racks = np.concatenate(info.tier_racks)
        if not place(ctx, racks, use_anchors=True):
            return False
    return True


def _failed(status: str, diags) -> dict:
    return {"status": status, "diagnostics": list(diags), "placements": [], "links": [],
            "objective": None, "bound": None, "baseline": None, "totals": {}, "timed_out": False}


def _reach_diag(ctx: Ctx, proven: bool = True):
    """cable-reach at the fabric: proven (the bound shows no layout reaches) or
    not (the best layout found has a link out of reach)."""
    W = ctx.W
    if (ctx.pos >= 0).all() and len(W.la):
        units = ctx.link_units(np.arange(len(W.la)))
        bad = np.nonzero(units >= INF)[0]
        if len(bad):
            i = int(bad[0])
            info = W.fabrics[int(W.lfab[i])]
            c = ctx.clusters[ctx.local[info.cluster]]
            hall = ctx.halls[int(ctx.T.hall[ctx.pos[W.la[i]]])]
            length = int(ctx.link_bins(np.array([i]))[0]) * ctx.T.bin_mm
            reach = ctx.tables[int(W.lfab[i])].nmax * ctx.T.bin_mm
            if proven:
                return error("cable-reach", f"fabric {c.id}/{info.spec.id}: a link from hall {hall.id} needs "
                             f"{fmt_mm(length)} of cable, beyond the reach of every medium it may use",
                             info.spec.span or hall.span)
            return error("cable-reach", f"fabric {c.id}/{info.spec.id}: no layout was found whose links all "
                         f"stay within {fmt_mm(reach)}, the longest reach of its media; the best found needs "
                         f"{fmt_mm(length)} from hall {hall.id}", info.spec.span or hall.span,
                         "the lower bound does not rule a layout out, but the halls are far apart for these "
                         "media: name nearer `halls` for the cluster, move its buildings closer (`position`), "
                         "or allow a longer medium")
    c = ctx.clusters[0]
    return error("cable-reach", f"cluster {c.id}: its halls are too far apart for the cable media its "
                 f"fabrics may use", c.span)


def _network_diag(ctx: Ctx):
    c = ctx.clusters[0]
    return error("hall-slots", f"no room for the network racks of cluster {c.id}: the free slots of its "
                 f"halls lack busway or air headroom", c.span)


# ---- export --------------------------------------------------------------------------

def _rack_power_mw(ctx: Ctx, bins: np.ndarray) -> np.ndarray:
    """Each rack's power in milliwatts: its system (or switches) plus one end of
    every cable plugged into it at the cable's own medium's power_per_end."""
    W = ctx.W
    switch = np.array([watts(f.spec.switch_power_w) * 1000 for f in W.fabrics] or [0], np.int64)
    power = np.where(W.kind == 1, W.nsw * switch[np.maximum(W.fabric, 0)],
                     W.system_w * 1000).astype(np.int64)      # each compute rack's own system
    media = list(ctx.problem.media)
    index = {m.id: g for g, m in enumerate(media)}
    med = np.zeros(len(W.la), np.int64)             # each link's medium, as an index of problem.media
    for k, t in enumerate(ctx.tables):
        sel = np.nonzero(W.lfab == k)[0]
        glob = np.array([index[m.id] for m in t.media] or [0], np.int64)
        med[sel] = glob[t.medium[bins[sel]]]
    # cable ends per (rack, medium), then modules: one per end at a host, shared at a switch
    ends = np.zeros((W.n, max(len(media), 1)), np.int64)
    np.add.at(ends, (W.la, med), W.lcount)
    np.add.at(ends, (W.lb, med), W.lcount)
    per = np.array([max(m.cables_per_transceiver, 1) for m in media] or [1], np.int64)
    net = (W.kind == 1)[:, None]
    mods = np.where(net, -(-ends // per[None, :]), ends)
    sw_mw = np.array([module_mw(m, True) for m in media] or [0], np.int64)
    host_mw = np.array([module_mw(m, False) for m in media] or [0], np.int64)
    power += (mods * np.where(net, sw_mw[None, :], host_mw[None, :])).sum(axis=1)
    return power


def _export(ctx: Ctx, obj: int, bound: int, base: int | None) -> dict:
    W, T = ctx.W, ctx.T
    bins = ctx.link_bins()
    power_mw = _rack_power_mw(ctx, bins)
    placements = []
    for x in range(W.n):
        s = int(ctx.pos[x])
        k = int(T.hall[s])
        h = ctx.halls[k]
        c = ctx.clusters[int(ctx.rack_local_cluster[x])]
        net = W.kind[x] == 1
        info = W.fabrics[int(W.fabric[x])] if net else None
        placements.append(Placement(
            id=W.ids[x], kind="network" if net else "compute", cluster=c.id,
            system=info.spec.switch if net else c.system, hall=h.id, row=int(T.row[s]), slot=int(T.slot[s]),
            x_m=round((int(T.ox[s]) + int(T.x[s])) / 1000, 3), y_m=round((int(T.oy[s]) + int(T.y[s])) / 1000, 3),
            power_w=mw_to_w(int(power_mw[x])), feeds="AB" if h.feeds >= 2 else "A",
            fabric=info.spec.id if net else None, tier=info.tier_names[int(W.tier[x]) - 1] if net else None,
            first_switch=int(W.first[x]) + 1 if net else None, switches=int(W.nsw[x]) if net else None))
    links = []
    totals = {"cost_u": 0, "length_mm": 0, "cables": 0, "by_medium": {}}
    for i in range(len(W.la)):
        info = W.fabrics[int(W.lfab[i])]
        t = ctx.tables[int(W.lfab[i])]
        n = int(bins[i])
        med = t.media[int(t.medium[n])]
        cnt = int(W.lcount[i])
        c = ctx.clusters[ctx.local[info.cluster]]
        links.append(Link(a=W.ids[int(W.la[i])], b=W.ids[int(W.lb[i])], cluster=c.id, fabric=info.spec.id,
                          level=LEVELS[int(W.llevel[i])], medium=med.id, length_m=round(n * T.bin_mm / 1000, 3),
                          count=cnt))
        cost = int(t.cost[n]) * cnt
        length = n * T.bin_mm * cnt
        totals["cost_u"] += cost
        totals["length_mm"] += length
        totals["cables"] += cnt
        m = totals["by_medium"].setdefault(med.id, [0, 0, 0])
        m[0] += cnt
        m[1] += length
        m[2] += cost
    return {"status": "ok", "diagnostics": [], "placements": placements, "links": links,
            "objective": obj, "bound": bound, "baseline": base, "totals": totals}


# ---- merge ---------------------------------------------------------------------------

def _merge(problem: LayoutProblem, results: list, seconds: float) -> SolveResult:
    diags = [d for r in results for d in r["diagnostics"]]
    kind = "length" if problem.objective == "length" else "cost"
    if any(r["status"] != "ok" for r in results):
        status = "infeasible" if any(r["status"] == "infeasible" for r in results) else "timeout"
        return SolveResult(status=status, layout=None, objective=None, lower_bound=None, gap=None,
                           baseline_objective=None, seconds=seconds, diagnostics=tuple(diags),
                           objective_kind=kind)
    obj = sum(r["objective"] for r in results)
    lb = sum(r["bound"] for r in results)
    base = None if any(r["baseline"] is None for r in results) else sum(r["baseline"] for r in results)
    gap = (obj - lb) / obj if obj else 0.0
    status = "timeout" if any(r["timed_out"] for r in results) else ("optimal" if obj == lb else "feasible")
    layout = Layout(placements=tuple(p for r in results for p in r["placements"]),
                    links=tuple(x for r in results for x in r["links"]))
    return SolveResult(status=status, layout=layout, objective=_to_float(problem, obj),
                       lower_bound=_to_float(problem, lb), gap=gap,
                       baseline_objective=_to_float(problem, base), seconds=seconds,
                       diagnostics=tuple(diags), objective_kind=kind, totals=_totals(results),
                       objective_units=obj, lower_bound_units=lb, baseline_units=base)


def _totals(results: list) -> dict:
    by: dict = {}
    cost = length = cables = 0
    for r in results:
        t = r["totals"]
        cost += t["cost_u"]
        length += t["length_mm"]
        cables += t["cables"]
        for m, (n, ln, c) in t["by_medium"].items():
            acc = by.setdefault(m, [0, 0, 0])
            acc[0] += n
            acc[1] += ln
            acc[2] += c
    return {"cost_u": cost, "length_mm": length, "cables": cables, "by_medium": by}
