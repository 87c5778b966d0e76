"""YAML text of plain data, written here: PyYAML is not a dependency of factoryspec.

Strings are double-quoted as JSON quotes them (a YAML scalar of the same
text), so no name or value can be read as a number, a boolean or YAML syntax;
the same data gives the same bytes (keys sorted, floats by repr).
"""

from __future__ import annotations

import json


def dump(doc, order: tuple = ()) -> str:
    """Block-style YAML of dicts, lists, strings, ints, floats and booleans,
    keys sorted (a top-level mapping's keys in `order` first, in that order)."""
    if order and isinstance(doc, dict):
        first = "".join(line + "\n" for k in order if k in doc for line in _lines({k: doc[k]}, ""))
        rest = {k: v for k, v in doc.items() if k not in order}
        return first + (dump(rest) if rest else "")
    return "".join(line + "\n" for line in _lines(doc, ""))


def _lines(value, pad: str) -> list[str]:
    if isinstance(value, dict):
        out = []
        for key in sorted(value):
            v = value[key]
            if (isinstance(v, dict) and v) or (isinstance(v, list) and not _flat(v)):
                out += [f"{pad}{key}:"] + _lines(v, pad + "  ")
            else:
                out.append(f"{pad}{key}: {_scalar(v)}")
        return out
    out = []
    for item in value:
        lines = _lines(item, pad + "  ") if isinstance(item, (dict, list)) and item else [pad + "  " + _scalar(item)]
        out += [pad + "- " + lines[0][len(pad) + 2:]] + lines[1:]
    return out


def _flat(v: list) -> bool:
    """A list of scalars (tags), written on one line."""
    return not any(isinstance(x, (dict, list)) for x in v)


def _scalar(v) -> str:
    if isinstance(v, dict):
        return "{}"
    if isinstance(v, list):
        return "[" + ", ".join(_scalar(x) for x in v) + "]"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    if not isinstance(v, (int, str)):
        raise TypeError(f"no YAML scalar for {v!r}")
    return str(v) if isinstance(v, int) else json.dumps(v)
