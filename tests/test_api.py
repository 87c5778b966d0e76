"""The Python API (factoryspec.check, plan, compile, verify) and the CLI
conventions built on it: --var-file, -var, FACTORYSPEC_VAR_*, --format json,
NO_COLOR, one exit code for a missing file, fmt --diff."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import factoryspec
from factoryspec.cli import main

ROOT = Path(__file__).resolve().parent.parent
SUPERPOD = ROOT / "specs" / "superpod.fac"
CHILDRESS = ROOT / "specs" / "childress.fac"


def run(*args, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


@pytest.fixture(scope="module")
def compiled():
    return factoryspec.compile(SUPERPOD, time_limit=30, seed=7)


def test_the_package_exports_exactly_the_api():
    assert set(factoryspec.__all__) == {"check", "plan", "compile", "verify", "CheckResult", "PlanResult",
                                        "CompileResult", "VerifyResult", "__version__"}
    for name in factoryspec.__all__:
        if name != "__version__":
            assert getattr(factoryspec, name).__doc__, name


def test_check_and_plan_return_values_not_exits():
    c = factoryspec.check(ROOT / "tests" / "checks" / "power_fail.fac")
    assert not c.ok and any(d.code == "utility-capacity" for d in c.errors)
    assert c.to_json()["ok"] is False
    p = factoryspec.plan(CHILDRESS, vars={"design_pue": "1.5"})
    assert p.ok and p.figures["totals"]["facility_power_w"] == 220_154_828 * 3 // 2
    assert "Totals" in p.text()


def test_compile_through_the_api_and_the_cli_write_the_same_bytes(compiled, tmp_path):
    assert compiled.ok and compiled.layout is not None
    api_dir, cli_dir = tmp_path / "api", tmp_path / "cli"
    assert compiled.write(api_dir) == []
    r = run("compile", SUPERPOD, "-o", cli_dir, "--seed", "7", "--time-limit", "30")
    assert r.exit_code == 0, r.output
    names = sorted(p.name for p in cli_dir.iterdir())
    assert names == sorted(compiled.files()) == sorted(p.name for p in api_dir.iterdir())
    for name in names:
        assert (api_dir / name).read_bytes() == (cli_dir / name).read_bytes(), name


def test_compile_result_figures_and_verify(compiled, tmp_path):
    j = compiled.to_json()
    assert j["solver"]["lower_bound"] <= j["solver"]["objective"] and j["cables"] == 6912
    compiled.write(tmp_path)
    v = factoryspec.verify(SUPERPOD, tmp_path / "layout.json")
    assert v.ok and (v.racks, v.cables) == (65, 6912)
    bad = factoryspec.verify(ROOT / "tests" / "checks" / "base_pass.fac", tmp_path / "layout.json")
    assert not bad.ok and any(d.code == "layout-invalid" for d in bad.errors)


def test_an_infeasible_compile_is_a_result_too():
    r = factoryspec.compile(ROOT / "tests" / "lint_compile" / "su_too_long.fac", time_limit=5)
    assert not r.ok and r.files() == {} and any(d.code == "scalable-unit-fit" for d in r.errors)


def test_compile_and_verify_format_json(tmp_path):
    import jsonschema
    schema = json.loads(run("schema", "summary").stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    check = jsonschema.Draft202012Validator(schema).validate
    r = run("compile", SUPERPOD, "-o", tmp_path / "o", "--time-limit", "20", "--format", "json")
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    check(summary)
    assert summary["ok"] and summary["outputs"] and summary["totals"]["racks"] == 32
    v = run("verify", SUPERPOD, tmp_path / "o" / "layout.json", "--format", "json")
    assert v.exit_code == 0 and json.loads(v.stdout)["ok"] is True
    check(json.loads(v.stdout))
    bad = run("compile", ROOT / "tests" / "lint_compile" / "su_too_long.fac", "-o", tmp_path / "b",
              "--format", "json")
    assert bad.exit_code == 1 and not json.loads(bad.stdout)["ok"]
    check(json.loads(bad.stdout))


def _pue_line(out: str) -> str:
    return next(line for line in out.splitlines() if "x PUE" in line)


def test_variables_from_files_environment_and_flags(tmp_path):
    a, b = tmp_path / "a.facvars", tmp_path / "b.facvars"
    a.write_text("# design inputs\ndesign_pue = 1.5   // conservative\n")
    b.write_text("design_pue = 2\n")
    assert "PUE 1.5 " in _pue_line(run("plan", CHILDRESS, "--var-file", a).stdout)
    assert "PUE 2 " in _pue_line(run("plan", CHILDRESS, "--var-file", a, "--var-file", b).stdout)
    assert "PUE 1.1 " in _pue_line(run("plan", CHILDRESS, "--var-file", b, "-var", "design_pue=1.1").stdout)
    env = {"FACTORYSPEC_VAR_design_pue": "1.3"}
    assert "PUE 1.3 " in _pue_line(run("plan", CHILDRESS, env=env).stdout)
    assert "PUE 1.5 " in _pue_line(run("plan", CHILDRESS, "--var-file", a, env=env).stdout)
    assert factoryspec.plan(CHILDRESS, var_files=[str(a)]).figures["sites"][0]["pue"] == 1.5


def test_a_bad_variables_file_is_a_diagnostic_at_its_line(tmp_path):
    bad = tmp_path / "bad.facvars"
    bad.write_text("design_pue = 1.2\noops\n")
    r = run("plan", CHILDRESS, "--var-file", bad)
    assert r.exit_code == 1 and "error[var-file]" in r.output and "bad.facvars:2:1" in r.output
    assert any(d.code == "var-file" for d in factoryspec.check(CHILDRESS, var_files=[str(bad)]).errors)


@pytest.mark.parametrize("command", ["lint", "plan", "graph", "fmt", "compile"])
def test_a_missing_file_exits_1_in_every_command(command, tmp_path):
    r = run(command, tmp_path / "missing.fac", *(["-o", tmp_path / "o"] if command == "compile" else []))
    assert r.exit_code == 1, (command, r.output)
    assert run("verify", tmp_path / "missing.fac", tmp_path / "x.json").exit_code == 1


def test_no_color(tmp_path):
    spec = tmp_path / "a.fac"
    spec.write_text("let x = 1 MWW\n")
    code = ("import sys; from factoryspec.cli import main; sys.argv = ['factoryspec'] + sys.argv[1:]; main()")
    # a pseudo-terminal would show colours; script(1) gives one where available
    for args, env in ((["--no-color", "lint", str(spec)], {}), (["lint", str(spec)], {"NO_COLOR": "1"})):
        r = subprocess.run(["script", "-qec", " ".join([sys.executable, "-c", repr(code), *args]), "/dev/null"],
                           capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", **env}, timeout=60)
        if r.returncode == 127 or "not found" in r.stderr:
            pytest.skip("script(1) is not available")
        assert "unknown-unit" in r.stdout and "\x1b[" not in r.stdout, r.stdout


def test_fmt_diff_writes_like_terraform_unless_check(tmp_path):
    spec = tmp_path / "a.fac"
    spec.write_text("let   x =   1 MW\n")
    r = run("fmt", "--diff", "--check", spec)
    assert r.exit_code == 1 and "+let x = 1 MW" in r.stdout and spec.read_text() == "let   x =   1 MW\n"
    r = run("fmt", "--diff", spec)
    assert r.exit_code == 0 and "+let x = 1 MW" in r.stdout and spec.read_text() == "let x = 1 MW\n"


def test_help_shows_the_documented_signature():
    out = subprocess.run([sys.executable, "-c", "import factoryspec; help(factoryspec.compile)"],
                         capture_output=True, text=True, timeout=60).stdout
    assert "compile(path" in out and "time_limit" in out and "progress" in out
