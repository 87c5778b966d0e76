"""The model as JSON: `to_json(factory) -> dict`, deterministic.

It validates against factoryspec/schemas/model.schema.json (draft 2020-12;
`factoryspec schema model` prints it). Conventions:

* Objects are listed in source order; references between them are qualnames
  (`"campus.b1.h1"`).
* Quantities are numbers in SI base units, named by a suffix: `_w` watts,
  `_m` metres, `_m2` square metres, `_kg` kilograms, `_kg_m2` kilograms per
  square metre, `_bps` bits per second, `_usd` US dollars, `_usd_m` per metre,
  `_v` volts. Whole values are JSON integers; others are floats (the model
  itself stays exact).
* Every object has `span` ({file, line, column, end_line, end_column}) of its
  block: a schema violation maps back to the source through `locate()`.
"""

from __future__ import annotations

from fractions import Fraction
from importlib import resources
from typing import Any

from ..diagnostics import Diagnostic, Span, error
from ..fabric import FabricError, FabricPlan
from ..lang.units import Quantity
from . import types as t

VERSION = 1


def _n(x) -> int | float | None:
    if x is None:
        return None
    if isinstance(x, Quantity):
        x = x.value
    x = Fraction(x)
    return int(x) if x.denominator == 1 else float(x)


def _span(s: Span | None) -> dict | None:
    if s is None:
        return None
    return {"file": s.file, "line": s.line, "column": s.column, "end_line": s.end_line, "end_column": s.end_column}


def _size(sz) -> dict | None:
    if sz is None:
        return None
    return {"width_m": _n(sz.width), "depth_m": _n(sz.depth)}


def _head(o: t.Node) -> dict:
    return {"name": o.name, "qualname": o.qualname, "span": _span(o.span)}


def _redundant(o: t.Redundant, count_key: str = "count") -> dict:
    return {**_head(o), "capacity_w": _n(o.capacity), count_key: o.count,
            "redundancy": {"scheme": o.redundancy.text, "usable_share": _n(o.share)},
            "usable_w": _n(o.usable)}


def _utility(u: t.Utility) -> dict:
    return {**_head(u), "capacity_w": _n(u.capacity), "modules": u.modules,
            "redundancy": {"scheme": u.redundancy.text, "usable_share": _n(u.share)},
            "usable_w": _n(u.usable), "voltage_v": _n(u.voltage)}


def _power(p: t.PowerTrain) -> dict:
    return {**_redundant(p, "modules"), "feeds": p.feeds}


def _hall(h: t.Hall) -> dict:
    load = h.load
    return {
        **_head(h),
        "building": h.building.qualname if h.building else None,
        "size": _size(h.size),
        "origin_m": [_n(h.origin[0]), _n(h.origin[1])] if h.origin is not None else None,
        "rows": h.rows, "slots_per_row": h.slots_per_row,
        "row_pitch_m": _n(h.row_pitch), "slot_width_m": _n(h.slot_width),
        "busway_w": _n(h.busway), "busway_limit": _n(h.busway_limit),
        "busway_continuous_w": _n(h.busway_continuous), "feeds": h.feeds,
        "distribution": h.distribution, "busway_current_a": _n(h.busway_current),
        "floor_rating_kg_m2": _n(h.floor_rating),
        "cross_aisles": h.cross_aisles, "network_slots": h.network_slots,
        "slots": h.slots, "reserved_slots": h.reserved_slots, "usable_slots": h.usable_slots,
        "network_only_slots": h.network_only_slots,
        "cdus": [{**_redundant(c), "racks_per_cdu": c.racks_per_cdu} for c in h.cdus],
        "air": [_redundant(a) for a in h.air],
        "reserved": [{**_head(r), "row": r.row, "slots": {"start": r.start, "end": r.end}} for r in h.reserved],
        "power": [_power(p) for p in h.power],
        "load": {
            "compute_racks": load.compute_racks, "network_racks": load.network_racks, "gpus": load.gpus,
            "it_power_w": _n(load.it_power), "liquid_w": _n(load.liquid), "air_w": _n(load.air),
            "clusters": [{"cluster": c.qualname, "racks": k} for c, k in load.compute.items()],
        },
    }


