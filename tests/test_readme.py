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


def test_readme_prints_the_tours_plan_totals_as_plan_prints_them(tmp_path):
    from factoryspec.checks.figures import plan_text
    text = README.read_text(encoding="utf-8")
    tour = re.findall(r"```fac\n(.*?)```", text, re.S)[0]
    printed = re.search(r"its totals begin:\n\n```\n(.*?)```", text, re.S).group(1).splitlines()
    f = tmp_path / "tour.fac"
    f.write_text(tour, encoding="utf-8")
    result = check(str(f))
    lines = plan_text(result.model, result.diagnostics).splitlines()
    start = lines.index("Totals")
    assert lines[start:start + len(printed)] == printed
