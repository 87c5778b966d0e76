"""Bounded numbers, expansion and work: inputs that once raised, hung or ran for
minutes now give coded diagnostics. Each case runs in a subprocess with a
generous timeout, only as a safety net against a hang (no timing is asserted)."""

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from factoryspec.lang import limits
from factoryspec.checks._base import pct, show
from factoryspec.lang.resolve import parse_redundancy
from factoryspec.lang.units import format_number

ROOT = Path(__file__).resolve().parent.parent
SUPERPOD = (ROOT / "specs" / "superpod.fac").read_text(encoding="utf-8")
DIGITS = "9" * 4301
SAFETY_NET_S = 60

_RUN = """
import json, sys
from factoryspec.pipeline import check
c = check(sys.argv[1])
print(json.dumps([[d.code, d.severity.value, d.span.line if d.span else None, d.message] for d in c.diagnostics]))
"""


def _check(tmp_path, text: str) -> list:
    """The diagnostics of `text` as [code, severity, line, message], from a subprocess."""
    f = tmp_path / "spec.fac"
    f.write_text(text, encoding="utf-8")
    r = subprocess.run([sys.executable, "-c", _RUN, str(f)], capture_output=True, text=True,
                       timeout=SAFETY_NET_S, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    diags = json.loads(r.stdout)
    assert not [d for d in diags if d[0] == "internal-error"], diags
    return diags


def _superpod(old: str, new: str) -> str:
    assert old in SUPERPOD
    return SUPERPOD.replace(old, new, 1)


def _codes(diags) -> set:
    return {d[0] for d in diags}


BIG_SYSTEM = ("system big {\n gpus = 72\n power = 135 kW\n weight = 1e1000000 kg\n compute_ports = 72\n"
              " port_speed = 800 Gb/s\n}\n")

NUMBER_CASES = {
    "index exponent": "r e[1e9999..4]{",
    "count exponent": "power{modules=1e10000",
    "4,301-digit literal": f"let a = {DIGITS}\n",
    "huge size": _superpod("size = 13 m x 21 m", "size = 1e1000000 m x 21 m"),
    "huge weight": _superpod("system = gb200_nvl72", "system = big").replace("site superpod",
                                                                           BIG_SYSTEM + "site superpod"),
    "huge param": _superpod("param design_pue = 1.3", "param design_pue = 1e5000"),
    "huge repetition": "building b[1..1e9999] { }\n",
    "1e308 side": _superpod("size = 13 m x 21 m", "size = 0 m x 1e308 m"),
    "exponent of a hundred million": "let a = 1e100000000\n",
    "cdu of 1e30 MW": _superpod("capacity = 1.2 MW", "capacity = 1e30 MW"),
    "exponent of ten digits": "let a = 1e1234567890\n",
}


@pytest.mark.parametrize("text", NUMBER_CASES.values(), ids=NUMBER_CASES.keys())
def test_numbers_out_of_range(tmp_path, text):
    diags = _check(tmp_path, text)
    assert "number-too-large" in _codes(diags), diags


def test_redundancy_of_4301_digits(tmp_path):
    text = _superpod('redundancy = "2N"', f'redundancy = "{DIGITS}"')
    diags = _check(tmp_path, text)
    assert any(d[0] == "invalid-value" and "redundancy" in d[3] for d in diags), diags


def test_intermediate_result_out_of_range(tmp_path):
    diags = _check(tmp_path, "let a = 1e20\nlet b = a * a\nsite s { land = b * 1 m2 }\n")
    assert any(d[0] == "number-too-large" and d[2] == 2 for d in diags), diags


def test_repeated_squaring_is_bounded(tmp_path):
    # exact arithmetic would double the digits at each step, at magnitude ~1
    lets = ["let a0 = 1 + 1 / 3"] + [f"let a{i} = a{i - 1} * a{i - 1}" for i in range(1, 40)]
    diags = _check(tmp_path, "\n".join(lets) + "\nsite s { land = a39 * 1 m2 }\n")
    assert "number-too-large" in _codes(diags)


def test_self_instantiating_template(tmp_path):
    diags = _check(tmp_path, "template hall t { hall x = t { } }\nsite s { building b { hall h = t { } } }\n")
    assert "template-cycle" in _codes(diags), diags


def test_templates_instantiating_each_other(tmp_path):
    text = ("template hall t { hall x = u { } }\ntemplate hall u { hall y = t { } }\n"
            "site s { building b { hall h = t { } } }\n")
    diags = _check(tmp_path, text)
    assert any(d[0] == "template-cycle" and "t -> u -> t" in d[3] for d in diags), diags


def test_nested_repetitions_multiply(tmp_path):
    diags = _check(tmp_path, "site s { building b[1..10000] { hall h[1..10] { } } }\n")
    found = [d for d in diags if d[0] == "too-many-instances"]
    assert found and "10,000 buildings x 10 halls = 100,000 halls" in found[0][3], diags
    # and the 10,000 buildings' own errors are budgeted
    assert len(diags) <= limits.MAX_DIAGNOSTICS + 10


def test_diagnostics_budget(tmp_path):
    diags = _check(tmp_path, "system x[1..3000] { }\n")   # four missing attributes each
    assert len(diags) <= limits.MAX_DIAGNOSTICS + 10
    assert "too-many-diagnostics" in _codes(diags), _codes(diags)


def test_long_undefined_name(tmp_path):
    name = "x" * 1_000_000
    diags = _check(tmp_path, SUPERPOD + f"\nlet q = {name}\n")
    assert "undefined-reference" in _codes(diags)


def test_length_bin_too_fine(tmp_path):
    diags = _check(tmp_path, _superpod("length_bin = 0.5 m", "length_bin = 1e-9 m"))
    assert any(d[0] == "invalid-value" and "length_bin" in d[3] for d in diags), diags


def test_reach_of_too_many_bins(tmp_path):
    text = _superpod("length_bin = 0.5 m", "length_bin = 1 cm").replace(
        "site superpod", "media far {\n reach = 1e9 m\n}\nsite superpod")
    diags = _check(tmp_path, text)
    assert any(d[0] == "invalid-value" and "length bins" in d[3] for d in diags), diags


def _compile(tmp_path, text: str, limit: str = "10"):
    f = tmp_path / "spec.fac"
    f.write_text(text, encoding="utf-8")
    exe = Path(sys.executable).with_name("factoryspec")
    return subprocess.run([str(exe), "compile", str(f), "--output", str(tmp_path / "out"), "--time-limit", limit],
                          capture_output=True, text=True, timeout=SAFETY_NET_S * 2, cwd=ROOT)


def test_compile_refuses_fine_length_bin(tmp_path):
    r = _compile(tmp_path, _superpod("length_bin = 0.5 m", "length_bin = 1e-9 m"))
    assert "invalid-value" in r.stdout + r.stderr
    assert "internal-error" not in r.stdout + r.stderr


def test_compile_with_capacity_beyond_int64(tmp_path):
    # 1e13 MW = 1e19 W: within the numbers' bound, beyond the solver's int64 tables
    r = _compile(tmp_path, _superpod("capacity = 1.2 MW", "capacity = 1e13 MW"))
    assert "internal-error" not in r.stdout + r.stderr, r.stdout[-2000:] + r.stderr[-2000:]
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]


