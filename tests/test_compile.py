"""`factoryspec compile` and `verify` end to end on real specs."""

import math
import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

import recount
import siteplan_checks
from factoryspec.cli import main
from factoryspec.layout.jsonio import schema
from factoryspec.pipeline import check

ROOT = Path(__file__).resolve().parent.parent
SUPERPOD = ROOT / "specs" / "superpod.fac"
INFEASIBLE = ROOT / "tests" / "lint_compile" / "su_too_long.fac"
OUTPUTS = {"layout.json", "bom.csv", "report.md", "report.html", "topology.graphml", "floorplan-superpod-dc1-h1.svg",
           "floorplan-superpod-dc1-h1.dxf", "siteplan.svg", "cutsheet-superpod.dc1.h1.csv"}


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("superpod")
    r = run("compile", SUPERPOD, "-o", out, "--seed", "7", "--time-limit", "30")
    assert r.exit_code == 0, r.output
    return out


def test_compile_writes_every_output(compiled):
    assert {p.name for p in compiled.iterdir()} == OUTPUTS
    assert not list(compiled.glob(".*.tmp")), "no temporary files left behind"


def test_layout_validates_and_reports_quality(compiled):
    data = json.loads((compiled / "layout.json").read_text())
    jsonschema.Draft202012Validator(schema()).validate(data)
    solver = data["solver"]
    assert solver["lower_bound"] <= solver["objective"] <= solver["baseline_objective"]
    # superpod's neighbours take copper across the rack tops; the bound may price every link as
    # such a neighbour's (layout/bound.py), so the gap is ~43 % here against ~1 % on the trays alone
    assert 0 <= solver["gap"] <= 0.5
    kinds = [p["kind"] for p in data["placements"]]
    assert kinds.count("compute") == 32 and kinds.count("network") == 33   # 264 QM9700 / 8 per rack


def test_verify_accepts_the_compiled_layout(compiled):
    r = run("verify", SUPERPOD, compiled / "layout.json")
    assert r.exit_code == 0, r.output


def test_same_seed_gives_identical_bytes(compiled, tmp_path):
    again = tmp_path / "again"
    assert run("compile", SUPERPOD, "-o", again, "--seed", "7", "--time-limit", "30").exit_code == 0
    for name in OUTPUTS:
        assert (again / name).read_bytes() == (compiled / name).read_bytes(), name


def _tamper(compiled: Path, tmp_path: Path, change) -> Path:
    data = json.loads((compiled / "layout.json").read_text())
    change(data)
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(data))
    return path


def _move_onto_neighbour(d):
    a, b = d["placements"][0], d["placements"][1]
    b["row"], b["slot"], b["x_m"], b["y_m"] = a["row"], a["slot"], a["x_m"], a["y_m"]


def _cheaper_medium(d):
    d["links"][0]["medium"] = "dac_2m"


def _shorter_cable(d):
    d["links"][0]["length_m"] = 1.0


def _drop_a_link(d):
    del d["links"][0]


def _drop_a_rack(d):
    del d["placements"][0]


@pytest.mark.parametrize("change", [_move_onto_neighbour, _cheaper_medium, _shorter_cable, _drop_a_link,
                                    _drop_a_rack], ids=lambda f: f.__name__.strip("_"))
def test_verify_rejects_tampered_layouts(compiled, tmp_path, change):
    r = run("verify", SUPERPOD, _tamper(compiled, tmp_path, change))
    assert r.exit_code == 1
    assert "error[layout-invalid]" in r.output


def test_verify_rejects_garbage(tmp_path):
    bad = tmp_path / "layout.json"
    bad.write_text("{not json")
    r = run("verify", SUPERPOD, bad)
    assert r.exit_code == 1 and "layout-invalid" in r.output


def test_spec_only_infeasibility_is_caught_before_solving_and_writes_nothing(tmp_path):
    spec = tmp_path / INFEASIBLE.name
    shutil.copy(INFEASIBLE, spec)
    r = run("lint", spec)
    assert r.exit_code == 1 and f"{spec}:30:21" in r.output   # `scalable_unit = 8`: longer than any row
    out = tmp_path / "out"
    r = run("compile", spec, "-o", out)
    assert r.exit_code == 1 and "error[scalable-unit-fit]" in r.output and f"{spec}:30:21" in r.output
    assert not out.exists()


