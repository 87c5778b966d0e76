"""`factoryspec compile`: check, solve, verify, then replace the output
directory's files as one set (safe_write.replace_dir)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from . import color_enabled, EXIT_ERRORS, EXIT_INFEASIBLE, EXIT_OK, _emit, _parse_vars, main, root_option, var_option
from ..diagnostics import Severity, error
from ..emit.outputs import is_output


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
    Console(no_color=not color_enabled(sys.stdout)).print(table)


def tightest(headroom: list[dict]) -> dict | None:
    """The measure nearest its limit (the first of equals, in check order)."""
    rated = [h for h in headroom if h["percent"] is not None]
    return max(rated, key=lambda h: h["percent"], default=None)


def _power(w) -> str:
    from fractions import Fraction

    from ..checks._base import show
    from ..lang.units import POWER, Quantity
    return show(Quantity(Fraction(w), POWER))


@main.command(name="compile")
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "out", type=click.Path(file_okay=False), default="out", show_default=True,
              help="Directory for layout.json, bom.csv, report.md, floorplan-*.svg and .dxf, siteplan.svg, topology.graphml.")
@click.option("--time-limit", type=click.FloatRange(min=0.1), default=None,
              help="Solver wall-clock limit in seconds (default: the spec's `solve` block, else 120).")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Solver seed; same seed, same bytes.")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Solve independent halls or sites in this many processes.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="The summary as a table, or as one JSON object on stdout.")
@var_option
@root_option
def compile_command(spec, out, time_limit, seed, jobs, fmt, variables, root):
    """Solve the optimal rack-and-interconnect layout of SPEC and write it to -o DIR.

    Exit 0 on success, 1 on spec errors, 3 when the spec is infeasible.
    """
    from .. import api
    from ..emit.safe_write import refusal

    started = time.perf_counter()
    variables = _parse_vars(variables)
    early = refusal(out, is_output)   # before a long solve, not after
    if early:
        _output_problem(early)
    bar, update = _progress(sys.stderr.isatty() and fmt == "text")
    if bar:
        with bar:
            result = api.compile(spec, vars=variables, root=root, time_limit=time_limit, seed=seed, jobs=jobs,
                                 progress=update)
    else:
        result = api.compile(spec, vars=variables, root=root, time_limit=time_limit, seed=seed, jobs=jobs)
    sources = result.checked.sources if result.checked is not None else {}
    if not result.ok:
        if fmt == "json":
            click.echo(json.dumps(result.to_json(), indent=2, sort_keys=True))
        else:
            _emit(result.diagnostics, sources, "text", 1)
        sys.exit(EXIT_INFEASIBLE if result.infeasible else EXIT_ERRORS)
    written = result.write(out)
    if written:
        _emit(written, {}, "text", 1)
        sys.exit(EXIT_ERRORS)
    if fmt == "json":
        click.echo(json.dumps({**result.to_json(), "output_dir": str(out), "outputs": sorted(result.files())},
                              indent=2, sort_keys=True))
        sys.exit(EXIT_OK)
    warnings = [d for d in result.diagnostics if d.severity is not Severity.ERROR]
    if warnings:
        _emit(warnings, sources, "text", 1)
    _summary(result.result, result.built, result.files(), Path(out), time.perf_counter() - started)
    sys.exit(EXIT_OK)


@main.command(name="verify")
@click.argument("spec", type=click.Path(dir_okay=False))
@click.argument("layout", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Diagnostics and the result as text, or as one JSON object on stdout.")
@var_option
@root_option
def verify_command(spec, layout, fmt, variables, root):
    """Re-check a LAYOUT (layout.json) against SPEC, independently of the solver.

    Every rack placed once, no slot used twice, capacities, contiguity, reach,
    link lengths and media, totals and halls recomputed; the spec hash and
    objective must be the spec's; the solver's figures must agree with the
    recomputed objective. Exit 0 when it holds, 1 otherwise (any malformed file
    included).
    """
    from .. import api

    result = api.verify(spec, layout, vars=_parse_vars(variables), root=root)
    if fmt == "json":
        click.echo(json.dumps({**result.to_json(), "layout": layout, "racks": result.racks,
                               "cables": result.cables}, indent=2, sort_keys=True))
        sys.exit(EXIT_OK if result.ok else EXIT_ERRORS)
    if not result.ok:
        _emit(result.errors, result.checked.sources if result.checked is not None else {}, "text", 1)
        sys.exit(EXIT_ERRORS)
    click.echo(f"{layout}: verified against {spec}: {result.racks:,} racks, {result.cables:,} cables")
    sys.exit(EXIT_OK)


from ..emit.exports import EXPORTERS  # noqa: E402  (the export kinds)


@main.command(name="export")
@click.argument("kind", type=click.Choice(sorted(EXPORTERS)))
@click.argument("spec", type=click.Path(dir_okay=False))
@click.argument("layout", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "out", type=click.Path(file_okay=False),
              help="Directory for the exported files (replaced as one set).")
@click.option("--push", "url", metavar="URL",
              help="netbox: load the objects into the NetBox at URL (its web address) through its REST API.")
@click.option("--token", envvar="NETBOX_TOKEN", metavar="TOKEN", show_envvar=True,
              help="netbox: an API token with write permission (default: $NETBOX_TOKEN).")
@click.option("--scope", "scope", multiple=True, metavar="HALL",
              help="netbox: export or push only this hall (repeatable); cables between halls go with a scope "
                   "holding both.")
@click.option("--workers", type=click.IntRange(1, 32), default=4, show_default=True,
              help="netbox --push: requests in flight at once.")
@var_option
@root_option
def export_command(kind, spec, layout, out, url, token, scope, workers, variables, root):
    """Export LAYOUT (layout.json, verified against SPEC) to KIND's files in -o DIR.

    netbox: NetBox bulk-import files, one per object type in import order; with
    --push, the same objects loaded into a NetBox (idempotent: a second push
    changes nothing). racksdb: a RacksDB database (datacenter, rooms, rows,
    racks, equipment types). A layout that fails verify, or was made from
    another spec, is refused and nothing is written. Exit 0 when done, 1 otherwise.
    """
    from .. import api

    if kind != "netbox" and (url or scope):
        raise click.UsageError("--push and --scope are for the netbox export")
    if not out and not url:
        raise click.UsageError("give -o DIR (files), --push URL (NetBox), or both")
    if url and not token:
        raise click.UsageError("--push needs --token TOKEN or $NETBOX_TOKEN")
    if out:
        result = api.export(kind, spec, layout, out, vars=_parse_vars(variables), root=root, scope=scope)
        if not result.ok or not result.files:
            _emit(result.errors or result.diagnostics, result.checked.sources if result.checked is not None else {},
                  "text", 1)
            sys.exit(EXIT_ERRORS)
        click.echo(f"{len(result.files)} files in {out}: {', '.join(result.files)}")
    if url:
        _push(spec, layout, url, token, scope, workers, variables, root)
    sys.exit(EXIT_OK)


def _push(spec, layout, url, token, scope, workers, variables, root) -> None:
    """Push to NetBox with a progress bar on a terminal, then print what changed."""
    from .. import api

    bar = None
    if sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        bar = Progress(TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                       console=Console(stderr=True), transient=True)
    tasks = {}

    def progress(step, done, total):
        if step not in tasks:
            tasks[step] = bar.add_task(step, total=total)
        bar.update(tasks[step], completed=done)

    if bar is not None:
        with bar:
            result = api.push_netbox(spec, layout, url, token, scope=scope, vars=_parse_vars(variables), root=root,
                                     workers=workers, progress=progress)
    else:
        result = api.push_netbox(spec, layout, url, token, scope=scope, vars=_parse_vars(variables), root=root,
                                 workers=workers)
    if not result.ok:
        _emit(result.errors or result.diagnostics, result.checked.sources if result.checked is not None else {},
              "text", 1)
        sys.exit(EXIT_ERRORS)
    for kind, t in result.done.items():
        if kind in result.objects or t.changed():
            click.echo(f"{kind.replace('_', ' ')}: {t.created:,} created, {t.updated:,} updated, "
                       f"{t.deleted:,} deleted, {t.unchanged:,} unchanged")
    changed = sum(t.changed() for t in result.done.values())
    click.echo(f"pushed to {url}: {changed:,} changes" if changed else f"pushed to {url}: no changes")
