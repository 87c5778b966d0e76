"""Mutations of spec text and of layout.json documents.

Specs are mutated as bytes (so invalid UTF-8, NUL and stray surrogates reach
the reader) and as tokens of a regex tokenizer shaped like the grammar's
terminals (grammar/factoryspec.lark), so most edits keep the file close to
something the parser gets far into. Every mutator takes a random.Random and
is deterministic for a given seed.
"""

from __future__ import annotations

import copy
import json
import math
import re
from random import Random

# The grammar's terminals, most specific first; anything else is one character.
TOKEN = re.compile(r'''
    "(?:[^"\\\n]|\\.)*"                                         # STRING
  | [0-9](?:_?[0-9])*(?:\.[0-9](?:_?[0-9])*)?(?:[eE][+-]?[0-9]+)?   # NUMBER
  | [A-Za-z_][A-Za-z0-9_]*(?:/[A-Za-z_][A-Za-z0-9_]*)?         # NAME or UNIT
  | \.\.|<=|>=|==|!=                                            # two-character operators
  | (?:\#|//)[^\r\n]*                                           # COMMENT
  | \r?\n | [ \t]+                                              # separators
  | .                                                           # anything else
''', re.VERBOSE | re.DOTALL)
NUMBER = re.compile(r"[0-9](?:_?[0-9])*(?:\.[0-9](?:_?[0-9])*)?(?:[eE][+-]?[0-9]+)?")
RANGE = re.compile(r"\[\s*\d+\s*\.\.\s*\d+\s*\]|\b\d+\s*\.\.\s*\d+")

# Numbers at the edges of what float, Fraction and int() conversion handle.
EXTREMES = ["0", "-1", "0.0", "1e9999", "1e-9999", "1e308", "1.7976931348623157e308", "4.9e-324",
            "1e400", "1e+999999999", "1e-999999999", "9" * 4301, "1" + "0" * 5000, "0." + "0" * 400 + "1",
            "1_000_000_000_000", "18446744073709551616", "NaN", "nan", "inf", "Infinity", "-0", "1e18",
            "0x10", "1__0", "1.", ".5", "1e", "1e+", "٣", "１２"]
# Words the language knows, to swap in for a token.
KEYWORDS = ["import", "param", "let", "assert", "template", "site", "building", "hall", "cluster", "fabric",
            "utility", "cdu", "air", "solve", "index", "true", "false", "and", "or", "not", "x", "min", "max",
            "ceil", "floor", "round", "MW", "kW", "W", "GW", "m", "km", "acre", "kg/m2", "Gb/s", "%", "USD",
            "degC", "1:1", "2:1", "1..4", "=", "{", "}", "[", "]", "(", ")", ",", ";", ".", "..", "*", "/",
            "+", "-", "<=", "==", '"N+1"', '""', "catalog.nvidia", '"common.fac"', '"../x.fac"', '"/etc/passwd"']
UNICODE = ["\u202e", "\u200f", "\u2066", "e\u0301\u0301\u0301", "\u0301" * 50, "\u00a0", "\u2028", "\u2029",
           "\ufeff", "\x00", "\r", "\t", "\x0c", "\u0085", "ｓｉｔｅ", "é", "名前", "🏭", "\U0001F600" * 20,
           '"\\ud800"', '"\\x00"', "\\"]
