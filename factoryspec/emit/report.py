"""report.md: the totals, each check's headroom, the cables and the solver figures.

Deterministic on purpose: no clock, no wall-clock seconds (the terminal
summary shows those), so two compiles with the same seed give the same bytes.
"""

from __future__ import annotations

from collections import defaultdict

from ..layout.problem import LayoutProblem, modules
from ..layout.result import SolveResult
from ..checks.figures import links_text
from .bom import _kind
from .loads import Load, exact, tightest, total
from ..model.derive import BUILDING_GAP, HALL_GAP
from ..lang.units import AREA, AREAL_DENSITY, LENGTH, POWER, Quantity, format_number, format_quantity


_exact = exact


def _w(watts) -> str:
    """Power exactly, in the largest unit that keeps it at least 1 (plan JSON keeps watts)."""
    return format_quantity(Quantity(_exact(watts), POWER))


UNITS = {"W": POWER, "m": LENGTH, "m2": AREA, "kg/m2": AREAL_DENSITY}


def _q(x, unit: str) -> str:
    """A headroom figure, exactly, with its unit (plan JSON keeps SI numbers)."""
    if unit in UNITS:
        return format_quantity(Quantity(_exact(x), UNITS[unit]))
    return f"{format_number(_exact(x))} {unit}".strip()


def _n(x) -> str:
    return f"{x:,}" if isinstance(x, int) else f"{x:,.2f}"


