"""Port naming patterns: how a system or a switch names its ports.

A pattern is text with one or more ranges `{a..b}`, e.g. `tray{1..18}/nic{1..4}`
for the 72 compute ports of an NVL72 rack (18 compute trays of 4 NICs) or
`{1..32}/{1..2}` for a 64-port switch of 32 twin-port cages. Ports are numbered
in the order the pattern enumerates them, the last range fastest: port 0 is
`tray1/nic1`, port 1 `tray1/nic2`, port 4 `tray2/nic1`. The ranges' sizes
multiply to the number of ports the pattern names (a system's ports per node,
or per rack for a whole-rack system; a switch's radix).

Without a pattern a system's compute ports are `p1`..`pN` and a switch's
`p1`..`pN`; a storage fabric's host ports `s1`.., a management fabric's `m1`..
"""

from __future__ import annotations

import re

import attrs

_RANGE = re.compile(r"\{(\d+)\.\.(\d+)\}")


@attrs.frozen
class Pattern:
    parts: tuple          # literal text between the ranges (len(ranges) + 1 pieces)
    ranges: tuple         # (first, last) of each range, inclusive

    @property
    def size(self) -> int:
        n = 1
        for a, b in self.ranges:
            n *= b - a + 1
        return n

    def name(self, index: int) -> str:
        """The name of port `index` (0-based, < size)."""
        digits = []
        for a, b in reversed(self.ranges):
            index, k = divmod(index, b - a + 1)
            digits.append(a + k)
        out = [self.parts[0]]
        for d, text in zip(reversed(digits), self.parts[1:]):
            out += [str(d), text]
        return "".join(out)


def parse(text: str) -> Pattern | str:
    """The pattern, or a message saying what is wrong with it."""
    ranges, parts, at = [], [], 0
    for m in _RANGE.finditer(text):
        a, b = int(m.group(1)), int(m.group(2))
        if b < a:
            return f"range {{{a}..{b}}} runs backwards"
        parts.append(text[at:m.start()])
        ranges.append((a, b))
        at = m.end()
    parts.append(text[at:])
    if not ranges:
        return "it has no range such as `{1..64}`"
    if any("{" in p or "}" in p for p in parts):
        return "a brace is not part of a range `{a..b}`"
    return Pattern(tuple(parts), tuple(ranges))


def default(prefix: str, n: int) -> Pattern:
    return Pattern((prefix, ""), ((1, max(n, 1)),))


def named(text: str | None, prefix: str, n: int) -> Pattern:
    """A valid pattern of n ports (the checks reject the rest), or the default."""
    if text:
        p = parse(text)
        if isinstance(p, Pattern) and p.size == n:
            return p
    return default(prefix, n)
