"""factoryspec as functions: the one pipeline that the CLI, the language server
and notebooks share.

    >>> import factoryspec
    >>> checked = factoryspec.check("specs/superpod.fac")
    >>> checked.ok
    True
    >>> result = factoryspec.compile("specs/superpod.fac", time_limit=30, seed=7)
    >>> result.ok, result.solver["status"] in ("optimal", "feasible", "interrupted")
    (True, True)
    >>> sorted(result.files())[:2]
    ['bom.csv', 'floorplan-superpod-dc1-h1.svg']

Every function takes a spec path and returns a result object; none prints,
exits or raises for bad input: what went wrong is in `diagnostics`, values
with stable codes (`factoryspec explain CODE`). Variables: `vars` maps a
`param` name to a value written as in the spec (`{"pue": "1.3"}`,
`{"phase1": "250 MW"}`); `var_files` are `.facvars` files of `name = value`
lines, applied in order before `vars` (see factoryspec/lang/varfiles.py).
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Callable, Iterable

import attrs

from .diagnostics import Diagnostic, Severity, error, warning

__all__ = ["CheckResult", "PlanResult", "CompileResult", "VerifyResult", "check", "plan", "compile", "verify"]

Progress = Callable[[float | None, float | None, float | None, float], None]


def _variables(vars: dict | None, var_files: Iterable[str]) -> tuple[dict[str, str], list[Diagnostic]]:
    from .lang.varfiles import merge
    return merge(vars or {}, tuple(var_files))


@attrs.define
class CheckResult:
    """What `check` (the CLI's `lint`) finds: the diagnostics and, when the spec
    resolved, its typed model (factoryspec.model.Factory)."""
    diagnostics: list[Diagnostic]
    model: object | None = None
    checked: object | None = attrs.field(default=None, repr=False)   # the pipeline's Checked
    variables: dict[str, str] = attrs.Factory(dict)

    @property
    def errors(self) -> list[Diagnostic]:
        """The diagnostics of error severity."""
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def ok(self) -> bool:
        """True when no diagnostic is an error (warnings pass)."""
        return not self.errors

    def to_json(self) -> dict:
        """The diagnostics as `lint --format json` prints them."""
        return {"ok": self.ok, "diagnostics": [d.to_json() for d in self.diagnostics]}


def check(path: str | Path, *, vars: dict | None = None, var_files: Iterable[str] = (),
          root: str | Path | None = None, overlay: dict[str, str] | None = None) -> CheckResult:
    """Parse, resolve, build the model and run every engineering check and
    assert of the spec at `path` and its imports, without solving. `overlay`
    maps paths to text read instead of the files (an editor's unsaved buffers)."""
    from . import pipeline

    variables, problems = _variables(vars, var_files)
    if problems:
        return CheckResult(problems, variables=variables)
    c = pipeline.check(str(path), root=str(root) if root is not None else None, variables=variables,
                       overlay=overlay)
    return CheckResult(list(c.diagnostics), c.model, c, variables)


@attrs.define
class PlanResult(CheckResult):
    """`plan`'s derived figures before solving (see factoryspec/checks/figures.py for the
    keys), besides the diagnostics."""
    figures: dict | None = None

    def text(self) -> str:
        """The plan as `factoryspec plan` prints it."""
        from .checks.figures import plan_text
        return plan_text(self.model, self.diagnostics) if self.model is not None else ""

    def to_json(self) -> dict:
        return self.figures if self.figures is not None else super().to_json()


def plan(path: str | Path, *, vars: dict | None = None, var_files: Iterable[str] = (),
         root: str | Path | None = None) -> PlanResult:
    """The spec's derived totals without solving (`factoryspec plan`):
    estimates, racks spread evenly over their halls."""
    from .checks.figures import plan_json

    c = check(path, vars=vars, var_files=var_files, root=root)
    figures = plan_json(c.model, c.diagnostics) if c.model is not None else None
    return PlanResult(c.diagnostics, c.model, c.checked, c.variables, figures)


@attrs.define
class CompileResult(CheckResult):
    """A solved, verified layout and every output file, in memory.

    `solver` has status, objective, lower_bound, gap, baseline_objective
    (USD, or metres for the length objective); `built` the plan's figures of
    the layout as built. Exit-code semantics: `infeasible` is True when the
    spec has no layout (the CLI's exit 3)."""
    problem: object | None = attrs.field(default=None, repr=False)
    result: object | None = attrs.field(default=None, repr=False)     # layout.result.SolveResult
    built: dict | None = attrs.field(default=None, repr=False)
    infeasible: bool = False
    _files: dict[str, bytes] | None = attrs.field(default=None, repr=False)

    @property
    def layout(self):
        """The layout (layout.result.Layout: placements and aggregated links), or None."""
        return self.result.layout if self.result is not None else None

    @property
    def solver(self) -> dict:
        """status, objective, lower_bound, gap, baseline_objective, seconds and
        unit of the solve; empty when the spec did not reach the solver."""
        r = self.result
        if r is None:
            return {}
        return {"status": r.status, "objective": r.objective, "lower_bound": r.lower_bound, "gap": r.gap,
                "baseline_objective": r.baseline_objective, "seconds": r.seconds, "unit": _unit(r)}

    def files(self) -> dict[str, bytes]:
        """Every output file by name, as bytes (layout.json, bom.csv, report.md,
        floorplan-*.svg and .dxf, siteplan.svg, topology.graphml); empty when not ok."""
        if self._files is None:
            self._files = {}
            if self.ok and self.result is not None:
                from .emit.outputs import outputs
                self._files = outputs(self.checked, self.problem, self.result, self.built)
        return dict(self._files)

    def write(self, out_dir: str | Path) -> list[Diagnostic]:
        """Replace `out_dir`'s outputs with these as one set (safe_write.replace_dir:
        a crash leaves the old set or the new, never a mix); the diagnostics of a
        refusal or a failed write, empty when written."""
        from .emit.outputs import is_output
        from .emit.safe_write import replace_dir
        if not self.ok:
            return [error("internal-error", "nothing to write: the compile did not succeed", None)]
        problem = replace_dir(Path(out_dir), self.files(), is_output)
        if problem is None:
            return []
        hint = ("choose another output directory, or move those files" if problem.code == "output-dir-foreign"
                else "nothing of this compile replaced the previous outputs unless the message says so")
        return [error(problem.code, problem.message, None, hint)]

    def to_json(self) -> dict:
        """The summary `compile --format json` prints: status, figures, diagnostics."""
        out = super().to_json()
        out["solver"] = self.solver
        if self.built is not None:
            t = self.built["totals"]
            out["totals"] = {k: t[k] for k in ("racks", "network_racks", "switches", "it_power_w", "optics",
                                               "facility_power_w")}
            out["cables"] = sum(x.count for x in self.layout.links)
        return out

    def placements(self):
        """The placements as a pandas DataFrame (needs the `data` extra)."""
        return _frame([attrs.asdict(p) for p in self.layout.placements])

    def cables(self):
        """The aggregated links as a pandas DataFrame (needs the `data` extra)."""
        return _frame([attrs.asdict(x) for x in self.layout.links])

    def bom(self):
        """The bill of materials (bom.csv) as a pandas DataFrame (needs the `data` extra)."""
        import csv
        import io
        rows = list(csv.DictReader(io.StringIO(self.files()["bom.csv"].decode("utf-8"))))
        return _frame(rows)


def _unit(r) -> str:
    return "m" if r.objective_kind == "length" else "USD"


def _frame(rows: list[dict]):
    try:
        import pandas as pd
    except ImportError as exc:   # an optional extra: say how to get it
        raise ImportError("table views need pandas: pip install 'factoryspec[data]'") from exc
    return pd.DataFrame(rows)


def compile(path: str | Path, *, vars: dict | None = None, var_files: Iterable[str] = (),
            root: str | Path | None = None, time_limit: float | None = None, seed: int = 0, jobs: int = 1,
            progress: Progress | None = None) -> CompileResult:
    """Check the spec, solve its rack-and-interconnect layout, verify it
    independently and recount it as built; nothing is written (see
    `CompileResult.write`). `time_limit` in seconds defaults to the spec's
    `solve { time_limit }`, else 120. `progress(objective, bound, gap, fraction)`
    is called while solving."""
    from .layout.as_built import apply
    from .layout.solve import solve
    from .layout.verify import verify as verify_layout
    from .checks.figures import plan_json
    from .layout.to_problem import build_problem, time_limit_from_spec

    t0 = time.perf_counter()
    c = check(path, vars=vars, var_files=var_files, root=root)
    base = dict(diagnostics=c.diagnostics, model=c.model, checked=c.checked, variables=c.variables)
    if not c.ok or c.model is None:
        return CompileResult(**base)
    problem = build_problem(c.checked, seed=seed, variables=c.variables)
    limit = time_limit or time_limit_from_spec(c.checked) or 120.0
    # the time checking took comes off the safety stop (the budgets stay the limit's)
    result = solve(problem, time_limit_s=limit, seed=seed, jobs=jobs, progress=progress,
                   spent_s=time.perf_counter() - t0)
    if not result.ok:
        diags = list(result.diagnostics) or [error("infeasible", "no layout satisfies the spec", None)]
        return CompileResult(**{**base, "diagnostics": c.diagnostics + diags}, problem=problem, result=result,
                             infeasible=result.status == "infeasible")
    late = _short_limit(limit, result, c.checked if time_limit is None else None)
    bad = verify_layout(problem, result.layout)
    if bad:
        # Never hand out a layout that breaks a constraint: this is a solver bug.
        diags = [error("internal-error", f"the solved layout failed verification: {d.message}", d.span)
                 for d in bad[:20]]
        return CompileResult(**{**base, "diagnostics": c.diagnostics + diags}, problem=problem, result=result)
    apply(c.model, result.layout)
    built = plan_json(c.model, c.diagnostics)
    return CompileResult(**{**base, "diagnostics": c.diagnostics + late}, problem=problem, result=result,
                         built=built)


def _short_limit(limit: float, result, checked) -> list:
    """A warning when the limit is below what the work rules need for one full
    start and the outputs: the compile then takes longer than the limit."""
    least = result.least_seconds
    if limit >= least:
        return []
    from .layout.to_problem import time_limit_span
    span = time_limit_span(checked) if checked is not None else None      # the CLI's limit: no span
    return [warning("time-limit-short", f"a time limit of {limit:g} s is less than this spec needs for one "
                    f"full start of the solver and its outputs (about {math.ceil(least):,} s by the work "
                    "rules): the compile runs past the limit, and the search is cut to its least",
                    span, f"give it `--time-limit {math.ceil(least)}` or more")]


@attrs.define
class VerifyResult(CheckResult):
    """Whether a layout.json follows from its spec; `diagnostics` say where not."""
    racks: int = 0
    cables: int = 0


def verify(spec: str | Path, layout: str | Path, *, vars: dict | None = None, var_files: Iterable[str] = (),
           root: str | Path | None = None) -> VerifyResult:
    """Re-check a layout.json against its spec, independently of the solver."""
    c = check(spec, vars=vars, var_files=var_files, root=root)
    if not c.ok or c.model is None:
        return VerifyResult(c.diagnostics, c.model, c.checked, c.variables)
    data, problems = _read_and_verify(c.checked, str(layout), c.variables)
    if problems:
        return VerifyResult(c.diagnostics + problems, c.model, c.checked, c.variables)
    return VerifyResult(c.diagnostics, c.model, c.checked, c.variables, racks=len(data["placements"]),
                        cables=sum(x.get("count", 1) for x in data["links"]))


def verified_layout(checked, path: str | Path, variables: dict | None = None):
    """The Layout in `path` once it verifies against `checked` (a pipeline
    Checked), with the model left describing it (as_built.apply); or the
    diagnostics that say why not, as (None, diagnostics)."""
    from .layout.jsonio import layout_from_json

    data, problems = _read_and_verify(checked, str(path), variables or {})
    if problems:
        return None, problems
    return layout_from_json(data), []


@attrs.define
class ExportResult(CheckResult):
    """What `export` wrote (names), or the diagnostics that refused it."""
    files: list = attrs.Factory(list)


def export(kind: str, spec: str | Path, layout: str | Path, out_dir: str | Path, *, vars: dict | None = None,
           var_files: Iterable[str] = (), root: str | Path | None = None, scope: Iterable[str] = ()) -> ExportResult:
    """Export a layout.json that verifies against its spec to `out_dir`, as one
    set (emit/exports.py: `kind` is racksdb or netbox). A layout that fails
    verify, or was made from another spec or spec version (its spec_hash), is
    refused with verify's coded diagnostics and nothing is written. `scope`
    (netbox only): the halls to export, all when empty."""
    from .emit.exports import EXPORTERS, exporter
    from .emit.safe_write import replace_dir

    if kind not in EXPORTERS:
        return ExportResult([error("invalid-value", f"unknown export {kind!r}: one of {', '.join(EXPORTERS)}",
                                   None)])
    scope = tuple(scope)
    if scope and kind != "netbox":
        return ExportResult([error("invalid-value", f"a scope of halls is for the netbox export, not {kind}", None)])
    got = _export_inputs(spec, layout, vars, var_files, root, scope)
    if isinstance(got, ExportResult):
        return got
    c, problem, lay = got
    mod = exporter(kind)
    files = mod.files(problem, lay, c.model, scope) if scope else mod.files(problem, lay, c.model)
    problem_w = replace_dir(Path(out_dir), files, mod.is_output)
    if problem_w is not None:
        return ExportResult(c.diagnostics + [error(problem_w.code, problem_w.message, None)], c.model, c.checked,
                            c.variables)
    return ExportResult(c.diagnostics, c.model, c.checked, c.variables, files=sorted(files))


def _export_inputs(spec, layout, vars, var_files, root, scope):
    """(checked spec, layout problem, verified Layout), or the ExportResult that
    refuses: the spec's own diagnostics, verify's, or a scope naming no hall."""
    from .layout.to_problem import build_problem

    c = check(spec, vars=vars, var_files=var_files, root=root)
    if not c.ok or c.model is None:
        return ExportResult(c.diagnostics, c.model, c.checked, c.variables)
    lay, problems = verified_layout(c.checked, layout, c.variables)
    if problems:
        return ExportResult(c.diagnostics + problems, c.model, c.checked, c.variables)
    problem = build_problem(c.checked, variables=c.variables)
    halls = [h.id for h in problem.halls]
    unknown = [h for h in scope if h not in halls]
    if unknown:
        return ExportResult(c.diagnostics + [error("invalid-value", f"no hall {unknown[0]!r} in {spec}: the halls are "
                                                   f"{', '.join(halls)}", None)], c.model, c.checked, c.variables)
    return c, problem, lay


@attrs.define
class PushResult(CheckResult):
    """What a push to NetBox did, per object type (emit/netbox_push.Tally), or why it failed."""
    done: dict = attrs.Factory(dict)
    objects: dict = attrs.Factory(dict)       # kind -> objects the design holds
    interfaces: int = 0


def push_netbox(spec: str | Path, layout: str | Path, url: str, token: str, *, scope: Iterable[str] = (),
                vars: dict | None = None, var_files: Iterable[str] = (), root: str | Path | None = None,
                workers: int | None = None, progress=None) -> PushResult:
    """Load a layout.json that verifies against its spec into the NetBox at `url`
    (emit/netbox_push.py: idempotent, in bulk; `scope`: the halls to push, all
    when empty). `progress(step, done, total)` is called as requests complete."""
    from .emit import netbox_design, netbox_push

    got = _export_inputs(spec, layout, vars, var_files, root, tuple(scope))
    if isinstance(got, ExportResult):
        return PushResult(got.diagnostics, got.model, got.checked, got.variables)
    c, problem, lay = got
    d = netbox_design.design(problem, lay, c.model, tuple(scope))
    objects = {kind: d.count(kind) for kind, _ in netbox_design.KINDS}
    try:
        done = netbox_push.push(d, url, token, workers=workers or netbox_push.WORKERS, progress=progress)
    except netbox_push.Refused as exc:
        return PushResult(c.diagnostics + [error("netbox-refused", str(exc), None)], c.model, c.checked,
                          c.variables, objects=objects, interfaces=d.interfaces)
    except Exception as exc:                      # the connection: refused, reset, timed out, bad TLS
        import requests

        if not isinstance(exc, (requests.RequestException, OSError)):
            raise
        return PushResult(c.diagnostics + [error("netbox-unreachable", f"cannot reach NetBox at {url}: {exc}", None)],
                          c.model, c.checked, c.variables, objects=objects, interfaces=d.interfaces)
    return PushResult(c.diagnostics, c.model, c.checked, c.variables, done=done, objects=objects,
                      interfaces=d.interfaces)


# A 5 GW campus writes a layout.json of about 110 MB; 512 MiB leaves room for
# campuses several times larger while bounding what is read into memory (the
# parsed JSON takes several times the bytes, so 2 GiB of text would need well
# over 10 GB).
MAX_LAYOUT_BYTES = 512 * 1024 * 1024


def _read_layout(layout: str):
    """The parsed layout.json, or a diagnostic: read like a spec (lang/source.py),
    only from a regular file and never past the limit, and parsed by
    jsonio.parse, which reports any text at all and never raises."""
    from .layout.jsonio import parse
    from .lang.source import Unreadable, read_limited

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


def _read_and_verify(checked, path: str, variables) -> tuple[dict | None, list]:
    """layout.json at `path` and every way it breaks the checked spec (empty when
    it verifies): the schema, the independent re-check, the totals and the
    headroom as built (the model is left describing the layout)."""
    from .layout import as_built
    from .layout.jsonio import verify_json
    from .layout.to_problem import build_problem

    data, unreadable = _read_layout(path)
    if unreadable:
        return None, [unreadable]

    def headroom(lay):
        as_built.apply(checked.model, lay)
        return [m.to_json() for m in as_built.headroom(checked.model)]
    return data, verify_json(build_problem(checked, variables=variables), data, headroom)


def summary_schema() -> dict:
    """The JSON Schema of `compile --format json` and `verify --format json`
    (factoryspec/schemas/summary.schema.json, draft 2020-12)."""
    import json
    from importlib import resources
    return json.loads(resources.files("factoryspec").joinpath("schemas/summary.schema.json")
                      .read_text(encoding="utf-8"))
