"""Did-you-mean suggestions for unknown names, units, keywords and attributes."""

from __future__ import annotations

import difflib
from contextlib import contextmanager
from contextvars import ContextVar
from itertools import islice
from typing import Iterable

from .limits import MAX_NAME_FOR_SUGGESTIONS, MAX_SUGGESTION_CANDIDATES


# What one check may spend on suggestions, in units of _cost (about 100
# character pairs for difflib to compare, some 25 us): a spec of 20,000 names
# with many undefined references would otherwise compare each against
# thousands of names (minutes for a mutated campus), and 5,000 failed imports
# of one long name took 8 s at 300,000. Past the budget, no more suggestions.
CHECK_BUDGET = 40_000
_budget: ContextVar[list[int] | None] = ContextVar("suggestion_budget", default=None)


@contextmanager
def budget(comparisons: int = CHECK_BUDGET):
    """Bound the comparisons of every suggestion made inside (one per check)."""
    token = _budget.set([comparisons])
    try:
        yield
    finally:
        _budget.reset(token)


def _spend(n: int) -> bool:
    """Take `n` comparisons from the current budget; False once it is spent."""
    left = _budget.get()
    if left is None:
        return True
    if left[0] < n:
        left[0] = 0
        return False
    left[0] -= n
    return True


def exhausted() -> bool:
    """Whether this check's suggestion budget is spent (callers can then skip
    gathering candidates at all)."""
    left = _budget.get()
    return left is not None and left[0] <= 0


def _cost(word: str, pool: list[str]) -> int:
    """What comparing `word` with `pool` costs from the budget: one per
    candidate of names up to 10 characters, more for longer ones (difflib's
    work grows with both lengths: 5,000 imports of 100-character names
    against 47 file names took 60 s when each candidate cost one)."""
    return max(1, len(word) * sum(max(len(c), 1) for c in pool) // 100)


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate nearest to `word`, if any is near enough to be a likely typo.

    difflib's matching is quadratic in the lengths compared, so a name longer
    than anyone types (a 1,000,000-character name took 24 s) gets no
    suggestion, and only the first MAX_SUGGESTION_CANDIDATES names are tried."""
    if len(word) > MAX_NAME_FOR_SUGGESTIONS or exhausted():
        return None
    pool = [c for c in dict.fromkeys(islice(candidates, MAX_SUGGESTION_CANDIDATES))
            if len(c) <= MAX_NAME_FOR_SUGGESTIONS]
    if not _spend(_cost(word, pool)):       # before any scan
        return None
    exact_case = [c for c in pool if c.lower() == word.lower()]
    if exact_case:
        return exact_case[0]
    found = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    return found[0] if found else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    best = closest(word, candidates)
    return f"did you mean `{best}`?" if best else None


def nearest(word: str, candidates: Iterable[str], n: int = 4) -> list[str]:
    """Up to `n` candidates, most similar to `word` first, however far: a
    listing of what exists (`h1, h2, h3, h4` for `h9`), where closest() would
    only offer a likely typo. Ties keep the candidates' order. The same
    length and count limits as closest() apply."""
    if len(word) > MAX_NAME_FOR_SUGGESTIONS or exhausted():
        return []
    pool = [c for c in dict.fromkeys(islice(candidates, MAX_SUGGESTION_CANDIDATES))
            if len(c) <= MAX_NAME_FOR_SUGGESTIONS]
    if not _spend(_cost(word, pool)):
        return pool[:n]
    matcher = difflib.SequenceMatcher(b=word.lower())
    def score(c: str) -> float:
        matcher.set_seq1(c.lower())
        return matcher.ratio()
    return sorted(pool, key=lambda c: (c.lower() != word.lower(), -score(c)))[:n]
