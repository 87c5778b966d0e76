"""The README's Python API section runs as written, from a directory that
has the shipped specs (the block names them by relative path)."""

import os
import re
import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def _api_blocks() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Python API"):]
    section = section[:section.index("\n## ", 1)]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_the_api_section_runs(tmp_path, capsys):
    blocks = _api_blocks()
    assert blocks, "the README has a Python API example"
    (tmp_path / "specs").symlink_to(ROOT / "specs")
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        for i, block in enumerate(blocks):
            script = tmp_path / f"readme_api_{i}.py"
            script.write_text(block, encoding="utf-8")
            runpy.run_path(str(script), run_name="__main__")
    finally:
        os.chdir(old)
    out = capsys.readouterr().out
    assert "220154828" in out and "True 65 6912" in out
    assert (tmp_path / "out-api" / "layout.json").is_file()


def test_table_views(tmp_path):
    pd = pytest.importorskip("pandas", reason="the table views need pandas (the test extra installs it)")
    import factoryspec
    r = factoryspec.compile(ROOT / "specs" / "superpod.fac", time_limit=20)
    placements, cables, bom = r.placements(), r.cables(), r.bom()
    assert isinstance(placements, pd.DataFrame) and len(placements) == 65
    assert int(cables["count"].sum()) == 6912
    assert set(bom["category"]) >= {"compute rack", "switch", "cable"}
