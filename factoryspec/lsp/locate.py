"""What is under the cursor: the most specific AST element at a position."""

from __future__ import annotations

from typing import Iterator, Sequence

import attrs

from ..lang import nodes as n
from ..diagnostics import Span
from .positions import contains

# Target kinds
BLOCK_KIND, BLOCK_NAME, TEMPLATE_NAME = "block-kind", "block-name", "template-name"
ATTR_NAME, VALUE_NAME, UNIT, REF, IMPORT = "attr-name", "value-name", "unit", "ref", "import"


@attrs.frozen
class Target:
    kind: str
    node: object
    span: Span
    block: n.Block | n.Template | None = None   # the block holding the statement, if any
    part: int = 0                               # for a dotted Ref: the part under the cursor


def _size(span: Span) -> tuple[int, int]:
    if span.end_line is None or span.end_column is None:   # runs to the end of the input
        return (10**9, 10**9)
    return (span.end_line - span.line, span.end_column - span.column if span.line == span.end_line else 10**9)


def _candidates(stmt, block) -> Iterator[tuple[str, object, Span | None]]:
    if isinstance(stmt, (n.Block, n.Template)):
        yield BLOCK_KIND, stmt, stmt.kind_span
        yield (TEMPLATE_NAME if isinstance(stmt, n.Template) else BLOCK_NAME), stmt, stmt.name_span
        if isinstance(stmt, n.Block) and stmt.template is not None:
            yield REF, stmt.template, stmt.template.span
    elif isinstance(stmt, n.Attribute):
        yield ATTR_NAME, stmt, stmt.name_span
    elif isinstance(stmt, (n.Let, n.Param)):
        yield VALUE_NAME, stmt, stmt.name_span
    elif isinstance(stmt, n.Import):
        yield IMPORT, stmt, stmt.span
    for child in n.children(stmt):
        if isinstance(child, (n.Block, n.Template, n.Attribute, n.Let, n.Param, n.Import)):
            continue
        for node in n.walk(child):
            if isinstance(node, n.Ref):
                yield REF, node, node.span
            elif isinstance(node, n.Number) and node.unit_span is not None:
                yield UNIT, node, node.unit_span


def _statements(module: n.Module) -> Iterator[tuple[object, n.Block | n.Template | None]]:
    stack: list[tuple[object, object]] = [(s, None) for s in reversed(module.body)]
    while stack:
        stmt, block = stack.pop()
        yield stmt, block
        if isinstance(stmt, (n.Block, n.Template)):
            stack.extend((s, stmt) for s in reversed(stmt.body))


def target_at(module: n.Module | None, lines: Sequence[str], line: int, column: int) -> Target | None:
    """The smallest named element containing the 1-based point, or None."""
    if module is None:
        return None
    best: Target | None = None
    for stmt, block in _statements(module):
        if not contains(stmt.span, line, column):
            continue
        for kind, node, span in _candidates(stmt, block):
            if span is None or not contains(span, line, column):
                continue
            if best is None or _size(span) <= _size(best.span):
                best = Target(kind, node, span, block, _part(node, lines, column) if kind == REF else 0)
    if best is not None and best.kind == REF:
        best = attrs.evolve(best, span=part_span(best.node, lines, best.part))
    return best


def _part_columns(ref: n.Ref, lines: Sequence[str]) -> list[tuple[int, int]] | None:
    """The 1-based [start, end) columns of each part of a one-line `a.b.c`."""
    span = ref.span
    if span.line != span.end_line or not 0 < span.line <= len(lines):
        return None
    text, pos, out = lines[span.line - 1], span.column - 1, []
    for part in ref.parts:
        start = text.find(part, pos)
        if start < 0:
            return None
        pos = start + len(part)
        out.append((start + 1, pos + 1))
    return out


def _part(ref: n.Ref, lines: Sequence[str], column: int) -> int:
    """Which part of `a.b.c` the column falls on."""
    for i, (_, end) in enumerate(_part_columns(ref, lines) or [(10**9, 10**9)]):
        if column <= end:
            return i
    return len(ref.parts) - 1


def part_span(ref: n.Ref, lines: Sequence[str], part: int) -> Span:
    """The span of one part of a reference (the whole reference if unsure)."""
    cols = _part_columns(ref, lines)
    if not cols or part >= len(cols):
        return ref.span
    start, end = cols[part]
    return Span(ref.span.file, ref.span.line, start, ref.span.line, end)


def refs_in(module: n.Module | None) -> Iterator[n.Ref]:
    """Every reference in a module, template uses on block headers included."""
    if module is None:
        return
    for stmt, block in _statements(module):
        for kind, node, _ in _candidates(stmt, block):
            if kind == REF:
                yield node


def enclosing_block(module: n.Module | None, line: int, column: int) -> n.Block | n.Template | None:
    """The innermost block whose braces contain the point."""
    if module is None:
        return None
    found = None
    for stmt, _ in _statements(module):
        if isinstance(stmt, (n.Block, n.Template)) and contains(stmt.span, line, column) \
                and (line, column) > (stmt.kind_span.line, stmt.kind_span.end_column):
            found = stmt
    return found
