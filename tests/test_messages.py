"""Messages a user can act on: the code, the line and the words that say what to do."""

from pathlib import Path

from factoryspec.pipeline import check

SPECS = Path(__file__).parent.parent / "specs"


def lint(tmp_path: Path, text: str, name: str = "a.fac"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return check(str(path), root=str(tmp_path)).diagnostics


def without_line(text: str, line: str, nth: int) -> tuple[str, int]:
    """The text with the nth line equal to `line` removed, and that line's number."""
    lines = text.split("\n")
    at = [i for i, s in enumerate(lines) if s == line][nth]
    return "\n".join(lines[:at] + lines[at + 1:]), at + 1


# ---- a missing `}`

def test_missing_hall_brace_is_reported_where_it_belongs(tmp_path):
    text = (SPECS / "superpod.fac").read_text(encoding="utf-8")
    broken, removed = without_line(text, "    }", 2)      # the `}` of hall h1
    diags = lint(tmp_path, broken)
    hall = broken.split("\n").index("    hall h1 {") + 1
    assert [(d.code, d.severity.value, d.span.line) for d in diags] == [
        ("syntax", "error", hall), ("syntax", "info", removed)]
    assert diags[0].message == "this `{` is never closed"
    assert f"missing before line {removed}" in diags[0].hint
    assert diags[1].message.startswith("by indentation, `hall h1` (opened at line")
    assert "add `}` before this line" in diags[1].message


def test_missing_building_brace_reads_the_rest_as_indented(tmp_path):
    text = (SPECS / "superpod.fac").read_text(encoding="utf-8")
    broken, removed = without_line(text, "  }", 1)        # the `}` of building dc1
    diags = lint(tmp_path, broken)
    # No misplaced-block cascade and no failed asserts: cluster, cabling and
    # solve are read as children of the site, as their indentation says.
    assert [(d.code, d.severity.value) for d in diags] == [("syntax", "error"), ("syntax", "info")]
    lines = broken.split("\n")
    after = next(i for i in range(removed, len(lines) + 1) if lines[i - 1].strip())  # blank lines skipped
    assert diags[1].span.line == after and "`building dc1`" in diags[1].message


def test_missing_brace_without_telling_indentation_keeps_one_error(tmp_path):
    diags = lint(tmp_path, "site a {\nland = 1 acre\nbuilding b {\nsize = 10 m x 10 m\n}\n")
    assert [(d.code, d.span.line) for d in diags if d.code == "syntax"] == [("syntax", 1)]
    assert diags[0].severity.value == "error" and not any(d.severity.value == "info" for d in diags)


# ---- an unknown attribute that misspells a required one

HALL_TYPO = """site s {
  land = 1 ha
  building b {
    size = 40 m x 30 m
    hall h1 {
      size = 13 m x 21 m
      rows = 5
      slots_per_rw = 16
      busway = 2.5 MW
    }
  }
}
"""


def test_misspelt_required_attribute_is_one_error_at_the_typo(tmp_path):
    diags = lint(tmp_path, HALL_TYPO)
    errors = [(d.code, d.span.line) for d in diags if d.severity.value == "error"]
    assert errors[0] == ("unknown-attribute", 8)
    assert ("missing-attribute", 5) not in errors     # the typo explains it
    d = diags[0]
    assert d.message == "`slots_per_rw` is not an attribute of hall"
    assert d.hint.startswith("did you mean `slots_per_row`?")


def test_missing_attribute_not_explained_by_a_typo_stays(tmp_path):
    diags = lint(tmp_path, HALL_TYPO.replace("      busway = 2.5 MW\n", ""))
    codes = [(d.code, d.span.line, d.message) for d in diags]
    assert ("missing-attribute", 5, "hall s.b.h1 has no `busway`") in codes
    assert not any(c == "missing-attribute" and "slots_per_row" in m for c, _, m in codes)


# ---- an undefined reference lists what exists of the right kind

CAMPUS = """import catalog.nvidia

site childress {
  land = 10 ha
  building b1 {
    size = 40 m x 30 m
    hall h1 { size = 13 m x 21 m; rows = 5; slots_per_row = 16; busway = 2.5 MW }
    hall h2 { size = 13 m x 21 m; rows = 5; slots_per_row = 16; busway = 2.5 MW }
    hall h3 { size = 13 m x 21 m; rows = 5; slots_per_row = 16; busway = 2.5 MW }
    hall h4 { size = 13 m x 21 m; rows = 5; slots_per_row = 16; busway = 2.5 MW }
  }
  cluster c {
    system = SYSTEM
    racks = 8
    halls = [HALL]
  }
}
"""


def undefined(tmp_path, system="gb200_nvl72", hall="b1.h1"):
    diags = lint(tmp_path, CAMPUS.replace("SYSTEM", system).replace("HALL", hall))
    return [d for d in diags if d.code == "undefined-reference"]


def test_undefined_member_lists_the_children_of_that_kind(tmp_path):
    (d,) = undefined(tmp_path, hall="childress.b1.h9")
    assert d.span.line == 15
    assert d.message == "`h9` is not defined in `childress.b1`"
    assert d.hint == "halls of childress.b1: h1, h2, h3, h4"


def test_undefined_name_lists_the_blocks_the_attribute_expects(tmp_path):
    (d,) = undefined(tmp_path, hall="hh1")
    assert d.span.line == 15 and d.message == "`hh1` is not defined"
    assert d.hint == "halls: b1.h1, b1.h2, b1.h3, b1.h4"


def test_undefined_catalog_item_keeps_its_did_you_mean_first(tmp_path):
    (d,) = undefined(tmp_path, system="gb300_nvl7")
    assert d.span.line == 13
    assert d.hint.startswith("did you mean `gb300_nvl72`? systems: gb300_nvl72, ")


# ---- import-not-found

def test_import_not_found_never_suggests_the_importing_file(tmp_path):
    (d,) = lint(tmp_path, 'import "b.fac"\n')
    assert (d.code, d.span.line) == ("import-not-found", 1)
    assert d.message.startswith("cannot find `b.fac`")
    assert d.hint is None


def test_import_not_found_still_suggests_a_sibling(tmp_path):
    (tmp_path / "bb.fac").write_text("let x = 1\n", encoding="utf-8")
    (d,) = lint(tmp_path, 'import "b.fac"\n')
    assert d.code == "import-not-found" and d.hint == "did you mean `bb.fac`?"


# ---- zero and negative counts: one rule, one wording

def hall_with_rows(rows: str) -> str:
    return HALL_TYPO.replace("slots_per_rw", "slots_per_row").replace("rows = 5", f"rows = {rows}")


def test_zero_and_negative_counts_are_worded_alike(tmp_path):
    for rows in ("0", "-3"):
        (d,) = [d for d in lint(tmp_path, hall_with_rows(rows)) if d.code == "invalid-value"]
        assert d.span.line == 7
        assert d.message == f"`rows` must be at least 1, got {rows}"


def test_fractional_count_says_whole_number(tmp_path):
    (d,) = [d for d in lint(tmp_path, hall_with_rows("2.5")) if d.code == "invalid-value"]
    assert d.message == "`rows` must be a whole number, got 2.5"


def test_zero_and_negative_quantities_name_the_rule_then_the_value(tmp_path):
    site = "site s {\n  land = 1 ha\n  utility {\n    capacity = CAP\n  }\n}\n"
    zero, = [d for d in lint(tmp_path, site.replace("CAP", "0 MW")) if d.code == "invalid-value"]
    negative, = [d for d in lint(tmp_path, site.replace("CAP", "-5 MW")) if d.code == "invalid-value"]
    assert zero.span.line == negative.span.line == 4
    assert zero.message.endswith("the utility capacity must be more than zero, got 0 W")
    assert negative.message == "`capacity` must not be negative, got -5 MW"


def test_diagnostics_sort_numbers_as_numbers():
    from factoryspec.diagnostics import error, sort_key
    messages = ["hall h10 is full", "hall h2 is full", "hall h" + "9" * 6000, "hall h02x", "hall"]
    ordered = [d.message for d in sorted((error("x", m, None) for m in messages), key=sort_key)]
    assert ordered == ["hall", "hall h2 is full", "hall h02x", "hall h10 is full", "hall h" + "9" * 6000]
