"""Whatever the input, the front end answers with diagnostics, never an exception."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from factoryspec.diagnostics import codes
from factoryspec.lang.parser import parse
from factoryspec.pipeline import check

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "specs").glob("*.fac")) + sorted((ROOT / "tests" / "cases").glob("*.fac"))
SEED_TEXTS = [p.read_text(encoding="utf-8") for p in SEEDS] or ["site s { land = 1 acre }\n"]

# Fragments of the language, so random text often gets deep into the grammar.
FRAGMENTS = ["site", "hall", "h[1..4]", "{", "}", "=", "\n", ";", "120 m x 60 m", "1:1", "[", "]", "(", ")",
             "import", "catalog.nvidia", "let", "param", "template", '"s"', "1.5", "MW", "+", "*", "/", "-",
             "#", "##", ",", ".", "..", "x", "true", "Zürich", "🚀", "'", "\t", "\\"]

settings.register_profile("ci", max_examples=150, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci")


def _assert_only_diagnostics(text: str, tmp_path) -> None:
    r = parse(text, "p.fac")
    assert all(d.code in codes.CODES for d in r.diagnostics)
    f = tmp_path / "p.fac"
    f.write_text(text, encoding="utf-8", errors="surrogatepass")
    result = check(str(f))
    assert all(d.code in codes.CODES for d in result.diagnostics)
    for d in result.diagnostics:
        if d.span and d.span.file.endswith("p.fac"):
            assert d.span.line >= 1 and d.span.column >= 1


@given(st.text(max_size=300))
def test_arbitrary_text(tmp_path_factory, text):
    _assert_only_diagnostics(text, tmp_path_factory.mktemp("a"))


@given(st.lists(st.sampled_from(FRAGMENTS), max_size=60).map(" ".join))
def test_token_soup(tmp_path_factory, text):
    _assert_only_diagnostics(text, tmp_path_factory.mktemp("s"))


@st.composite
def mutated_spec(draw):
    text = draw(st.sampled_from(SEED_TEXTS))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, max(0, len(text) - 1)))
        op = draw(st.sampled_from(["delete", "insert", "duplicate"]))
        if op == "delete":
            text = text[:i] + text[i + draw(st.integers(1, 20)):]
        elif op == "insert":
            text = text[:i] + draw(st.sampled_from(FRAGMENTS)) + text[i:]
        else:
            j = min(len(text), i + draw(st.integers(1, 40)))
            text = text[:j] + text[i:j] + text[j:]
    return text


@given(mutated_spec())
def test_mutated_specs(tmp_path_factory, text):
    _assert_only_diagnostics(text, tmp_path_factory.mktemp("m"))


@given(st.binary(max_size=200))
def test_arbitrary_bytes(tmp_path_factory, data):
    f = tmp_path_factory.mktemp("b") / "b.fac"
    f.write_bytes(data)
    result = check(str(f))
    assert all(d.code in codes.CODES for d in result.diagnostics)
