"""`factoryspec explain NAME`: the reference for diagnostic codes and the language.

NAME is a diagnostic code (`rack-fit`), a block kind (`hall`), or a path of
block kinds ending in an attribute or a child kind (`cluster.fabric.rails`,
`fabric.rails`, `hall.busway`, `building.hall`). Every line is generated from
factoryspec/diagnostics/codes.py and factoryspec/lang/vocabulary.py, the same tables lint and
the language server use, so the reference cannot drift from what is checked.
Text only, wrapped at WIDTH columns, with nothing that varies between runs.
"""

from __future__ import annotations

import re
import textwrap

import attrs

from ..diagnostics import codes
from ..lang import units as u
from ..lang import vocabulary as v
from ..lsp.describe import type_text, value_text
from ..lang.suggest import did_you_mean

WIDTH = 100
_INDENT = "    "


@attrs.frozen
class Explained:
    """The reference text for a name, or why the name names nothing."""
    text: str | None = None
    error: str | None = None


def explain(name: str) -> Explained:
    entry = codes.get(name)
    if entry is not None:
        return Explained(_fill(f"{entry.code}: {entry.title}") + "\n\n" + _wrap_lines(entry.explanation))
    if name in v.KINDS:
        return Explained(kind_text(v.KINDS[name]))
    if "." in name:
        return _explain_path(name)
    return Explained(error=f"no diagnostic code or block kind `{name}`" + _hint_for_word(name))


def listing() -> str:
    """Every code with its title, then every block kind with its summary."""
    width = max(len(c) for c in codes.CODES)
    lines = [f"{c.code.ljust(width)}  {c.title}"
             for c in sorted(codes.CODES.values(), key=lambda c: (c.phase, c.code))]
    lines += ["", "Block kinds (`factoryspec explain KIND`, `factoryspec explain KIND.ATTR`):"]
    # Kind names are shorter than the longest code: both columns line up.
    lines += [_fill(v.KINDS[k].doc, f"{k.ljust(width)}  ", " " * (width + 2)) for k in v.kind_names()]
    return "\n".join(lines)


# ---- looking names up ------------------------------------------------------

def _explain_path(name: str) -> Explained:
    """`a.b.c`: kinds, each a child of the one before, then an attribute or a kind."""
    parts = name.split(".")
    if not all(parts):
        return Explained(error=f"`{name}` is not KIND or KIND.ATTR (an empty part between dots)")
    if parts[0] not in v.KINDS:
        hint = did_you_mean(parts[0], v.KINDS)
        return Explained(error=f"no block kind `{parts[0]}`" + (f"; {hint}" if hint else ""))
    kind = v.KINDS[parts[0]]
    for i, part in enumerate(parts[1:], start=1):
        attr = kind.attr(part)
        if attr is not None and i == len(parts) - 1:
            return Explained(attr_text(kind, attr))
        if part in kind.children:
            kind = v.KINDS[part]
            continue
        return Explained(error=_not_inside(kind, part, is_attr=attr is not None))
    return Explained(kind_text(kind))


def _not_inside(kind: v.Kind, part: str, is_attr: bool) -> str:
    if is_attr:
        return f"`{kind.name}.{part}` is an attribute: nothing stands inside it"
    hint = did_you_mean(part, [a.name for a in kind.attrs] + list(kind.children))
    if not hint:
        hint = "it has " + _names_of(kind)
    return f"`{kind.name}` has no attribute or child block `{part}`; {hint}"


def _names_of(kind: v.Kind) -> str:
    attrs_ = ", ".join(f"`{a.name}`" for a in kind.attrs) or "no attributes"
    children = ", ".join(f"`{c}`" for c in kind.children)
    return attrs_ + (f" and the blocks {children}" if children else "")


def _hint_for_word(word: str) -> str:
    """A bare attribute name points at the kinds that have it; else the nearest code or kind."""
    owners = [f"`{k.name}.{word}`" for k in v.KINDS.values() if k.attr(word) is not None]
    if owners:
        return f"; it is an attribute: try {', '.join(owners)}"
    hint = did_you_mean(word, [*v.KINDS, *codes.CODES])
    return f"; {hint}" if hint else "; `factoryspec explain` lists them all"


# ---- rendering -------------------------------------------------------------

