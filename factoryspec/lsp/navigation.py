"""Go to definition and find references, from the resolver's reference table.

`Resolved.references` holds (use span, definition span, name) for every name
the resolver looked up; a dotted `a.b.attr` records the head and, when it
ends on an attribute, the attribute too. Middle parts (`building.hall`) are
followed through the entities' children.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from lsprotocol import types

from ..lang import nodes as n
from ..diagnostics import Span
from ..lang.resolve import Entity, Namespace, ValueSym, definition_span
from . import locate
from .positions import split_lines, span_to_range
from .state import Snapshot, real


def symbol_for_ref(snap: Snapshot, ref: n.Ref, part: int) -> tuple[Any, tuple[Entity, str] | None]:
    """The symbol a part of a reference names, or (None, (entity, attribute))."""
    uses = snap.index.definitions_used_at(ref.span)
    if not uses or uses[0][0] is None:
        return None, None
    syms = snap.index.symbols_at(uses[0][0])
    sym = syms[0] if syms else None
    for name in ref.parts[1:part + 1]:
        if isinstance(sym, ValueSym):
            sym = sym.value
        if isinstance(sym, Namespace):
            sym = sym.scope.names.get(name)
        elif isinstance(sym, Entity):
            child = sym.child(name)
            if child is None:
                return None, (sym, name)
            sym = child
        else:
            return None, None
    return sym, None


def _attr_def(ent: Entity, name: str) -> Span:
    stmt = ent.exprs.get(name)
    return stmt.name_span if stmt is not None else (ent.name_span or ent.span)


def definition_of(snap: Snapshot, target: locate.Target) -> Span | None:
    """Where the element under the cursor is defined."""
    node = target.node
    if target.kind == locate.REF:
        return _part_definition(snap, node, target.part)
    if target.kind in (locate.BLOCK_NAME, locate.TEMPLATE_NAME, locate.VALUE_NAME, locate.ATTR_NAME):
        return node.name_span
    return None


def _key(span: Span) -> tuple:
    return (real(span.file), span.line or 0, span.column or 0, span.end_line or 0, span.end_column or 0)


def _part_definition(snap: Snapshot, ref: n.Ref, part: int) -> Span | None:
    sym, attr = symbol_for_ref(snap, ref, part)
    return _attr_def(*attr) if attr else (definition_span(sym) if sym is not None else None)


def uses_in(snap: Snapshot) -> Iterable[tuple[Span, Span]]:
    """(use, definition) for every part of every reference in the document."""
    for ref in locate.refs_in(snap.index.module):
        for i in range(len(ref.parts)):
            target = _part_definition(snap, ref, i)
            if target is None:
                break
            yield locate.part_span(ref, snap.lines, i), target


def references_to(snapshots: Iterable[Snapshot], snap: Snapshot, target: locate.Target,
                  include_declaration: bool) -> list[Span]:
    """Every use of what the target names, in every checked open document."""
    span = definition_of(snap, target)
    if span is None:
        return []
    key = _key(span)
    out: dict[tuple, Span] = {}
    if include_declaration:
        out[key] = span
    for s in snapshots:
        for use, definition in uses_in(s):
            if _key(definition) == key:
                out.setdefault(_key(use), use)
    return sorted(out.values(), key=_key)


def location(span: Span, uri_for: Callable[[str], str], lines_for: Callable[[str], list[str]],
             encoding: str) -> types.Location:
    path = real(span.file)
    return types.Location(uri=uri_for(path), range=span_to_range(lines_for(path), span, encoding))


def file_lines(sources: dict[str, str]) -> Callable[[str], list[str]]:
    """Lines of a file by real path, from the check's sources or the disk."""
    by_real = {real(k): t for k, t in sources.items()}

    def lines(path: str) -> list[str]:
        if path in by_real:
            return split_lines(by_real[path])
        try:
            with open(path, encoding="utf-8") as fh:
                return split_lines(fh.read())
        except (OSError, UnicodeDecodeError):
            return [""]
    return lines
