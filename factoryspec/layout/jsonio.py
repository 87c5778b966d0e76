"""layout.json: write, read, validate.

Deterministic: keys in a fixed order, placements and links in solver order,
floats rounded (metres to mm, money to micro-USD, ratios to 6 places). Wall
clock time is deliberately absent, so two compiles with the same seed write
identical bytes; the CLI prints the solve time instead.
"""

from __future__ import annotations

import json
from collections import Counter
from importlib import resources

from .problem import LayoutProblem, milliwatts, mw_to_w
from .result import Layout, Link, Placement, SolveResult
from .verify import verify

FORMAT = "factoryspec.layout/1"
HEADROOM_KEYS = ("check", "subject", "used", "limit", "unit", "percent")


def _r(x: float | None, places: int = 6):
    return None if x is None else round(float(x), places)


def layout_to_json(problem: LayoutProblem, result: SolveResult, headroom: list[dict] | None = None) -> dict:
    """layout.json's content. `headroom` is the checks' measures of the layout as
    built (factoryspec.as_built), each a Measure.to_json() less its span."""
    if result.layout is None:
        raise ValueError(f"no layout to write (status {result.status})")
    lay = result.layout
    unit = "m" if problem.objective == "length" else "USD"
    saving = None
    if result.baseline_objective and result.objective is not None:
        saving = _r(1 - result.objective / result.baseline_objective)
    t = result.totals
    per_end = {m.id: milliwatts(m.power_per_end_w) for m in problem.media}
    compute = sum(1 for p in lay.placements if p.kind == "compute")
    per_hall = Counter(p.hall for p in lay.placements)
    return {
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
        "totals": {
            "racks": len(lay.placements),
            "compute_racks": compute,
            "network_racks": len(lay.placements) - compute,
            "link_groups": len(lay.links),
            "cables": t.get("cables", 0),
            "length_m": _r(t.get("length_mm", 0) / 1000, 3),
            "cost_usd": _r(t.get("cost_u", 0) / 1e6),
            "objective_units": result.objective_units,
            "by_medium": [{"medium": m, "cables": v[0], "length_m": _r(v[1] / 1000, 3),
                           "cost_usd": _r(v[2] / 1e6), "power_per_end_w": mw_to_w(per_end[m]),
                           "optics_w": mw_to_w(2 * v[0] * per_end[m])}
                          for m, v in sorted(t.get("by_medium", {}).items())],
            "optics": {"ends": 2 * t.get("cables", 0),
                       "power_w": mw_to_w(sum(2 * v[0] * per_end[m] for m, v in t.get("by_medium", {}).items()))},
            "it_power_w": mw_to_w(sum(milliwatts(p.power_w) for p in lay.placements)),
            "headroom": [{k: h[k] for k in HEADROOM_KEYS} for h in headroom or ()],
        },
        "halls": [_hall(h, per_hall) for h in problem.halls],
        "placements": [_placement(p) for p in lay.placements],
        "links": [{"a": x.a, "b": x.b, "cluster": x.cluster, "fabric": x.fabric, "level": x.level,
                   "medium": x.medium, "length_m": x.length_m, "count": x.count} for x in lay.links],
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


def validate_schema(data: dict) -> list[str]:
    """Schema errors (draft 2020-12) as messages; empty when valid."""
    import jsonschema
    v = jsonschema.Draft202012Validator(schema())
    return [f"{'/'.join(map(str, e.path)) or '(root)'}: {e.message}" for e in v.iter_errors(data)]


def verify_json(problem: LayoutProblem, data: dict, headroom=None):
    """verify() on a layout.json, plus its totals against the recomputation and
    its spec hash against the problem's. `headroom(layout)`, if given, recounts
    the layout's headroom as built (a list like totals.headroom)."""
    from ..diagnostics import error
    from .verify import LAYOUT_INVALID
    out = []
    if data.get("spec_hash") != problem.spec_hash:
        out.append(error(LAYOUT_INVALID, f"layout.json was made from spec {data.get('spec_hash')!r}, "
                         f"this spec is {problem.spec_hash!r}", None))
    layout = layout_from_json(data)
    out.extend(verify(problem, layout, data.get("totals", {}).get("objective_units")))
    if out:
        return out
    totals = data.get("totals", {})
    it = mw_to_w(sum(milliwatts(p.power_w) for p in layout.placements))
    if totals.get("it_power_w") != it:
        out.append(error(LAYOUT_INVALID, f"layout.json's it_power_w is {totals.get('it_power_w')}, its racks "
                         f"add up to {it} W", None))
    if headroom is not None:
        want = [{k: h[k] for k in HEADROOM_KEYS} for h in headroom(layout)]
        got = totals.get("headroom")
        if got != want:
            bad = next((w for w, g in zip(want, got or []) if w != g), want[0] if want else None)
            out.append(error(LAYOUT_INVALID, f"layout.json's headroom is not the layout's as built "
                             f"(first difference: {bad})", None))
    return out
