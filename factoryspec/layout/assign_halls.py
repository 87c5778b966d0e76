"""Clusters to halls: how many scalable-unit blocks of each cluster each hall holds.

First closed-form checks that explain the usual infeasibilities with their
numbers and spans; then a small CP-SAT model on block counts with the halls'
slot, CDU, air and busway capacities. Its objective is a compactness proxy
(each cluster's bounding box of hall origins plus a charge per hall used):
cable cost itself is settled by the lower levels, and the lower bound does not
depend on this choice.
"""

from __future__ import annotations

import math
from fractions import Fraction

from ortools.sat.python import cp_model

from ..diagnostics import Diagnostic, error
from ..lang.units import LENGTH, POWER, Quantity, format_quantity
from .context import INF, Ctx
from .geometry import SLOT_COMPUTE
from .problem import mm

U = 10 ** 12     # largest exact scale of the fractional row-use constraint


def fmt_w(w: int | float) -> str:
    return format_quantity(Quantity(Fraction(int(round(w))), POWER))


def fmt_mm(x: int) -> str:
    return format_quantity(Quantity(Fraction(int(x), 1000), LENGTH))


# ---- hall geometry ----------------------------------------------------------------

def row_segments(ctx: Ctx, k: int) -> list:
    """Per row of hall k: runs (first slot id, length) of compute slots in one section."""
    T, h = ctx.T, ctx.halls[k]
    out = []
    for r in range(h.rows):
        start = int(T.base[k]) + r * h.slots_per_row
        segs, run_start, run_len, sec = [], -1, 0, -1
        for s in range(start, start + h.slots_per_row):
            ok = T.kind[s] == SLOT_COMPUTE
            if ok and run_len and T.sec[s] == sec:
                run_len += 1
                continue
            if run_len:
                segs.append((run_start, run_len))
            run_start, run_len, sec = (s, 1, T.sec[s]) if ok else (-1, 0, -1)
        if run_len:
            segs.append((run_start, run_len))
        out.append(segs)
    return out


