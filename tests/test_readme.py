"""The README's language tour is a real spec: it must lint clean."""

import re
from pathlib import Path

from factoryspec.pipeline import check

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_example_lints_clean(tmp_path):
    blocks = re.findall(r"```fac\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert blocks, "the README has a fac example"
    for i, block in enumerate(blocks):
        f = tmp_path / f"readme{i}.fac"
        f.write_text(block, encoding="utf-8")
        result = check(str(f))
        assert result.diagnostics == [], [d.message for d in result.diagnostics]
