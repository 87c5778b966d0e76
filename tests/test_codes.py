"""Every diagnostic code used in the package is registered and explained."""

import re
from pathlib import Path

from factoryspec.diagnostics import codes

PKG = Path(__file__).resolve().parent.parent / "factoryspec"
USE = re.compile(r'\b(?:error|warning|Diagnostic)\(\s*"([a-z][a-z0-9-]*)"')


def used_codes() -> set[str]:
    found = set()
    for path in PKG.rglob("*.py"):
        found |= set(USE.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_used_code_is_registered():
    missing = used_codes() - set(codes.CODES)
    assert not missing, f"unregistered codes: {sorted(missing)}"


def test_codes_are_kebab_case_and_explained():
    for code, entry in codes.CODES.items():
        assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)*", code)
        assert entry.title and len(entry.explanation) > 40


WARN = re.compile(r'\bwarning\(\s*"([a-z][a-z0-9-]*)"')


def test_warning_codes_are_the_ones_allow_accepts():
    # `allow` may name exactly the codes some diagnostic reports as a warning.
    found = set()
    for path in PKG.rglob("*.py"):
        found |= set(WARN.findall(path.read_text(encoding="utf-8")))
    assert found == set(codes.WARNINGS)
