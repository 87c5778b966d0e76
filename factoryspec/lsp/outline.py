"""textDocument/documentSymbol: the outline of blocks, lets, params and templates."""

from __future__ import annotations

from typing import Sequence

from lsprotocol import types

from ..lang import nodes as n
from .positions import span_to_range

K = types.SymbolKind
_KIND_SYMBOLS = {"site": K.Namespace, "building": K.Module, "hall": K.Struct, "cluster": K.Class,
                 "fabric": K.Interface, "system": K.Object, "switch": K.Object, "media": K.Object}


def document_symbols(module: n.Module | None, lines: Sequence[str], encoding: str) -> list[types.DocumentSymbol]:
    if module is None:
        return []
    return [s for s in (_symbol(stmt, lines, encoding) for stmt in module.body) if s is not None]


def _symbol(stmt, lines: Sequence[str], enc: str) -> types.DocumentSymbol | None:
    if isinstance(stmt, (n.Block, n.Template)):
        return _block(stmt, lines, enc)
    if isinstance(stmt, (n.Let, n.Param, n.Attribute)):
        kind = {n.Let: K.Variable, n.Param: K.Constant, n.Attribute: K.Field}[type(stmt)]
        detail = {n.Let: "let", n.Param: "param", n.Attribute: None}[type(stmt)]
        return types.DocumentSymbol(name=stmt.name, kind=kind, detail=detail,
                                    range=span_to_range(lines, stmt.span, enc),
                                    selection_range=span_to_range(lines, stmt.name_span, enc))
    return None


def _block(block: n.Block | n.Template, lines: Sequence[str], enc: str) -> types.DocumentSymbol:
    is_template = isinstance(block, n.Template)
    name = block.name or block.kind
    if isinstance(block, n.Block) and block.index is not None:
        name += f"[{block.index.start}..{block.index.end}]" if block.index.start is not None else "[...]"
    children = [s for s in (_symbol(x, lines, enc) for x in block.body) if s is not None]
    return types.DocumentSymbol(
        name=name, detail=f"template {block.kind}" if is_template else block.kind,
        kind=K.Class if is_template else _KIND_SYMBOLS.get(block.kind, K.Struct),
        range=span_to_range(lines, block.span, enc),
        selection_range=span_to_range(lines, block.name_span or block.kind_span, enc),
        children=children or None)


def flatten(symbols: list[types.DocumentSymbol], uri: str,
            container: str | None = None) -> list[types.SymbolInformation]:
    """The outline as a flat list, for clients without hierarchical symbols."""
    out = []
    for s in symbols:
        out.append(types.SymbolInformation(name=s.name, kind=s.kind, container_name=container,
                                           location=types.Location(uri=uri, range=s.selection_range)))
        out.extend(flatten(s.children or [], uri, s.name))
    return out