def _system(s: t.System) -> dict:
    return {**_head(s), "vendor": s.vendor, "gpus": s.gpus, "power_w": _n(s.power), "weight_kg": _n(s.weight),
            "footprint": _size(s.footprint), "compute_ports": s.compute_ports,
            "port_speed_bps": _n(s.port_speed), "liquid_fraction": _n(s.liquid_fraction),
            "nvlink_racks": s.nvlink_racks, "cost_usd": _n(s.cost), "nodes_per_rack": s.nodes_per_rack,
            "rack_weight_kg": _n(s.rack_weight), "distribution": s.distribution,
            "storage_ports": s.storage_ports, "storage_port_speed_bps": _n(s.storage_port_speed),
            "management_ports": s.management_ports, "management_port_speed_bps": _n(s.management_port_speed)}


def _switch(s: t.Switch) -> dict:
    return {**_head(s), "vendor": s.vendor, "ports": s.ports, "port_speed_bps": _n(s.port_speed),
            "power_w": _n(s.power), "rack_units": s.rack_units, "per_rack": s.per_rack, "cost_usd": _n(s.cost)}


def _medium(m: t.Medium) -> dict:
    return {**_head(m), "vendor": m.vendor, "part": m.part, "reach_m": _n(m.reach),
            "min_length_m": _n(m.min_length), "cost_usd": _n(m.cost), "cost_per_m_usd_m": _n(m.cost_per_m),
            "power_per_end_w": _n(m.power_per_end), "optical": m.optical, "speed_bps": _n(m.speed),
            "form_factor": m.form_factor, "cables_per_transceiver": m.cables_per_transceiver,
            "host_power_per_end_w": _n(m.host_power)}


def _fabric(f: t.Fabric) -> dict:
    plan = f.plan
    return {
        **_head(f), "role": f.role, "topology": f.topology, "switch": f.switch.qualname,
        "oversubscription": {"down": f.down, "up": f.up}, "rails": f.rails, "planes": f.planes,
        "tiers": f.tiers, "leaves": f.leaves, "spines": f.spines, "cores": f.cores,
        "ports_per_rack": f.ports_per_rack, "endpoints": f.endpoints,
        "media": [m.qualname for m in f.media], "media_explicit": f.media_explicit, "split": f.split,
        "link_speed_bps": _n(f.link_speed) if f.members else None,
        "plan": plan.to_json() if isinstance(plan, FabricPlan) else None,
        "error": ({"message": plan.message, "max_endpoints": plan.max_endpoints}
                  if isinstance(plan, FabricError) else None),
        "network_racks": f.network_racks,
        "members": ([{"cluster": c.qualname, "racks": c.racks, "ports_per_rack": f.ports_of(c),
                      "endpoints": f.member_endpoints(c)} for c in f.joined] if f.shared else None),
    }


def _cluster(c: t.Cluster) -> dict:
    return {
        **_head(c), "site": c.site.qualname if c.site else None, "system": c.system.qualname,
        "racks": c.racks, "gpus": c.gpus, "scalable_unit": c.scalable_unit,
        "nodes": c.node_count if c.counts_nodes else None,
        "appliances": [{"name": a.name, "appliance": a.appliance.qualname, "count": a.count,
                        "fabric": a.fabric.qualname if a.fabric is not None else None,
                        "rails": list(a.main_rails()), "first_slot": a.first_slot, "own_racks": a.own_racks,
                        "ports": [{"fabric": p.fabric.qualname if p.fabric is not None else None, "from": p.attr,
                                   "rails": list(p.rail_list()), "per_rail": p.per_rail(), "valid": p.valid}
                                  for p in a.links]}
                       for a in c.appliances],
        "nvlink_racks": c.system.nvlink_racks, "nvlink_domains": c.nvlink_domains,
        "contiguous_racks": c.system.nvlink_racks,
        "halls": [h.qualname for h in c.halls], "halls_explicit": c.halls_explicit,
        "placement": [{"hall": h.qualname, "racks": k} for h, k in c.placement.items()],
        "unplaced": c.unplaced, "it_power_w": _n(c.it_power), "switches": c.switches,
        "fabrics": [_fabric(f) for f in c.fabrics],
        "joins": [f.qualname for f in c.joins],
    }


