"""textDocument/completion: kinds, attributes, units and names.

The context comes from the raw text before the cursor (context.py), which
works while the line is half typed; the names come from the last successful
check of the document (its scopes and entities) and from the catalog.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Sequence

from lsprotocol import types

from ..lang import units as u
from ..lang import vocabulary as v
from ..checks import asserts
from ..lang.resolve import Entity, Namespace, Scope, TemplateSym, ValueSym
from . import catalog, context, describe, locate
from .positions import offset_of, to_position
from .state import Snapshot

CIK = types.CompletionItemKind
KEYWORDS_TOP = ("import", "param", "let", "assert", "expect", "template")
KEYWORDS_BLOCK = ("let", "assert", "expect")
FUNCTIONS = ("min", "max", "ceil", "floor", "round")


def complete(text: str, snap: Snapshot | None, line: int, column: int, encoding: str) -> list[types.CompletionItem]:
    lines = text.split("\n")
    offset = offset_of(lines, line, column)
    ctx = context.classify(text[:offset])
    if ctx.where == context.STATEMENT:
        return _statement_items(ctx, context.assigned_in_block(text, offset, ctx.block_start))
    if ctx.where == context.UNIT:
        return _unit_items(ctx, lines, line, column, encoding)
    if ctx.where == context.IMPORT:
        return _import_items(ctx)
    if ctx.where == context.TEMPLATE:
        return _template_items(ctx, snap)
    if ctx.where == context.VALUE:
        return _value_items(ctx, snap, lines, line, column)
    return []


# ---- statements --------------------------------------------------------------

def _statement_items(ctx: context.Context, assigned: set[str] = frozenset()) -> list[types.CompletionItem]:
    kind = v.KINDS.get(ctx.block_kind) if ctx.block_kind else None
    if ctx.kinds and kind is None:
        return [_kind_item(k) for k in v.KINDS.values()] + [_keyword(w) for w in KEYWORDS_BLOCK]
    if kind is None:
        return [_kind_item(k) for k in v.KINDS.values() if k.top_level] + [_keyword(w) for w in KEYWORDS_TOP]
    items = [_attr_item(kind, a) for a in kind.attrs if a.name not in assigned]   # each is set once
    items += [_kind_item(v.KINDS[c]) for c in kind.children if c in v.KINDS]
    return items + [_keyword(w) for w in KEYWORDS_BLOCK]


def _attr_item(kind: v.Kind, a: v.Attr) -> types.CompletionItem:
    return types.CompletionItem(
        label=a.name, kind=CIK.Property, detail=describe.type_text(a) + (" (required)" if a.required else ""),
        documentation=types.MarkupContent(kind=types.MarkupKind.Markdown, value=describe.attr_markdown(kind.name, a)),
        insert_text=f"{a.name} = ", sort_text=("0" if a.required else "1") + a.name)


def _kind_item(kind: v.Kind) -> types.CompletionItem:
    return types.CompletionItem(
        label=kind.name, kind=CIK.Class, detail="block",
        documentation=types.MarkupContent(kind=types.MarkupKind.Markdown, value=describe.kind_markdown(kind)),
        sort_text="2" + kind.name)


def _keyword(word: str) -> types.CompletionItem:
    return types.CompletionItem(label=word, kind=CIK.Keyword, sort_text="3" + word)


# ---- units -------------------------------------------------------------------

def _expected(ctx: context.Context) -> v.Attr | None:
    kind = v.KINDS.get(ctx.block_kind) if ctx.block_kind else None
    return kind.attr(ctx.attribute) if kind and ctx.attribute else None


def _unit_symbols(attr: v.Attr | None) -> list[str]:
    symbols = list(dict.fromkeys(u.known_symbols()))
    if attr is None:
        return symbols
    if isinstance(attr.type, tuple):
        return [s for s in symbols if (u.lookup(s) or (0, None))[1] == attr.type]
    return ["%", "percent"] if attr.type == v.FRACTION else []


def _unit_items(ctx: context.Context, lines: Sequence[str], line: int, column: int,
                encoding: str) -> list[types.CompletionItem]:
    start = to_position(lines, line, column - len(ctx.partial), encoding)
    end = to_position(lines, line, column, encoding)
    out = []
    for sym in _unit_symbols(_expected(ctx)):
        doc = describe.unit_markdown(sym)
        out.append(types.CompletionItem(
            label=sym, kind=CIK.Unit, detail=doc.split(": ", 1)[-1] if doc else None,
            text_edit=types.TextEdit(range=types.Range(start=start, end=end), new_text=sym),
            filter_text=sym))
    return out


# ---- imports and templates -----------------------------------------------------

def _import_items(ctx: context.Context) -> list[types.CompletionItem]:
    return [types.CompletionItem(label=f"catalog.{m}", kind=CIK.Module, detail="catalog module")
            for m in catalog.modules()]


def _template_items(ctx: context.Context, snap: Snapshot | None) -> list[types.CompletionItem]:
    scope = _top_scope(snap)
    if scope is None:
        return []
    return [types.CompletionItem(label=name, kind=CIK.Class, detail=f"template {sym.node.kind}",
                                 documentation=sym.node.doc)
            for name, sym in _visible(scope)
            if isinstance(sym, TemplateSym) and sym.node.kind == ctx.template_kind]


# ---- values --------------------------------------------------------------------

def _top_scope(snap: Snapshot | None) -> Scope | None:
    resolved = snap.index.resolved if snap is not None else None
    return resolved.scope if resolved is not None else None


def _scope_at(snap: Snapshot | None, line: int, column: int) -> Scope | None:
    if snap is None:
        return None
    block = locate.enclosing_block(snap.index.module, line, column)
    ent = snap.index.entity_for_block(block) if block is not None else None
    return ent.scope if ent is not None else _top_scope(snap)


def _visible(scope: Scope) -> list[tuple[str, Any]]:
    return [(name, scope.lookup(name)) for name in dict.fromkeys(scope.visible())]


def _value_items(ctx: context.Context, snap: Snapshot | None, lines: Sequence[str], line: int,
                 column: int) -> list[types.CompletionItem]:
    scope = _scope_at(snap, line, column)
    attr = _expected(ctx)
    model = snap.checked.model if ctx.in_assert and snap is not None and snap.checked is not None else None
    if "." in ctx.partial:
        head = ctx.partial.rsplit(".", 1)[0]
        if ctx.in_assert and head == "plan" and (scope is None or scope.lookup("plan") is None):
            return _figure_items(model, asserts.PLAN_ROOT, asserts.PLAN)
        return _member_items(scope, head, model, ctx.in_assert) if scope else []
    out = [_name_item(name, sym) for name, sym in (_visible(scope) if scope else [])
           if _fits(sym, attr)]
    if ctx.in_assert:
        out.append(types.CompletionItem(label="plan", kind=CIK.Module, detail="figures derived from the model",
                                        sort_text="1plan"))
    out += _catalog_items(attr, {i.label for i in out}, lines)
    if attr is None or not attr.ref:
        out += [types.CompletionItem(label=f, kind=CIK.Function, sort_text="4" + f) for f in FUNCTIONS]
    if attr is not None and attr.type == v.BOOL:
        out += [_keyword("true"), _keyword("false")]
    return out


def _fits(sym: Any, attr: v.Attr | None) -> bool:
    if isinstance(sym, TemplateSym):
        return False
    if attr is None or not attr.ref:
        return True
    target = sym.value if isinstance(sym, ValueSym) else sym
    if isinstance(sym, Namespace):
        return True
    # the block itself, or one whose path leads to it (`s1` on the way to `s1.b1.h2`)
    return isinstance(target, Entity) and (target.kind in attr.refs or _holds(target, attr.refs))


def _holds(ent: Entity, kinds: tuple[str, ...], depth: int = 0) -> bool:
    return depth < 8 and any(c.kind in kinds or _holds(c, kinds, depth + 1) for c in ent.children)


def _name_item(name: str, sym: Any) -> types.CompletionItem:
    if isinstance(sym, Entity):
        return types.CompletionItem(label=name, kind=CIK.Struct, detail=sym.kind, documentation=sym.doc,
                                    sort_text="0" + name)
    if isinstance(sym, ValueSym):
        return types.CompletionItem(label=name, kind=CIK.Variable, detail=describe.value_text(sym.value),
                                    documentation=sym.node.doc, sort_text="0" + name)
    return types.CompletionItem(label=name, kind=CIK.Module, detail="module", sort_text="1" + name)


def _member_items(scope: Scope, head: str, model=None, in_assert: bool = False) -> list[types.CompletionItem]:
    parts = head.split(".")
    sym = scope.lookup(parts[0])
    for part in parts[1:]:
        sym = _member(sym, part)
    if isinstance(sym, ValueSym):
        sym = sym.value
    if isinstance(sym, Namespace):
        return [_name_item(name, s) for name, s in sym.scope.names.items() if not isinstance(s, TemplateSym)]
    if isinstance(sym, Entity):
        children = [_name_item(c.name, c) for c in sym.children if c.name]
        kind = v.KINDS.get(sym.kind)
        attrs_ = [_attr_value_item(sym, a) for a in (kind.attrs if kind else ())]
        if in_assert:   # derived figures, but not twice where an attribute has the name (racks)
            taken = {i.label for i in children + attrs_}
            figures = {k: f for k, f in asserts.FIGURES.get(sym.kind, {}).items() if k not in taken}
            attrs_ += _figure_items(model, sym, figures)
        return children + attrs_
    return []


def _figure_items(model, owner, figures: dict) -> list[types.CompletionItem]:
    """The derived figures of `plan` or of a block, with their values."""
    return [types.CompletionItem(label=name, kind=CIK.Value,
                                 detail=describe.value_text(asserts.figure_value(model, owner, name)),
                                 documentation=f.doc, sort_text="1" + name)
            for name, f in figures.items()]


def _member(sym: Any, part: str) -> Any:
    if isinstance(sym, ValueSym):
        sym = sym.value
    if isinstance(sym, Namespace):
        return sym.scope.names.get(part)
    if isinstance(sym, Entity):
        return sym.child(part)
    return None


def _attr_value_item(ent: Entity, a: v.Attr) -> types.CompletionItem:
    return types.CompletionItem(label=a.name, kind=CIK.Property,
                                detail=describe.value_text(describe.attr_value(ent, a.name)),
                                documentation=a.doc, sort_text="1" + a.name)


def _catalog_items(attr: v.Attr | None, taken: set[str], lines: Sequence[str]) -> list[types.CompletionItem]:
    out = []
    imported = _imported_modules(lines)
    for item in catalog.items():
        if item.name in taken or (attr is not None and attr.ref and item.kind not in attr.refs):
            continue
        edits = None if item.module in imported else [_import_edit(item.module, lines)]
        out.append(types.CompletionItem(
            label=item.name, kind=CIK.Constant, sort_text="2" + item.name,
            detail=f"{item.kind} from catalog.{item.module}" + ("" if edits is None else " (adds the import)"),
            documentation=item.doc, additional_text_edits=edits))
    return out


_IMPORT_LINE = re.compile(r"^\s*import\s+catalog\.(\w+)")


def _imported_modules(lines: Iterable[str]) -> set[str]:
    return {m.group(1) for m in map(_IMPORT_LINE.match, lines) if m}


def _import_edit(module: str, lines: Sequence[str]) -> types.TextEdit:
    """Insert `import catalog.MODULE` after the last import (or at the top)."""
    last = max((i + 1 for i, text in enumerate(lines) if re.match(r"^\s*import\b", text)), default=0)
    pos = types.Position(line=last, character=0)
    return types.TextEdit(range=types.Range(start=pos, end=pos), new_text=f"import catalog.{module}\n")
