"""Did-you-mean suggestions for unknown names, units, keywords and attributes."""

from __future__ import annotations

import difflib
from contextlib import contextmanager
from contextvars import ContextVar
from itertools import islice
from typing import Iterable

from .limits import MAX_NAME_FOR_SUGGESTIONS, MAX_SUGGESTION_CANDIDATES


# Comparisons one check may spend on suggestions: a spec of 20,000 names with
# many undefined references would otherwise compare each against thousands of
# names (minutes for a mutated campus). Past it, no more suggestions.
CHECK_BUDGET = 300_000
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


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate nearest to `word`, if any is near enough to be a likely typo.

    difflib's matching is quadratic in the lengths compared, so a name longer
    than anyone types (a 1,000,000-character name took 24 s) gets no
    suggestion, and only the first MAX_SUGGESTION_CANDIDATES names are tried."""
    if len(word) > MAX_NAME_FOR_SUGGESTIONS or exhausted():
        return None
    pool = [c for c in dict.fromkeys(islice(candidates, MAX_SUGGESTION_CANDIDATES))
            if len(c) <= MAX_NAME_FOR_SUGGESTIONS]
    if not _spend(len(pool)):       # before any scan: each costs the pool's length
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
    if not _spend(len(pool)):
        return pool[:n]
    matcher = difflib.SequenceMatcher(b=word.lower())
    def score(c: str) -> float:
        matcher.set_seq1(c.lower())
        return matcher.ratio()
    return sorted(pool, key=lambda c: (c.lower() != word.lower(), -score(c)))[:n]