def test_psi_table_respects_its_work_budget():
    # 200,000 bins x 3 links would be ~10^11 cells: the budget stops it at once.
    from factoryspec.layout.bound import psi_table, psi_table_within
    from factoryspec.layout.work import Budget
    import numpy as np
    g = np.arange(200_001, dtype=np.int64) + 10
    budget = Budget(10**6)
    table, cut = psi_table_within(g, 1, 200_000, 3, 10**9, 0, 1, budget)
    assert cut and budget.spent < 2 * 10**6 and not budget.interrupted
    assert table[5] <= psi_table(g[:50], 1, 49, 3, 40, 0, 1)[5]


# ---- the pieces, directly ---------------------------------------------------

def test_literal_problem():
    assert limits.literal_problem("135") is None
    assert limits.literal_problem("0.000_1") is None
    assert limits.literal_problem("1e30") is None
    assert limits.literal_problem("0" * 200) is not None      # int() of it would be refused
    assert limits.literal_problem("1e101") is not None
    assert limits.literal_problem("1e-101") is not None
    assert limits.literal_problem("1e" + "9" * 5000) is not None


def test_value_problem():
    assert limits.value_problem(Fraction(10) ** 30) is None
    assert limits.value_problem(Fraction(10) ** 30 + 1) is not None
    assert limits.value_problem(Fraction(1, 10 ** 31)) is not None
    assert limits.value_problem(Fraction(0)) is None
    assert limits.value_problem(Fraction(1, 3) ** 300 * 3 ** 300 + Fraction(1, 3 ** 300)) is not None


