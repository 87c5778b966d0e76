"""SARIF (validated against the official 2.1.0 schema) and GitHub workflow commands."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest
from click.testing import CliRunner

from factoryspec.cli import ci_formats
from factoryspec.diagnostics import codes
from factoryspec.cli import main
from factoryspec.diagnostics import Diagnostic, Severity, Span, error, warning

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
BAD = 'site s1 {\n  land = 10 acre\n  pue 1.3\n  location = "Zürich"; bogus = 2 MW\n}\nlet unused_value = 3\n'


def validate(text: str) -> dict:
    log = json.loads(text)
    # The schema declares draft-04; check it with that draft's validator.
    assert SCHEMA["$schema"].startswith("http://json-schema.org/draft-04/")
    jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(log)
    return log


@pytest.fixture
def bad_spec(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub dir").mkdir()
    path = tmp_path / "sub dir" / "bad.fac"
    path.write_text(BAD, encoding="utf-8")
    return path


def lint(*args: str):
    return CliRunner().invoke(main, ["lint", *args])


def test_sarif_from_the_cli_validates(bad_spec):
    result = lint("--format", "sarif", "sub dir/bad.fac")
    assert result.exit_code == 1
    log = validate(result.output)
    assert log["version"] == "2.1.0" and log["$schema"] == ci_formats.SARIF_SCHEMA
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "factoryspec" and driver["version"]
    used = {r["ruleId"] for r in run["results"]}
    assert {"syntax", "unknown-attribute", "unused"} <= used
    assert [r["id"] for r in driver["rules"]] == sorted(used)
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] == codes.CODES[rule["id"]].title
        assert rule["fullDescription"]["text"] == codes.CODES[rule["id"]].explanation
    for r in run["results"]:
        assert driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"]


def test_sarif_result_fields(bad_spec):
    log = validate(lint("--format", "sarif", str(bad_spec.relative_to(Path.cwd()))).output)
    results = log["runs"][0]["results"]
    bogus = next(r for r in results if r["ruleId"] == "unknown-attribute")
    assert bogus["level"] == "error"
    loc = bogus["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "sub%20dir/bad.fac"      # relative, forward slashes
    line = BAD.split("\n")[3]
    assert loc["region"] == {"startLine": 4, "startColumn": line.index("bogus") + 1,
                             "endLine": 4, "endColumn": line.index("bogus") + 6}
    assert log["runs"][0]["columnKind"] == "unicodeCodePoints"
    unused = next(r for r in results if r["ruleId"] == "unused")
    assert unused["level"] == "warning"
    assert all(r["partialFingerprints"][ci_formats.FINGERPRINT_KEY] for r in results)


def test_sarif_without_span_and_with_hint():
    diags = [error("file-not-found", "no such file: x.fac", None),
             warning("unused", "`x` is never used", Span("a.fac", 2, 5, 2, 6), hint="remove it"),
             Diagnostic("unused", Severity.INFO, "note", Span("/abs/p q.fac", 1, 1, 1, 2))]
    log = validate(ci_formats.sarif(diags, sources={"a.fac": "\nlet x = 1\n"}))
    first, second, third = log["runs"][0]["results"]
    assert "locations" not in first
    assert second["message"]["text"] == "`x` is never used\nhint: remove it"
    assert third["level"] == "note"
    uri = third["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert urlsplit(uri).scheme == "file" and uri.endswith("/abs/p%20q.fac")


def test_fingerprints_ignore_line_numbers_but_not_text():
    d1 = error("syntax", "unexpected `1.3`", Span("a.fac", 3, 7, 3, 10))
    d2 = error("syntax", "unexpected `1.3`", Span("a.fac", 9, 7, 9, 10))
    moved = {"a.fac": "x\ny\n  pue 1.3\n"}
    down = {"a.fac": "\n" * 8 + "  pue 1.3\n"}
    fp = ci_formats.fingerprint
    assert fp(d1, "  pue 1.3") == fp(d2, "pue 1.3")
    assert fp(d1, "pue 1.3") != fp(d1, "pue 1.4")
    assert fp(d1, "x") != fp(error("syntax", "other", d1.span), "x")
    a = json.loads(ci_formats.sarif([d1], moved))["runs"][0]["results"][0]["partialFingerprints"]
    b = json.loads(ci_formats.sarif([d2], down))["runs"][0]["results"][0]["partialFingerprints"]
    assert a == b
    twice = json.loads(ci_formats.sarif([d1, d1], moved))["runs"][0]["results"]
    assert twice[0]["partialFingerprints"] != twice[1]["partialFingerprints"]


def test_sarif_of_no_diagnostics_validates():
    log = validate(ci_formats.sarif([]))
    assert log["runs"][0]["results"] == [] and log["runs"][0]["tool"]["driver"]["rules"] == []


def test_github_commands(bad_spec):
    result = lint("--format", "github", "sub dir/bad.fac")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)
    bogus = next(line for line in lines if "title=unknown-attribute" in line)
    col = BAD.split("\n")[3].index("bogus") + 1
    assert bogus.startswith(f"::error file=sub dir/bad.fac,line=4,col={col},endLine=4,endColumn={col + 4},")
    assert any(line.startswith("::warning ") and "title=unused" in line for line in lines)


def test_github_escaping():
    d = Diagnostic("syntax", Severity.INFO, "100% broken\r\nsecond line", Span("a,b:c.fac", 1, 2, 1, 3),
                   hint="try: this")
    out = ci_formats.github([d])
    assert out == ("::notice file=a%2Cb%3Ac.fac,line=1,col=2,endLine=1,endColumn=2,title=syntax"
                   "::100%25 broken%0D%0Asecond line%0Ahint: try: this\n")
    assert ci_formats.github([error("file-not-found", "no file", None)]) == "::error title=file-not-found::no file\n"


def test_open_ended_spans_are_still_valid():
    # A span that runs to the end of the input may lack its end.
    d = error("syntax", "this `{` is never closed", Span("a.fac", 2, 3, None, None))
    log = validate(ci_formats.sarif([d], {"a.fac": "x\n  hall h {\n"}))
    assert log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"] == \
        {"startLine": 2, "startColumn": 3}
    assert ci_formats.github([d]) == "::error file=a.fac,line=2,col=3,title=syntax::this `{` is never closed\n"
