"""Spans and diagnostics: the one way every phase reports a problem.

Errors are values. Phases *yield* or collect Diagnostic objects instead of
raising, so one run reports everything it can find (as jsonschema does).
codes.py registers and explains every code; render.py prints diagnostics
as text or JSON.
"""

from __future__ import annotations

import enum
import re
from typing import Iterable

import attrs


@attrs.frozen(slots=True, order=True)
class Span:
    """A source range. Lines and columns are 1-based; end_column is exclusive."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def point(cls, file: str, line: int, column: int) -> "Span":
        return cls(file, line, column, line, column + 1)

    def to(self, other: "Span") -> "Span":
        """The span from the start of self to the end of other."""
        return Span(self.file, self.line, self.column, other.end_line, other.end_column)


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@attrs.frozen(slots=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    span: Span | None
    hint: str | None = None

    def to_json(self) -> dict:
        s = self.span
        return {
            "file": s.file if s else None,
            "line": s.line if s else None,
            "column": s.column if s else None,
            "end_line": s.end_line if s else None,
            "end_column": s.end_column if s else None,
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            **({"hint": self.hint} if self.hint else {}),
        }


def error(code: str, message: str, span: Span | None, hint: str | None = None) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, span, hint)


def warning(code: str, message: str, span: Span | None, hint: str | None = None) -> Diagnostic:
    return Diagnostic(code, Severity.WARNING, message, span, hint)


def has_errors(diags: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diags)


def sort_key(d: Diagnostic):
    s, text = d.span, natural_key(d.message)
    return (s.file, s.line, s.column, d.code, text) if s else ("", 0, 0, d.code, text)


def natural_key(text: str) -> tuple:
    """Numbers in a text compare as numbers: hall h2 before hall h10 (for
    messages here, and for the ids of graphs and drawings). re.split with a
    group alternates text and digits, so the parts of two texts line up by
    kind; a number is compared by its length, then its digits (never int():
    a name may hold 5,000 of them). Texts that differ only in leading zeros
    tie: callers that need a total order add the text itself after it."""
    return tuple(_number(p) if i % 2 else p for i, p in enumerate(_DIGITS.split(text)))


def _number(digits: str) -> tuple[int, str]:
    significant = digits.lstrip("0")
    return len(significant), significant


_DIGITS = re.compile(r"(\d+)")
