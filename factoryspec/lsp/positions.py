"""Exact conversions between factoryspec spans and LSP positions.

factoryspec spans are 1-based lines and 1-based columns counted in Unicode
code points (lark counts characters of a Python str); `end_column` is
exclusive. LSP positions are 0-based lines and 0-based characters counted in
the negotiated position encoding: UTF-16 code units unless the client and
server agreed on UTF-8 bytes or UTF-32 code points.

Lines are split on "\\n" only, as lark counts them; a "\\r" before it stays at
the end of its line, where it never affects a column left of it.
"""

from __future__ import annotations

from typing import Sequence

from lsprotocol import types

from ..diagnostics import Span

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"


def split_lines(text: str) -> list[str]:
    """The lines of `text` as lark and LSP number them (always at least one)."""
    return text.split("\n")


def _width(ch: str, encoding: str) -> int:
    """How many units of `encoding` one code point takes."""
    cp = ord(ch)
    if encoding == UTF16:
        return 2 if cp > 0xFFFF else 1
    if encoding == UTF8:
        return 1 if cp < 0x80 else 2 if cp < 0x800 else 3 if cp < 0x10000 else 4
    return 1


def units_before(line: str, codepoints: int, encoding: str = UTF16) -> int:
    """Code units of `encoding` in the first `codepoints` characters of `line`.

    Columns past the end of the line (a span's exclusive end after the last
    character, or a stale span) count one unit per missing character."""
    head = line[:max(codepoints, 0)]
    if encoding == UTF32:
        units = len(head)
    elif encoding == UTF16:
        units = len(head) + sum(1 for ch in head if ord(ch) > 0xFFFF)
    else:
        units = len(head.encode("utf-8", "surrogatepass"))
    return units + max(codepoints - len(line), 0)


def codepoints_before(line: str, units: int, encoding: str = UTF16) -> int:
    """The code point index reached after `units` units of `encoding`.

    A position inside a character (between the two halves of a surrogate
    pair, say) moves to that character's start, as the LSP spec asks; one
    beyond the end of the line clamps to the line's length."""
    if encoding == UTF32:
        return min(max(units, 0), len(line))
    seen = 0
    for i, ch in enumerate(line):
        w = _width(ch, encoding)
        if seen + w > units:
            return i
        seen += w
    return len(line)


def _line(lines: Sequence[str], index: int) -> str:
    return lines[index] if 0 <= index < len(lines) else ""


def to_position(lines: Sequence[str], line: int | None, column: int | None,
                encoding: str = UTF16) -> types.Position:
    """A 1-based (line, code point column) to an LSP position. A missing line
    or column (a span that runs to the end of the input) means the end."""
    if line is None:
        line = len(lines)
    if column is None:
        column = len(_line(lines, line - 1)) + 1
    line0 = max(line - 1, 0)
    return types.Position(line=line0, character=units_before(_line(lines, line0), column - 1, encoding))


def from_position(lines: Sequence[str], pos: types.Position, encoding: str = UTF16) -> tuple[int, int]:
    """An LSP position to a 1-based (line, code point column)."""
    line0 = max(pos.line, 0)
    return line0 + 1, codepoints_before(_line(lines, line0), pos.character, encoding) + 1


def span_to_range(lines: Sequence[str], span: Span, encoding: str = UTF16) -> types.Range:
    return types.Range(start=to_position(lines, span.line, span.column, encoding),
                       end=to_position(lines, span.end_line, span.end_column, encoding))


def whole_document(lines: Sequence[str], encoding: str = UTF16) -> types.Range:
    """The range from the start of the text to its very end."""
    last = len(lines) - 1
    return types.Range(start=types.Position(line=0, character=0),
                       end=types.Position(line=last, character=units_before(lines[last], len(lines[last]), encoding)))


def contains(span: Span, line: int, column: int) -> bool:
    """Whether the 1-based point lies in the span; its exclusive end counts,
    so a cursor right after a name is still on it."""
    if (line, column) < (span.line or 0, span.column or 0):
        return False
    end = (span.end_line or 10**9, span.end_column or 10**9)
    return (line, column) <= end


def offset_of(lines: Sequence[str], line: int, column: int) -> int:
    """The string index of a 1-based (line, column) in "\\n".join(lines)."""
    before = sum(len(x) + 1 for x in lines[:max(line - 1, 0)])
    return before + min(column - 1, len(_line(lines, line - 1)))
