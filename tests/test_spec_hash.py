"""The spec hash and every output depend on what was compiled, not on where:
the same spec compiled from two working directories, or with an installed
wheel, gives the same bytes, and a layout verifies from anywhere."""

import filecmp
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from factoryspec import __version__
from factoryspec.pipeline import check
from factoryspec.layout.to_problem import spec_hash

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
# One time limit for every compile here: CP-SAT's limit is deterministic, so equal limits give equal layouts.
COMPILE = ["compile", "--time-limit", "20", "--seed", "3"]


def factoryspec(*args, cwd: Path, exe: list[str] | None = None, env=None) -> subprocess.CompletedProcess:
    cmd = (exe or [sys.executable, "-m", "factoryspec"]) + [str(a) for a in args]
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def assert_same_files(a: Path, b: Path) -> None:
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    assert "layout.json" in names and any(n.startswith("floorplan-") for n in names)
    _, mismatch, errors = filecmp.cmpfiles(a, b, names, shallow=False)
    assert not mismatch and not errors, f"differ: {mismatch + errors}"


@pytest.fixture(scope="module")
def from_root(tmp_path_factory) -> Path:
    """superpod compiled from the repository root, spelled specs/superpod.fac."""
    out = tmp_path_factory.mktemp("from-root")
    factoryspec(*COMPILE, "specs/superpod.fac", "-o", out, cwd=ROOT)
    return out


def test_compiles_from_two_directories_are_byte_identical(from_root, tmp_path):
    factoryspec(*COMPILE, "superpod.fac", "-o", tmp_path / "specs", cwd=SPECS)
    # From a directory the spec is not below: its display path is absolute.
    factoryspec(*COMPILE, SPECS / "superpod.fac", "-o", tmp_path / "elsewhere", cwd=tmp_path)
    assert_same_files(from_root, tmp_path / "specs")
    assert_same_files(from_root, tmp_path / "elsewhere")


def test_report_names_the_spec_relative_to_the_root(from_root):
    title = (from_root / "report.md").read_text(encoding="utf-8").splitlines()[0]
    assert title == "# factoryspec report: superpod.fac"


@pytest.mark.parametrize("cwd, spec", [(SPECS, "superpod.fac"), (ROOT.parent, SPECS / "superpod.fac")])
def test_verify_from_another_directory(from_root, cwd, spec):
    proc = factoryspec("verify", spec, from_root / "layout.json", cwd=cwd)
    assert "verified against" in proc.stdout


def _project(tmp_path: Path, hall_rows: int = 4) -> Path:
    """A spec that imports a file in a subdirectory and the catalog."""
    (tmp_path / "parts").mkdir(exist_ok=True)
    (tmp_path / "parts" / "halls.fac").write_text(f"# halls\n# rows {hall_rows}\n", encoding="utf-8")
    entry = tmp_path / "site.fac"
    entry.write_text('import catalog.nvidia\nimport "parts/halls.fac"\n', encoding="utf-8")
    return entry


def test_hash_ignores_the_working_directory(tmp_path, monkeypatch):
    entry = _project(tmp_path)
    monkeypatch.chdir(tmp_path)
    here = check("site.fac")
    monkeypatch.chdir(tmp_path / "parts")
    below = check("../site.fac")
    monkeypatch.chdir(ROOT)
    outside = check(str(entry))
    assert len(here.sources) == 3, here.sources
    assert spec_hash(here) == spec_hash(below) == spec_hash(outside)


def test_hash_ignores_how_root_is_spelled(tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    entry = _project(tmp_path / "sub")
    monkeypatch.chdir(tmp_path)
    a = check("sub/site.fac", root=".")
    monkeypatch.chdir(tmp_path / "sub" / "parts")
    b = check("../site.fac", root="../..")
    assert a.program.project_name(a.program.entry) == "sub/site.fac"
    assert spec_hash(a) == spec_hash(b)
    # The root is part of each file's name: the default root (sub/) names the entry site.fac.
    assert spec_hash(check(str(entry))) != spec_hash(a)


def test_files_are_named_by_project_path_and_catalog_module(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    program = check(str(_project(tmp_path))).program
    assert sorted(program.project_name(p) for p in program.sources) == [
        "catalog.nvidia", "parts/halls.fac", "site.fac"]


def test_hash_covers_import_content_vars_and_version(tmp_path, monkeypatch):
    import factoryspec.layout.to_problem as to_problem

    entry = _project(tmp_path)
    base = spec_hash(check(str(entry)))
    assert spec_hash(check(str(entry)), {"pue": "1.3"}) != base
    _project(tmp_path, hall_rows=5)
    assert spec_hash(check(str(entry))) != base
    _project(tmp_path)
    assert spec_hash(check(str(entry))) == base
    monkeypatch.setattr(to_problem, "__version__", __version__ + ".post1")
    assert spec_hash(check(str(entry))) != base


def test_wheel_install_compiles_the_same_bytes(installed_wheel, from_root, tmp_path):
    env_dir, env = installed_wheel
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(SPECS / "superpod.fac", work / "superpod.fac")
    exe = [str(env_dir / "bin" / "factoryspec")]
    factoryspec(*COMPILE, "superpod.fac", "-o", work / "out", cwd=work, exe=exe, env=env)
    assert_same_files(from_root, work / "out")
    # The wheel's layout verifies with the in-repository install, and the reverse.
    factoryspec("verify", "specs/superpod.fac", work / "out" / "layout.json", cwd=ROOT)
    factoryspec("verify", "superpod.fac", from_root / "layout.json", cwd=work, exe=exe, env=env)
