"""`factoryspec compile`: check, solve, verify, then replace the output
directory's files as one set (safe_write.replace_dir)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from .cli import EXIT_ERRORS, EXIT_INFEASIBLE, EXIT_OK, _emit, _parse_vars, main, root_option, var_option
from .diagnostics import Severity, error


def _progress(enabled: bool):
    """A rich progress bar with objective, bound and gap; silent when output is not a terminal."""
    if not enabled:
        return None, None
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("solving"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                   TextColumn("{task.fields[figures]}"), TimeElapsedColumn(), transient=True)
    task = bar.add_task("solve", total=1.0, figures="")

    def update(objective, bound, gap, fraction):
        figures = ""
        if objective is not None:
            figures = f"objective {objective:,.0f}"
            if bound is not None:
                figures += f"  bound {bound:,.0f}"
            if gap is not None:
                figures += f"  gap {gap * 100:.2f}%"
        bar.update(task, completed=min(max(fraction, 0.0), 1.0), figures=figures)

    return bar, update


def as_built(checked, result) -> dict:
    """The plan's figures of the solved layout (`plan_json` with basis "layout"):
    the model's loads recounted from the placements and links (as_built.py),
    so every headroom figure compile prints or writes comes from this one dict."""
    from . import as_built as built
    from .plan import plan_json

    built.apply(checked.model, result.layout)
    return plan_json(checked.model, checked.diagnostics)


def outputs(checked, problem, result, built: dict) -> dict[str, bytes]:
    """Every file compile writes, by name, as bytes (nothing touches the disk
    here). `built` is as_built(checked, result).

    The spec is named by its path relative to the project root, never as typed
    on the command line: the same spec gives the same bytes from any directory."""
    from .emit import bom, floorplan, report, siteplan, topology
    from .layout.jsonio import dumps, layout_to_json

    model = checked.model
    spec = checked.program.project_name(checked.program.entry)
    prices = {s.name: float(s.cost.value) for s in model.systems if s.cost is not None}
    prices.update({s.name: float(s.cost.value) for s in model.switches if s.cost is not None})
    optical = {m.qualname: bool(m.optical) for m in model.media}
    cdus = {h.qualname: [(c.count, float(c.capacity.value)) for c in h.cdus] for h in model.halls}
    files = {
        "layout.json": dumps(layout_to_json(problem, result, built["headroom"])).encode("utf-8"),
        "bom.csv": bom.emit(problem, result, prices, optical),
        "report.md": report.emit(spec, problem, result, built),
        "topology.graphml": topology.emit(problem, result),
        "siteplan.svg": siteplan.emit(problem, result),
    }
    for hall in problem.halls:
        files[floorplan.file_name(hall.id)] = floorplan.emit(problem, result, hall, cdus.get(hall.id, []),
                                                             hall_figures(built, hall.id))
    return files


def hall_figures(built: dict, hall_id: str) -> tuple[str, ...]:
    """A floor plan's lines of figures: the hall's load and each of its headroom
    measures, exactly as report.md prints them."""
    from .emit.report import _q, _w

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
    fixed = {"layout.json", "bom.csv", "report.md", "topology.graphml", "siteplan.svg"}
    return name in fixed or (name.startswith("floorplan-") and name.endswith(".svg"))


def _output_problem(problem) -> None:
    hint = ("choose another -o directory, or move those files" if problem.code == "output-dir-foreign"
            else "nothing of this compile replaced the previous outputs unless the message says so")
    _emit([error(problem.code, problem.message, None, hint)], {}, "text", 1)
    sys.exit(EXIT_ERRORS)


def _summary(result, built: dict, files: dict[str, bytes], out: Path, seconds: float) -> None:
    from rich.console import Console
    from rich.table import Table

    t = result.totals or {}
    table = Table(title="factoryspec compile", show_header=False)
    table.add_column("figure")
    table.add_column("value", justify="right")
    placements = result.layout.placements
    table.add_row("compute racks", f"{sum(p.kind == 'compute' for p in placements):,}")
    table.add_row("network racks", f"{sum(p.kind == 'network' for p in placements):,}")
    table.add_row("cables", f"{sum(link.count for link in result.layout.links):,}")
    unit = "USD" if result.objective_kind != "length" else "m"
    table.add_row("status", result.status)
    table.add_row("objective", f"{result.objective:,.2f} {unit}")
    if result.lower_bound is not None:
        table.add_row("lower bound", f"{result.lower_bound:,.2f} {unit}")
    if result.gap is not None:
        table.add_row("gap", f"{result.gap * 100:.2f} %")
    if result.baseline_objective:
        saving = (result.baseline_objective - result.objective) / result.baseline_objective * 100
        table.add_row("naive baseline", f"{result.baseline_objective:,.2f} {unit} ({saving:.1f} % saved)")
    if "length_mm" in t:
        table.add_row("cable length", f"{t['length_mm'] / 1000:,.0f} m")
    bt = built["totals"]
    table.add_row("IT power", f"{_power(bt['it_power_w'])} (optics {_power(bt['optics']['power_w'])})")
    tight = tightest(built["headroom"])
    if tight is not None:
        table.add_row("tightest limit", f"{tight['percent']:.1f} % {tight['subject']} [{tight['check']}]")
    table.add_row("seconds", f"{seconds:.1f}")
    table.add_row("outputs", f"{len(files)} files in {out}")
    Console().print(table)


def tightest(headroom: list[dict]) -> dict | None:
    """The measure nearest its limit (the first of equals, in check order)."""
    rated = [h for h in headroom if h["percent"] is not None]
    return max(rated, key=lambda h: h["percent"], default=None)


def _power(w) -> str:
    from fractions import Fraction

    from .checks._base import show
    from .units import POWER, Quantity
    return show(Quantity(Fraction(w), POWER))


@main.command(name="compile")
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "out", type=click.Path(file_okay=False), default="out", show_default=True,
              help="Directory for layout.json, bom.csv, report.md, floorplan-*.svg, siteplan.svg, topology.graphml.")
@click.option("--time-limit", type=click.FloatRange(min=0.1), default=None,
              help="Solver wall-clock limit in seconds (default: the spec's `solve` block, else 120).")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Solver seed; same seed, same bytes.")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Solve independent halls or sites in this many processes.")
@var_option
@root_option
def compile_command(spec, out, time_limit, seed, jobs, variables, root):
    """Solve the optimal rack-and-interconnect layout of SPEC and write it to -o DIR.

    Exit 0 on success, 1 on spec errors, 3 when the spec is infeasible.
    """
    from .layout.solve import solve
    from .layout.verify import verify
    from .pipeline import check
    from .safe_write import refusal, replace_dir
    from .to_problem import build_problem, time_limit_from_spec

    started = time.perf_counter()
    variables = _parse_vars(variables)
    checked = check(spec, root=root, variables=variables)
    if not checked.ok or checked.model is None:
        _emit(checked.diagnostics, checked.sources, "text", 1)
        sys.exit(EXIT_ERRORS)
    early = refusal(out, is_output)   # before a long solve, not after
    if early:
        _output_problem(early)
    problem = build_problem(checked, seed=seed, variables=variables)
    limit = time_limit or time_limit_from_spec(checked) or 120.0
    bar, update = _progress(sys.stderr.isatty())
    if bar:
        with bar:
            result = solve(problem, time_limit_s=limit, seed=seed, jobs=jobs, progress=update)
    else:
        result = solve(problem, time_limit_s=limit, seed=seed, jobs=jobs)
    if not result.ok:
        diags = list(result.diagnostics) or [error("infeasible", "no layout satisfies the spec", None)]
        _emit(diags, checked.sources, "text", 1)
        sys.exit(EXIT_INFEASIBLE if result.status == "infeasible" else EXIT_ERRORS)
    problems = verify(problem, result.layout)
    if problems:
        # Never write a layout that breaks a constraint: this is a solver bug.
        bad = [error("internal-error", f"the solved layout failed verification: {d.message}", d.span)
               for d in problems[:20]]
        _emit(bad, checked.sources, "text", 1)
        sys.exit(EXIT_ERRORS)
    built = as_built(checked, result)
    files = outputs(checked, problem, result, built)
    out_dir = Path(out)
    written = replace_dir(out_dir, files, is_output)
    if written:
        _output_problem(written)
    warnings = [d for d in checked.diagnostics if d.severity is not Severity.ERROR]
    if warnings:
        _emit(warnings, checked.sources, "text", 1)
    _summary(result, built, files, out_dir, time.perf_counter() - started)
    sys.exit(EXIT_OK)


# A 5 GW campus writes a layout.json of about 110 MB; 512 MiB leaves room for
# campuses several times larger while bounding what is read into memory (the
# parsed JSON takes several times the bytes, so 2 GiB of text would need well
# over 10 GB).
MAX_LAYOUT_BYTES = 512 * 1024 * 1024


def _read_layout(layout: str):
    """The parsed layout.json, or a diagnostic: read like a spec (source.py),
    only from a regular file and never past the limit, and parsed by
    jsonio.parse, which reports any text at all and never raises."""
    from .layout.jsonio import parse
    from .source import Unreadable, read_limited

    got = read_limited(layout, MAX_LAYOUT_BYTES)
    if isinstance(got, Unreadable):
        if got.code == "file-too-large":
            size = f"{got.size:,} bytes" if got.exact else f"more than {MAX_LAYOUT_BYTES:,} bytes"
            return None, error("file-too-large", f"{layout} is {size}; layouts are limited to "
                                                 f"{MAX_LAYOUT_BYTES:,}", None)
        return None, error(got.code, f"cannot read {layout}: {got.reason}", None)
    try:
        text = got.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, error("layout-invalid", f"cannot read {layout}: {exc}", None)
    data, why = parse(text)
    if why is not None:
        return None, error("layout-invalid", f"cannot read {layout}: {why}", None)
    return data, None


def read_and_verify(checked, path: str, variables) -> tuple[dict | None, list]:
    """layout.json at `path` and every way it breaks the checked spec (empty when
    it verifies): the schema, the independent re-check, the totals and the
    headroom as built (the model is left describing the layout)."""
    from . import as_built
    from .layout.jsonio import verify_json
    from .to_problem import build_problem

    data, unreadable = _read_layout(path)
    if unreadable:
        return None, [unreadable]

    def headroom(lay):
        as_built.apply(checked.model, lay)
        return [m.to_json() for m in as_built.headroom(checked.model)]
    return data, verify_json(build_problem(checked, variables=variables), data, headroom)


@main.command(name="verify")
@click.argument("spec", type=click.Path(dir_okay=False))
@click.argument("layout", type=click.Path(dir_okay=False))
@var_option
@root_option
def verify_command(spec, layout, variables, root):
    """Re-check a LAYOUT (layout.json) against SPEC, independently of the solver.

    Every rack placed once, no slot used twice, capacities, contiguity, reach,
    link lengths and media, totals and halls recomputed; the spec hash and
    objective must be the spec's; the solver's figures must agree with the
    recomputed objective. Exit 0 when it holds, 1 otherwise (any malformed file
    included).
    """
    from .pipeline import check

    variables = _parse_vars(variables)
    checked = check(spec, root=root, variables=variables)
    if not checked.ok or checked.model is None:
        _emit(checked.diagnostics, checked.sources, "text", 1)
        sys.exit(EXIT_ERRORS)
    data, problems = read_and_verify(checked, layout, variables)
    if problems:
        _emit(problems, checked.sources, "text", 1)
        sys.exit(EXIT_ERRORS)
    n_racks = len(data.get("placements", []))
    n_cables = sum(link.get("count", 1) for link in data.get("links", []))
    click.echo(f"{layout}: verified against {spec}: {n_racks:,} racks, {n_cables:,} cables")
    sys.exit(EXIT_OK)


def load_verified_layout(checked, path: str, variables):
    """The layout in `path` once it verifies against the checked spec, else None
    (its diagnostics are printed): a layout is applied to the model only after
    verify accepts it."""
    from .layout.jsonio import layout_from_json

    data, problems = read_and_verify(checked, path, variables)
    if problems:
        _emit(problems, checked.sources, "text", 1)
        return None
    return layout_from_json(data)
