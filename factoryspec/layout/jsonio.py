"""layout.json: write, read, validate.

Deterministic: keys in a fixed order, placements and links in solver order,
floats rounded (metres to mm, money to micro-USD, ratios to 6 places). Wall
clock time is deliberately absent, so two compiles with the same seed write
identical bytes; the CLI prints the solve time instead.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
import math
from collections import Counter
from importlib import resources

from ..diagnostics import error
from .problem import LayoutProblem, milliwatts, module_mw, modules, mw_to_w
from .result import STATUSES, Layout, Link, Placement, SolveResult
from .verify import LAYOUT_INVALID, verify_and_recount

FORMAT = "factoryspec.layout/1"
HEADROOM_KEYS = ("check", "subject", "used", "limit", "unit", "percent")
NETWORK_FIELDS = ("fabric", "tier", "first_switch", "switches")    # a network placement's own


def _r(x: float | None, places: int = 6):
    return None if x is None else round(float(x), places)


def layout_to_json(problem: LayoutProblem, result: SolveResult, headroom: list[dict] | None = None) -> dict:
    """layout.json's content. `headroom` is the checks' measures of the layout as
    built (factoryspec.layout.as_built), each a Measure.to_json() less its span."""
    if result.layout is None:
        raise ValueError(f"no layout to write (status {result.status})")
    lay = result.layout
    unit = "m" if problem.objective == "length" else "USD"
    saving = None
    if result.baseline_objective and result.objective is not None:
        saving = _r(1 - result.objective / result.baseline_objective)
    per_hall = Counter(p.hall for p in lay.placements)
    out = {
        "format": FORMAT,
        "spec_hash": problem.spec_hash,
        "objective": problem.objective,
        "seed": problem.seed,
        "solver": {
            "status": result.status,
            "unit": unit,
            "objective": _r(result.objective),
            "lower_bound": _r(result.lower_bound),
            "gap": _r(result.gap),
            "baseline_objective": _r(result.baseline_objective),
            "saving_vs_baseline": saving,
        },
        "totals": _totals(problem, lay, result.totals, result.objective_units, headroom),
        "halls": [_hall(h, per_hall) for h in problem.halls],
        "placements": [_placement(p) for p in lay.placements],
        "devices": _devices(problem, lay),
        "links": [{"a": x.a, "b": x.b, "cluster": x.cluster, "fabric": x.fabric, "level": x.level,
                   "medium": x.medium, "length_m": x.length_m, "count": x.count} for x in lay.links],
    }
    clusters = _clusters(problem)
    if clusters:
        out["clusters"] = clusters
    return out


def _devices(problem: LayoutProblem, lay: Layout) -> list[dict]:
    from .ports import switch_devices
    return [{"name": d.name, "rack": d.rack, "model": d.model, "fabric": d.fabric, "tier": d.tier, "u": d.u,
             "height_u": d.height_u} for d in switch_devices(problem, lay)]


def _clusters(problem: LayoutProblem) -> list[dict]:
    """What the compute racks of node-system clusters hold (none for whole-rack
    systems, whose layout.json is as before): nodes, and appliances in the node
    slots after them."""
    return [{"id": c.id, "system": c.system, "racks": c.racks, "nodes": c.nodes, "nodes_per_rack": c.nodes_per_rack,
             "appliances": [{"name": name, "appliance": kind, "count": count, "rails": list(rails),
                             "ports": [{"fabric": fab, "from": attr, "rails": list(on), "per_rail": n}
                                       for fab, attr, on, n in links],
                             "rack": f"{c.id}/c{first // c.nodes_per_rack + 1}",
                             "slot": first % c.nodes_per_rack + 1, "own_racks": own}
                            for name, kind, count, rails, first, own, links in c.appliances]}
            for c in problem.clusters if c.nodes is not None]


def _headroom_entry(h: dict) -> dict:
    """One headroom measure as layout.json records it. A limit (or use) beyond
    MAX_MAGNITUDE (a busway of 10^25 W is no limit in practice) is null: every
    number of a layout stays within the bound its reader relies on."""
    out = {k: h[k] for k in HEADROOM_KEYS}
    for k in ("used", "limit"):
        if isinstance(out[k], (int, float)) and not abs(out[k]) <= MAX_MAGNITUDE:
            out[k] = None
    return out


def _totals(problem: LayoutProblem, lay: Layout, t: dict, objective_units, headroom) -> dict:
    """The totals block from the layout and its link sums `t` (the solver's when
    writing, verify.recount's when checking: the same rounding either way)."""
    media = {m.id: m for m in problem.media}
    network = {p.id for p in lay.placements if p.kind == "network"}
    mods: dict = {}                  # medium -> [transceivers, mW]: switch modules shared, host ones per end
    for (rack, _, _, mid), n in modules(lay.links, network, media).items():
        acc = mods.setdefault(mid, [0, 0])
        # a copper cable's ends are its own plugs: their power counts, they are no transceivers
        acc[0] += n if mid in media and media[mid].optical else 0
        acc[1] += n * module_mw(media[mid], rack in network) if mid in media else 0
    compute = sum(1 for p in lay.placements if p.kind == "compute")
    return {
        "racks": len(lay.placements),
        "compute_racks": compute,
        "network_racks": len(lay.placements) - compute,
        "link_groups": len(lay.links),
        "cables": t.get("cables", 0),
        "length_m": _r(t.get("length_mm", 0) / 1000, 3),
        "cost_usd": _r(t.get("cost_u", 0) / 1e6),
        "objective_units": objective_units,
        "by_medium": [{"medium": m, "cables": v[0], "length_m": _r(v[1] / 1000, 3),
                       "cost_usd": _r(v[2] / 1e6), "power_per_end_w": mw_to_w(milliwatts(media[m].power_per_end_w)),
                       "speed_bps": media[m].speed_bps or None, "form_factor": media[m].form_factor,
                       "cables_per_transceiver": media[m].cables_per_transceiver,
                       "transceivers": mods.get(m, [0, 0])[0], "optics_w": mw_to_w(mods.get(m, [0, 0])[1])}
                      for m, v in sorted(t.get("by_medium", {}).items())],
        "optics": {"ends": 2 * t.get("cables", 0), "transceivers": sum(v[0] for v in mods.values()),
                   "power_w": mw_to_w(sum(v[1] for v in mods.values()))},
        "it_power_w": mw_to_w(sum(milliwatts(p.power_w) for p in lay.placements)),
        "headroom": [_headroom_entry(h) for h in headroom or ()],
    }


def _hall(h, per_hall: Counter) -> dict:
    return {"id": h.id, "origin_m": [_r(h.origin_xy_m[0], 3), _r(h.origin_xy_m[1], 3)], "rows": h.rows,
            "slots_per_row": h.slots_per_row, "racks": per_hall.get(h.id, 0)}


def _placement(p: Placement) -> dict:
    d = {"id": p.id, "kind": p.kind, "cluster": p.cluster, "system": p.system, "hall": p.hall,
         "row": p.row, "slot": p.slot, "x_m": p.x_m, "y_m": p.y_m, "power_w": p.power_w, "feeds": p.feeds}
    if p.kind == "network":
        d.update(fabric=p.fabric, tier=p.tier, first_switch=p.first_switch, switches=p.switches)
    return d


def layout_from_json(data: dict) -> Layout:
    places = tuple(Placement(id=d["id"], kind=d["kind"], cluster=d["cluster"], system=d["system"],
                             hall=d["hall"], row=d["row"], slot=d["slot"], x_m=d["x_m"], y_m=d["y_m"],
                             power_w=d["power_w"], feeds=d["feeds"], fabric=d.get("fabric"),
                             tier=d.get("tier"), first_switch=d.get("first_switch"), switches=d.get("switches"))
                   for d in data["placements"])
    links = tuple(Link(a=d["a"], b=d["b"], cluster=d["cluster"], fabric=d["fabric"], level=d["level"],
                       medium=d["medium"], length_m=d["length_m"], count=d["count"]) for d in data["links"])
    return Layout(placements=places, links=links)


def dumps(data: dict) -> str:
    """The canonical text of layout.json (compact rows, stable)."""
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def schema() -> dict:
    return json.loads(resources.files(__package__).joinpath("layout_schema.json").read_text("utf-8"))


# ---- reading a layout.json that may be anything -------------------------------------------

# No quantity of a layout comes near this (objective_units, the largest, is the
# cable cost in micro-USD: 10^18 is a trillion USD); bounding every number keeps
# the verifier's conversions (x 1000, x 10^6, int to float) finite whatever a
# file holds.
MAX_MAGNITUDE = 10 ** 18
MAX_DEPTH = 16          # layout.json nests 5 deep; deeper is not a layout (and would exhaust repr)
MAX_SHOWN = 240         # characters of a value quoted in a diagnostic


class HugeInt:
    """A JSON integer too long for Python to convert (its int-string limit):
    kept as a value, so the schema names the field it stands in."""

    def __init__(self, digits: int):
        self.digits = digits

    def __repr__(self) -> str:
        return f"<an integer of {self.digits:,} digits>"


def _parse_int(text: str):
    try:
        return int(text)
    except ValueError:
        return HugeInt(len(text.lstrip("-")))


def _parse_float(text: str):
    """A JSON number with a fraction or exponent. One of zero fraction within the
    bound (`72.0`, `4.767596e12`) is an integer, as JSON Schema counts it, so it
    is read as the exact int it writes (read through Decimal: float() would round
    17 digits); any other is a float (1e400 is Infinity, which the schema rejects)."""
    try:
        d = Decimal(text)
        if d.is_finite() and d == d.to_integral_value() and abs(d) <= MAX_MAGNITUDE:
            return int(d)
    except (InvalidOperation, ValueError, OverflowError):
        pass
    return float(text)


def parse(text: str) -> tuple[object, str | None]:
    """(data, None), or (None, why) when `text` is not JSON layout.json could be.
    Never raises: NaN, Infinity and 1e400 parse to floats the schema rejects,
    integers of any length to HugeInt, integral numbers written with a fraction
    to ints, and nesting is bounded."""
    try:
        data = json.loads(text, parse_int=_parse_int, parse_float=_parse_float)
    except RecursionError:
        return None, "it is nested too deeply to be a layout"
    except ValueError as exc:       # JSONDecodeError included
        return None, f"it is not JSON: {exc}"
    where = _too_deep(data)
    if where is not None:
        return None, f"{where or '(root)'} is nested more than {MAX_DEPTH} deep; no layout field is"
    return data, None


def _too_deep(data) -> str | None:
    """The path of the first value nested deeper than MAX_DEPTH (iteratively:
    a recursive walk is what must not happen here)."""
    stack = [(data, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            return path
        if isinstance(value, dict):
            stack.extend((v, _join(path, k), depth + 1) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, _join(path, i), depth + 1) for i, v in enumerate(value))
    return None


def _join(path: str, key) -> str:
    return f"{path}[{key}]" if isinstance(key, int) else (f"{path}.{key}" if path else str(key))


def _is_number(_checker, x) -> bool:
    """JSON Schema's number, finite and bounded: JSON has no NaN or Infinity, and
    1e400 is Infinity once parsed. bool is an int in Python, not a number here."""
    if isinstance(x, int):          # isfinite() of a 4,000-digit int overflows
        return _is_integer(_checker, x)
    return isinstance(x, float) and math.isfinite(x) and abs(x) <= MAX_MAGNITUDE


def _is_integer(_checker, x) -> bool:
    """An int (parse reads `72.0` as 72, JSON Schema's integer; not a bool),
    bounded like every number."""
    return isinstance(x, int) and not isinstance(x, bool) and abs(x) <= MAX_MAGNITUDE


def _validator():
    import jsonschema
    base = jsonschema.Draft202012Validator
    types = base.TYPE_CHECKER.redefine_many({"number": _is_number, "integer": _is_integer})
    return jsonschema.validators.extend(base, type_checker=types)(schema())


def show(value) -> str:
    """A value as a diagnostic quotes it: short, whatever its size."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_MAGNITUDE:
        return f"<an integer of {len(str(abs(value))):,} digits>"
    text = repr(value)
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "..."


def _message(e) -> str:
    types = [e.validator_value] if isinstance(e.validator_value, str) else e.validator_value
    if e.validator == "type" and isinstance(e.instance, (int, float, HugeInt)) and not isinstance(e.instance, bool):
        want = "an integer" if "integer" in types else "a number"
        return f"{show(e.instance)} is not {want} (finite, at most 10^18 in size)"
    if e.validator == "type":
        return f"{show(e.instance)} is not of type {e.validator_value!r}"
    text = e.message
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "..."


def validate_schema(data) -> list[str]:
    """Schema errors (draft 2020-12, numbers finite and at most 10^18 in size,
    see _is_number) as messages naming the field; empty when valid."""
    if not isinstance(data, dict):
        return [f"(root): {show(data)} is not a JSON object"]
    out = []
    for e in _validator().iter_errors(data):
        where = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in e.path).lstrip(".")
        if e.validator is None:
            # a field the `false` schemas forbid: network fields on a compute rack (the
            # error stops at the rack and does not say which field)
            out.append(f"{where}: a compute rack has {show(e.instance)} as one of "
                       f"{', '.join(NETWORK_FIELDS)}; only network racks have those")
            continue
        out.append(f"{where or '(root)'}: {_message(e)}")
    return out


def verify_json(problem: LayoutProblem, data, headroom=None) -> list:
    """Every diagnostic of a layout.json (parsed, e.g. by `parse`) against its
    problem: the schema first, then the recorded inputs, verify() on the layout,
    and once that holds, every derived field recomputed (totals, halls) and the
    solver's figures checked for consistency (see verify.py's docstring for
    which field is which). `headroom(layout)`, if given, recounts the layout's
    headroom as built (a list like totals.headroom). Never raises on any data."""
    bad = validate_schema(data)
    if bad:
        return [_invalid(f"layout.json does not match the layout schema: {m}") for m in bad]
    out = list(_recorded_inputs(problem, data))
    layout = layout_from_json(data)
    diags, sums = verify_and_recount(problem, layout, data["totals"]["objective_units"])
    out.extend(diags)
    if out:
        return out
    want = _totals(problem, layout, sums, sums["objective_units"], ())
    del want["headroom"]            # recounted by the caller's checks, below
    got = {k: v for k, v in data["totals"].items() if k != "headroom"}
    out.extend(_differences(got, want, "totals", "its placements and links give"))
    per_hall = Counter(p.hall for p in layout.placements)
    out.extend(_differences(data["halls"], [_hall(h, per_hall) for h in problem.halls], "halls",
                            "the spec and the placements give"))
    out.extend(_differences(data.get("clusters", []), _clusters(problem), "clusters", "the spec gives"))
    out.extend(_differences(data["devices"], _devices(problem, layout), "devices", "its placements give"))
    out.extend(_invalid(m) for m in _solver_figures(problem, data["solver"], sums["objective_units"]))
    if headroom is not None:
        want = [_headroom_entry(h) for h in headroom(layout)]
        got = data["totals"]["headroom"]
        if got != want:
            first = next((w for w, g in zip(want, got) if w != g), None)
            first = first or (f"{len(got)} entries, {len(want)} measures")
            out.append(_invalid(f"layout.json's totals.headroom is not the layout's as built "
                                f"(first difference: {show(first)})"))
    return out


def _invalid(message: str):
    return error(LAYOUT_INVALID, message, None)


def _recorded_inputs(problem: LayoutProblem, data: dict):
    """The spec's own inputs a layout records: they must be this spec's. (The
    seed is not the spec's: the schema only keeps it a non-negative int.)"""
    if data["spec_hash"] != problem.spec_hash:
        yield _invalid(f"layout.json was made from spec {show(data['spec_hash'])}, "
                       f"this spec is {problem.spec_hash!r}")
    if data["objective"] != problem.objective:
        yield _invalid(f"layout.json's objective is {show(data['objective'])}, the spec's `solve` objective "
                       f"is {problem.objective!r}")


def _differences(got, want, path: str, source: str) -> list:
    d = _first_difference(got, want, path)
    if d is None:
        return []
    where, g, w = d
    return [_invalid(f"layout.json's {where} is {g}, {source} {w}")]


def _first_difference(got, want, path: str):
    """(path, got, want) as shown, of the first field where got is not want."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return path, show(got), "an object"
        for k, w in want.items():
            if k not in got:
                return _join(path, k), "missing", show(w)
            d = _first_difference(got[k], w, _join(path, k))
            if d:
                return d
        extra = sorted(set(got) - set(want))
        return (_join(path, extra[0]), show(got[extra[0]]), "no such field") if extra else None
    if isinstance(want, list):
        if not isinstance(got, list):
            return path, show(got), "a list"
        for i, (g, w) in enumerate(zip(got, want)):
            d = _first_difference(g, w, _join(path, i))
            if d:
                return d
        if len(got) != len(want):
            return path, f"{len(got)} entries", f"{len(want)}"
        return None
    # 1 == 1.0 is the same figure; True == 1 is not (bool is an int in Python)
    same = got == want and isinstance(got, bool) == isinstance(want, bool)
    return None if same else (path, show(got), show(want))


def _solver_figures(problem: LayoutProblem, solver: dict, units: int):
    """Messages where the solver block disagrees with the recomputed objective
    (`units`, exact) or with itself. Its figures are informational, but each is
    produced from exact units by layout_to_json; so they are re-derived the same
    way, including their rounding. (Only the objective's units are recorded: the
    bound's are read back from its figure, exact up to billions of USD and at
    worst a unit off beyond, which moves no gap rounded to 6 places.)"""
    length = problem.objective == "length"
    scale = 1000 if length else 1_000_000
    unit = "m" if length else "USD"
    objective = _r(units / scale)
    if solver["unit"] != unit:
        yield f"layout.json's solver.unit is {show(solver['unit'])}, the spec's objective is in {unit}"
    if solver["objective"] != objective:
        yield f"layout.json's solver.objective is {show(solver['objective'])}, its links give {objective} {unit}"
    lower = solver["lower_bound"]
    for name in ("lower_bound", "baseline_objective"):
        value = solver[name]
        if value is not None and value != _r(value):
            yield f"layout.json's solver.{name} is {show(value)}, not a figure compile writes (rounded to 6 places)"
    if lower > objective:
        yield f"layout.json's solver.lower_bound {lower} is above the objective its links give, {objective} {unit}"
    bound = units if lower == objective else round(lower * scale)
    gap = _r((units - bound) / units if units else 0.0)
    if solver["gap"] != gap:
        yield f"layout.json's solver.gap is {show(solver['gap'])}, its objective and lower_bound give {gap}"
    status = solver["status"]
    if status not in STATUSES or status in ("infeasible", "timeout"):
        yield f"layout.json's solver.status is {show(status)}, a layout's is optimal, feasible or interrupted"
    elif status == "optimal" and lower != objective:
        yield f"layout.json's solver.status is optimal, but its lower_bound is below its objective (gap {gap})"
    yield from _baseline(solver, objective, units / scale)


def _baseline(solver: dict, objective: float, exact: float):
    """saving_vs_baseline as layout_to_json derives it from the objective
    (`exact`, unrounded) and the baseline; the solver keeps the naive layout
    when it is better, so the baseline is never below the objective."""
    base = solver["baseline_objective"]
    saving = solver["saving_vs_baseline"]
    want = _r(1 - exact / base) if base else None
    if base is not None and base < objective:
        yield f"layout.json's solver.baseline_objective {base} is below its objective {objective}"
    if saving != want or isinstance(saving, bool):
        what = "its objective and baseline give" if base is not None else "without a baseline_objective it is"
        yield f"layout.json's solver.saving_vs_baseline is {show(saving)}, {what} {want}"
