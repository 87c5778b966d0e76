"""The wheel carries the grammar and the catalog: build it, install it into a
fresh venv outside the repository, and lint a shipped spec with it."""

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # --no-isolation: build with the hatchling already installed (no network needed).
    proc = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out),
                           str(ROOT)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    (whl,) = out.glob("*.whl")
    return whl


def test_wheel_contains_grammar_and_catalog(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "factoryspec/grammar/factoryspec.lark" in names
    assert any(n.startswith("factoryspec/catalog/") and n.endswith(".fac") for n in names)


def test_installed_wheel_lints_a_shipped_spec(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    py = env_dir / "bin" / "python"
    site = subprocess.check_output([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                   text=True).strip()
    # Install the wheel alone, offline; the dependencies come from the test environment.
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps",
                    "--no-index", str(wheel)], check=True, capture_output=True)
    spec = next(iter(sorted((ROOT / "specs").glob("*.fac"))), None)
    if spec is None:
        pytest.skip("no shipped spec yet")
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(spec, work / spec.name)
    # Dependencies come from the test environment; the package itself only from the wheel.
    deps = sysconfig.get_paths()["purelib"]
    env = {**os.environ, "PYTHONPATH": deps}
    code = "import factoryspec, sys; print(factoryspec.__file__)"
    where = subprocess.check_output([str(py), "-c", code], cwd=work, env=env, text=True).strip()
    assert where.startswith(site), f"factoryspec imported from {where}, not the wheel"
    proc = subprocess.run([str(env_dir / "bin" / "factoryspec"), "lint", spec.name], cwd=work, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
