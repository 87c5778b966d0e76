"""Diagnostics for CI: SARIF 2.1.0 and GitHub Actions workflow commands.

`factoryspec lint --format sarif` writes one SARIF log for code scanning
(github/codeql-action/upload-sarif); `--format github` writes `::error ...`
workflow commands, which GitHub Actions shows as annotations on the diff.

SARIF is written as plain JSON rather than through a SARIF object model: the
subset used here is small, and tests/test_ci_formats.py validates the output
against the official OASIS schema (sarif-schema-2.1.0.json, errata 01), which
is what code scanning itself checks. (sarif-om, the Microsoft object model, is
a thin set of generated classes that has not been released since 2020 and
would add a dependency without adding validation.)
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path, PurePath
from typing import Iterable
from urllib.parse import quote

from .. import __version__
from ..diagnostics import Diagnostic, Severity, Span, codes

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT_KEY = "factoryspec/v1"

_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_GITHUB_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


# ---- SARIF -------------------------------------------------------------------

def sarif(diags: Iterable[Diagnostic], sources: dict[str, str] | None = None) -> str:
    """A SARIF 2.1.0 log of one run. `sources` (path -> text) supplies the
    lines hashed into fingerprints; files not given are read from disk."""
    diags = list(diags)
    lines = _LineReader(sources or {})
    rule_ids = sorted({d.code for d in diags})
    index = {code: i for i, code in enumerate(rule_ids)}
    results = [_result(d, index[d.code], lines) for d in diags]
    _number_fingerprints(results)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "factoryspec",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [_rule(code) for code in rule_ids],
            }},
            # factoryspec counts columns in Unicode code points (SARIF's default is UTF-16).
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _rule(code: str) -> dict:
    entry = codes.get(code)
    title = entry.title if entry else code
    explanation = entry.explanation if entry else title
    return {
        "id": code,
        "name": "".join(w.capitalize() for w in code.split("-")),
        "shortDescription": {"text": title},
        "fullDescription": {"text": explanation},
        "help": {"text": f"{explanation}\n\nRun `factoryspec explain {code}` for this text."},
    }


def _message(d: Diagnostic) -> str:
    return d.message + (f"\nhint: {d.hint}" if d.hint else "")


def _result(d: Diagnostic, rule_index: int, lines: "_LineReader") -> dict:
    result: dict = {
        "ruleId": d.code,
        "ruleIndex": rule_index,
        "level": _SARIF_LEVEL[d.severity],
        "message": {"text": _message(d)},
    }
    if d.span is not None:
        result["locations"] = [_location(d.span)]
    result["partialFingerprints"] = {FINGERPRINT_KEY: fingerprint(d, lines.line(d.span))}
    return result


def _location(span: Span) -> dict:
    artifact = {"uri": artifact_uri(span.file)}
    if not PurePath(span.file).is_absolute():
        artifact["uriBaseId"] = "%SRCROOT%"
    region = {"startLine": span.line, "startColumn": span.column}
    if span.end_line is not None and span.end_column is not None:   # else: to the end of the line
        region.update(endLine=span.end_line, endColumn=max(span.end_column, span.column))
    return {"physicalLocation": {"artifactLocation": artifact, "region": region}}


def artifact_uri(path: str) -> str:
    """A relative path as a URI reference with forward slashes; an absolute
    path (outside the working directory) as a file: URI."""
    p = PurePath(path)
    if p.is_absolute():
        return Path(path).as_uri()
    return quote(p.as_posix(), safe="/")


def fingerprint(d: Diagnostic, line_text: str) -> str:
    """A hash that survives lines moving: the code, the file, the message and
    the text of the diagnostic's first line (stripped), not its number."""
    file = PurePath(d.span.file).as_posix() if d.span else ""
    data = "\0".join((d.code, file, d.message, line_text.strip()))
    return hashlib.sha256(data.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _number_fingerprints(results: list[dict]) -> None:
    """Identical findings on identical lines get :1, :2 ... so each stays distinct."""
    seen: Counter[str] = Counter()
    for r in results:
        fp = r["partialFingerprints"][FINGERPRINT_KEY]
        seen[fp] += 1
        r["partialFingerprints"][FINGERPRINT_KEY] = f"{fp}:{seen[fp]}"


class _LineReader:
    """Source lines by path, from the given texts or (once per file) the disk."""

    def __init__(self, sources: dict[str, str]):
        self.texts: dict[str, list[str]] = {k: v.split("\n") for k, v in sources.items()}

    def line(self, span: Span | None) -> str:
        if span is None:
            return ""
        if span.file not in self.texts:
            self.texts[span.file] = _read_lines(span.file)
        lines = self.texts[span.file]
        return lines[span.line - 1] if 0 < span.line <= len(lines) else ""


def _read_lines(path: str) -> list[str]:
    # Read as specs are: a diagnostic may point at a FIFO or /dev/zero (not-a-file).
    from ..lang.source import MAX_BYTES, Unreadable, read_limited

    data = read_limited(path, MAX_BYTES)
    return [] if isinstance(data, Unreadable) else data.decode("utf-8", "replace").split("\n")


# ---- GitHub Actions ------------------------------------------------------------

def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github(diags: Iterable[Diagnostic]) -> str:
    """One workflow command per diagnostic, e.g.
    `::error file=a.fac,line=3,col=7,endLine=3,endColumn=9,title=syntax::message`.
    Columns are 1-based; endColumn is the last column of the range (inclusive)."""
    out = []
    for d in diags:
        props = []
        if d.span is not None:
            s = d.span
            props += [("file", PurePath(s.file).as_posix()), ("line", s.line), ("col", s.column)]
            if s.end_line is not None:
                props.append(("endLine", s.end_line))
            if s.end_line == s.line and s.end_column is not None:
                props.append(("endColumn", max(s.end_column - 1, s.column)))
        props.append(("title", d.code))
        head = ",".join(f"{k}={_escape_property(str(v))}" for k, v in props)
        out.append(f"::{_GITHUB_COMMAND[d.severity]} {head}::{_escape_data(_message(d))}\n")
    return "".join(out)