def _table(header: list[str], rows: list[list]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return out + [""]


def emit(spec: str, problem: LayoutProblem, result: SolveResult, plan: dict,
         halls: list[Load] = (), buildings: list[Load] = ()) -> bytes:
    """report.md. `halls` and `buildings`: their loads (loads.py), for the density
    figures and the per-building power; without them those are left out."""
    t = plan["totals"]
    unit = "USD" if result.objective_kind != "length" else "m"
    lines = [f"# factoryspec report: {spec}", "",
             f"Spec hash `{problem.spec_hash[:16]}`, seed {problem.seed}, objective `{problem.objective}`.", ""]
    lines += ["## Totals", ""]
    lines += _table(["figure", "value"], [
        ["compute racks", _n(t["racks"])], ["GPUs", _n(t["gpus"])],
        ["network racks (placed)", _n(sum(1 for p in result.layout.placements if p.kind == "network"))],
        ["switches", _n(t["switches"])],
        ["IT power", f"{_w(t['it_power_w'])} = compute {_w(t['compute_power_w'])} + switches "
                     f"{_w(t['switch_power_w'])} + optics {_w(t['optics']['power_w'])}"],
        ["optics (cable ends, each at its cable's medium)", f"{_n(t['optics']['ends'])} ends in "
                                                            f"{_n(t['optics']['transceivers'])} modules, "
                                                            f"{_w(t['optics']['power_w'])}"],
        ["facility power", _w(t["facility_power_w"])], ["liquid cooling", _w(t["cooling_liquid_w"])],
        ["air cooling", _w(t["cooling_air_w"])], ["rack slots (used / all)", f"{_n(t['slots_used'])} / {_n(t['slots'])}"],
        *_density(halls)])
    lines += _nodes(plan)
    sw, ln = plan["switches_per_tier"], plan["links_per_tier"]
    lines += ["## Fabric", ""]
    lines += _table(["tier", "switches", "links"], [
        ["leaf", _n(sw["leaf"]), f"{_n(ln['endpoint_leaf'])} (endpoint-leaf)"],
        ["spine", _n(sw["spine"]), f"{_n(ln['leaf_spine'])} (leaf-spine)"],
        ["core", _n(sw["core"]), f"{_n(ln['spine_core'])} (spine-core)"],
        ["total", _n(sw["total"]), _n(ln["total"])]])
    lines += _fabrics(plan, result)
    lines += _solver(result, unit)
    lines += _cables(problem, result)
    lines += _buildings(buildings, plan["headroom"])
    lines += _halls(problem, result, {x.name: x for x in halls})
    lines += _headroom(plan["headroom"])
    lines += ["## Assumptions", "",
              "- Buildings and halls stand where their `position` puts them. A building without one "
              f"stands {format_quantity(BUILDING_GAP)} beyond the depth of the building written before it, "
              f"along y; a hall without one stands {format_quantity(HALL_GAP)} beside the hall written before "
              "it, along x. "
              "Links between halls are measured on that plan, through each hall's cable entry "
              "(the network end of row 1).",
              "- Cable lengths follow the trays (along the row, across at a row end or cross-aisle), "
              "plus the vertical drops and slack at each end; a short cable within a row segment "
              "(no cross-aisle between, at most the cabling's in_row_max) crosses the rack tops instead, "
              "plus a rise and in-row slack at each end, when that is shorter. Lengths are rounded up "
              "to the length bin.",
              "- Costs are the catalog's relative figures unless the spec overrides them.", ""]
    return "\n".join(lines).encode("utf-8")


def _nodes(plan: dict) -> list[str]:
    """Clusters of node systems and clusters with appliances: what their racks hold
    (a spec of whole-rack systems without appliances has no such section)."""
    rows = []
    for c in plan["clusters"]:
        if c.get("nodes") is None and not c["appliances"]:
            continue
        apps = "; ".join(f"{_n(a['count'])} x {a['appliance']}"
                         + (f" in {_n(a['own_racks'])} rack{'s' if a['own_racks'] != 1 else ''} of their own"
                            if a["own_racks"] else "")
                         + f" ({links_text(a, _n)})"
                         for a in c["appliances"]) or "none"
        own = sum(a["own_racks"] or 0 for a in c["appliances"])
        held = (f"{_n(c['nodes'])} x {c['system']} nodes in {_n(c['racks'])} racks" if c.get("nodes") is not None
                else f"{_n(c['racks'] - own)} x {c['system']} racks")
        rows.append([c["name"], held, apps])
    if not rows:
        return []
    return ["## Racks and appliances", ""] + _table(["cluster", "systems", "appliances"], rows)


def _solver(result: SolveResult, unit: str) -> list[str]:
    obj, lb, base = result.objective, result.lower_bound, result.baseline_objective
    rows = [["status", result.status], ["objective", f"{_n(obj)} {unit}"],
            ["lower bound", f"{_n(lb)} {unit}" if lb is not None else "n/a"],
            ["gap", f"{result.gap * 100:.2f} %" if result.gap is not None else "n/a"],
            ["naive baseline (fill in order, switches at row ends)", f"{_n(base)} {unit}" if base else "n/a"]]
    if base and obj is not None:
        rows.append(["saving against the baseline", f"{_n(base - obj)} {unit} ({(base - obj) / base * 100:.1f} %)"])
    note = ["No feasible layout costs less than the lower bound, so the objective is within the gap of the "
            "optimum. The bound prices every chain of links (compute rack, leaf, spine, core) at the least it "
            "could cost with its racks in halls and its links through the halls' cable entries "
            "(factoryspec/layout/bound.py).", ""]
    if result.status == "interrupted":
        note = ["**Interrupted**: the machine ran so slowly that the wall-clock safety stop cut the search "
                "(and possibly the bound) short, so another run with the same spec, seed and limit may give "
                "another layout. Every budget inside the solver is otherwise a deterministic work count "
                "derived from `--time-limit`.", ""] + note
    elif result.gap:
        note = ["A longer `--time-limit` gives the bound and the search more work (more starts, more of the "
                "bound's halls scored), which may narrow the gap; the same limit gives the same layout.",
                ""] + note
    return ["## Solver", ""] + _table(["figure", "value"], rows) + note


def _fabrics(plan: dict, result: SolveResult) -> list[str]:
    """One row per fabric: its role, switches by tier, the network racks the
    layout placed for it, and its cables (the tier table above sums these). A
    shared fabric has one row, with its members."""
    placed: dict = defaultdict(int)
    for p in result.layout.placements:
        if p.kind == "network":
            placed[(p.cluster, p.fabric)] += 1
    rows = []
    for c in plan["clusters"]:
        for fb in c["fabrics"]:
            s, ln = fb["switches"], fb["links"]
            rows.append([f"{c['name']}/{fb['name']}", fb["role"], fb["switch"], _n(s["leaf"]), _n(s["spine"]),
                         _n(s["core"]), _n(s["total"]), _n(placed.get((c["name"], fb["name"]), 0)),
                         _n(ln["total"])])
    shared = 0
    for site in plan["sites"]:
        for fb in site.get("fabrics", ()):        # shared: once, its racks under its owner (first member)
            if not fb["members"]:
                continue
            s, ln, qual = fb["switches"], fb["links"], f"{site['name']}.{fb['name']}"
            owner = fb["members"][0]["cluster"]
            rows.append([f"{qual} (shared by {', '.join(m['cluster'] for m in fb['members'])})", fb["role"],
                         fb["switch"], _n(s["leaf"]), _n(s["spine"]), _n(s["core"]), _n(s["total"]),
                         _n(placed.get((owner, qual), 0)), _n(ln["total"])])
            shared += 1
    if len(rows) < 2 and not shared:
        return []
    return ["Per fabric:", ""] + _table(["fabric", "role", "switch", "leaf", "spine", "core", "switches",
                                         "network racks", "cables"], rows)


def _cables(problem: LayoutProblem, result: SolveResult) -> list[str]:
    media = {m.id: m for m in problem.media}
    count, length, cost = defaultdict(int), defaultdict(float), defaultdict(float)
    for link in result.layout.links:
        m = media[link.medium]
        count[link.medium] += link.count
        length[link.medium] += link.length_m * link.count
        cost[link.medium] += (m.cost_fixed + m.cost_per_m * max(link.length_m, m.min_length_m)) * link.count
    network = {p.id for p in result.layout.placements if p.kind == "network"}
    mods = defaultdict(int)          # modules as the layout counts them (twin-port ones serve two cables)
    for (_, _, _, mid), n in modules(result.layout.links, network, media).items():
        mods[mid] += n
    rows = [[mid, _kind(media[mid]), _n(count[mid]), _n(mods[mid]), f"{length[mid]:,.0f} m", f"{cost[mid]:,.2f}"]
            for mid in sorted(count)]
    rows.append(["**total**", "", _n(sum(count.values())), _n(sum(mods.values())), f"{sum(length.values()):,.0f} m",
                 f"{sum(cost.values()):,.2f}"])
    return ["## Cables by medium", ""] + _table(["medium", "speed", "cables", "modules", "length", "cost (USD)"],
                                                 rows)


def _halls(problem: LayoutProblem, result: SolveResult, loads: dict) -> list[str]:
    compute, network = defaultdict(int), defaultdict(int)
    for p in result.layout.placements:
        (compute if p.kind == "compute" else network)[p.hall] += 1
    rows = []
    for h in problem.halls:
        slots = h.rows * h.slots_per_row - len(h.reserved)
        row = [h.id, _n(compute[h.id]), _n(network[h.id]), _n(slots - compute[h.id] - network[h.id])]
        if loads:
            ld = loads.get(h.id)
            row += [_w(ld.it_w), kw(ld.kw_per_rack), kw(ld.kw_per_m2)] if ld else ["", "", ""]
        rows.append(row)
    header = ["hall", "compute racks", "network racks", "free slots"]
    if loads:
        header += ["IT power", "kW per compute rack", "IT kW per m2"]
    return ["## Halls", ""] + _table(header, rows)


def kw(x) -> str:
    """A density in kW, to 0.1 kW ("n/a" when it has no denominator)."""
    return "n/a" if x is None else f"{float(x):,.1f}"


def _density(halls: list[Load]) -> list[list[str]]:
    """The totals' density rows: the mean compute rack, and IT over all hall floor."""
    if not halls:
        return []
    t = total("all", list(halls))
    rows = [["kW per compute rack (compute racks' power / their count)", kw(t.kw_per_rack)]]
    if t.area_m2:
        rows.append(["IT kW per m2 of hall floor", f"{kw(t.kw_per_m2)} ({format_number(t.area_m2)} m2 of halls)"])
    return rows


def _buildings(buildings: list[Load], headroom: list[dict]) -> list[str]:
    """Power per building, with its power train's headroom when it has one."""
    if not buildings:
        return []
    train = {m["subject"][len("building "):-len(" power")]: m for m in headroom
             if m["check"] == "power-train-capacity" and m["subject"].startswith("building ")}
    rows = []
    for b in buildings:
        m = train.get(b.name)
        rows.append([b.name, _n(b.halls), _n(b.compute_racks), _n(b.network_racks), _w(b.it_w), kw(b.kw_per_rack),
                     kw(b.kw_per_m2), f"{_q(m['limit'], m['unit'])} ({m['percent']} % used)" if m else "n/a"])
    return ["## Power by building", ""] + _table(
        ["building", "halls", "compute racks", "network racks", "IT power", "kW per compute rack", "IT kW per m2",
         "power train"], rows)


def _headroom(headroom: list[dict]) -> list[str]:
    """One row per check: its fullest measure, and how many it has. Every measure
    is in report.html and in layout.json (totals.headroom)."""
    rows = [[m["check"], m["subject"], _q(m["used"], m["unit"]), _q(m["limit"], m["unit"]), m["percent"], _n(n)]
            for m, n in tightest(headroom)]
    return (["## Headroom of each check", "",
             f"The fullest of each check's {_n(len(headroom))} measures; report.html and layout.json "
             "(`totals.headroom`) list them all.", ""]
            + _table(["check", "fullest", "used", "limit", "%", "measures"], rows))
