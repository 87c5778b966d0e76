"""The parser: spans, doc comments, recovery, and malformed input."""

import pytest

from factoryspec.lang import nodes as n
from factoryspec.lang.parser import parse
from factoryspec.lang.source import decode, read


def test_spans_are_one_based_and_end_exclusive():
    r = parse("site s {\n  land = 10 acre\n}\n", "f.fac")
    (site,) = r.module.body
    assert (site.span.line, site.span.column, site.span.end_line, site.span.end_column) == (1, 1, 3, 2)
    (land,) = site.body
    assert (land.span.line, land.span.column, land.span.end_column) == (2, 3, 17)
    assert land.value.unit_span.column == 13


def test_doc_comments_attach_to_next_statement_and_trailing():
    src = "## first\n## second\nlet a = 1\nlet b = 2  ## trailing\n# plain\nlet c = 3\n"
    a, b, c = parse(src).module.body
    assert a.doc == "first\nsecond"
    assert b.doc == "trailing"
    assert c.doc is None


def test_templates_repetition_and_refs():
    r = parse("building b { hall h[1..4] = lib.std { rows = 2 } }\n")
    (b,) = r.module.body
    (h,) = b.body
    assert h.index.start == 1 and h.index.end == 4
    assert h.template.parts == ("lib", "std")


def test_expression_precedence():
    (let,) = parse("let x = 1 + 2 * 3 MW\n").module.body
    assert isinstance(let.value, n.BinOp) and let.value.op == "+"
    assert let.value.right.op == "*"


def test_size_ratio_range_list_call():
    src = "let s = 120 m x 60 m\nlet r = 2:1\nlet g = 1..4\nlet l = [1, 2,\n 3]\nlet c = max(1, 2)\n"
    s, r, g, l, c = (x.value for x in parse(src).module.body)
    assert isinstance(s, n.Size) and isinstance(r, n.Ratio) and isinstance(g, n.Range)
    assert isinstance(l, n.List) and len(l.items) == 3 and isinstance(c, n.Call)


def test_recovery_reports_every_broken_statement():
    src = "let a = = 1\nlet b = 2\nlet c = 3 3\nlet d = (\n"
    r = parse(src)
    lines = [d.span.line for d in r.diagnostics]
    assert lines[:2] == [1, 3]
    assert [s.name for s in r.module.body][:2] == ["b", "c"]


def test_unclosed_brace_keeps_the_ast():
    r = parse("site s {\n  land = 1 acre\n")
    assert r.diagnostics[0].message == "this `{` is never closed"
    assert r.module.body[0].body[0].name == "land"


def test_recovered_blocks_have_complete_spans():
    r = parse("hall x { rows = 4 MW +")
    for node in (r.module, r.module.body[0]):
        assert node.span.end_line == 1 and node.span.end_column == 23


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "   "])
def test_empty_inputs_are_clean(text):
    r = parse(text)
    assert r.diagnostics == [] and r.module.body == ()


@pytest.mark.parametrize("text,code", [
    ("a {" * 100, "too-deep"),
    ("let x = " + "(" * 100 + "1" + ")" * 100 + "\n", "too-deep"),
    ("let x = " + "1 + " * 500 + "1\n", "too-deep"),
])
def test_deep_nesting_is_a_diagnostic(text, code):
    r = parse(text)
    assert [d.code for d in r.diagnostics] == [code]


def test_error_storm_is_capped():
    r = parse("@" * 5 + "\n" + "let = \n" * 500)
    assert 0 < len(r.diagnostics) <= 51
    assert r.diagnostics[-1].message.startswith("too many syntax errors")


def test_binary_and_bad_encoding_and_bom():
    _, diags = decode("b.fac", b"site\0\1\2")
    assert [d.code for d in diags] == ["binary-file"]
    _, diags = decode("e.fac", b"let a = 1\nlet b = \xff\n")
    assert [(d.code, d.span.line, d.span.column) for d in diags] == [("encoding", 2, 9)]
    src, diags = decode("bom.fac", "\ufefflet a = 1\n".encode())
    assert not diags and src.text == "let a = 1\n"


def test_huge_file_is_rejected_without_reading(tmp_path):
    big = tmp_path / "big.fac"
    with open(big, "wb") as fh:
        fh.truncate(50 * 1024 * 1024)   # sparse: 50 MB without writing 50 MB
    src, diags = read(str(big))
    assert src is None and [d.code for d in diags] == ["file-too-large"]
