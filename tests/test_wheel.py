"""The wheel carries the grammar and the catalog: build it, install it into a
fresh venv outside the repository, and lint a shipped spec with it.

The `wheel` and `installed_wheel` fixtures live in conftest.py: test_spec_hash
compiles with the same installed wheel."""

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contains_grammar_and_catalog(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "factoryspec/grammar/factoryspec.lark" in names
    assert any(n.startswith("factoryspec/catalog/") and n.endswith(".fac") for n in names)


def test_wheel_contains_the_report_pages_script_and_styles(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert {"factoryspec/emit/static/report.js", "factoryspec/emit/static/report.css"} <= set(names)


def test_installed_wheel_lints_a_shipped_spec(installed_wheel, tmp_path):
    env_dir, env = installed_wheel
    py = env_dir / "bin" / "python"
    site = subprocess.check_output([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                   text=True).strip()
    spec = next(iter(sorted((ROOT / "specs").glob("*.fac"))), None)
    if spec is None:
        pytest.skip("no shipped spec yet")
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(spec, work / spec.name)
    code = "import factoryspec, sys; print(factoryspec.__file__)"
    where = subprocess.check_output([str(py), "-c", code], cwd=work, env=env, text=True).strip()
    assert where.startswith(site), f"factoryspec imported from {where}, not the wheel"
    proc = subprocess.run([str(env_dir / "bin" / "factoryspec"), "lint", spec.name], cwd=work, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
