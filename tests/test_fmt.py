"""The formatter: exact layouts, idempotence and meaning preservation."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factoryspec.lang.fmt import MAX_WIDTH, FormatResult, format_text
from factoryspec.lang.parser import parse

ROOT = Path(__file__).resolve().parent.parent


def fmt(text: str) -> str:
    result = format_text(text)
    assert result.diagnostics == [], result.diagnostics
    assert result.text is not None
    return result.text


def comment_texts(text: str) -> list[str]:
    return [c.value.rstrip() for c in parse(text).comments]


def check_invariants(src: str) -> str:
    """Format `src` and check every property fmt promises; return the output."""
    before = parse(src)
    assert before.diagnostics == [], before.diagnostics
    out = fmt(src)
    after = parse(out)
    assert after.diagnostics == [], (out, after.diagnostics)
    assert after.module == before.module, out
    assert comment_texts(out) == comment_texts(src)
    assert fmt(out) == out, "not idempotent"
    if out:
        assert out.endswith("\n") and not out.endswith("\n\n")
        assert not out.startswith("\n")
    for line in out.splitlines():
        assert line == line.rstrip(), f"trailing whitespace in {line!r}"
        indent = len(line) - len(line.lstrip(" "))
        assert indent % 2 == 0 and not line.startswith("\t")
    assert "\n\n\n" not in out
    return out


def dedent(s: str) -> str:
    return textwrap.dedent(s).lstrip("\n")


# ---- hand-written before/after cases -------------------------------------------

CASES = [
    pytest.param("a=1;b=2 ; c = 3", "a = 1\nb = 2\nc = 3\n", id="semicolons"),
    pytest.param("rows = 20 # comment", "rows = 20  # comment\n", id="trailing-comment"),
    pytest.param("a = 1;   // c++ style", "a = 1  // c++ style\n", id="comment-after-semicolon"),
    pytest.param("site {\n      # deep\n  a = 1\n}", "site {\n  # deep\n  a = 1\n}\n",
                 id="reindented-comment"),
    pytest.param("\n\n\na = 1\n\n\n\nb = 2\n\n\n", "a = 1\n\nb = 2\n", id="blank-lines"),
    pytest.param("site {\n\n\n  a = 1\n\n\n}\n", "site {\n  a = 1\n}\n", id="no-blank-inside-braces"),
    pytest.param("a = 1\n# one\n\n\n# two\nb = 2", "a = 1\n# one\n\n# two\nb = 2\n",
                 id="blank-between-comments"),
    pytest.param("site main{hall h1{row r{rack k{power=135kW}}}}",
                 dedent("""
                     site main {
                       hall h1 {
                         row r {
                           rack k {
                             power = 135 kW
                           }
                         }
                       }
                     }
                 """), id="nested-blocks"),
    pytest.param("site {  }", "site {}\n", id="empty-block"),
    pytest.param("hall h {\n\n}", "hall h {}\n", id="empty-block-newlines"),
    pytest.param("hall h { } # note", "hall h {}  # note\n", id="empty-block-trailing-comment"),
    pytest.param("hall h { # note\n}", "hall h {  # note\n}\n", id="comment-keeps-block-open"),
    pytest.param("site{a=1}#end", "site {\n  a = 1\n}  #end\n", id="comment-after-close"),
    pytest.param("a = - 5\nb = 3 - -x\nc = -(1 + 2)\nd = - - 4",
                 "a = -5\nb = 3 - -x\nc = -(1 + 2)\nd = --4\n", id="unary-minus"),
    pytest.param("a=1+2*3/4-5", "a = 1 + 2 * 3 / 4 - 5\n", id="binary-operators"),
    pytest.param("area = 120m x 60 m\nb = (1)x(2)", "area = 120 m x 60 m\nb = (1) x (2)\n",
                 id="sizes"),
    pytest.param("p = 135kW\nu = 80%\nd = 2kg/m2 / 3\ne = 750 MW /pue",
                 "p = 135 kW\nu = 80 %\nd = 2 kg/m2 / 3\ne = 750 MW / pue\n", id="units"),
    pytest.param("r = 1 : 1\ns = 2:1", "r = 1:1\ns = 2:1\n", id="ratios"),
    pytest.param("r = 1 .. 4", "r = 1..4\n", id="ranges"),
    pytest.param("x = a . b . c", "x = a.b.c\n", id="dotted"),
    pytest.param("x = [ 1 ,2,3, ]\ny = f ( a , b , )\nz = f( )\nw = [ ]",
                 "x = [1, 2, 3]\ny = f(a, b)\nz = f()\nw = []\n", id="lists-and-calls"),
    pytest.param("x = [\n  1,\n  2\n]", "x = [1, 2]\n", id="short-list-joined"),
    pytest.param("import catalog . nvidia as nv;import \"halls.fac\"  as  halls\nimport a",
                 'import catalog.nvidia as nv\nimport "halls.fac" as halls\nimport a\n', id="imports"),
    pytest.param("param rows=20\nparam name", "param rows = 20\nparam name\n", id="params"),
    pytest.param("let  pue=1.25 # design", "let pue = 1.25  # design\n", id="lets"),
    pytest.param("template hall std{busway=2MW;cooling=\"liquid\"}",
                 'template hall std {\n  busway = 2 MW\n  cooling = "liquid"\n}\n', id="templates"),
    pytest.param("hall h [ 1 .. 4 ] = std { busway = 2 MW }",
                 "hall h[1..4] = std {\n  busway = 2 MW\n}\n", id="template-instance"),
    pytest.param("hall h[8]=lib.std{}", "hall h[8] = lib.std {}\n", id="count-index"),
    pytest.param("x = [1, # one\n 2]", "x = [\n  1,  # one\n  2,\n]\n", id="list-trailing-comment"),
    pytest.param("x = [ # first\n1,\n# own\n2\n# last\n]",
                 "x = [  # first\n  1,\n  # own\n  2,\n  # last\n]\n", id="list-own-line-comments"),
    pytest.param("x = [1 # c\n, # d\n 2]", "x = [\n  1,  # c\n  # d\n  2,\n]\n",
                 id="comma-moves-before-comments"),
    pytest.param("x = [[1, # c\n 2], [3]]", "x = [\n  [\n    1,  # c\n    2,\n  ],\n  [3],\n]\n",
                 id="nested-list-with-comment"),
    pytest.param("x = f(1 + # mid\n 2)", "x = f(\n  1 +  # mid\n  2,\n)\n", id="comment-mid-expression"),
    pytest.param("x = (1 # c\n)", "x = (\n  1  # c\n)\n", id="group-no-trailing-comma"),
    pytest.param("x = 1 # a\r\ny = 2\r\n", "x = 1  # a\ny = 2\n", id="crlf"),
    pytest.param("b = true;c = false ; s = \"a \\\"q\\\" b\"", 'b = true\nc = false\ns = "a \\"q\\" b"\n',
                 id="literals"),
    pytest.param("## the site\nsite s { a = 1 } ## doc", "## the site\nsite s {\n  a = 1\n}  ## doc\n",
                 id="doc-comments"),
    pytest.param('hall h{allow=["hall-underused" ,"nvlink-domain"];rows=2}',
                 'hall h {\n  allow = ["hall-underused", "nvlink-domain"]\n  rows = 2\n}\n', id="allow"),
    pytest.param("", "", id="empty-file"),
    pytest.param("\n  \n# only a comment", "# only a comment\n", id="only-comment"),
]


@pytest.mark.parametrize("src, expected", CASES)
def test_layout(src, expected):
    assert fmt(src) == expected
    check_invariants(src)


def test_long_list_breaks_one_item_per_line():
    items = ", ".join(f'"item-{i:02d}-xxxxxxxx"' for i in range(6))
    src = f"site {{\n  gpus = [{items},]\n}}\n"
    assert len(src.splitlines()[1]) > MAX_WIDTH
    out = check_invariants(src)
    lines = out.splitlines()
    assert lines[1] == "  gpus = ["
    assert lines[2:8] == [f'    "item-{i:02d}-xxxxxxxx",' for i in range(6)]
    assert lines[8:] == ["  ]", "}"]
    assert max(len(line) for line in lines) <= MAX_WIDTH


def test_list_that_fits_exactly_stays_flat():
    prefix = "x = ["
    body = "1, " * 20
    filler = "a" * (MAX_WIDTH - len(prefix) - len(body) - 1)
    src = f"{prefix}{body}{filler}]"
    assert len(src) == MAX_WIDTH
    assert fmt(src) == src + "\n"
    src_over = f"{prefix}{body}{filler}a]"
    assert fmt(src_over).count("\n") == 23   # opener, 21 items, closer


def test_only_the_outer_brackets_break():
    inner = ", ".join(str(i) for i in range(10))
    src = "x = f(" + ", ".join(f"[{inner}]" for _ in range(4)) + ")"
    out = check_invariants(src)
    assert out.splitlines() == ["x = f("] + [f"  [{inner}]," for _ in range(4)] + [")"]


def test_long_header_breaks_nothing_it_cannot():
    # No brackets: a long statement stays on one line rather than change meaning.
    src = "a = " + " + ".join(["long_name_here"] * 10)
    assert fmt(src) == src + "\n"


def test_comment_text_is_kept_exactly():
    src = "a = 1   #   spaced   out  \t\nb = [1, //  x  y\n 2]\n"
    out = check_invariants(src)
    assert "#   spaced   out" in out and "//  x  y" in out


def test_syntax_error_is_not_formatted():
    result = format_text("site {\n  a = = 1\n}\n", "bad.fac")
    assert isinstance(result, FormatResult)
    assert result.text is None
    assert result.diagnostics and {d.code for d in result.diagnostics} == {"syntax"}
    assert result.diagnostics[0].span.file == "bad.fac"
    assert result.diagnostics[0].span.line == 2


@pytest.mark.parametrize("src", ["site {", "a = [1, 2", "a = 'single'", "}", "r = 1.5..4", "\x00\x01"])
def test_broken_inputs_return_none(src):
    result = format_text(src)
    assert result.text is None
    assert any(d.severity.value == "error" for d in result.diagnostics)


# ---- every spec in the repository, plus inline samples -----------------------------

SAMPLES = {
    "full": dedent("""
        # A small AI factory.
        import catalog.nvidia as nv
        import "halls.fac"

        param halls = 4  # --var halls=8
        let pue = 1.25
        let it_load = 750 MW / pue

        template hall std_hall {
          busway = 2 MW
          cooling = "liquid"  ## doc
        }

        site dc1 {
          area = 120 m x 60 m
          oversubscription = 1:1
          hall h[1..4] = std_hall {
            busway = 2.5 MW
          }
          gpus = [
            nv.gb200,  # the default
            nv.b200,
          ]
          budget = max(it_load * 1.1, 800 MW) - -5 MW
          empty {}
        }
    """),
    "messy": "site s{a=1;b=[1,#c\n2];c=(1+2)*-3\n\n\n\nd=f(a.b,\"s\",)}\n\n// end",
    "long": "x = [" + ", ".join(f"f({i}, [{i}, {i + 1}])" for i in range(12)) + "]\n",
}

SPEC_FILES = sorted(p for p in {*ROOT.glob("specs/**/*.fac"), *ROOT.glob("factoryspec/catalog/**/*.fac")}
                    if not any(part.startswith(".") for part in p.relative_to(ROOT).parts))
ROUND_TRIP = [pytest.param(src, id=f"sample-{name}") for name, src in SAMPLES.items()] + [
    pytest.param(path, id=str(path.relative_to(ROOT))) for path in SPEC_FILES]


@pytest.mark.parametrize("source", ROUND_TRIP)
def test_round_trip(source):
    """Every spec in specs/ and factoryspec/catalog/ (when there are any) and
    the inline samples: fmt is idempotent and keeps the AST and comments."""
    src = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
    out = check_invariants(src)
    assert out.strip() or not src.strip()


def test_full_sample_is_already_canonical():
    assert fmt(SAMPLES["full"]) == SAMPLES["full"]


# ---- property test: random valid specs --------------------------------------------

NAMES = ["a", "b", "rows", "hall_1", "gpu", "power", "_t", "xy"]
KINDS = ["site", "hall", "row", "rack"]
UNITS = ["kW", "MW", "%", "m", "kg/m2", "Gb/s", "m2", "W"]
NUMBERS = ["0", "1", "4", "20", "1.25", "0.5", "1_000", "2e3", "3.5E-2"]
INTS = ["1", "2", "4", "10"]

COMMENTS = ["# c", "#", "// slash", "## doc", "#no space", "# ünïcödé ✓", "#  spaced  out", "# a;b {x}"]
INLINE_GAPS = [" ", "  ", "\t"]
BRACKET_GAPS = ["\n", "\n\n    ", "\n  \n"] + [f" {c}\n" for c in COMMENTS] + [" # one\n  # two\n"]


@st.composite
def gap(draw, inb: bool, required: bool = False):
    """Whitespace between two tokens; inside brackets it may hold newlines and
    comments (a comment always ends its line)."""
    choices = INLINE_GAPS + ([] if required else ["", "", ""])
    if inb:
        choices = choices + BRACKET_GAPS
    return draw(st.sampled_from(choices))


@st.composite
def atom(draw, depth: int, inb: bool):
    g = lambda req=False: draw(gap(inb, req))      # noqa: E731
    gi = lambda req=False: draw(gap(True, req))    # noqa: E731  (inside new brackets)
    options = ["number", "quantity", "ratio", "range", "string", "bool", "ref"]
    if depth > 0:
        options += ["list", "call", "group", "neg"]
    kind = draw(st.sampled_from(options))
    if kind == "number":
        return draw(st.sampled_from(NUMBERS))
    if kind == "quantity":
        return draw(st.sampled_from(NUMBERS)) + g() + draw(st.sampled_from(UNITS))
    if kind == "ratio":
        return draw(st.sampled_from(NUMBERS)) + g() + ":" + g() + draw(st.sampled_from(NUMBERS))
    if kind == "range":
        return draw(st.sampled_from(INTS)) + g() + ".." + g() + draw(st.sampled_from(INTS))
    if kind == "string":
        return '"' + draw(st.sampled_from(["", "liquid", "a b", 'q\\"q', "back\\\\slash", "tab\\t", "a-long-string-" * 3])) + '"'
    if kind == "bool":
        return draw(st.sampled_from(["true", "false"]))
    if kind == "ref":
        parts = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3))
        return "".join((g() + "." + g() if i else "") + p for i, p in enumerate(parts))
    if kind == "neg":
        return "-" + g() + draw(atom(depth - 1, inb))
    if kind == "group":
        return "(" + gi() + draw(expr(depth - 1, True)) + gi() + ")"
    items = draw(st.lists(expr(depth - 1, True), max_size=3))
    body = "".join((gi() + "," + gi() if i else "") + it for i, it in enumerate(items))
    if items and draw(st.booleans()):
        body += gi() + ","
    if kind == "list":
        return "[" + gi() + body + gi() + "]"
    return draw(st.sampled_from(NAMES)) + g() + "(" + gi() + body + gi() + ")"


@st.composite
def sum_expr(draw, depth: int, inb: bool):
    out = draw(atom(depth, inb))
    for _ in range(draw(st.integers(0, 2))):
        op = draw(st.sampled_from("+-*/"))
        # A space before `/` keeps `kW /m2` from lexing as the unit `kW/m2`.
        out += draw(gap(inb, op == "/")) + op + draw(gap(inb)) + draw(atom(depth, inb))
    return out


@st.composite
def expr(draw, depth: int, inb: bool):
    out = draw(sum_expr(depth, inb))
    if draw(st.integers(0, 4)) == 0:
        out += draw(gap(inb, True)) + "x" + draw(gap(inb, True)) + draw(sum_expr(depth, inb))
    return out


def ws(draw, required=False):
    return draw(gap(False, required))


@st.composite
def separator(draw):
    return draw(st.sampled_from([
        "\n", "\n\n", "\n\n\n  ", ";", " ; ", ";\n", "; ;", "\n  ",
    ])) + draw(st.sampled_from(["", "", "  # sep\n", "\n// own line\n", "\n\n## doc\n", " ;  #x;y\n"]))


@st.composite
def statement(draw, depth: int):
    kind = draw(st.sampled_from(["attr", "attr", "let", "param", "import", "block", "template"]
                                if depth > 0 else ["attr", "let", "param", "import"]))
    name = draw(st.sampled_from(NAMES))
    e = lambda: draw(expr(2, False))    # noqa: E731
    if kind == "attr":
        return name + ws(draw) + "=" + ws(draw) + e()
    if kind == "let":
        return "let" + ws(draw, True) + name + ws(draw) + "=" + ws(draw) + e()
    if kind == "param":
        default = ws(draw) + "=" + ws(draw) + e() if draw(st.booleans()) else ""
        return "param" + ws(draw, True) + name + default
    if kind == "import":
        target = draw(st.sampled_from(['"halls.fac"', "catalog.nvidia", "lib"]))
        alias = ws(draw, True) + "as" + ws(draw, True) + name if draw(st.booleans()) else ""
        return "import" + ws(draw, True) + target + alias
    body = draw(block_body(depth - 1))
    if kind == "template":
        return "template" + ws(draw, True) + draw(st.sampled_from(KINDS)) + ws(draw, True) + name \
            + ws(draw) + body
    header = draw(st.sampled_from(KINDS))
    if draw(st.booleans()):
        header += ws(draw, True) + name
        if draw(st.booleans()):
            gi = lambda: draw(gap(True))    # noqa: E731
            if draw(st.booleans()):
                index = draw(st.sampled_from(INTS)) + gi() + ".." + gi() + draw(st.sampled_from(INTS))
            else:
                index = draw(st.sampled_from(INTS))
            header += ws(draw) + "[" + gi() + index + gi() + "]"
        if draw(st.booleans()):
            header += ws(draw) + "=" + ws(draw) + draw(st.sampled_from(["std", "lib.std"]))
    return header + ws(draw) + body


@st.composite
def statements(draw, depth: int):
    stmts = draw(st.lists(statement(depth), max_size=4))
    out = draw(separator()) if draw(st.booleans()) else ""
    for i, s in enumerate(stmts):
        out += (draw(separator()) if i else "") + s
    if stmts and draw(st.booleans()):
        out += draw(separator())
    return out


@st.composite
def block_body(draw, depth: int):
    return "{" + ws(draw) + draw(statements(depth)) + ws(draw) + "}"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(statements(2))
def test_random_specs_round_trip(src):
    check_invariants(src)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab1 =+-x.:,;#[](){}\"\n")), max_size=40))
def test_never_raises(src):
    result = format_text(src)
    if result.text is None:
        assert any(d.severity.value == "error" for d in result.diagnostics)
    else:
        assert parse(result.text).module == parse(src).module
        assert format_text(result.text).text == result.text