def test_formatters_take_any_value():
    huge = Fraction(10) ** 5000 * 3
    assert format_number(huge) == "3e+5000"
    assert format_number(-huge) == "-3e+5000"
    assert show(huge).startswith("3e+5000")
    assert pct(huge, Fraction(1, 10 ** 400)) == "inf %"
    assert format_number(Fraction(13824, 100)) == "138.24"


def test_redundancy_parser_is_bounded():
    assert parse_redundancy(DIGITS) is None
    assert parse_redundancy(DIGITS + "N") is None
    assert parse_redundancy("N+1").spare == 1


def test_suggestions_skip_long_names():
    from factoryspec.lang.suggest import closest
    assert closest("x" * 10_000, ["x" * 10_000 + "y"]) is None
    assert closest("racs", ["racks"]) == "racks"


STACKED = """
site s {{
  land = 1000 ha
  utility {{ capacity = 100 MW }}
  cooling {{ capacity = 100 MW }}
  building b[1..{n}] {{
    size = 60 m x 40 m
    position = [0 m, 0 m]
    hall h {{
      size = 50 m x 30 m
      rows = 2
      slots_per_row = 10
      busway = 1 MW
    }}
  }}
}}
"""


def test_thousands_of_halls_on_one_spot(tmp_path):
    """5,000 buildings at one corner are 12.5 million overlapping pairs: the
    space check stops at its budget and says so."""
    diags = _check(tmp_path, STACKED.format(n=5000))
    overlaps = [d for d in diags if d[0] == "hall-overlap"]
    assert 0 < len(overlaps) <= limits.MAX_DIAGNOSTICS
    assert any(d[0] == "too-many-diagnostics" and "the space check" in d[3] for d in diags), _codes(diags)


def test_cluster_hall_pairs_are_budgeted(tmp_path):
    """2,000 clusters without `halls` each have the site's 100 halls: 200,000
    pairs, past the budget; the first cluster past it is named at its line."""
    text = STACKED.format(n=100).replace("position = [0 m, 0 m]", "position = [0 m, 50 m * index]")
    clusters = "".join(f"  cluster c{i} {{\n    system = gb200_nvl72\n    racks = 1\n  }}\n" for i in range(2000))
    text = "import catalog.nvidia\n" + text
    text = text.rstrip().rstrip("}") + clusters + "}\n"
    diags = _check(tmp_path, text)
    found = [d for d in diags if d[0] == "too-many-instances"]
    assert len(found) == 1, _codes(diags)
    line = text.splitlines().index("  cluster c1000 {") + 1
    assert "200,000 halls" in found[0][3] and "1,000 clusters are not checked, from cluster s.c1000 on" in found[0][3], found
    assert found[0][2] == line, (found, line)


def test_a_file_of_too_many_tokens_is_not_parsed(tmp_path):
    """Under the byte limit but dense: 40,000 `let`s are 200,000 tokens."""
    text = "".join(f"let a{i} = 1\n" for i in range(40_000))
    diags = _check(tmp_path, text)
    assert [d[0] for d in diags] == ["file-too-large"], diags[:3]
    assert f"more than {limits.MAX_TOKENS:,} tokens" in diags[0][3]


def test_statements_of_all_copies_are_budgeted(tmp_path):
    """1,000 attributes in a block repeated 10,000 times: within the block
    budget, but 10 million statements to declare."""
    body = "".join("    gpus = 1\n" for _ in range(1000))
    diags = _check(tmp_path, f"system s[1..10000] {{\n{body}}}\n")
    found = [d for d in diags if d[0] == "too-many-instances"]
    assert found and "10,000 copies of 1,000 statements each" in found[0][3], _codes(diags)
    assert found[0][2] == 1


def test_fabrics_are_budgeted(tmp_path):
    """Each fabric is sized, apportioned and reach-checked: 3,000 of them in
    one cluster are past the fabric budget, named at the repetition."""
    text = SUPERPOD.replace("fabric compute {", "fabric compute[1..3000] {", 1)
    diags = _check(tmp_path, text)
    found = [d for d in diags if d[0] == "too-many-instances"]
    assert found and f"more than {limits.MAX_FABRICS:,}" in found[0][3], _codes(diags)


def test_many_failed_imports_list_the_directory_once(tmp_path):
    """5,000 imports of a missing file: each reported, suggestions within the
    check's budget (they once took a minute)."""
    (tmp_path / "near_miss.fac").write_text("let a = 1\n", encoding="utf-8")
    text = 'import "near_mis.fac"\n' * 5000
    diags = _check(tmp_path, text)
    assert len(diags) == 5000 and {d[0] for d in diags} == {"import-not-found"}
