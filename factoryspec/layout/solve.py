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
    improve      local search on the best start: scalable-unit blocks of
                 compute racks moved or swapped, the switches around them
                 placed again, kept where the objective falls (improve)
    exact        a small component (exact.fits): CP-SAT on the whole
                 assignment from the best layout, proving it optimal or
                 finding a better one with a bound of its own (exact)
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

Determinism: every budget inside the solver is a work count derived from the
component's share of `--time-limit` by a fixed rule, never from the clock, so
the same spec, seed and limit give the same layout on an idle or a loaded
machine (layout/work.py):
  * CP-SAT runs with one worker, a fixed seed and a deterministic time limit;
  * the bound gets BOUND_SHARE x seconds x BOUND_CELLS_PER_S cells of work;
    halls it has not scored by then count only the base (still valid);
  * the starts: as many of the four as the rule `starts()` allows (at least
    one), from the component's racks and seconds;
  * improvement loops stop on a fixed number of rounds;
  * the exact model (small components) gets EXACT_SHARE of the seconds as
    CP-SAT deterministic time (EXACT_DET_PER_S), one worker, a fixed seed;
  * the local search (improve) gets IMPROVE_UNUSED_SHARE of the reference
    seconds the bound and the starts leave by these rules (at least
    IMPROVE_MIN_SHARE of the component's), charged per flow it solves.
The wall clock is only a safety stop: at the component's share of the limit, or
later, while the whole compile's time left (limit plus slack) exceeds
RESERVE_SHARE of the budgets of the components still to run; if a machine is
so slow that it fires, the best layout so far is returned with status
'interrupted' (that run may differ from an unhurried one).
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
from . import exact
from .context import Ctx
from .costs import INF
from .improve import improve
from .place_rows import pack
from .place_switches import place, refine
from .problem import LayoutProblem, milliwatts, module_mw, mw_to_w, watts
from .result import LEVELS, Layout, Link, Placement, SolveResult
from .work import Budget, SafetyStop

REFINE_ROUNDS = 6
BOUND_SHARE = 0.4             # of a component's time budget, at most, for its lower bound
# The bound's work rate on the reference machine (one core of a 2-core VM): array
# cells a second of its loops. Its budget is BOUND_SHARE x the component's seconds
# x this, in cells: a fixed rule, so where the bound stops does not depend on load.
BOUND_CELLS_PER_S = 1.5e8
# A start's CPU seconds per rack of the component on the reference machine (hall
# model, rows, placing the switches: measured 0.1-0.3 ms on the shipped 1-2 GW
# specs), with headroom for CP-SAT's share on small ones; the refine of the
# switches, most of a large start, is counted per link group below. starts() asks
# for the time this rule gives each start, so an idle run ends inside the limit.
START_S_PER_RACK = 0.002
# and per link group (pair of racks cabled): refining the switches' places walks
# every group each round, REFINE_ROUNDS of them; measured 115-270 us a group on
# the shipped specs (vera-rubin: 115,000 groups, 219 us) on an idle machine.
# A refine after the local search converges sooner: a third of a start's.
START_S_PER_GROUP = 250e-6
SAFETY_S = 5.0                # the safety stop's least slack beyond the limit, seconds
# A component running late (a loaded machine) may use the whole compile's time left,
# less this share of the budgets of the components still to run: what they need by
# the work rules is well under half their budgets on every benchmark spec.
RESERVE_SHARE = 0.5
# What compile does after solving takes time too: the independent verifier, the
# as-built recount and every output (layout.json, topology.graphml, drawings)
# work per link group (one per pair of racks cabled). Measured 100-150 us a
# group on the 1-2 GW specs with other work sharing the machine, plus per hall
# (a floor plan each) and a fixed part: the rule reserves that much of a
# component's share of the limit, so that the whole compile ends near it.
FINISH_S = 0.5
FINISH_S_PER_GROUP = 120e-6
FINISH_S_PER_HALL = 0.02
# and per cable: the cutsheets write every cable (~6 us each) and the verifier
# expands them to ports (~1.5 us), measured on childress's 414,948 cables
FINISH_S_PER_CABLE = 8e-6


def finish_seconds(groups: int, halls: int, cables: int = 0) -> float:
    """The seconds the rule reserves, after solving, for a component of `groups`
    link groups of `cables` cables over `halls` halls."""
    return FINISH_S + FINISH_S_PER_GROUP * groups + FINISH_S_PER_HALL * halls + FINISH_S_PER_CABLE * cables


# The local search that moves compute racks with the switches (improve.py) gets
# IMPROVE_UNUSED_SHARE of the reference seconds the rules above leave unused (the
# bound's share less the work it spent, the starts' share less what starts()
# planned; the rest is headroom: for the real cost of the starts, which the rule
# underestimates on the largest specs under load, and for the safety stop, which at
# 0.5 fired on campus components solved two at a time on the loaded reference VM),
# and at least IMPROVE_MIN_SHARE of the component's seconds. Both are work counts,
# so where it stops is fixed.
IMPROVE_UNUSED_SHARE = 0.25
IMPROVE_MIN_SHARE = 0.05
# A small component (exact.fits) then runs the exact model for EXACT_SHARE of its
# seconds, as CP-SAT deterministic time at EXACT_DET_PER_S units a reference
# second (measured: 0.35-0.5 on the 2-core reference machine for these models).
EXACT_SHARE = 0.5
EXACT_DET_PER_S = 0.4


def start_seconds(racks: int, groups: int) -> float:
    """Reference seconds of one start (START_S_PER_RACK, START_S_PER_GROUP)."""
    return max(racks, 1) * START_S_PER_RACK + groups * START_S_PER_GROUP


def starts(racks: int, budget_s: float, groups: int = 0) -> int:
    """How many of the deterministic starts a component runs: those that fit in
    what the bound leaves of its seconds at start_seconds(), at least one."""
    each = start_seconds(racks, groups)
    return max(1, min(len(SPREADS) * len(PACKINGS), int((1 - BOUND_SHARE) * budget_s / each)))
MAX_CUTS = 12
# compute rows filled from the hall entry outwards, then from the far end (which
# leaves the spare slots near the entry, where spines and cores want to be)
PACKINGS = (False, True)
# halls filled as compactly as possible, then also with their load balanced
# (which spreads the spare slots where switch racks can use them)
SPREADS = (False, True)

Progress = Callable[[float | None, float | None, float | None, float], None]


def components(problem: LayoutProblem) -> list[tuple[list, list]]:
    """(cluster indices, hall indices) of groups of clusters that share halls, or
    a fabric (one shared by several clusters)."""
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
    index = {c.id: ci for ci, c in enumerate(problem.clusters)}
    for ci, c in enumerate(problem.clusters):       # a shared fabric's members solve together
        for f in c.fabrics:
            for m in f.members:
                if m[0] in index:
                    parent[find(index[m[0]])] = find(ci)
    groups: dict = {}
    for ci in range(len(problem.clusters)):
        groups.setdefault(find(ci), []).append(ci)
    out = []
    for cis in sorted(groups.values()):
        halls = sorted({hall_index[h] for ci in cis for h in problem.allowed(problem.clusters[ci])})
        out.append((cis, halls))
    return out


def solve(problem: LayoutProblem, time_limit_s: float = 60.0, seed: int | None = None, jobs: int = 1,
          progress: Progress | None = None, spent_s: float = 0.0) -> SolveResult:
    """The layout of every component within `time_limit_s` worth of work (the
    budgets); `spent_s`, the seconds the caller has already used of that limit
    (parsing, checking), comes off the safety stop only."""
    t0 = time.perf_counter()
    problem.validate()
    seed = problem.seed if seed is None else seed
    comps = components(problem)
    weights = [max(1, sum(problem.clusters[ci].racks for ci in cis)) for cis, _ in comps]
    total_w = sum(weights)
    budgets = [time_limit_s * w / total_w for w in weights]
    # the safety stop: the limit plus 10 % or 5 s, whichever is larger, shared alike
    slack = max(0.1 * time_limit_s, SAFETY_S) - spent_s
    end = t0 + time_limit_s + slack           # when the whole compile should be done, at the latest
    args = [(problem, cis, halls, budgets[i], seed, max(budgets[i] + slack * w / total_w, 0.0))
            for i, ((cis, halls), w) in enumerate(zip(comps, weights))]
    # the safety stop weighs the whole compile: a component may run on past its share
    # until the global end less what the components after it are kept (`until`, on
    # the system-wide monotonic clock, which worker processes share)
    end_mono = time.monotonic() + (end - time.perf_counter())
    until = [end_mono - reserve_after(budgets, i, jobs if len(comps) > 1 else 1) for i in range(len(comps))]
    results: list = [None] * len(comps)
    done_w = 0

    def show(obj, lb, fraction):
        gap = (obj - lb) / obj if obj else None
        progress(_to_float(problem, obj), _to_float(problem, lb), gap, fraction)

    def report(i, r):
        nonlocal done_w
        results[i] = r
        done_w += weights[i]
        if progress:
            show(*_partial_sums(results), done_w / total_w)

    def step(i):
        """Progress inside component i (run in this process): after its bound and
        after each start, the figures so far with its best and its bound."""
        def during(share, best, bound):
            obj, lb = _partial_sums(results)
            if best is not None and bound is not None:
                show(obj + best, lb + bound, (done_w + weights[i] * share) / total_w)
            else:
                progress(None, None, None, (done_w + weights[i] * share) / total_w)
        return during if progress else None

    if jobs > 1 and len(comps) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as ex:
            futures = [ex.submit(solve_component, *a, until=u) for a, u in zip(args, until)]
            for i, fut in enumerate(futures):
                report(i, fut.result())
    else:
        for i, a in enumerate(args):
            # one after another: a component that ran late leaves the next less wall time
            late = min(a[5], max(end - time.perf_counter(), 0.0))
            report(i, solve_component(*a[:5], late, step=step(i), until=until[i]))
    return _merge(problem, results, time.perf_counter() - t0)


def reserve_after(budgets: list, i: int, jobs: int) -> float:
    """Wall seconds the safety stop keeps for the components after component i:
    RESERVE_SHARE of their budgets, shared by the jobs that will run them."""
    return RESERVE_SHARE * sum(budgets[i + 1:]) / max(jobs, 1)


def _partial_sums(results):
    done = [r for r in results if r is not None and r["status"] == "ok"]
    return sum(r["objective"] for r in done), sum(r["bound"] for r in done)


def _to_float(problem: LayoutProblem, units: int | None) -> float | None:
    """Exact integer units (uUSD or mm) to USD or metres."""
    if units is None:
        return None
    return units / 1000 if problem.objective == "length" else units / 1_000_000


# ---- one component -----------------------------------------------------------------

def solve_component(problem: LayoutProblem, clusters: list, halls: list, budget_s: float, seed: int,
                    safety_s: float | None = None, step=None, until: float | None = None) -> dict:
    """One component within `budget_s` seconds' worth of deterministic work;
    `safety_s` (default budget_s) is the wall-clock safety stop, pushed back to
    `until` (time.monotonic() seconds) when that is later. `step(share,
    best, bound)`, if given, hears of progress: the share of the component's
    steps done (the bound, then each start), the best objective so far (units,
    or None) and the bound."""
    safety_s = budget_s if safety_s is None else safety_s
    if until is not None:                  # the whole compile's time left, less the later components'
        safety_s = max(safety_s, until - time.monotonic())
    ctx = Ctx(problem, clusters, halls)
    # what the outputs will take comes off the solver's share (never below a tenth of it)
    finish = finish_seconds(len(ctx.W.lcount), len(halls), int(ctx.W.lcount.sum()))
    solve_s = max(budget_s - finish, 0.1 * budget_s)
    deadline = SafetyStop(safety_s, budget_s - solve_s)      # the safety stop only, never a budget
    hd = HallData(ctx)
    diags = prechecks(ctx, hd) + reach_checks(ctx)
    if diags:
        return _failed("infeasible", diags)
    # the bound may take part of the budget, counted in work; past that, it keeps what
    # it has scored. The wall clock only stops it on a machine far slower than the rule's.
    work = Budget(BOUND_SHARE * solve_s * BOUND_CELLS_PER_S, stop=deadline)
    bound, _ = lower_bound(ctx, work)
    if bound >= INF:
        return _failed("infeasible", [_reach_diag(ctx)])
    racks, groups = sum(c.racks for c in ctx.clusters), len(ctx.W.lcount)
    planned = starts(racks, solve_s, groups)
    if step:
        step(1 / (planned + 1), None, bound)
    headroom = problem.objective == "cost_then_headroom"
    det_time = min(max(0.1 * solve_s, 0.5), 10.0)
    obj, best, last = INF, None, None
    left = planned
    for spread in SPREADS:                # a few deterministic starts; keep the best
        if (left <= 0 or deadline()) and best is not None:
            break
        asg = _assignment(ctx, hd, det_time, seed, headroom or spread)
        if isinstance(asg, dict):
            if best is None and last is None:
                return asg               # infeasible or out of time: nothing to improve on
            continue
        last = asg
        for reverse in PACKINGS:
            if (left <= 0 or deadline()) and best is not None:
                break
            left -= 1
            if pack(ctx, hd, asg, balanced=headroom, reverse=reverse):
                continue
            if not place(ctx, np.nonzero(ctx.W.kind == 1)[0], use_anchors=True) and not _place_by_fabric(ctx):
                continue
            refine(ctx, _groups(ctx), REFINE_ROUNDS, deadline)
            value = ctx.objective_value()
            if best is None or value < obj:
                obj, best = value, ctx.snapshot()
            if step:
                step((planned - left + 1) / (planned + 1), obj if obj < INF else None, bound)
            if obj < INF and obj - bound <= problem.gap_target * obj:
                left = 0                  # proven close enough (`solve { gap }`): the rest are skipped
    if best is None:
        return _failed("infeasible", [_network_diag(ctx)])
    stopped = False
    search_s = _improve_s(solve_s, planned * start_seconds(racks, groups), groups, work)
    if obj < INF and obj - bound > problem.gap_target * obj and search_s > 0 and not deadline():
        ctx.restore(best)
        moved, stopped = improve(ctx, hd, Budget(search_s), deadline)
        if moved:                     # the switches once more, around the blocks where they now stand
            refine(ctx, _groups(ctx), REFINE_ROUNDS, deadline)
        value = ctx.objective_value()
        if value < obj:
            obj, best = value, ctx.snapshot()
    if obj < INF and obj - bound > problem.gap_target * obj and exact.fits(ctx) and not deadline():
        ctx.restore(best)
        obj, bound, best, cut = _exact(ctx, obj, bound, best, EXACT_SHARE * solve_s, seed, deadline)
        stopped |= cut
        if step:
            step(1.0, obj, bound)
    interrupted = stopped or deadline() or work.interrupted      # the safety stop, not a budget
    base_obj = None
    if place_baseline(ctx, hd):
        base_obj = ctx.objective_value()
        if base_obj < obj:            # never worse than the naive layout
            obj, best = base_obj, ctx.snapshot()
    ctx.restore(best)
    if obj >= INF:                    # the bound did not rule it out: say so
        return _failed("infeasible", [_reach_diag(ctx, proven=False)])
    out = _export(ctx, obj, bound, None if base_obj is None or base_obj >= INF else base_obj)
    out["interrupted"] = interrupted
    out["least_s"] = finish + start_seconds(racks, groups) / (1 - BOUND_SHARE)
    return out


def _exact(ctx: Ctx, obj: int, bound: int, best, seconds: float, seed: int, deadline: SafetyStop):
    """The exact model (exact.py) of a small component from the best layout so
    far: its layout where cheaper, its proven bound where higher (the optimum
    itself when proven). Returns (objective, bound, snapshot, interrupted)."""
    ex = exact.solve_exact(ctx, ctx.pos.copy(), seconds * EXACT_DET_PER_S, seed, deadline.seconds_left())
    if ex.pos is not None and ex.objective < obj:
        ctx.reset()
        ctx.place(np.arange(ctx.W.n), ex.pos)
        value = ctx.objective_value()
        if value == ex.objective:              # the model and the solver price alike (a test holds it)
            obj, best = value, ctx.snapshot()
    if ex.pos is not None and ex.bound <= obj:
        bound = max(bound, obj if ex.optimal and ex.objective == obj else ex.bound)
    return obj, bound, best, ex.interrupted


def _improve_s(budget_s: float, starts_s: float, groups: int, work: Budget) -> float:
    """Reference seconds for the local search (IMPROVE_UNUSED_SHARE): a fixed rule
    of the budget and of work counts (`starts_s`: the planned starts' reference
    seconds), never of the clock. The refine that follows it (a third of a start's
    groups) comes off first; 0 when that leaves nothing."""
    unused = max(0.0, BOUND_SHARE * budget_s - work.spent / BOUND_CELLS_PER_S) \
        + max(0.0, (1 - BOUND_SHARE) * budget_s - starts_s)
    share = max(IMPROVE_UNUSED_SHARE * unused, IMPROVE_MIN_SHARE * budget_s)
    return max(share - groups * START_S_PER_GROUP / 3, 0.0)


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
            "objective": None, "bound": None, "baseline": None, "totals": {}, "interrupted": False}


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
    status = "interrupted" if any(r["interrupted"] for r in results) else ("optimal" if obj == lb else "feasible")
    layout = Layout(placements=tuple(p for r in results for p in r["placements"]),
                    links=tuple(x for r in results for x in r["links"]))
    return SolveResult(status=status, layout=layout, objective=_to_float(problem, obj),
                       lower_bound=_to_float(problem, lb), gap=gap,
                       baseline_objective=_to_float(problem, base), seconds=seconds,
                       diagnostics=tuple(diags), objective_kind=kind, totals=_totals(results),
                       objective_units=obj, lower_bound_units=lb, baseline_units=base,
                       least_seconds=sum(r["least_s"] for r in results))


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
