"""How large a spec's numbers and expansions may be: the one place that decides.

Values are exact Fractions, and Python's integers have no size limit, so an
unchecked `1e100000000` takes minutes to build, and a 4,301-digit value cannot
even be printed (Python's int-to-string limit). No physical quantity of a data
centre comes near these bounds; they exist so that every phase (formatting,
checks, the solver's float and int64 conversions) can rely on bounded input.

Numbers
  A literal may have at most MAX_DIGITS digits and a decimal exponent of at
  most MAX_LITERAL_EXPONENT either way (the parser checks the text before
  building a Fraction, so the check itself is cheap). Every value, in SI base
  units, after units and after each arithmetic step, must be 0 or have a
  magnitude between 10^-MAX_EXPONENT and 10^MAX_EXPONENT, and a denominator of
  at most MAX_DIGITS digits (exact arithmetic could otherwise grow it without
  bound while the magnitude stays near 1). 10^30 W is 10^21 GW; 10^30 m is
  10^14 light years. Beyond the bounds: `number-too-large`.

  Downstream, products of a few bounded values stay far inside a float (10^308)
  and the int-to-string limit (4,300 digits), which is why one bound suffices.

Expansion
  A spec may expand to at most MAX_INSTANCES block instances in all (nested
  repetitions multiply, templates included): `too-many-instances`.
  The bound is set by lint time, which is linear in the instances (every
  step of resolving, building the model and checking is O(n) or O(n log n))
  but not cheap: about 0.1-0.2 ms per hall on a 2-core machine, so 100,000
  halls took 8-17 s there depending on load, and 40,000 halls 6.7 s unloaded.
  20,000 keeps the worst case near 3 s, and under 10 s on a busy machine; a
  10 GW campus is some 74,000 racks in under 1,000 halls, so real specs stay
  far inside it (and a campus is better modelled with fewer, larger blocks).
  The instances may hold at most MAX_STATEMENTS statements in all (a block
  of 1,000 attributes repeated 10,000 times is 10 million, within both other
  bounds, and took 70 s). Also `too-many-instances`.
  At most MAX_FABRICS of the instances may be fabrics: a fabric is sized,
  apportioned over its cluster's halls and reach-checked, about 1 ms each,
  so 10,000 of them (within the block budget) linted for 11 s.
  Clusters may list at most MAX_MEMBERSHIPS halls in all (a building counts
  as its halls; a cluster with no `halls` has every hall of its site): the
  checks of a cluster walk its halls, so 10,000 clusters over 10,000 halls
  are 10^8 steps that no instance count sees. Past the budget a cluster is
  left unchecked, with `too-many-instances` at its `halls`.
  Templates may nest MAX_TEMPLATE_DEPTH deep (a template that instantiates
  itself never ends: `template-cycle`).

Parsing
  A file may have at most MAX_TOKENS tokens (`file-too-large` at the first
  one past it): the byte limits (source.py) bound ordinary specs, but a
  mutant of 500,000 minus signs in 790 KB took 8 s to parse.

Diagnostics
  At most MAX_DIAGNOSTICS per file from the resolver: past that, one summary.
  An assert in a repeated block reports its first MAX_ASSERT_REPORTS failing
  instances, then one line counting the rest (140,000 failing instances of
  sweetwater's asserts spent 8 s formatting reasons no one reads).
"""

from __future__ import annotations

import re
from fractions import Fraction

MAX_DIGITS = 100              # digits of a literal; digits of a value's denominator
MAX_LITERAL_EXPONENT = 100    # |decimal exponent| of a literal as written
MAX_EXPONENT = 30             # |decimal exponent| of any value in SI base units
MAX_INSTANCES = 20_000        # block instances in one spec, all repetitions multiplied (lint < 10 s)
MAX_STATEMENTS = 400_000      # statements of all instances (each copy of a block holds its body's)
MAX_FABRICS = 2_000           # fabric instances (each is sized, apportioned and reach-checked: ~1 ms)
MAX_MEMBERSHIPS = 100_000     # cluster-hall pairs in all (lint < 10 s)
MAX_TEMPLATE_DEPTH = 32       # templates instantiating templates
MAX_DIAGNOSTICS = 1_000       # resolver diagnostics per file
MAX_ASSERT_REPORTS = 20       # failures shown of one assert repeated over many instances
MAX_TOKENS = 100_000          # tokens of one file: the parser reads ~70,000 a second (a spec is ~10 bytes a token)
MAX_NAME_FOR_SUGGESTIONS = 100  # names longer than this get no did-you-mean
MAX_SUGGESTION_CANDIDATES = 5_000

LARGEST = Fraction(10) ** MAX_EXPONENT
SMALLEST = Fraction(1, 10 ** MAX_EXPONENT)
_MAX_DENOMINATOR = 10 ** MAX_DIGITS

_LITERAL = re.compile(r"([0-9_]*)(?:\.([0-9_]*))?(?:[eE]([+-]?[0-9]+))?")

RANGE_TEXT = (f"numbers are limited to {MAX_DIGITS} digits and, in SI base units, to magnitudes "
              f"between 1e-{MAX_EXPONENT} and 1e{MAX_EXPONENT}")


def literal_problem(text: str) -> str | None:
    """Why the literal `text` (the NUMBER token) is out of range, or None.
    Works on the text only: never builds the number."""
    m = _LITERAL.fullmatch(text)
    if m is None:
        return None                      # not a NUMBER token: the grammar decides
    whole, frac, exp = (m.group(1) or "").replace("_", ""), (m.group(2) or "").replace("_", ""), m.group(3)
    if len(whole) + len(frac) > MAX_DIGITS:
        return f"it has {len(whole) + len(frac):,} digits"
    digits = (whole + frac).lstrip("0")
    if not digits:
        return None                      # zero, however written
    exponent = 0
    if exp is not None:
        width = len(exp.lstrip("+-").lstrip("0"))
        if width > 9:              # int() of it could itself be refused
            return f"its exponent has {width:,} digits"
        exponent = int(exp)
    # Decimal order of magnitude: of the first significant digit.
    order = exponent + len(whole.lstrip("0")) - 1 if whole.lstrip("0") else \
        exponent - (len(frac) - len(frac.lstrip("0"))) - 1
    if abs(order) > MAX_LITERAL_EXPONENT:
        return f"it is of the order of 1e{order}"
    return None


def value_problem(x: Fraction) -> str | None:
    """Why the exact value `x` (SI base units) is out of range, or None."""
    if x == 0:
        return None
    if x.denominator > _MAX_DENOMINATOR:
        return f"its exact value needs more than {MAX_DIGITS} digits"
    a = abs(x)
    if a > LARGEST:
        return f"it is larger than 1e{MAX_EXPONENT}"
    if a < SMALLEST:
        return f"it is smaller than 1e-{MAX_EXPONENT}"
    return None


def in_range(x: Fraction) -> bool:
    return value_problem(x) is None