RAW = [b"\x00", b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xff", b"\xc3", b"\xef\xbb\xbf", b"\x80\x80", b"\xf4\x90\x80\x80"]
REPEATS = [2, 10, 100, 1000, 5000]
# The largest mutant: three times the 1 MiB a spec file may hold, so the size limits
# are still fuzzed, while stacked repetitions (a 30 kB block x 1,000, then that x
# 1,000 again) cannot ask the harness itself for gigabytes.
MAX_MUTANT = 3 * 1024 * 1024


def _times(n: int, piece: int, rest: int) -> int:
    """n repetitions of `piece` bytes, fewer if they would pass MAX_MUTANT."""
    return max(1, min(n, (MAX_MUTANT - rest) // max(piece, 1)))
BIG_RANGES = ["[1..10000]", "[1..100000]", "[0..0]", "[5..1]", "[1..1]", "[10000]", "[0]", "[1..1e9]"]


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text)


def _decode(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


# ---- byte mutators ------------------------------------------------------------------
def flip_bytes(data: bytes, rng: Random, corpus) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if not out:
            break
        i = rng.randrange(len(out))
        out[i] = out[i] ^ (1 << rng.randrange(8)) if rng.random() < 0.5 else rng.randrange(256)
    return bytes(out)


def raw_insert(data: bytes, rng: Random, corpus) -> bytes:
    i = rng.randint(0, len(data))
    return data[:i] + rng.choice(RAW) + data[i:]


def truncate(data: bytes, rng: Random, corpus) -> bytes:
    return data[:rng.randint(0, len(data))]


# ---- token mutators -----------------------------------------------------------------
def _token_edit(text: str, rng: Random, corpus) -> str:
    toks = tokens(text)
    if not toks:
        return text
    i = rng.randrange(len(toks))
    op = rng.randrange(4)
    if op == 0:
        del toks[i]
    elif op == 1:
        toks.insert(i, toks[i])
    elif op == 2:
        j = rng.randrange(len(toks))
        toks[i], toks[j] = toks[j], toks[i]
    else:
        pool = corpus.tokens if corpus and rng.random() < 0.5 else KEYWORDS
        toks[i] = rng.choice(pool)
    return "".join(toks)


def token_edit(data: bytes, rng: Random, corpus) -> bytes:
    return _encode(_token_edit(_decode(data), rng, corpus))


def numeric_extreme(data: bytes, rng: Random, corpus) -> bytes:
    text = _decode(data)
    spots = list(NUMBER.finditer(text))
    if not spots:
        return data
    m = rng.choice(spots)
    return _encode(text[:m.start()] + rng.choice(EXTREMES) + text[m.end():])


def big_range(data: bytes, rng: Random, corpus) -> bytes:
    """A `[1..10000]` range where one was, or after a block's name."""
    text = _decode(data)
    spots = list(RANGE.finditer(text))
    if spots and rng.random() < 0.7:
        m = rng.choice(spots)
        return _encode(text[:m.start()] + rng.choice(BIG_RANGES) + text[m.end():])
    blocks = list(re.finditer(r"^(\s*[a-z_]+ [A-Za-z_][A-Za-z0-9_]*)(\s*[{=])", text, re.M))
    if not blocks:
        return data
    m = rng.choice(blocks)
    return _encode(text[:m.end(1)] + rng.choice(BIG_RANGES) + text[m.end(1):])


def repeat_line(data: bytes, rng: Random, corpus) -> bytes:
    lines = data.splitlines(keepends=True)
    if not lines:
        return data
    i = rng.randrange(len(lines))
    line = lines[i] if lines[i].endswith(b"\n") else lines[i] + b"\n"
    n = _times(rng.choice(REPEATS), len(line), len(data))
    return b"".join(lines[:i] + [line * n] + lines[i + 1:])


def _block_at(text: str, rng: Random) -> tuple[int, int] | None:
    """A brace-balanced block from the start of its line, or None."""
    opens = [m.start() for m in re.finditer(r"\{", text)]
    if not opens:
        return None
    start = rng.choice(opens)
    depth = 0
    for j in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[j], 0)
        if depth == 0:
            return text.rfind("\n", 0, start) + 1, j + 1
    return None


def repeat_block(data: bytes, rng: Random, corpus) -> bytes:
    text = _decode(data)
    span = _block_at(text, rng)
    if span is None:
        return data
    a, b = span
    n = _times(rng.choice(REPEATS[:4]), 4 * (b - a + 1), 4 * len(text))     # up to 4 bytes a character
    return _encode(text[:b] + ("\n" + text[a:b]) * n + text[b:])


def deep_nesting(data: bytes, rng: Random, corpus) -> bytes:
    text = _decode(data)
    spots = list(NUMBER.finditer(text))
    if not spots:
        return data
    m = rng.choice(spots)
    n = rng.choice([100, 1000, 5000, 50000])
    opener, closer = rng.choice([("(", ")"), ("[", "]"), ("-", ""), ("not ", ""), ("{", "}")])
    return _encode(text[:m.start()] + opener * n + m.group() + closer * n + text[m.end():])


def unicode_insert(data: bytes, rng: Random, corpus) -> bytes:
    text = _decode(data)
    i = rng.randint(0, len(text))
    return _encode(text[:i] + rng.choice(UNICODE) + text[i:])


def delete_delimiter(data: bytes, rng: Random, corpus) -> bytes:
    spots = [i for i, c in enumerate(data) if c in b'{}"[]()']
    if not spots:
        return data
    i = rng.choice(spots)
    return data[:i] + data[i + 1:]


def splice(data: bytes, rng: Random, corpus) -> bytes:
    """Lines of another spec in place of (or among) this one's."""
    if not corpus or not corpus.files:
        return data
    other = rng.choice(corpus.files)[1].splitlines(keepends=True)
    mine = data.splitlines(keepends=True)
    if not other:
        return data
    a = rng.randrange(len(other))
    chunk = other[a:a + rng.randint(1, 30)]
    i = rng.randint(0, len(mine))
    cut = rng.choice([0, 0, rng.randint(0, 10)])
    return b"".join(mine[:i] + chunk + mine[i + cut:])


MUTATORS = [flip_bytes, raw_insert, truncate, token_edit, token_edit, token_edit, numeric_extreme,
            numeric_extreme, big_range, repeat_line, repeat_block, deep_nesting, unicode_insert,
            delete_delimiter, splice]
# Edits that usually keep a spec valid, for compile (which needs a spec that lints clean).
GENTLE = [numeric_extreme, numeric_extreme, big_range, token_edit, repeat_line]


def mutate(data: bytes, rng: Random, corpus, mutators=MUTATORS) -> tuple[bytes, list[str]]:
    """One to three stacked mutations; returns the mutant and their names."""
    names = []
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        fn = rng.choice(mutators)
        data = fn(data, rng, corpus)[:MAX_MUTANT]
        names.append(fn.__name__)
    return data, names


# ---- layout.json tampers ------------------------------------------------------------
def paths(doc, prefix=()) -> list[tuple]:
    """Every path into a JSON document (the root excluded)."""
    out = []
    items = doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else ()
    for k, v in items:
        out.append(prefix + (k,))
        out.extend(paths(v, prefix + (k,)))
    return out


def get(doc, path):
    for k in path:
        doc = doc[k]
    return doc


def _new_value(old, rng: Random, doc):
    """A value different in kind or amount from `old`."""
    if isinstance(old, bool):
        return rng.choice([not old, 1 if old else 0, None, str(old).lower()])
    if isinstance(old, (int, float)):
        return rng.choice([old + 1, old - 1, old * 2, -old if old else -1, 0, old + 0.001, old + 1e-9,
                           10 ** 400, -(10 ** 400), math.nan, math.inf, -math.inf, 1e308, 5e-324,
                           str(old), True, None, [old]])
    if isinstance(old, str):
        strings = [s for s in _strings(doc) if s != old]
        return rng.choice([old + "x", "", old.upper(), old[:-1], old + "\u0301", "\x00", 0, None,
                           rng.choice(strings) if strings else old + "y", old * 1000])
    if isinstance(old, list):
        return rng.choice([[], old + old[:1], old[:-1], None, {}, "[]"])
    if isinstance(old, dict):
        return rng.choice([{}, [], None, "x", {**old, "extra": 1}])
    return rng.choice([0, "", [], {}, False])


def _strings(doc) -> list[str]:
    return [v for v in (get(doc, p) for p in paths(doc)) if isinstance(v, str)][:500]


NEST = "\u0000nest\u0000"   # placeholder replaced in the text: json.dumps would recurse 100,000 deep


def tamper(doc: dict, rng: Random) -> tuple[bytes, str, bool]:
    """The text of a tampered copy of a layout document, a description of the
    change, and whether it changes a recorded figure (False: a no-op)."""
    original, doc = doc, copy.deepcopy(doc)
    desc = _tamper(doc, rng)
    if isinstance(desc, tuple):                     # nesting: spliced into the text
        desc, old, depth = desc
        text = dumps(doc).replace(json.dumps(NEST).encode(), b"[" * depth + dumps(old).strip() + b"]" * depth)
        return text, desc, True
    return dumps(doc), desc, not (same_figures(original, doc) or _consistent(original, doc))


def _consistent(original: dict, doc: dict) -> bool:
    """The oracle, never a crash of the run: a value it cannot judge counts as a
    change (verify must reject it; if verify accepts it, that is reported)."""
    try:
        return informational_and_consistent(original, doc)
    except (ArithmeticError, ValueError, TypeError, RecursionError):
        return False


def raw_tamper(text: bytes, rng: Random) -> tuple[bytes, str, bool]:
    """Byte-level damage to the JSON text; a change unless it parses to the same figures."""
    out = flip_bytes(text, rng, None) if rng.random() < 0.7 else truncate(text, rng, None)
    try:
        before, after = json.loads(text), json.loads(out)
        same = same_figures(before, after) or _consistent(before, after)   # a flipped seed digit is one
    except (ValueError, RecursionError):
        same = False
    return out, "damage the bytes", not same


def _tamper(doc: dict, rng: Random):
    all_paths = paths(doc)
    path = rng.choice(all_paths)
    parent, key = get(doc, path[:-1]), path[-1]
    old = parent[key]
    op = rng.random()
    shown = "/".join(map(str, path))
    if op < 0.12:
        if isinstance(parent, dict):
            del parent[key]
        else:
            parent.pop(key)
        return f"delete {shown}"
    if op < 0.18 and isinstance(parent, list):
        parent.insert(key, copy.deepcopy(old))
        return f"duplicate {shown}"
    if op < 0.22:
        depth = rng.choice([2, 100, 100_000])
        parent[key] = NEST
        return f"nest {shown} in {depth} lists", old, depth
    if op < 0.26 and isinstance(parent, dict):
        parent[rng.choice(["extra", "", key + "_", "__proto__"])] = rng.choice([1, "x", None, [], {}])
        return f"add a key beside {shown}"
    new = _new_value(old, rng, doc)
    parent[key] = new
    return f"set {shown} from {_short(old)} to {_short(new)}"


def _short(value) -> str:
    text = json.dumps(value, allow_nan=True, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def dumps(doc) -> bytes:
    """JSON text; NaN and Infinity written as Python's json writes them (not JSON)."""
    return (json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=True) + "\n").encode("utf-8", "surrogatepass")


def same_figures(a, b) -> bool:
    """True when b records exactly what a does: equal values of the same kind
    (an int and a float of equal value are the same figure; a bool is not a
    number); key order is not a figure."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_figures(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_figures(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


INFORMATIONAL = ("seed", "solver")     # layout_schema.json: checked only for consistency


MAX_MAGNITUDE = 10 ** 18       # layout_schema.json: every number is at most 10^18 in size


def _number(x) -> bool:
    """A JSON number the schema allows: finite, at most 10^18 in size (an int of any
    size is compared as an int: float(10**400) would overflow)."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return False
    return abs(x) <= MAX_MAGNITUDE if isinstance(x, int) else math.isfinite(x) and abs(x) <= MAX_MAGNITUDE


def informational_and_consistent(original: dict, doc: dict) -> bool:
    """Whether `doc` differs from `original` only in informational fields and
    still follows the rules the schema documents for them, so that verify
    rightly accepts it (every number of the document at most 10^18 in size, as
    the schema says of all of them): a seed is any non-negative int; the solver block's
    figures keep their unit and objective, are rounded to 6 places, the bound
    is at most the objective, the gap is (objective - bound) / objective,
    status `optimal` means bound == objective, a baseline is null or not below
    the objective and the saving follows from it. Written from the documentation,
    not from verify's code: the fuzzer's own oracle."""
    if not isinstance(doc, dict) or doc.keys() != original.keys():
        return False
    if any(not same_figures(original[k], doc[k]) for k in original if k not in INFORMATIONAL):
        return False
    seed = doc.get("seed")
    if not (isinstance(seed, int) and not isinstance(seed, bool) and 0 <= seed <= MAX_MAGNITUDE):
        return False
    return _solver_consistent(original.get("solver"), doc.get("solver"))


def _solver_consistent(old, new) -> bool:
    if not (isinstance(old, dict) and isinstance(new, dict)) or new.keys() != old.keys():
        return False
    if not (same_figures(old["unit"], new["unit"]) and same_figures(old["objective"], new["objective"])):
        return False
    number = _number
    lower, objective = new["lower_bound"], new["objective"]
    if not (number(lower) and number(objective) and round(lower, 6) == lower and 0 <= lower <= objective):
        return False
    scale = 1000 if new["unit"] == "m" else 1_000_000
    units = round(objective * scale)
    bound = units if lower == objective else round(lower * scale)
    gap = round((units - bound) / units, 6) if units else 0.0
    if not (number(new["gap"]) and new["gap"] == gap):
        return False
    if new["status"] not in ("optimal", "feasible", "interrupted") or (new["status"] == "optimal" and lower != objective):
        return False
    # baseline and saving, informational like the rest of the block (the naive layout is
    # the solver's): a baseline is null or a number not below the objective; the saving
    # is 1 - objective / baseline to 6 places, null without a (non-zero) baseline
    base, saving = new["baseline_objective"], new["saving_vs_baseline"]
    if base is not None and not (number(base) and base >= objective):
        return False
    want = round(1 - objective / base, 6) if base else None
    return saving == want and not isinstance(saving, bool) and (saving is None or number(saving))
