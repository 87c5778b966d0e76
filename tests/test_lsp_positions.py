"""Span <-> LSP position conversions, exact for non-ASCII text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lsprotocol.types import Position

from factoryspec.diagnostics import Span
from factoryspec.lsp import positions as p
from factoryspec.pipeline import check

LINE = 'site zürich { land = 1 acre 🚀 }'


def test_units_before_counts_utf16_surrogate_pairs():
    assert p.units_before(LINE, LINE.index("ü"), p.UTF16) == 6
    assert p.units_before(LINE, LINE.index("🚀"), p.UTF16) == LINE.index("🚀")
    assert p.units_before(LINE, LINE.index("🚀") + 1, p.UTF16) == LINE.index("🚀") + 2
    assert p.units_before(LINE, len(LINE), p.UTF16) == len(LINE) + 1


def test_units_before_in_every_encoding():
    col = LINE.index("}")
    head = LINE[:col]
    assert p.units_before(LINE, col, p.UTF8) == len(head.encode("utf-8"))
    assert p.units_before(LINE, col, p.UTF16) == len(head.encode("utf-16-le")) // 2
    assert p.units_before(LINE, col, p.UTF32) == col


def test_codepoints_before_inverts_and_snaps_inside_a_character():
    rocket = LINE.index("🚀")
    assert p.codepoints_before(LINE, rocket, p.UTF16) == rocket
    assert p.codepoints_before(LINE, rocket + 1, p.UTF16) == rocket      # between the surrogates
    assert p.codepoints_before(LINE, rocket + 2, p.UTF16) == rocket + 1
    assert p.codepoints_before(LINE, 7, p.UTF8) == 6                     # inside the 2 bytes of ü
    assert p.codepoints_before(LINE, 10**6, p.UTF16) == len(LINE)        # past the end clamps


def test_a_diagnostic_after_umlaut_and_emoji(tmp_path):
    # Names are ASCII, so `zürich` is a syntax error at `ü` (code point 6).
    text = LINE + "\n" + 'site s { location = "Zürich 🚀"; bogus = 1 }\n'
    f = tmp_path / "u.fac"
    f.write_text(text, encoding="utf-8")
    diags = check(str(f)).diagnostics
    lines = p.split_lines(text)
    first = next(d for d in diags if d.code == "syntax")
    assert p.span_to_range(lines, first.span).start == Position(line=0, character=6)
    bogus = next(d for d in diags if d.code == "unknown-attribute")
    rng = p.span_to_range(lines, bogus.span, p.UTF16)
    col = lines[1].index("bogus")
    assert rng.start == Position(line=1, character=col + 1)      # the emoji takes 2 units
    assert rng.end == Position(line=1, character=col + 1 + 5)
    assert p.span_to_range(lines, bogus.span, p.UTF8).start.character == len(lines[1][:col].encode())
    assert p.span_to_range(lines, bogus.span, p.UTF32).start.character == col


def test_round_trip_of_spans():
    lines = [LINE, "", "x = 1"]
    span = Span("f", 1, LINE.index("🚀") + 1, 1, LINE.index("🚀") + 2)
    rng = p.span_to_range(lines, span)
    assert p.from_position(lines, rng.start) == (span.line, span.column)
    assert p.from_position(lines, rng.end) == (span.end_line, span.end_column)


def test_positions_out_of_range_do_not_raise():
    lines = ["abc"]
    assert p.from_position(lines, Position(line=5, character=3)) == (6, 1)
    assert p.to_position(lines, 9, 4) == Position(line=8, character=3)
    assert p.to_position(lines, 1, 6) == Position(line=0, character=5)   # an exclusive end past the line


def test_whole_document_range():
    lines = p.split_lines("a\n🚀é")
    assert p.whole_document(lines).end == Position(line=1, character=3)
    assert p.whole_document(p.split_lines("a\n")).end == Position(line=1, character=0)


def test_offset_of():
    lines = p.split_lines("ab\ncdé\n")
    assert p.offset_of(lines, 2, 3) == 5
    assert "\n".join(lines)[p.offset_of(lines, 2, 3)] == "é"


@pytest.mark.parametrize("encoding", [p.UTF8, p.UTF16, p.UTF32])
@given(line=st.text(max_size=30), data=st.data())
def test_conversion_round_trips(encoding, line, data):
    line = line.replace("\n", " ")
    col = data.draw(st.integers(min_value=0, max_value=len(line)))
    units = p.units_before(line, col, encoding)
    assert p.codepoints_before(line, units, encoding) == col
    # Python's own codecs agree (surrogates are not valid in UTF-8 text).
    if encoding == p.UTF16:
        assert units == len(line[:col].encode("utf-16-le", "surrogatepass")) // 2


def test_open_ended_spans_reach_the_end_of_the_text():
    lines = p.split_lines("site s {\n  hall h {\n    rows = 4")
    span = Span("f", 2, 3, None, None)
    assert p.span_to_range(lines, span).end == Position(line=2, character=12)
    assert p.contains(span, 3, 5)
