import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))   # spec generators shared with the benchmarks

# The session fixture `netbox`: a real NetBox server on loopback (tests/netbox_service.py).
pytest_plugins = ["netbox_service"]


@pytest.fixture
def lint_text(tmp_path):
    """Lint spec text written to a temporary file; returns the Checked result."""
    from factoryspec.pipeline import check

    def run(text: str, name: str = "spec.fac", **kw):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return check(str(path), **kw)

    return run


def codes(result) -> list[str]:
    return [d.code for d in result.diagnostics]


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    """The package built as a wheel, once per test run (the build takes a while)."""
    import subprocess

    out = tmp_path_factory.mktemp("dist")
    # --no-isolation: build with the hatchling already installed (no network needed).
    proc = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out),
                           str(ROOT)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    (whl,) = out.glob("*.whl")
    return whl


@pytest.fixture(scope="session")
def installed_wheel(wheel, tmp_path_factory):
    """A fresh venv outside the repository with only the wheel installed, offline.

    Returns (venv directory, environment for running it): the dependencies come
    from the test environment through PYTHONPATH, factoryspec only from the wheel."""
    import os
    import subprocess
    import sysconfig
    import venv

    env_dir = tmp_path_factory.mktemp("wheel-venv") / "venv"
    venv.create(env_dir, with_pip=False)
    py = env_dir / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps",
                    "--no-index", str(wheel)], check=True, capture_output=True)
    env = {**os.environ, "PYTHONPATH": sysconfig.get_paths()["purelib"]}
    return env_dir, env
