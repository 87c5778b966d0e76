"""`factoryspec explain` for codes, block kinds and attributes, all from the tables."""

import pytest
from click.testing import CliRunner

from factoryspec.diagnostics import codes
from factoryspec.lang import vocabulary as v
from factoryspec.cli import main
from factoryspec.cli.reference import WIDTH, explain, listing


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def lines_fit(text: str) -> bool:
    return all(len(line) <= WIDTH for line in text.splitlines())


@pytest.mark.parametrize("kind", sorted(v.KINDS))
def test_every_kind_explains(kind):
    r = run("explain", kind)
    assert r.exit_code == 0, r.stderr
    k = v.KINDS[kind]
    assert r.stdout.startswith(f"{kind} (block kind)\n")
    assert " ".join(k.doc.split()) in " ".join(r.stdout.split())
    for a in k.attrs:
        assert f"\n  {a.name}\n" in r.stdout
    assert lines_fit(r.stdout)


def test_kind_names_parents_children_and_attribute_facts():
    text = explain("hall").text
    assert "stands in: building\n" in text
    assert "holds:     cdu, air, reserved, power\n" in text
    # busway: a power, in power units, required; row_pitch has a default in its unit.
    busway = text[text.index("\n  busway\n"):text.index("\n  busway_limit\n")]
    assert "type:    power" in busway and "MW" in busway and "none (required)" in busway
    assert "default: 4.2 m" in text
    assert "stands in: the top level of a file, site" in explain("cluster").text


@pytest.mark.parametrize("name", ["hall.busway", "building.hall.busway"])
def test_attribute_lookup(name):
    r = run("explain", name)
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith("hall.busway\n\nRated capacity of each row's busway")
    assert "unit:     W, kW, MW, GW" in r.stdout
    assert "in block: hall: A data hall" in r.stdout


@pytest.mark.parametrize("name", ["cluster.fabric.rails", "fabric.rails", "site.cluster.fabric.rails"])
def test_nested_path_lookup(name):
    text = explain(name).text
    assert text.startswith("fabric.rails\n\n" + v.KINDS["fabric"].attr("rails").doc)
    assert "type:     count (a whole number >= 0, no unit)" in text
    assert "default:  1\n" in text and "minimum:  1\n" in text


def test_a_path_may_end_in_a_child_kind():
    assert explain("building.hall.cdu").text == explain("cdu").text


def test_every_attribute_explains():
    for kind in v.KINDS.values():
        for attr in kind.attrs:
            found = explain(f"{kind.name}.{attr.name}")
            assert found.error is None and attr.doc.split()[0] in found.text
            assert lines_fit(found.text)


@pytest.mark.parametrize("name, message", [
    ("halll", "no diagnostic code or block kind `halll`; did you mean `hall`?"),
    ("rack-fitt", "did you mean `rack-fit`?"),
    ("busway", "it is an attribute: try `hall.busway`"),
    ("hall.buswy", "`hall` has no attribute or child block `buswy`; did you mean `busway`?"),
    ("cluster.hall.rows", "`cluster` has no attribute or child block `hall`"),
    ("fabirc.rails", "no block kind `fabirc`; did you mean `fabric`?"),
    ("hall.busway.rating", "`hall.busway` is an attribute"),
    ("hall..busway", "empty part"),
])
def test_unknown_names_exit_2_with_a_hint(name, message):
    r = run("explain", name)
    assert r.exit_code == 2
    assert r.stdout == ""
    assert r.stderr.startswith("error: ") and message in r.stderr


def test_codes_still_explain_and_wrap():
    r = run("explain", "rack-fit")
    assert r.exit_code == 0 and r.stdout.startswith("rack-fit: ")
    for code in codes.CODES:
        assert lines_fit(explain(code).text), code


def test_listing_has_codes_and_kinds():
    r = run("explain")
    assert r.exit_code == 0
    assert r.stdout == listing() + "\n"
    names = [line.split()[0] for line in r.stdout.splitlines() if line and not line.startswith(" ")]
    assert set(codes.CODES) <= set(names) and set(v.KINDS) <= set(names)
    assert lines_fit(r.stdout)


def test_rendering_is_deterministic():
    assert [explain(k).text for k in v.KINDS] == [explain(k).text for k in v.KINDS]
    assert listing() == listing()
