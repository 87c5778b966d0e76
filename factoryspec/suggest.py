"""Did-you-mean suggestions for unknown names, units, keywords and attributes."""

from __future__ import annotations

import difflib
from typing import Iterable


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate nearest to `word`, if any is near enough to be a likely typo."""
    pool = list(dict.fromkeys(candidates))
    exact_case = [c for c in pool if c.lower() == word.lower()]
    if exact_case:
        return exact_case[0]
    found = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    return found[0] if found else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    best = closest(word, candidates)
    return f"did you mean `{best}`?" if best else None
