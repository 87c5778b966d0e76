"""The AST: one frozen attrs class per construct, each carrying its span.

Spans are excluded from equality (eq=False on the field) so that two parses of
the same meaning compare equal whatever their layout: `fmt` relies on this to
prove it never changes meaning.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Union

import attrs

from ..diagnostics import Span

_span = attrs.field(eq=False, repr=False)
_doc = attrs.field(default=None, eq=False, repr=False)


# ---- expressions -----------------------------------------------------------

@attrs.frozen(slots=True)
class Number:
    """A numeric literal with an optional unit as written (`135 kW`, `0.85`).
    None when the literal is out of range (the parser has reported it)."""
    value: Fraction | None
    unit: str | None
    span: Span = _span
    unit_span: Span | None = attrs.field(default=None, eq=False, repr=False)


@attrs.frozen(slots=True)
class String:
    value: str
    span: Span = _span


@attrs.frozen(slots=True)
class Bool:
    value: bool
    span: Span = _span


@attrs.frozen(slots=True)
class Ratio:
    """`1:1`, `2:1`: down:up oversubscription and the like (None: out of range, reported)."""
    left: Fraction | None
    right: Fraction | None
    span: Span = _span


@attrs.frozen(slots=True)
class Range:
    """An inclusive integer range `1..4` (None: out of range, reported)."""
    start: int | None
    end: int | None
    span: Span = _span


@attrs.frozen(slots=True)
class Size:
    """`120 m x 60 m`: width x depth."""
    width: "Expr"
    depth: "Expr"
    span: Span = _span


@attrs.frozen(slots=True)
class List:
    items: tuple["Expr", ...]
    span: Span = _span


@attrs.frozen(slots=True)
class Ref:
    """A reference `name` or `a.b.c` to a let, param, block or attribute."""
    parts: tuple[str, ...]
    span: Span = _span

    @property
    def dotted(self) -> str:
        return ".".join(self.parts)


@attrs.frozen(slots=True)
class Call:
    func: str
    args: tuple["Expr", ...]
    span: Span = _span


@attrs.frozen(slots=True)
class BinOp:
    op: str  # one of + - * /
    left: "Expr"
    right: "Expr"
    span: Span = _span


@attrs.frozen(slots=True)
class Neg:
    operand: "Expr"
    span: Span = _span


@attrs.frozen(slots=True)
class Compare:
    """`a <= b`: true or false; quantities must share a dimension."""
    op: str  # one of < <= > >= == !=
    left: "Expr"
    right: "Expr"
    span: Span = _span


@attrs.frozen(slots=True)
class Logic:
    """`a and b`, `a or b` over true/false values."""
    op: str  # "and" | "or"
    left: "Expr"
    right: "Expr"
    span: Span = _span


@attrs.frozen(slots=True)
class Not:
    operand: "Expr"
    span: Span = _span


Expr = Union[Number, String, Bool, Ratio, Range, Size, List, Ref, Call, BinOp, Neg, Compare, Logic, Not]


# ---- statements ------------------------------------------------------------

@attrs.frozen(slots=True)
class Import:
    """`import catalog.nvidia` (a catalog module) or `import "halls.fac"` (a file)."""
    target: str
    is_path: bool
    alias: str | None
    span: Span = _span
    doc: str | None = _doc


@attrs.frozen(slots=True)
class Param:
    """A value the CLI may override with `--var name=value`."""
    name: str
    default: Expr | None
    span: Span = _span
    name_span: Span = _span
    doc: str | None = _doc


@attrs.frozen(slots=True)
class Let:
    name: str
    value: Expr
    span: Span = _span
    name_span: Span = _span
    doc: str | None = _doc


@attrs.frozen(slots=True)
class Assert:
    """`assert test, "message"`: a design rule, checked against the built model.
    `expect test, "message"` is the same with `soft`: a failure is a warning."""
    test: Expr
    message: Expr
    span: Span = _span
    doc: str | None = _doc
    soft: bool = False


@attrs.frozen(slots=True)
class Attribute:
    name: str
    value: Expr
    span: Span = _span
    name_span: Span = _span
    doc: str | None = _doc


@attrs.frozen(slots=True)
class Index:
    """The repetition of `hall h[1..4]` (start..end) or `hall h[8]` (1..8).
    None: out of range, reported by the parser."""
    start: int | None
    end: int | None
    span: Span = _span


@attrs.frozen(slots=True)
class Block:
    kind: str
    name: str | None
    index: Index | None
    template: Ref | None
    body: tuple["Statement", ...]
    span: Span = _span
    kind_span: Span = _span
    name_span: Span | None = attrs.field(default=None, eq=False, repr=False)
    doc: str | None = _doc


@attrs.frozen(slots=True)
class Template:
    """`template hall std_hall { ... }`: a reusable block body of one kind."""
    kind: str
    name: str
    body: tuple["Statement", ...]
    span: Span = _span
    kind_span: Span = _span
    name_span: Span = _span
    doc: str | None = _doc


Statement = Union[Import, Param, Let, Assert, Attribute, Block, Template]


@attrs.frozen(slots=True)
class Module:
    """One parsed .fac file."""
    path: str
    body: tuple[Statement, ...]
    span: Span = _span


def children(node) -> tuple:
    """The direct child nodes of any node (for generic walks)."""
    if isinstance(node, (Module, Block, Template)):
        return node.body
    if isinstance(node, (Attribute, Let)):
        return (node.value,)
    if isinstance(node, Param):
        return (node.default,) if node.default is not None else ()
    if isinstance(node, (BinOp, Compare, Logic)):
        return (node.left, node.right)
    if isinstance(node, (Neg, Not)):
        return (node.operand,)
    if isinstance(node, Assert):
        return (node.test, node.message)
    if isinstance(node, Size):
        return (node.width, node.depth)
    if isinstance(node, (List, Call)):
        return node.items if isinstance(node, List) else node.args
    return ()


def walk(node):
    """Every node below and including `node`, depth first, without recursion."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(children(n)))
