"""The command line: exit codes, formats, and the removed-brace acceptance case."""

import json
from pathlib import Path

from click.testing import CliRunner

from factoryspec.cli import main

ROOT = Path(__file__).resolve().parent.parent
BROKEN = "site a {\n  land = 1 acre\n\nbuilding b {\n  size = 10 m x 10 m\n}\n"


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_lint_clean_exits_0(tmp_path):
    f = tmp_path / "ok.fac"
    f.write_text("site a {\n  land = 10 acre\n}\n")
    r = run("lint", str(f))
    assert r.exit_code == 0, r.output


def test_lint_errors_exit_1_text_format(tmp_path):
    f = tmp_path / "bad.fac"
    f.write_text(BROKEN)
    r = run("lint", str(f))
    assert r.exit_code == 1
    assert f"{f}:1:8" in r.output
    assert "error[syntax]" in r.output and "^" in r.output and "hint:" in r.output


def test_lint_json_format(tmp_path):
    f = tmp_path / "bad.fac"
    f.write_text(BROKEN)
    r = run("lint", "--format", "json", str(f))
    assert r.exit_code == 1
    d, note = json.loads(r.stdout)
    assert set(d) >= {"file", "line", "column", "end_line", "end_column", "severity", "code", "message"}
    assert (d["code"], d["line"], d["column"], d["severity"]) == ("syntax", 1, 8, "error")
    # the note where, by indentation, the `}` belongs
    assert (note["code"], note["line"], note["severity"]) == ("syntax", 4, "info")


def test_lint_directory_means_every_fac_below(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.fac").write_text("let a = 1 MW\nsite s { utility { capacity = a } }\n")
    (tmp_path / "sub" / "b.fac").write_text("let b = 1 MWW\n")
    r = run("lint", "--format", "json", str(tmp_path))
    assert r.exit_code == 1
    assert {Path(d["file"]).name for d in json.loads(r.stdout)} == {"b.fac"}


def test_library_files_do_not_warn_unused(tmp_path):
    (tmp_path / "lib.fac").write_text("let shared = 2\n")
    (tmp_path / "main.fac").write_text('import "lib.fac"\nbuilding b { floors = shared }\n')
    r = run("lint", "--format", "json", str(tmp_path))
    assert r.exit_code == 0 and json.loads(r.stdout) == []


def test_usage_errors_exit_2(tmp_path):
    assert run("lint").exit_code == 2
    assert run("lint", "--format", "xml", "x.fac").exit_code == 2
    assert run("explain", "no-such-code").exit_code == 2


def test_missing_file_is_a_diagnostic(tmp_path):
    r = run("lint", "--format", "json", str(tmp_path / "nope.fac"))
    assert r.exit_code == 1
    assert json.loads(r.stdout)[0]["code"] == "file-not-found"


def test_var_overrides_param(tmp_path):
    f = tmp_path / "p.fac"
    f.write_text("param pue = 1.2\nsite s { pue = pue }\n")
    assert run("lint", str(f), "--var", "pue=0.5").exit_code == 1
    assert run("lint", str(f), "--var", "pue=1.3").exit_code == 0
    r = run("lint", "--format", "json", str(f), "--var", "peu=1.3")
    assert json.loads(r.stdout)[0]["code"] == "unknown-var"
    assert run("lint", str(f), "--var", "novalue").exit_code == 2


def test_explain_lists_and_explains():
    r = run("explain")
    assert r.exit_code == 0 and "syntax" in r.output and "unknown-unit" in r.output
    r = run("explain", "import-cycle")
    assert r.exit_code == 0 and "third file" in r.output


def test_shipped_specs_lint_clean():
    if not (ROOT / "specs").is_dir() or not list((ROOT / "specs").glob("*.fac")):
        import pytest
        pytest.skip("specs/ not present yet")
    r = run("lint", str(ROOT / "specs"))
    assert r.exit_code == 0, r.output


def test_a_bug_is_an_internal_error_not_a_traceback(tmp_path, monkeypatch):
    import factoryspec.pipeline as pipeline

    def broken(*args, **kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(pipeline, "check", broken)
    f = tmp_path / "ok.fac"
    f.write_text("let a = 1\n")
    r = CliRunner().invoke(main, ["lint", str(f)])
    assert r.exit_code == 1
    assert "error[internal-error]: RuntimeError: simulated bug" in r.output
    assert "Traceback" not in r.output