def _fill(text: str, first: str = "", rest: str = "") -> str:
    return textwrap.fill(text, WIDTH, initial_indent=first, subsequent_indent=rest,
                         break_long_words=False, break_on_hyphens=False)


_LABEL = re.compile(r"^[A-Z][a-z]+( [a-z]+)?:")


def _wrap_lines(text: str) -> str:
    """Code explanations are laid out by hand: prose, `Example:` and `Fix:`
    lines, bullets and indented examples. Prose lines run together into one
    paragraph, refilled to WIDTH; a label, a bullet or a blank line starts a new
    one; indented lines keep their layout (wrapped under their indent when too
    long, a bullet with a hanging indent)."""
    out: list[str] = []
    prose: list[str] = []

    def flush():
        if prose:
            out.append(_fill(" ".join(prose)))
            prose.clear()

    for line in text.splitlines():
        body = line.lstrip(" ")
        indent = line[:len(line) - len(body)]
        if body and not indent and not body.startswith("- ") and (not prose or not _LABEL.match(body)):
            prose.append(body)
            continue
        flush()
        if body and not indent and _LABEL.match(body):
            prose.append(body)
            continue
        hang = indent + ("  " if body.startswith("- ") else "")
        out.append(_fill(body, indent, hang) if len(line) > WIDTH else line)
    flush()
    return "\n".join(out)


def _units(attr: v.Attr) -> str | None:
    """The unit symbols an attribute's value may be written in, in the unit table's order."""
    if not isinstance(attr.type, tuple):
        return "%" if attr.type == v.FRACTION else None
    found = [s for s in u.known_symbols() if (u.lookup(s) or (None, None))[1] == attr.type]
    return ", ".join(dict.fromkeys(found)) or None


def _type(attr: v.Attr, how: bool) -> str:
    """The type or dimension; with `how`, also how a value of a plain type is written."""
    text = type_text(attr)
    written = v.TYPE_DOCS.get(attr.type) if how and isinstance(attr.type, str) else None
    return f"{text} ({written})" if written else text


def _default(attr: v.Attr) -> str:
    if attr.required:
        return "none (required)"
    if attr.default is None:
        return "none (optional)"
    return value_text(attr.default)


def _parents(kind: v.Kind) -> str:
    where = ["the top level of a file"] if kind.top_level else []
    where += [k.name for k in v.KINDS.values() if kind.name in k.children]
    return ", ".join(where) or "nowhere (only as a template)"


def _facts(facts: list[tuple[str, str]], indent: str = "") -> list[str]:
    """`label: value` lines, values aligned and wrapped under each other."""
    width = max(len(label) for label, _ in facts) + 2
    return [_fill(value, f"{indent}{(label + ':').ljust(width)}", indent + " " * width) for label, value in facts]


def _attr_facts(attr: v.Attr, how: bool = True) -> list[tuple[str, str]]:
    facts = [("type", _type(attr, how))]
    units = _units(attr)
    if units:
        facts.append(("unit", units))
    facts.append(("default", _default(attr)))
    if attr.minimum is not None:
        facts.append(("minimum", value_text(attr.minimum)))
    return facts


def attr_text(kind: v.Kind, attr: v.Attr) -> str:
    """One attribute: its meaning, then type, unit, default and where it is written."""
    lines = [f"{kind.name}.{attr.name}", "", _fill(attr.doc), ""]
    lines += _facts(_attr_facts(attr) + [("in block", f"{kind.name}: {kind.doc}")])
    return "\n".join(lines)


def kind_text(kind: v.Kind) -> str:
    """A block kind: what it is, where it stands, its attributes and its children."""
    form = f"{kind.name} NAME {{ ... }}" if kind.named else f"{kind.name} {{ ... }}"
    lines = [f"{kind.name} (block kind)", "", _fill(kind.doc), ""]
    lines += _facts([("written", form), ("stands in", _parents(kind)),
                     ("holds", ", ".join(kind.children) or "no child blocks")])
    if kind.attrs:
        lines += ["", "Attributes:"]
        for attr in kind.attrs:
            lines += ["", f"  {attr.name}", _fill(attr.doc, _INDENT, _INDENT)]
            # How each type is written is left to `explain KIND.ATTR`: repeated here it is noise.
            lines += _facts(_attr_facts(attr, how=False), _INDENT)
    return "\n".join(lines)