class HallData:
    """Capacities of the component's halls and each cluster's block capacity per hall."""

    def __init__(self, ctx: Ctx):
        self.ctx = ctx
        self.segments = [row_segments(ctx, k) for k in range(len(ctx.halls))]
        self.compute = ctx.compute_slot_counts()
        self.usable = ctx.usable_slot_counts()
        self.row_cap = [int(ctx.row_cap[ctx.row_hall == k][0]) if ctx.halls[k].rows else 0
                        for k in range(len(ctx.halls))]
        W = ctx.W
        self.power, self.liquid, self.air, self.nb, self.last, self.n_net, self.p_net = ([] for _ in range(7))
        self.w_net = []          # all of a cluster's network racks together (W): the totals are exact
        for ci, c in enumerate(ctx.clusters):
            base = W.compute_base[ci]
            b = ctx.block[ci]
            self.power.append(int(W.power[base]) if c.racks else 0)
            self.liquid.append(int(W.liquid[base]) if c.racks else 0)
            self.air.append(int(W.air[base]) if c.racks else 0)
            self.nb.append(-(-c.racks // b))
            self.last.append(c.racks - (self.nb[-1] - 1) * b if c.racks else 0)
            lo, hi = W.net_range[ci]
            self.n_net.append(hi - lo)
            self.p_net.append(int(W.power[lo:hi].max()) if hi > lo else 0)
            self.w_net.append(int(W.power[lo:hi].sum()))
        self.blockcap = [[self._blockcap(ci, k) for k in range(len(ctx.halls))]
                         for ci in range(len(ctx.clusters))]

    def _blockcap(self, ci: int, k: int) -> int:
        if not self.ctx.allowed[ci][k]:
            return 0
        b, p = self.ctx.block[ci], self.power[ci]
        per_row_power = self.row_cap[k] // (b * p) if p else 1 << 30
        return sum(min(sum(n // b for _, n in segs), per_row_power) for segs in self.segments[k])

    def longest_run(self, k: int) -> int:
        return max((n for segs in self.segments[k] for _, n in segs), default=0)


# ---- closed-form checks ----------------------------------------------------------

def prechecks(ctx: Ctx, hd: HallData) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for ci, c in enumerate(ctx.clusters):
        out.extend(_cluster_checks(ctx, hd, ci))
    if not out and len(ctx.clusters) > 1:
        out.extend(_shared_checks(ctx, hd))
    return out


def _cluster_checks(ctx: Ctx, hd: HallData, ci: int) -> list[Diagnostic]:
    c = ctx.clusters[ci]
    if c.racks == 0:
        return []
    ids = [h.id for h in ctx.halls]
    allowed_ids = set(ctx.problem.allowed(c))
    cand = [k for k in range(len(ctx.halls)) if ctx.halls[k].id in allowed_ids]
    if not cand:
        return [error("cluster-space", f"cluster {c.id} may use no hall", c.span)]
    ok = [k for k in cand if ctx.allowed[ci][k]]
    if not ok:
        h = ctx.halls[cand[0]]
        load = c.rack_weight_kg / c.footprint_m2 if c.footprint_m2 else float("inf")
        rating = ", ".join(f"{ctx.halls[k].id} {ctx.halls[k].floor_rating_kg_m2:,.0f} kg/m2" for k in cand)
        return [error("floor-load", f"cluster {c.id}: {c.system} puts {load:,.0f} kg/m2 on its footprint, "
                      f"above the floor rating of every hall it may use ({rating})", h.span or c.span)]
    b = ctx.block[ci]
    longest = max(hd.longest_run(k) for k in ok)
    if b > longest:
        return [_too_long(c, b, longest)]
    block_w = b * hd.power[ci]
    if all(block_w > hd.row_cap[k] for k in ok):
        k = ok[0]
        code = "scalable-unit-busway" if b > 1 else "busway-overload"   # one rack: the busway itself
        return [error(code, f"a block of {b} racks of cluster {c.id} draws {fmt_w(block_w)}, "
                      f"more than one row busway carries ({fmt_w(hd.row_cap[k])} in hall {ids[k]})",
                      c.unit_span or c.span if b > 1 else ctx.halls[k].span or c.span)]
    diags = []
    cap = sum(min(hd.blockcap[ci][k], hd.nb[ci]) * b for k in ok)
    usable = int(sum(hd.usable[k] for k in ok))
    need_total = c.racks + hd.n_net[ci]
    positions = int(sum(hd.compute[k] for k in ok))
    in_runs = sum(n // b for k in ok for segs in hd.segments[k] for _, n in segs)
    if in_runs < hd.nb[ci] and c.racks <= positions:
        # positions enough, whole blocks not (busways aside): the block size is the cause
        return [error("scalable-unit-rows", f"cluster {c.id} needs {hd.nb[ci]:,} blocks of {b} racks; the rows "
                      f"of its halls hold {in_runs:,} whole blocks in {positions:,} compute positions",
                      c.unit_span or c.span)]
    if len(ok) == 1:
        h = ctx.halls[ok[0]]
        if cap < c.racks:
            diags.append(error("hall-slots", f"hall {h.id} needs {c.racks:,} compute slots for cluster "
                               f"{c.id} (in blocks of {b}), has {cap:,}", h.span))
        elif need_total > usable:
            diags.append(error("hall-slots", f"hall {h.id} needs {need_total:,} slots for cluster {c.id} "
                               f"({c.racks:,} compute + {hd.n_net[ci]:,} network racks), has {usable:,}",
                               h.span))
    else:
        names = ", ".join(ids[k] for k in ok)
        if cap < c.racks:
            diags.append(error("cluster-space", f"cluster {c.id} needs {c.racks:,} compute slots (in blocks "
                               f"of {b}), its halls {names} have {cap:,}", c.span))
        elif need_total > usable:
            diags.append(error("cluster-space", f"cluster {c.id} needs {need_total:,} slots ({c.racks:,} "
                               f"compute + {hd.n_net[ci]:,} network racks), its halls {names} have "
                               f"{usable:,}", c.span))
    if diags:
        return diags
    return _capacity_checks(ctx, hd, [ci], ok)


def _too_long(c, b: int, longest: int) -> Diagnostic:
    """A block longer than every run of compute slots: the NVLink domain's fault
    when it alone is too long, else the scalable unit's (as checks/contiguity.py)."""
    if c.nvlink_racks > 1 and c.nvlink_racks > longest:
        return error("nvlink-domain", f"cluster {c.id}: an NVLink domain of {c.nvlink_racks} racks is longer "
                     f"than the longest run of compute slots in one row of its halls ({longest})",
                     c.system_span or c.span)
    return error("scalable-unit-fit", f"cluster {c.id} keeps {b} racks contiguous (its scalable unit) but "
                 f"the longest run of compute slots in one row of its halls is {longest}", c.unit_span or c.span)


def _capacity_checks(ctx: Ctx, hd: HallData, cis: list, halls: list) -> list[Diagnostic]:
    """Liquid, air and busway totals of clusters `cis` against halls `halls`."""
    liq = sum(ctx.clusters[ci].racks * hd.liquid[ci] for ci in cis)
    # the network racks' own sum, not count x the heaviest: racks of leaves and of
    # spines differ once optics are budgeted per cabled port
    air = sum(ctx.clusters[ci].racks * hd.air[ci] + hd.w_net[ci] for ci in cis)
    pw = sum(ctx.clusters[ci].racks * hd.power[ci] + hd.w_net[ci] for ci in cis)
    cdu = sum(int(ctx.cdu_cap[k]) for k in halls)
    aircap = sum(int(ctx.air_cap[k]) for k in halls)
    bus = sum(hd.row_cap[k] * ctx.halls[k].rows for k in halls)
    who = "cluster " + ctx.clusters[cis[0]].id if len(cis) == 1 else \
        "clusters " + ", ".join(ctx.clusters[ci].id for ci in cis)
    span = ctx.clusters[cis[0]].span
    where = ctx.halls[halls[0]]
    names = ", ".join(ctx.halls[k].id for k in halls)
    out = []
    if liq > cdu:
        out.append(error("cdu-capacity", f"{who} sends {fmt_w(liq)} of heat to liquid; the CDUs of "
                         f"{'hall ' + names if len(halls) == 1 else 'halls ' + names} carry {fmt_w(cdu)}",
                         where.span if len(halls) == 1 else span))
    if air > aircap:
        out.append(error("air-capacity", f"{who} sends {fmt_w(air)} of heat to air; the air handling of "
                         f"{'hall ' + names if len(halls) == 1 else 'halls ' + names} carries {fmt_w(aircap)}",
                         where.span if len(halls) == 1 else span))
    if pw > bus:
        out.append(error("busway-overload", f"{who} draws {fmt_w(pw)}; the row busways of "
                         f"{'hall ' + names if len(halls) == 1 else 'halls ' + names} carry {fmt_w(bus)} "
                         f"at their continuous limit", where.span if len(halls) == 1 else span))
    return out


def _shared_checks(ctx: Ctx, hd: HallData) -> list[Diagnostic]:
    cis = [ci for ci, c in enumerate(ctx.clusters) if c.racks]
    halls = [k for k in range(len(ctx.halls)) if any(ctx.allowed[ci][k] for ci in cis)]
    need = sum(ctx.clusters[ci].racks + hd.n_net[ci] for ci in cis)
    have = int(sum(hd.usable[k] for k in halls))
    if need > have:
        names = ", ".join(ctx.clusters[ci].id for ci in cis)
        return [error("cluster-space", f"clusters {names} need {need:,} slots together, the halls they "
                      f"may use have {have:,}", ctx.clusters[cis[0]].span)]
    return _capacity_checks(ctx, hd, cis, halls)


def reach_checks(ctx: Ctx) -> list[Diagnostic]:
    """A fabric whose shortest possible link is beyond every medium it may use."""
    out = []
    sw = min((mm(h.slot_width_m) for h in ctx.halls), default=0)
    shortest = -(-ctx.T.shortest_mm(sw) // ctx.T.bin_mm)
    for f, info in enumerate(ctx.W.fabrics):
        t = ctx.tables[f]
        if not t.media:
            out.append(error("fabric-media", f"fabric {ctx.clusters[ctx.local[info.cluster]].id}/{info.spec.id} "
                             f"may use no cable medium", info.spec.media_span or info.spec.span))
        elif shortest > t.nmax:
            out.append(error("shortest-link-reach", f"fabric {ctx.clusters[ctx.local[info.cluster]].id}/"
                             f"{info.spec.id}: even adjacent racks need {fmt_mm(shortest * ctx.T.bin_mm)} of "
                             f"cable (drops, slack and rounding included), beyond its longest medium "
                             f"({fmt_mm(t.nmax * ctx.T.bin_mm)})", info.spec.media_span or info.spec.span))
    return out


# ---- the CP-SAT model -----------------------------------------------------------

class Assignment:
    def __init__(self, blocks, partial, status):
        self.blocks = blocks        # blocks[ci][k]
        self.partial = partial      # partial[ci]: hall holding the short last block, or None
        self.status = status        # 'ok' | 'infeasible' | 'timeout'
        self.diagnostics: list[Diagnostic] = []


def assign(ctx: Ctx, hd: HallData, det_time: float, seed: int, cuts: dict, headroom: bool) -> Assignment:
    m = cp_model.CpModel()
    K, C = len(ctx.halls), len(ctx.clusters)
    n, z, used, net, room = {}, {}, {}, {}, {}
    for ci, c in enumerate(ctx.clusters):
        for k in range(K):
            cap = min(hd.blockcap[ci][k], hd.nb[ci], cuts.get((ci, k), 1 << 30))
            if cap > 0 and c.racks:
                n[ci, k] = m.NewIntVar(0, hd.nb[ci], f"n{ci}_{k}")
                used[ci, k] = m.NewBoolVar(f"u{ci}_{k}")
                m.Add(n[ci, k] <= hd.nb[ci] * used[ci, k])
                room[ci, k] = (n[ci, k] <= cap, cap)      # guarded below, so it can be named
                m.Add(n[ci, k] >= used[ci, k])
                if hd.last[ci] < ctx.block[ci]:
                    z[ci, k] = m.NewBoolVar(f"z{ci}_{k}")
                    m.AddImplication(z[ci, k], used[ci, k])
            if ctx.net_allowed[ci][k] and hd.n_net[ci]:
                net[ci, k] = m.NewIntVar(0, hd.n_net[ci], f"net{ci}_{k}")
        if c.racks:
            m.Add(sum(n[ci, k] for k in range(K) if (ci, k) in n) == hd.nb[ci])
            if hd.last[ci] < ctx.block[ci]:
                m.AddExactlyOne([z[ci, k] for k in range(K) if (ci, k) in z])
        if hd.n_net[ci]:
            m.Add(sum(net[ci, k] for k in range(K) if (ci, k) in net) == hd.n_net[ci])

    def racks(ci, k):
        b = ctx.block[ci]
        e = b * n[ci, k]
        return e - (b - hd.last[ci]) * z[ci, k] if (ci, k) in z else e

    lits, assumptions = {}, []
    loads = []
    for k in range(K):
        here = [ci for ci in range(C) if (ci, k) in n]
        nets = [ci for ci in range(C) if (ci, k) in net]
        if not here and not nets:
            loads.append(None)
            continue
        cons, power = _hall_limits(ctx, hd, k, here, nets, n, net, racks)
        loads.append(power)
        for name, con in cons.items():
            lit = m.NewBoolVar(f"a_{name}_{k}")
            if isinstance(con, bool):       # constant: only a false one matters
                if not con:
                    m.AddBoolOr([lit.Not()])
            else:
                m.Add(con).OnlyEnforceIf(lit)
            lits[lit.Index()] = (k, name)
            assumptions.append(lit)
    for (ci, k), (con, cap) in room.items():
        lit = m.NewBoolVar(f"a_room_{ci}_{k}")
        m.Add(con).OnlyEnforceIf(lit)
        lits[lit.Index()] = (k, f"room:{ci}:{cap}")
        assumptions.append(lit)
    m.AddAssumptions(assumptions)
    obj = _compactness(m, ctx, hd, used)
    solver = _solver(det_time, seed)
    st = solver.Solve(m)
    if st == cp_model.INFEASIBLE:
        a = Assignment(None, None, "infeasible")
        core = _minimal_core(m, solver.SufficientAssumptionsForInfeasibility(), seed)
        a.diagnostics = _explain(ctx, hd, [lits[i] for i in core if i in lits])
        return a
    if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Assignment(None, None, "timeout")
    if headroom:
        best = int(solver.ObjectiveValue())
        m.Add(obj <= best)
        _balance(m, ctx, hd, loads)
        m.ClearHints()
        for var in list(n.values()) + list(z.values()) + list(net.values()) + list(used.values()):
            m.AddHint(var, solver.Value(var))
        s2 = _solver(det_time, seed)
        if s2.Solve(m) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            solver = s2
    blocks = [[solver.Value(n[ci, k]) if (ci, k) in n else 0 for k in range(K)] for ci in range(C)]
    partial = [next((k for k in range(K) if (ci, k) in z and solver.Value(z[ci, k])), None)
               for ci in range(C)]
    return Assignment(blocks, partial, "ok")


def _minimal_core(m, core: list, seed: int, limit: int = 80) -> list:
    """Drop assumptions from an infeasible core while it stays infeasible
    (deletion-based), so the diagnostics name only limits that bind."""
    core = sorted(core)
    i = 0
    while i < len(core) and limit > 0:
        trial = core[:i] + core[i + 1:]
        m.ClearAssumptions()
        m.AddAssumptions([m.GetBoolVarFromProtoIndex(j) for j in trial])
        limit -= 1
        if _solver(1.0, seed).Solve(m) == cp_model.INFEASIBLE:
            core = trial
        else:
            i += 1
    return core


def _hall_limits(ctx: Ctx, hd: HallData, k: int, here: list, nets: list, n: dict, net: dict, racks):
    """Hall k's capacity constraints by name (each guarded by an assumption so an
    infeasible model can say which bind), and its busway load expression."""
    comp = sum(racks(ci, k) for ci in here) if here else 0
    netc = sum(net[ci, k] for ci in nets) if nets else 0
    power = sum(hd.power[ci] * racks(ci, k) for ci in here) + sum(hd.p_net[ci] * net[ci, k] for ci in nets)
    cons = {
        "compute": comp <= int(hd.compute[k]),
        "slots": comp + netc <= int(hd.usable[k]),
    }
    if hd.row_cap[k] < INF:          # INF: no limit (a busway beyond 10^18 W); the product would overflow int64
        cons["busway"] = power <= hd.row_cap[k] * ctx.halls[k].rows
    if ctx.cdu_cap[k] < (1 << 59):
        cons["cdu"] = sum(hd.liquid[ci] * racks(ci, k) for ci in here) <= int(ctx.cdu_cap[k])
    if ctx.air_cap[k] < (1 << 59):
        cons["air"] = (sum(hd.air[ci] * racks(ci, k) for ci in here)
                       + sum(hd.p_net[ci] * net[ci, k] for ci in nets) <= int(ctx.air_cap[k]))
    if len(here) > 1:      # sum of each cluster's share of the rows' block room <= 1
        caps = [hd.blockcap[ci][k] for ci in here]
        scale = math.lcm(*caps)
        scale = scale if scale <= U else U          # huge lcm: round shares up (conservative)
        cons["rows"] = sum(n[ci, k] * -(-scale // hd.blockcap[ci][k]) for ci in here) <= scale
    return cons, power


def _solver(det_time: float, seed: int) -> cp_model.CpSolver:
    s = cp_model.CpSolver()
    s.parameters.num_workers = 1            # one worker + fixed seed: deterministic
    s.parameters.random_seed = int(seed) & 0x7FFFFFFF
    s.parameters.max_deterministic_time = max(float(det_time), 0.05)
    s.parameters.log_search_progress = False
    return s


def _compactness(m, ctx: Ctx, hd: HallData, used: dict):
    """Sum over clusters of racks x (bounding box of hall origins + a charge per hall)."""
    terms = []
    xs = [int(round(h.origin_xy_m[0])) for h in ctx.halls]
    ys = [int(round(h.origin_xy_m[1])) for h in ctx.halls]
    lo_x, hi_x = min(xs, default=0), max(xs, default=0)
    lo_y, hi_y = min(ys, default=0), max(ys, default=0)
    for ci, c in enumerate(ctx.clusters):
        ks = [k for k in range(len(ctx.halls)) if (ci, k) in used]
        if not ks:
            continue
        w = max(c.racks, 1)
        bx = [m.NewIntVar(lo_x, hi_x, ""), m.NewIntVar(lo_x, hi_x, "")]
        by = [m.NewIntVar(lo_y, hi_y, ""), m.NewIntVar(lo_y, hi_y, "")]
        for k in ks:
            m.Add(bx[0] <= xs[k]).OnlyEnforceIf(used[ci, k])
            m.Add(bx[1] >= xs[k]).OnlyEnforceIf(used[ci, k])
            m.Add(by[0] <= ys[k]).OnlyEnforceIf(used[ci, k])
            m.Add(by[1] >= ys[k]).OnlyEnforceIf(used[ci, k])
            h = ctx.halls[k]
            charge = int(round((h.slots_per_row * h.slot_width_m + h.rows * h.row_pitch_m) / 2))
            terms.append(w * max(charge, 1) * used[ci, k])
        terms.append(w * (bx[1] - bx[0] + by[1] - by[0]))
    obj = sum(terms) if terms else 0
    m.Minimize(obj)
    return obj


def _balance(m, ctx: Ctx, hd: HallData, loads: list):
    """Second objective: the largest busway utilisation of any hall (per mille)."""
    top = m.NewIntVar(0, 1000, "max_util")
    for k, load in enumerate(loads):
        cap = hd.row_cap[k] * ctx.halls[k].rows
        if load is not None and 0 < hd.row_cap[k] < INF:
            m.Add(1000 * load <= top * cap)
    m.Minimize(top)


def _explain(ctx: Ctx, hd: HallData, core: list) -> list[Diagnostic]:
    names = ", ".join(c.id for c in ctx.clusters if c.racks)
    what = {
        "compute": lambda k: (f"{int(hd.compute[k]):,} compute slots", "hall-slots"),
        "slots": lambda k: (f"{int(hd.usable[k]):,} usable slots", "hall-slots"),
        "busway": lambda k: (f"{ctx.halls[k].rows} row busways of {fmt_w(hd.row_cap[k])}", "busway-overload"),
        "cdu": lambda k: (f"{fmt_w(int(ctx.cdu_cap[k]))} of CDU capacity", "cdu-capacity"),
        "air": lambda k: (f"{fmt_w(int(ctx.air_cap[k]))} of air capacity", "air-capacity"),
        "rows": lambda k: ("rows, which the clusters' scalable units share", "hall-slots"),
    }
    out = []
    for k, kind in sorted(core) or []:
        if kind.startswith("room:"):
            _, ci, cap = kind.split(":")
            c = ctx.clusters[int(ci)]
            text, code = (f"room for {cap} block(s) of {ctx.block[int(ci)]} racks of cluster {c.id} "
                          f"(its rows, segments and busways)", "hall-slots")
        else:
            text, code = what[kind](k)
        h = ctx.halls[k]
        out.append(error(code, f"clusters {names} cannot all be placed: hall {h.id} is limited by its "
                         f"{text}, together with the other limits listed", h.span))
    if not out:
        out.append(error("cluster-space", f"clusters {names} cannot be placed in the halls they may use",
                         ctx.clusters[0].span if ctx.clusters else None))
    return out
