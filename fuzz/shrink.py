"""Shrinking a failing input while the failure persists (delta debugging).

ddmin over lines, then tokens, then characters: each pass tries removing
chunks, halving the chunk size when nothing can go. Every test costs a run of
the target, so the whole shrink has a deadline; the smallest input found so
far is kept when it runs out.
"""

from __future__ import annotations

import time
from typing import Callable

from .mutate import tokens


def ddmin(units: list, still_fails: Callable[[list], bool], deadline: float) -> list:
    """A smaller list of units for which still_fails holds (1-minimal if time allows)."""
    n = 2
    while len(units) >= 2 and time.monotonic() < deadline:
        chunk = max(1, len(units) // n)
        removed = False
        for start in range(0, len(units), chunk):
            if time.monotonic() >= deadline:
                return units
            trial = units[:start] + units[start + chunk:]
            if trial and still_fails(trial):
                units, n, removed = trial, max(n - 1, 2), True
                break
        if not removed:
            if chunk == 1:
                break
            n = min(len(units), n * 2)
    return units


def _split_lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def _split_tokens(data: bytes) -> list[bytes]:
    text = data.decode("utf-8", "surrogateescape")
    return [t.encode("utf-8", "surrogateescape") for t in tokens(text)]


def _split_chars(data: bytes) -> list[bytes]:
    return [data[i:i + 1] for i in range(len(data))]


def shrink_bytes(data: bytes, still_fails: Callable[[bytes], bool], seconds: float) -> bytes:
    """The input reduced by lines, tokens, then characters (bytes), within `seconds`."""
    deadline = time.monotonic() + seconds
    for split in (_split_lines, _split_tokens, _split_chars):
        units = split(data)
        if len(units) > 20_000 and split is _split_chars:
            continue   # a huge input that lines and tokens could not reduce: not worth it
        data = b"".join(ddmin(units, lambda u: still_fails(b"".join(u)), deadline))
        if time.monotonic() >= deadline:
            break
    return data
