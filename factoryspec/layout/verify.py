"""Re-check a layout against its problem, independently of the solver.

Nothing here imports the solver: geometry, fabric wiring, media choice and
totals are re-implemented from the rules documented in problem.py and
wiring.py, in plain Python, so a solver bug cannot hide behind shared code.

Checked: every rack placed exactly once and no unknown rack; every slot in
range, used once, not reserved, compute racks off the network slots; hall
allowed and floor rating; coordinates; rack power and feeds; row busways,
hall CDU and air capacities; scalable units and NVLink domains in consecutive
slots of one row segment; the network racks' switches cover each tier once,
at most switches_per_rack each; every fabric link present with its exact
multiplicity; each link's length recomputed from the positions; its medium
reaches and is the cheapest; totals recomputed.

Every placement field is checked: id, kind, cluster, hall, row and slot as
above; system (the cluster's system, or the fabric's switch model); x_m, y_m,
power_w exactly as written (metres to 3 places, watts to the mW); feeds; a
network rack's fabric, tier, first_switch and switches, and none of those on a
compute rack. Every link field: its racks, cluster, fabric and level against
the wiring rule, its medium, its length exactly, its count.

layout.json (jsonio.verify_json) adds, from verify_and_recount: totals (racks,
compute/network racks, link groups, cables, length, cost, objective_units,
by_medium, optics, IT power, headroom) and halls[] recomputed; spec_hash and
objective compared with the spec as recorded inputs. Informational, checked
only for consistency: the seed (a non-negative int) and the solver block
(status, objective, lower_bound, gap, baseline_objective, saving_vs_baseline),
which depend on the solve: objective is the recomputed objective in its unit,
lower_bound <= objective <= baseline, gap and saving follow from them at their
stored rounding; status one a layout can have, and optimal only when the
bound meets the objective. The seed and the solver figures are declared
informational in layout_schema.json too.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import numpy as np

from ..diagnostics import Diagnostic, error
from .problem import LayoutProblem, micro_usd, milliwatts, mm, mw_to_w, rack_power_at, watts
from .result import LEVELS, Layout

# Codes for the lead to register in factoryspec/diagnostics/codes.py (kept in variables here
# so that the registry test flags nothing before they are).
LAYOUT_INVALID = "layout-invalid"
LAYOUT_CODES = {
    LAYOUT_INVALID: ("A layout breaks its spec",
                     "factoryspec verify re-checked a layout.json against its spec and found a rack, slot, "
                     "capacity, contiguity, link, length, medium or total that the spec does not allow. "
                     "Recompile the spec; a layout edited by hand must keep every rule of the spec."),
}
TIERS = {1: ("switch",), 2: ("leaf", "spine"), 3: ("leaf", "spine", "core")}
MAX_REPORTS = 50


def verify(problem: LayoutProblem, layout: Layout, objective_units: int | None = None) -> list[Diagnostic]:
    """Diagnostics for every rule the layout breaks (empty when it is valid).
    `objective_units`, if given, is the claimed objective in micro-USD (cost
    objectives) or millimetres (length), checked against the recomputation."""
    return verify_and_recount(problem, layout, objective_units)[0]


def verify_and_recount(problem: LayoutProblem, layout: Layout,
                       objective_units: int | None = None) -> tuple[list[Diagnostic], dict | None]:
    """verify(), and the link totals recounted from the links (None unless the
    layout verifies): cost_u, length_mm, cables, objective_units and by_medium
    {medium: [cables, length_mm, cost_u]}, the shape of SolveResult.totals."""
    v = _Verifier(problem, layout)
    v.run(objective_units)
    return v.out, (None if v.out else v.sums)


class _Verifier:
    def __init__(self, problem: LayoutProblem, layout: Layout):
        self.p = problem
        self.lay = layout
        self.out: list[Diagnostic] = []
        self.halls = {h.id: h for h in problem.halls}
        self.clusters = {c.id: c for c in problem.clusters}
        self.geo = {h.id: _HallGeo(h) for h in problem.halls}
        self.pos: dict = {}               # rack id -> placement
        self.sums: dict | None = None     # link totals, once links() has run
        self.optics_mw = self._optics()   # rack id -> mW of its cable ends

    def err(self, msg: str, span=None, code: str = LAYOUT_INVALID):
        if len(self.out) < MAX_REPORTS:
            self.out.append(error(code, _LONG_WORD.sub(_clip, msg), span))

    def run(self, objective_units):
        self.racks()
        if self.out:
            return
        self.slots()
        self.capacities()
        self.contiguity()
        self.switches()
        if self.out:
            return
        self.links(objective_units)

    # ---- racks and slots ------------------------------------------------------------
    def racks(self):
        seen = Counter(p.id for p in self.lay.placements)
        for rid, n in seen.items():
            if n > 1:
                self.err(f"rack {rid} is placed {n} times")
        self.pos = {p.id: p for p in self.lay.placements}
        for c in self.p.clusters:
            for i in range(1, c.racks + 1):
                rid = f"{c.id}/c{i}"
                p = self.pos.get(rid)
                if p is None:
                    self.err(f"compute rack {rid} of cluster {c.id} is not placed", c.span)
                elif p.kind != "compute" or p.cluster != c.id:
                    self.err(f"rack {rid} should be a compute rack of cluster {c.id}", c.span)
                elif p.system != c.system:
                    self.err(f"compute rack {rid} is a {p.system}, cluster {c.id} is of {c.system}", c.span)
        for p in self.lay.placements:
            c = self.clusters.get(p.cluster)
            if c is None:
                self.err(f"rack {p.id} names an unknown cluster {p.cluster}")
            elif p.kind == "compute":
                if not (p.id.startswith(c.id + "/c") and p.id[len(c.id) + 2:].isdigit()
                        and 1 <= int(p.id[len(c.id) + 2:]) <= c.racks):
                    self.err(f"rack {p.id} is not a compute rack of cluster {c.id}", c.span)
                elif (p.fabric, p.tier, p.first_switch, p.switches) != (None,) * 4:
                    self.err(f"compute rack {p.id} names a fabric, tier or switches; only network racks do")
            elif p.kind == "network":
                if not any(f.id == p.fabric for f in c.fabrics):
                    self.err(f"network rack {p.id} names an unknown fabric {p.fabric} of cluster {c.id}")
                elif p.system != self._fabric(c, p.fabric).switch:
                    self.err(f"network rack {p.id} holds {p.system} switches, fabric {c.id}/{p.fabric} uses "
                             f"{self._fabric(c, p.fabric).switch}", self._fabric(c, p.fabric).span)
            else:
                self.err(f"rack {p.id} has an unknown kind {p.kind!r}")

    def slots(self):
        used: dict = {}
        for p in self.lay.placements:
            h = self.halls.get(p.hall)
            if h is None:
                self.err(f"rack {p.id} stands in an unknown hall {p.hall}")
                continue
            if not (1 <= p.row <= h.rows and 1 <= p.slot <= h.slots_per_row):
                self.err(f"rack {p.id}: row {p.row} slot {p.slot} is outside hall {h.id} "
                         f"({h.rows} rows of {h.slots_per_row})", h.span)
                continue
            key = (p.hall, p.row, p.slot)
            if key in used:
                self.err(f"hall {h.id} row {p.row} slot {p.slot} holds both {used[key]} and {p.id}", h.span)
            used[key] = p.id
            if (p.row, p.slot) in h.reserved:
                self.err(f"rack {p.id} stands in reserved slot {p.slot} of row {p.row} in hall {h.id}", h.span)
            if p.kind == "compute" and p.slot > h.slots_per_row - min(h.network_slots_per_row_end,
                                                                       h.slots_per_row):
                self.err(f"compute rack {p.id} stands in network slot {p.slot} of row {p.row} in hall {h.id}",
                         h.span)
            c = self.clusters[p.cluster]
            allowed = set(self.p.allowed(c))
            if p.hall not in allowed:
                self.err(f"rack {p.id} of cluster {c.id} stands in hall {h.id}, which it may not use", c.span)
            weight, area = self._weight(p, c)
            if h.floor_rating_kg_m2 is not None and weight > 0 and weight > h.floor_rating_kg_m2 * area:
                self.err(f"rack {p.id} ({weight:,.0f} kg on {area} m2) exceeds the floor rating of hall {h.id} "
                         f"({h.floor_rating_kg_m2:,.0f} kg/m2)", h.span, "floor-load")
            x, y = self.geo[h.id].site_xy(p.row, p.slot)
            # exactly as written (to the mm, 3 places): a sub-mm edit is an edit too
            if p.x_m != round(x / 1000, 3) or p.y_m != round(y / 1000, 3):
                self.err(f"rack {p.id}: coordinates ({p.x_m}, {p.y_m}) m, the slot is at "
                         f"({x / 1000}, {y / 1000}) m")
            if not isinstance(p.power_w, (int, float)) or p.power_w != mw_to_w(self._power(p, c)):
                self.err(f"rack {p.id}: power {p.power_w} W, expected {self._power(p, c) / 1000:g} W "
                         "(its system or switches and the optics of its cable ends)")
            if p.feeds != ("AB" if h.feeds >= 2 else "A"):
                self.err(f"rack {p.id}: feeds {p.feeds!r}, hall {h.id} gives {'AB' if h.feeds >= 2 else 'A'}")

    def _fabric(self, c, fid):
        return next(f for f in c.fabrics if f.id == fid)

    def _weight(self, p, c):
        if p.kind == "compute":
            return c.rack_weight_kg, c.footprint_m2
        f = self._fabric(c, p.fabric)
        return f.rack_weight_kg, f.rack_footprint_m2

    def _optics(self) -> Counter:
        """Milliwatts of transceiver modules per rack: each link puts one end of
        each of its cables in rack a and one in rack b. A compute rack holds one
        module per end (host_power_per_end_w); a network rack, per medium,
        ceil(ends / cables_per_transceiver) modules of power_per_end_w (the medium
        itself is checked with the links)."""
        media = {m.id: m for m in self.p.media}
        network = {p.id for p in self.lay.placements if p.kind == "network"}
        ends: Counter = Counter()
        for ln in self.lay.links:
            ends[(ln.a, ln.medium)] += ln.count
            ends[(ln.b, ln.medium)] += ln.count
        out: Counter = Counter()
        for (rack, mid), n in sorted(ends.items()):
            m = media.get(mid)
            if m is None:
                continue
            if rack in network:
                per = max(m.cables_per_transceiver, 1)
                out[rack] += (n + per - 1) // per * milliwatts(m.power_per_end_w)
            else:
                host = m.power_per_end_w if m.host_power_per_end_w is None else m.host_power_per_end_w
                out[rack] += n * milliwatts(host)
        return out

    def _power(self, p, c) -> int:
        """A rack's power in milliwatts."""
        if p.kind == "compute":
            base = watts(rack_power_at(c, int(p.id.rsplit("/c", 1)[1]) - 1))
        else:
            base = (p.switches or 0) * watts(self._fabric(c, p.fabric).switch_power_w)
        return base * 1000 + self.optics_mw[p.id]

    def capacities(self):
        rows: Counter = Counter()
        liquid: Counter = Counter()
        air: Counter = Counter()
        for p in self.lay.placements:
            if p.hall not in self.halls:
                continue
            c = self.clusters[p.cluster]
            w = self._power(p, c)
            rows[(p.hall, p.row)] += w
            # only the system's own heat goes to liquid; optics and switches shed to air
            liq = (int(round(watts(rack_power_at(c, int(p.id.rsplit("/c", 1)[1]) - 1)) * c.liquid_fraction)) * 1000
                   if p.kind == "compute" else 0)
            liquid[p.hall] += liq
            air[p.hall] += w - liq
        for (hid, row), load in sorted(rows.items()):
            h = self.halls[hid]
            cap = int(watts(h.busway_w_per_feed) * h.busway_limit) * 1000
            if load > cap:
                feeds = "each of its A and B busways" if h.feeds >= 2 else "its busway"
                self.err(f"row {row} of hall {hid} draws {load / 1000:,g} W; {feeds} carries {cap // 1000:,} W "
                         f"({h.busway_limit:.0%} of {watts(h.busway_w_per_feed):,} W)", h.span, "busway-overload")
        for what, loads, attr, code in (("its CDUs", liquid, "cdu_capacity_w_usable", "cdu-capacity"),
                                        ("air", air, "air_capacity_w_usable", "air-capacity")):
            for hid, load in sorted(loads.items()):
                cap = getattr(self.halls[hid], attr)
                if cap is not None and load > watts(cap) * 1000:
                    self.err(f"hall {hid} sends {load / 1000:,g} W to {what}, which carry {watts(cap):,} W",
                             self.halls[hid].span, code)

    def contiguity(self):
        for c in self.p.clusters:
            for what, size in (("scalable unit", c.scalable_unit), ("NVLink domain", c.nvlink_racks)):
                if size <= 1:
                    continue
                for g, start in enumerate(range(0, c.racks, size)):
                    ids = [f"{c.id}/c{i + 1}" for i in range(start, min(start + size, c.racks))]
                    ps = [self.pos[i] for i in ids if i in self.pos]
                    if len(ps) != len(ids) or not self._consecutive(ps):
                        self.err(f"{what} {g + 1} of cluster {c.id} ({ids[0]}..{ids[-1]}) is not in "
                                 f"consecutive slots of one row segment", c.span)

    def _consecutive(self, ps) -> bool:
        if len({(p.hall, p.row) for p in ps}) != 1 or ps[0].hall not in self.halls:
            return False
        slots = sorted(p.slot for p in ps)
        if slots[-1] - slots[0] != len(slots) - 1 or len(set(slots)) != len(slots):
            return False
        geo = self.geo[ps[0].hall]
        return len({geo.section(s) for s in slots}) == 1

    # ---- network racks and links ------------------------------------------------------
    def switches(self):
        """switch_rack[(cluster, fabric, tier)] = list: switch index -> rack id."""
        self.switch_rack = {}
        by_tier = defaultdict(list)
        for p in self.lay.placements:
            if p.kind == "network":
                by_tier[(p.cluster, p.fabric, p.tier)].append(p)
        for c in self.p.clusters:
            for f in c.fabrics:
                sizes = _tier_sizes(f.plan)
                for name, n in zip(TIERS[f.plan.tiers], sizes):
                    owner = [None] * n
                    for p in by_tier.pop((c.id, f.id, name), []):
                        first, cnt = p.first_switch or 0, p.switches or 0
                        if cnt < 1 or cnt > f.switches_per_rack or first < 1 or first + cnt - 1 > n:
                            self.err(f"network rack {p.id} holds switches {first}..{first + cnt - 1} of "
                                     f"{n} {name}s (at most {f.switches_per_rack} a rack)", f.span)
                            continue
                        for i in range(first - 1, first - 1 + cnt):
                            if owner[i] is not None:
                                self.err(f"{name} switch {i + 1} of {c.id}/{f.id} is in racks {owner[i]} "
                                         f"and {p.id}", f.span)
                            owner[i] = p.id
                    missing = [i + 1 for i, o in enumerate(owner) if o is None]
                    if missing:
                        self.err(f"{len(missing)} {name} switches of {c.id}/{f.id} are in no rack "
                                 f"(first: {missing[0]})", f.span)
                    self.switch_rack[(c.id, f.id, name)] = owner
        for (cid, fid, tier), ps in by_tier.items():
            self.err(f"network rack {ps[0].id} has an unknown tier {tier!r} of {cid}/{fid}")

    def ports(self, expected: dict):
        """Port level (layout/ports.py): every cable's two ports exist (below the
        switch's radix, the rack's ports on the fabric), none carries two cables,
        and the cables, counted per pair of racks, are the links the fabric needs
        (`expected`, from this verifier's own wiring rule)."""
        from . import wiring
        from .ports import fabric_ends
        W = wiring.build(self.p)
        got: Counter = Counter()
        for fi, info in enumerate(W.fabrics):
            c, f = self.p.clusters[info.cluster], info.spec
            per, plan = f.switches_per_rack, f.plan
            used = []
            for e in fabric_ends(self.p, W, fi):
                host = e.level == 1
                if host and len(e.a_port) and int(e.a_port.max()) >= self._host_ports(f, c):
                    self.err(f"{c.id}/{f.id}: a cable ends at port {int(e.a_port.max()) + 1} of a compute rack "
                             f"of {self._host_ports(f, c)} ports on the fabric", f.span)
                for port in ((e.a_port,) if not host else ()) + (e.b_port,):
                    if len(port) and int(port.max()) >= plan.radix:
                        self.err(f"{c.id}/{f.id}: a cable ends at port {int(port.max()) + 1} of a "
                                 f"{plan.radix}-port switch", f.span)
                ra = e.a if host else info.tier_racks[e.level - 2][e.a // per]
                rb = info.tier_racks[e.level - 1][e.b // per]
                # a port: (tier or compute, device, port) packed in one integer
                used.append(((e.level - 1) << 58) + (e.a << 24) + e.a_port)
                used.append((e.level << 58) + (e.b << 24) + e.b_port)
                pairs, n = np.unique(np.stack([ra, rb]), axis=1, return_counts=True) if len(ra) else \
                    (np.zeros((2, 0), np.int64), [])
                for (x, y), k in zip(pairs.T.tolist(), np.asarray(n).tolist()):
                    got[(c.id, f.id, W.ids[x], W.ids[y], LEVELS[e.level])] += k
            if used:
                ports = np.concatenate(used)
                if len(np.unique(ports)) != len(ports):
                    self.err(f"{c.id}/{f.id}: {len(ports) - len(np.unique(ports)):,} ports carry two cables",
                             f.span)
        for key in sorted(set(expected) | set(got)):
            if expected.get(key, 0) != got.get(key, 0):
                cid, fid, a, b, level = key
                self.err(f"{level} cables {a} -> {b} of {cid}/{fid}: port by port {got.get(key, 0)}, the "
                         f"fabric needs {expected.get(key, 0)}")
                break

    @staticmethod
    def _host_ports(f, c) -> int:
        return f.ports_per_rack if not f.members else max(m[2] for m in f.members)

    def links(self, objective_units):
        expected: dict = {}
        for c in self.p.clusters:
            for f in c.fabrics:
                for (a, b, level), n in _expected_links(c, f, self.switch_rack).items():
                    expected[(c.id, f.id, a, b, level)] = n
        got: Counter = Counter()
        total_cost = total_len = cables = 0
        by_medium: dict = {}             # medium -> [cables, length_mm, cost_u], as the solver totals
        media_of: dict = {}
        # lengths come in few distinct values (whole bins): price each (medium, length) once
        prices: dict = {}

        def cost(m, n: int) -> int:
            key = (m.id, n)
            if key not in prices:
                prices[key] = _cost(m, n)
            return prices[key]
        best_of: dict = {}

        def cheapest(fkey, n: int):
            if (fkey, n) not in best_of:
                best_of[(fkey, n)] = _cheapest(media_of[fkey], n)
            return best_of[(fkey, n)]
        for ln in self.lay.links:
            key = (ln.cluster, ln.fabric, ln.a, ln.b, ln.level)
            got[key] += ln.count
            if ln.count < 1:
                self.err(f"link {ln.a} -> {ln.b} has count {ln.count}")
            pa, pb = self.pos.get(ln.a), self.pos.get(ln.b)
            c = self.clusters.get(ln.cluster)
            if pa is None or pb is None or c is None or not any(f.id == ln.fabric for f in c.fabrics):
                self.err(f"link {ln.a} -> {ln.b} joins unknown racks or fabric")
                continue
            f = self._fabric(c, ln.fabric)
            length = self._length(pa, pb)
            if ln.length_m != round(length / 1000, 3):
                self.err(f"link {ln.a} -> {ln.b}: stored length {_metres(ln.length_m)} m, the positions "
                         f"give {_metres(length / 1000)} m", f.span)
            fkey = (c.id, f.id)
            if fkey not in media_of:
                media_of[fkey] = _media(self.p, f)
            best = cheapest(fkey, length)
            if best is None:
                self.err(f"link {ln.a} -> {ln.b} of {c.id}/{f.id} is {length / 1000} m, beyond every medium "
                         f"it may use", f.span, "cable-reach")
                continue
            chosen = next((m for m in media_of[fkey] if m.id == ln.medium), None)
            if chosen is None:
                self.err(f"link {ln.a} -> {ln.b} uses {ln.medium}, not a medium of {c.id}/{f.id}", f.span)
            elif mm(chosen.reach_m) < length:
                self.err(f"link {ln.a} -> {ln.b} uses {ln.medium} (reach {chosen.reach_m} m) for "
                         f"{length / 1000} m", f.span, "cable-reach")
            elif cost(chosen, length) > cost(best, length):
                self.err(f"link {ln.a} -> {ln.b} uses {ln.medium} but {best.id} reaches {length / 1000} m "
                         f"for less", f.span)
            m = chosen if chosen is not None else best
            total_cost += cost(m, length) * ln.count
            total_len += length * ln.count
            cables += ln.count
            acc = by_medium.setdefault(m.id, [0, 0, 0])
            acc[0] += ln.count
            acc[1] += length * ln.count
            acc[2] += cost(m, length) * ln.count
        for key in sorted(set(expected) | set(got)):
            e, g = expected.get(key, 0), got.get(key, 0)
            if e != g:
                cid, fid, a, b, level = key
                self.err(f"{level} link {a} -> {b} of {cid}/{fid}: the fabric needs {e} cables, the layout "
                         f"has {g}", self._fabric(self.clusters[cid], fid).span if cid in self.clusters
                         and any(f.id == fid for f in self.clusters[cid].fabrics) else None)
        if not self.out:
            self.ports(expected)
        self.total_cost, self.total_len = total_cost, total_len
        real = total_len if self.p.objective == "length" else total_cost
        self.sums = {"cost_u": total_cost, "length_mm": total_len, "cables": cables, "objective_units": real,
                     "by_medium": by_medium}
        if objective_units is not None:
            if real != objective_units:
                self.err(f"the layout claims an objective of {objective_units:,} units, its links add up to "
                         f"{real:,}")

    def _length(self, pa, pb) -> int:
        """Cable length in mm (binned) between two placed racks, from the rules in
        problem.py: through the rack, across the rack tops of one row segment, or
        along the trays."""
        cab = self.p.cabling
        bin_mm = max(mm(cab.length_bin_m), 1)
        if (pa.hall, pa.row, pa.slot) == (pb.hall, pb.row, pb.slot):
            raw = mm(cab.rack_height_m) + 2 * mm(cab.in_row_slack_m)
        else:
            h = self._horizontal(pa, pb)
            raw = h + 2 * (mm(cab.rack_height_m) + mm(cab.tray_height_m)) + 2 * mm(cab.slack_m)
            if self._same_segment(pa, pb) and h <= mm(cab.in_row_max_m):
                raw = min(raw, h + 2 * mm(cab.in_row_rise_m) + 2 * mm(cab.in_row_slack_m))
        return -(-raw // bin_mm) * bin_mm

    def _same_segment(self, pa, pb) -> bool:
        """One hall, one row, no cross-aisle between the two slots."""
        if (pa.hall, pa.row) != (pb.hall, pb.row):
            return False
        geo = self.geo[pa.hall]
        return geo.section(pa.slot) == geo.section(pb.slot)

    def _horizontal(self, pa, pb) -> int:
        ga, gb = self.geo[pa.hall], self.geo[pb.hall]
        xa, xb = ga.x(pa.slot), gb.x(pb.slot)
        if pa.hall != pb.hall:
            ea, eb = ga.entry(), gb.entry()
            return ga.run(pa.row, pa.slot) + gb.run(pb.row, pb.slot) + abs(ea[0] - eb[0]) + abs(ea[1] - eb[1])
        if pa.row == pb.row:
            return abs(xa - xb)
        lo, hi = min(xa, xb), max(xa, xb)
        best = min(abs(xa - X) + abs(xb - X) for X in ga.crossings)
        return max(best, hi - lo) + abs(ga.y(pa.row) - ga.y(pb.row))


class _HallGeo:
    """A hall's slot positions, re-derived from the rules in problem.py."""

    def __init__(self, h):
        self.h = h
        self.sw, self.caw, self.pitch = mm(h.slot_width_m), mm(h.cross_aisle_width_m), mm(h.row_pitch_m)
        n, c = h.slots_per_row, h.cross_aisles
        self.cuts = sorted({k * n // (c + 1) for k in range(1, c + 1)} & set(range(1, n)))
        self.length = n * self.sw + len(self.cuts) * self.caw
        self.crossings = [0, self.length] + [s * self.sw + i * self.caw + self.caw // 2
                                             for i, s in enumerate(self.cuts)]

    def section(self, slot: int) -> int:
        return sum(1 for s in self.cuts if s < slot)

    def x(self, slot: int) -> int:
        return (2 * slot - 1) * self.sw // 2 + self.section(slot) * self.caw

    def y(self, row: int) -> int:
        return (row - 1) * self.pitch

    def run(self, row: int, slot: int) -> int:
        """Tray run to the hall's cable entry at the network end of row 1."""
        return self.length - self.x(slot) + self.y(row)

    def entry(self):
        return mm(self.h.origin_xy_m[0]) + self.length, mm(self.h.origin_xy_m[1])

    def site_xy(self, row: int, slot: int):
        return mm(self.h.origin_xy_m[0]) + self.x(slot), mm(self.h.origin_xy_m[1]) + self.y(row)


_LONG_WORD = re.compile(r"\S{121,}")


def _metres(x) -> str:
    """A length as layout.json writes it: to the mm, `3.0` and `3` alike shown `3`."""
    return f"{float(x):.3f}".rstrip("0").rstrip(".") if isinstance(x, (int, float)) else repr(x)


def _clip(m: re.Match) -> str:
    """A tampered id or value can be megabytes long: quote its ends only."""
    w = m.group(0)
    return f"{w[:60]}...{w[-20:]} ({len(w):,} characters)"


def _tier_sizes(plan):
    return {1: [plan.switches], 2: [plan.leaves, plan.spines],
            3: [plan.leaves, plan.spines, plan.cores]}[plan.tiers]


def _expected_links(c, f, switch_rack) -> Counter:
    """(rack a, rack b, level) -> cables, from the switch-level wiring rule: the
    fabric is `copies` copies of `copy_rails` rails; a rack has q ports on each rail
    of each copy; a rail's endpoints fill the leaves of their scalable unit evenly.
    A position has a cable only if it holds a port: one of the first
    node_endpoints of its rail (all, when -1), or an appliance's on that rail.
    A shared fabric (f.members) numbers a rail's endpoints member by member, each
    member's racks in order; its links carry its owner's id (c, its first member)."""
    plan = f.plan
    out: Counter = Counter()
    names = TIERS[plan.tiers]
    racks = {name: switch_rack.get((c.id, f.id, name)) for name in names}
    if any(r is None or any(x is None for x in r) for r in racks.values()):
        return out
    copies, rc = plan.copies, plan.copy_rails
    if f.members:
        # a shared fabric: a rail's endpoints member by member, each member's racks in
        # order, q_m of them a rack; a member's first node endpoints hold ports, and its
        # appliances' on their rails (positions counted from the member's first)
        rack_of, held, extra = [], [], set()
        for cid, n_racks, ports, node_eps, apps in f.members:
            qm = ports // (plan.planes * plan.rails)
            start = len(rack_of)
            for i in range(n_racks):
                rack_of += [f"{cid}/c{i + 1}"] * qm
            held += [node_eps < 0 or e < node_eps for e in range(n_racks * qm)]
            extra |= {(t, start + e) for t, first, n in apps for e in range(first, first + n)}

        def port(cp: int, t: int, e: int) -> bool:
            rail = t if rc > 1 else cp % plan.rails
            return held[e] or (rail, e) in extra
    else:
        q = f.ports_per_rack // (plan.planes * plan.rails)
        nodes = c.racks * q if f.node_endpoints < 0 else f.node_endpoints
        extra = {(t, e) for t, first, n in f.appliance_ports for e in range(first, first + n)}
        rack_of = [rid for i in range(c.racks) for rid in [f"{c.id}/c{i + 1}"] * q]

        def port(cp: int, t: int, e: int) -> bool:        # endpoint e of rail t of copy cp holds a port
            rail = t if rc > 1 else cp % plan.rails
            return e < nodes or (rail, e) in extra

    if plan.tiers == 1:
        for e, rid in enumerate(rack_of):
            for cp in range(copies):
                n = sum(port(cp, t, e) for t in range(rc))
                if n:
                    out[(rid, racks["switch"][cp], "endpoint")] += n
        return out
    leaves, spines = racks["leaf"], racks["spine"]
    Lc, Sc = plan.leaves // copies, plan.spines // copies
    ue, ul = plan.unit_endpoints // rc, plan.unit_leaves // rc
    S = plan.spines_per_pod
    lrp = plan.leaves_per_pod // rc
    for cp in range(copies):
        for e, rid in enumerate(rack_of):
            u, local = divmod(e, ue)
            j = u * ul + local * ul // ue
            for t in range(rc):
                if port(cp, t, e):
                    out[(rid, leaves[cp * Lc + j * rc + t], "endpoint")] += 1
        pod_spines = [Counter(spines[cp * Sc + p * S + s] for s in range(S)) for p in range(plan.pods)]
        for o in range(Lc):
            pod = (o // rc) // lrp
            for sr, n in pod_spines[pod].items():
                out[(leaves[cp * Lc + o], sr, "leaf-spine")] += plan.links_leaf_spine_per_pair * n
        if plan.tiers == 3:
            C, Cc = plan.cores_per_plane, plan.cores // copies
            cores = racks["core"]
            plane_cores = [Counter(cores[cp * Cc + s * C + x] for x in range(C)) for s in range(S)]
            for sq in range(Sc):
                for cr, n in plane_cores[sq % S].items():
                    out[(spines[cp * Sc + sq], cr, "spine-core")] += plan.links_spine_core_per_pair * n
    return out


def _media(problem: LayoutProblem, f):
    """The media fabric f may use: those it allows (all when it names none) that
    carry its link speed; a speed of 0 on either side is unspecified and matches."""
    def fast(m) -> bool:
        return m.speed_bps == 0 or f.link_speed_bps == 0 or m.speed_bps >= f.link_speed_bps
    if not f.media:
        return [m for m in problem.media if fast(m)]
    by = {m.id: m for m in problem.media}
    return [by[i] for i in f.media if i in by and fast(by[i])]


def _cost(m, length_mm: int) -> int:
    """micro-USD of one link of medium m at this length."""
    ordered = max(length_mm, mm(m.min_length_m))
    return micro_usd(m.cost_fixed) + (micro_usd(m.cost_per_m) * ordered + 500) // 1000


def _cheapest(media, length_mm: int):
    best = None
    for m in media:
        if mm(m.reach_m) >= length_mm and (best is None or _cost(m, length_mm) < _cost(best, length_mm)):
            best = m
    return best