def _cabling(c: t.Cabling | None) -> dict | None:
    if c is None:
        return None
    return {**_head(c), "tray_height_m": _n(c.tray_height), "rack_height_m": _n(c.rack_height),
            "slack_m": _n(c.slack), "length_bin_m": _n(c.length_bin), "in_row_rise_m": _n(c.in_row_rise),
            "in_row_slack_m": _n(c.in_row_slack), "in_row_max_m": _n(c.in_row_max)}


def to_json(f: t.Factory) -> dict[str, Any]:
    """The model as a JSON-ready dict (deterministic: source order, fixed keys)."""
    return {
        "version": VERSION,
        "entry": f.entry,
        "complete": f.complete,
        "skipped": list(f.skipped),
        "sites": [{
            **_head(s), "land_m2": _n(s.land), "location": s.location, "pue": _n(s.pue),
            "utilities": [_utility(u) for u in s.utilities],
            "buildings": [b.qualname for b in s.buildings],
            "clusters": [c.qualname for c in s.clusters],
            "fabrics": [_fabric(fab) for fab in s.fabrics],
            "cooling": [_redundant(p, "modules") for p in s.cooling],
            "cabling": _cabling(s.cabling),
        } for s in f.sites],
        "buildings": [{
            **_head(b), "site": b.site.qualname if b.site else None, "size": _size(b.size), "floors": b.floors,
            "floor_rating_kg_m2": _n(b.floor_rating), "halls": [h.qualname for h in b.halls],
            "power": [_power(p) for p in b.power],
            "cooling": [_redundant(p, "modules") for p in b.cooling],
        } for b in f.buildings],
        "halls": [_hall(h) for h in f.halls],
        "systems": [_system(s) for s in f.systems],
        "switches": [_switch(s) for s in f.switches],
        "media": [_medium(m) for m in f.media],
        "clusters": [_cluster(c) for c in f.clusters],
        "cabling": _cabling(f.cabling),
    }


# ---- the schema and validation ---------------------------------------------------

def schema() -> dict:
    """The shipped JSON Schema of `to_json` (draft 2020-12)."""
    import json
    text = resources.files("factoryspec").joinpath("schemas/model.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


def locate(doc: dict, path) -> Span | None:
    """The source span for a JSON path into `to_json`'s output: the span of the
    innermost object on the path that has one (an attribute maps to its block)."""
    found = None
    node: Any = doc
    steps = list(path)
    for i in range(len(steps) + 1):
        if isinstance(node, dict) and isinstance(node.get("span"), dict):
            found = node["span"]
        if i == len(steps):
            break
        try:
            node = node[steps[i]]
        except (KeyError, IndexError, TypeError):
            break
    if found is None:
        return None
    return Span(found["file"], found["line"], found["column"], found["end_line"], found["end_column"])


def validate(f: t.Factory, doc: dict | None = None) -> list[Diagnostic]:
    """Schema violations of the model's JSON, each at the source span it comes from."""
    from jsonschema import Draft202012Validator

    doc = to_json(f) if doc is None else doc
    validator = Draft202012Validator(schema())
    out = []
    for err in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        where = "/".join(map(str, err.absolute_path)) or "(root)"
        out.append(error("internal-error", f"model export violates its schema at {where}: {err.message}",
                         locate(doc, err.absolute_path)))
    return out