def test_spec_errors_exit_1(tmp_path):
    spec = tmp_path / "bad.fac"
    spec.write_text("site s { land = 1 MWW }\n")
    r = run("compile", spec, "-o", tmp_path / "out")
    assert r.exit_code == 1 and "unknown-unit" in r.output
    assert not (tmp_path / "out").exists()


def test_schema_layout_prints_a_valid_schema():
    r = run("schema", "layout")
    assert r.exit_code == 0
    jsonschema.Draft202012Validator.check_schema(json.loads(r.output))


SPECS = sorted((ROOT / "specs").glob("*.fac"))


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_every_shipped_spec_compiles_verifies_and_validates(spec, tmp_path):
    # A short limit keeps the suite quick: on timeout the solver must still
    # return its best layout, which must verify.
    out = tmp_path / "out"
    r = run("compile", spec, "-o", out, "--time-limit", "20", "--jobs", "2")
    assert r.exit_code == 0, r.output
    data = json.loads((out / "layout.json").read_text())
    jsonschema.Draft202012Validator(schema()).validate(data)
    assert data["solver"]["status"] in ("optimal", "feasible", "interrupted")
    assert data["solver"]["lower_bound"] <= data["solver"]["objective"]
    assert run("verify", spec, out / "layout.json").exit_code == 0
    # every headroom figure of the layout, recounted from its placements, is what
    # layout.json and report.md say
    assert recount.assert_agrees(spec, out) > 0
    # the site plan: no label over another, every hall clickable and named, the
    # title's sizes the spec's buildings'
    siteplan_checks.check((out / "siteplan.svg").read_bytes(), check(str(spec)).model)


def test_a_limit_shorter_than_the_work_rules_need_is_warned_with_the_least_that_suffices(tmp_path):
    from factoryspec import api
    spec = ROOT / "tests" / "compile" / "mixed_halls.fac"
    r = api.compile(spec, time_limit=0.2)
    (d,) = [d for d in r.diagnostics if d.code == "time-limit-short"]
    least = r.result.least_seconds
    assert 0.2 < least and d.severity.value == "warning" and d.span is None      # the caller's limit
    assert f"about {math.ceil(least):,} s" in d.message and d.hint == f"give it `--time-limit {math.ceil(least)}` or more"
    assert r.ok and r.result.layout is not None                        # a layout all the same
    r = api.compile(spec, time_limit=math.ceil(least))
    assert not [d for d in r.diagnostics if d.code == "time-limit-short"]
    # the spec's own `solve { time_limit }` is where the warning points
    text = spec.read_text()
    assert "time_limit" not in text
    own = tmp_path / "own.fac"
    own.write_text(text + "\nsolve {\n  time_limit = 0.2 s\n}\n")
    (d,) = [d for d in api.compile(own, root=ROOT / "tests").diagnostics if d.code == "time-limit-short"]
    assert d.span is not None and d.span.line == len(text.splitlines()) + 3


def test_the_search_ends_at_the_gap_target(tmp_path):
    # `solve { gap = 100 % }`: any layout is close enough, so each of mixed_halls' two
    # components stops after its first start: progress hears of its bound and that start,
    # then of the component done, 2 x (1 + 1) + 2 times
    from factoryspec import api
    text = (ROOT / "tests" / "compile" / "mixed_halls.fac").read_text()
    runs = {}
    for name, extra in (("default", ""), ("any", "\nsolve {\n  gap = 100 %\n}\n")):
        spec = tmp_path / f"{name}.fac"
        spec.write_text(text + extra)
        seen = []
        r = api.compile(spec, time_limit=20, root=ROOT / "tests", progress=lambda *a: seen.append(a))
        assert r.ok, r.diagnostics
        runs[name] = (len(seen), r.result.objective)
    assert runs["any"][0] == 2 * (1 + 1) + 2 < runs["default"][0]
    assert r.problem.gap_target == 1.0
