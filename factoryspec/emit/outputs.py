"""Every file compile writes, assembled in memory from the emitters.

The CLI (`factoryspec compile`) and the API (`CompileResult.files()`) both
call `outputs`, so they write the same bytes.
"""

from __future__ import annotations


def outputs(checked, problem, result, built: dict) -> dict:
    """Every file compile writes, by name, as bytes (nothing touches the disk
    here), except the cutsheets: one safe_write.Streamed writes them all at
    write time (safe_write.materialize gives them as bytes). `built` is the plan's figures of the layout as built
    (`plan_json` after `as_built.apply`).

    The spec is named by its path relative to the project root, never as typed
    on the command line: the same spec gives the same bytes from any directory."""
    from . import bom, cutsheet, floorplan, floorplan_dxf, loads, report, report_html, siteplan, topology
    from .hall_geometry import sheet_of
    from .safe_write import Streamed
    from ..layout.jsonio import dumps, layout_to_json

    model = checked.model
    spec = checked.program.project_name(checked.program.entry)
    prices = {s.name: float(s.cost.value) for s in model.systems if s.cost is not None}
    prices.update({s.name: float(s.cost.value) for s in model.switches if s.cost is not None})
    prices.update({a.name: float(a.cost.value) for a in model.appliances if a.cost is not None})
    optical = {m.qualname: bool(m.optical) for m in model.media}
    cdus = {h.qualname: [(c.count, float(c.capacity.value)) for c in h.cdus] for h in model.halls}
    halls = loads.hall_loads(built, result, {h.qualname: h.size.area.value for h in model.halls})
    buildings = loads.building_loads(halls, {h.qualname: h.building.qualname for h in model.halls if h.building})
    files = {
        "layout.json": dumps(layout_to_json(problem, result, built["headroom"])).encode("utf-8"),
        "bom.csv": bom.emit(problem, result, prices, optical),
        "report.md": report.emit(spec, problem, result, built, halls, buildings),
        "topology.graphml": topology.emit(problem, result),
        "siteplan.svg": siteplan.emit(model, problem, result),
    }
    sheets = Streamed(tuple(cutsheet.names(problem)),
                      lambda opener: cutsheet.write(problem, result.layout, opener))
    for name in sheets.names:
        files[name] = sheets              # streamed at write time, never held as bytes
    hall_sheets = {h.qualname: sheet_of(h, spec, problem.spec_hash) for h in model.halls}
    for hall in problem.halls:
        files[floorplan.file_name(hall.id)] = floorplan.emit(problem, result, hall, cdus.get(hall.id, []),
                                                             hall_figures(built, hall.id), hall_sheets.get(hall.id))
        files[floorplan_dxf.file_name(hall.id)] = floorplan_dxf.emit(problem, result, hall, hall_sheets.get(hall.id))
    files["report.html"] = report_html.emit(spec, problem, result, built, halls, buildings, files["report.md"],
                                            files["siteplan.svg"],
                                            {h.id: files[floorplan.file_name(h.id)] for h in problem.halls})
    return files


def hall_figures(built: dict, hall_id: str) -> tuple[str, ...]:
    """A floor plan's lines of figures: the hall's load and each of its headroom
    measures, exactly as report.md prints them."""
    from .report import _q, _w

    h = next((x for x in built["halls"] if x["name"] == hall_id), None)
    if h is None:
        return ()
    lines = [f"{h['compute_racks']:,} compute + {h['network_racks']:,} network racks, IT {_w(h['it_power_w'])} "
             f"(liquid {_w(h['cooling_liquid_w'])}, air {_w(h['cooling_air_w'])})"]
    prefix = f"hall {hall_id} "
    for m in built["headroom"]:
        if m["subject"].startswith(prefix):
            lines.append(f"{m['subject'][len(prefix):]}: {_q(m['used'], m['unit'])} of {_q(m['limit'], m['unit'])} "
                         f"({m['percent']} %) [{m['check']}]")
    return tuple(lines)


def is_output(name: str) -> bool:
    """The names `outputs` gives files: what compile may replace or remove in -o DIR."""
    fixed = {"layout.json", "bom.csv", "report.md", "report.html", "topology.graphml", "siteplan.svg"}
    return name in fixed or (name.startswith("floorplan-") and name.endswith((".svg", ".dxf"))) or \
        (name.startswith("cutsheet-") and name.endswith(".csv"))
