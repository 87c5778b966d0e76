import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))   # spec generators shared with the benchmarks


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
