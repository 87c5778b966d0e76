"""The pre-commit hooks, run the way pre-commit runs them.

pre-commit splits a hook's `entry` with shlex, appends the staged file names
that match `files`, and runs the command; the hook fails on a non-zero exit.
`factoryspec` is invoked as `python -m factoryspec` (the same console entry
point) so the test does not depend on the venv's bin/ being on PATH.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD = "site s1 {\n  land = 10 acre\n  pue = 1.3\n}\n"
UNFORMATTED = "site s1 {\nland=10 acre;pue = 1.3}\n"
BROKEN = "site s1 {\n  land = 10 acre\n  pue 1.3\n}\n"


def load_hooks() -> dict[str, dict[str, str]]:
    """Parse .pre-commit-hooks.yaml (a list of flat mappings; no YAML library needed)."""
    hooks: list[dict[str, str]] = []
    for raw in (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8").splitlines():
        line = raw.split(" #")[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        if line.startswith("- "):
            hooks.append({})
            line = line[2:]
        key, _, value = line.strip().partition(":")
        hooks[-1][key.strip()] = value.strip()
    return {h["id"]: h for h in hooks}


def run_hook(hook: dict[str, str], files: list[Path]) -> subprocess.CompletedProcess:
    pattern = re.compile(hook["files"])
    staged = [str(f) for f in files if pattern.search(str(f))]
    argv = shlex.split(hook["entry"])
    assert argv[0] == "factoryspec"
    cmd = [sys.executable, "-m", "factoryspec", *argv[1:], *staged]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=files[0].parent)


@pytest.fixture
def files(tmp_path) -> dict[str, Path]:
    out = {}
    for name, text in (("good.fac", GOOD), ("unformatted.fac", UNFORMATTED), ("broken.fac", BROKEN),
                       ("notes.txt", "not a spec {")):
        out[name] = tmp_path / name
        out[name].write_text(text, encoding="utf-8")
    return out


def test_hooks_are_declared():
    hooks = load_hooks()
    assert set(hooks) == {"factoryspec-lint", "factoryspec-fmt"}
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert re.search(hook["files"], "specs/a.fac") and not re.search(hook["files"], "a.fac.bak")
    assert hooks["factoryspec-lint"]["entry"] == "factoryspec lint"
    assert hooks["factoryspec-fmt"]["entry"] == "factoryspec fmt --check"


def test_lint_hook(files):
    hook = load_hooks()["factoryspec-lint"]
    assert run_hook(hook, [files["good.fac"], files["notes.txt"]]).returncode == 0
    assert run_hook(hook, [files["unformatted.fac"]]).returncode == 0      # layout is fmt's business
    bad = run_hook(hook, [files["good.fac"], files["broken.fac"]])
    assert bad.returncode == 1
    assert "broken.fac:3" in bad.stdout + bad.stderr


def test_fmt_hook(files):
    hook = load_hooks()["factoryspec-fmt"]
    assert run_hook(hook, [files["good.fac"], files["notes.txt"]]).returncode == 0
    unformatted = run_hook(hook, [files["good.fac"], files["unformatted.fac"]])
    assert unformatted.returncode == 1
    assert "unformatted.fac" in unformatted.stderr
    assert files["unformatted.fac"].read_text(encoding="utf-8") == UNFORMATTED   # --check never writes
    assert run_hook(hook, [files["broken.fac"]]).returncode == 1
