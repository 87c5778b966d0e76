"""CLI commands over the factory model: plan, graph, schema.

    factoryspec plan SPEC [--format text|json] [--var NAME=VALUE] [--root DIR]
    factoryspec graph SPEC [--format dot|graphml|json] [--var ...] [--root DIR]
    factoryspec schema model

Exit codes as for `lint`: 0 when the spec has no errors (warnings allowed),
1 when it has errors (the plan or graph is still printed from what could be
built), 2 on usage errors. Diagnostics go to stderr, the output to stdout.
"""

from __future__ import annotations

import json
import sys

import click

from . import EXIT_ERRORS, EXIT_OK, _emit, _parse_vars, _style_for, main, root_option, var_option
from ..diagnostics import Severity


def _checked(spec: str, variables, root):
    """The checked spec through the API. A missing file (or a FIFO, a device,
    a directory) is one of its diagnostics, exit 1, as in every other command."""
    from ..api import check

    return check(spec, vars=_parse_vars(variables), root=root).checked


def _report(result) -> bool:
    """Diagnostics to stderr; True when there are errors."""
    from ..diagnostics.render import render_text

    errors = any(d.severity is Severity.ERROR for d in result.diagnostics)
    if result.diagnostics:
        text = render_text(result.diagnostics, result.sources, _style_for(sys.stderr))
        if text:
            click.echo(text, err=True)
    return errors


@main.command()
@click.argument("spec")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format (json keys are documented in factoryspec/checks/figures.py).")
@var_option
@root_option
def plan(spec, fmt, variables, root):
    """Derived totals without solving: racks, GPUs, power, cooling, slots,
    switches and links per tier, and every check's headroom."""
    from ..checks.figures import plan_json, plan_text

    result = _checked(spec, variables, root)
    if fmt == "json":
        errors = any(d.severity is Severity.ERROR for d in result.diagnostics)
        if result.model is None:
            click.echo(json.dumps({"version": 1, "spec": spec, "ok": False,
                                   "diagnostics": [d.to_json() for d in result.diagnostics]},
                                  indent=2, sort_keys=True))
            sys.exit(EXIT_ERRORS)
        click.echo(json.dumps(plan_json(result.model, result.diagnostics), indent=2, sort_keys=True))
        sys.exit(EXIT_ERRORS if errors else EXIT_OK)
    errors = _report(result)
    if result.model is not None:
        click.echo(plan_text(result.model, result.diagnostics), nl=False)
    sys.exit(EXIT_ERRORS if errors or result.model is None else EXIT_OK)


@main.command()
@click.argument("spec")
@click.option("--format", "fmt", type=click.Choice(["dot", "graphml", "json"]), default="dot", show_default=True,
              help="Graph format (like `terraform graph`: pipe dot into Graphviz).")
@click.option("--layout", "layout", type=click.Path(dir_okay=False), default=None,
              help="A layout.json of SPEC (from compile): rows hold the racks as it placed them.")
@var_option
@root_option
def graph(spec, fmt, layout, variables, root):
    """The factory graph: containment, power chain (A/B feeds), cooling chain
    and network (ports, leaf, spine, core per fabric and rail). Rows hold the
    even fill that the checks assume, or with --layout the layout's racks."""
    from ..model.graph import export

    result = _checked(spec, variables, root)
    errors = _report(result)
    if layout is not None and result.model is not None and result.ok:
        from ..api import verified_layout
        built, problems = verified_layout(result, layout, _parse_vars(variables))
        if problems:
            _emit(problems, result.sources, "text", 1)
            sys.exit(EXIT_ERRORS)
    g = result.graph()
    if g is None:
        sys.exit(EXIT_ERRORS)
    click.echo(export(g, fmt), nl=False)
    sys.exit(EXIT_ERRORS if errors else EXIT_OK)


@main.command()
@click.argument("name", type=click.Choice(["model", "layout", "summary"]))
def schema(name):
    """Print a JSON Schema shipped with factoryspec (draft 2020-12).

    `model`: the resolved model export (factoryspec/schemas/model.schema.json).
    `layout`: layout.json as `compile` writes it (factoryspec/layout/layout_schema.json).
    `summary`: what `compile --format json` and `verify --format json` print
    (factoryspec/schemas/summary.schema.json)."""
    if name == "model":
        from ..model.export import schema as load
    elif name == "layout":
        from ..layout.jsonio import schema as load
    else:
        from ..api import summary_schema as load
    click.echo(json.dumps(load(), indent=2))
    sys.exit(EXIT_OK)

