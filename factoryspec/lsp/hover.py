"""textDocument/hover: docs, vocabulary, units and resolved values."""

from __future__ import annotations

from lsprotocol import types

from ..checks import asserts
from ..lang import nodes as n
from ..lang import vocabulary as v
from . import describe, locate
from .navigation import symbol_for_ref
from .positions import span_to_range
from .state import Snapshot


def hover(snap: Snapshot, line: int, column: int, encoding: str) -> types.Hover | None:
    index = snap.index
    target = locate.target_at(index.module, snap.lines, line, column)
    if target is None:
        return None
    text = _markdown(snap, target)
    if not text:
        return None
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
                       range=span_to_range(snap.lines, target.span, encoding))


def _markdown(snap: Snapshot, t: locate.Target) -> str | None:
    handler = {
        locate.BLOCK_KIND: _block_kind, locate.BLOCK_NAME: _block_name,
        locate.TEMPLATE_NAME: _definition, locate.VALUE_NAME: _definition,
        locate.ATTR_NAME: _attr_name, locate.UNIT: _unit, locate.REF: _ref, locate.IMPORT: _import,
    }[t.kind]
    return handler(snap, t)


def _with_doc(text: str | None, doc: str | None) -> str | None:
    if doc and (not text or doc not in text):
        return f"{text}\n\n{doc}" if text else doc
    return text


def _block_kind(snap: Snapshot, t: locate.Target) -> str | None:
    kind = v.KINDS.get(t.node.kind)
    return describe.kind_markdown(kind) if kind else f"unknown block kind `{t.node.kind}`"


def _block_name(snap: Snapshot, t: locate.Target) -> str | None:
    ents = snap.index.entities_named(t.node.name_span)
    if ents:
        return describe.entity_markdown(ents[0], len(ents))
    return _with_doc(f"**{t.node.kind} {t.node.name}**", t.node.doc)


def _definition(snap: Snapshot, t: locate.Target) -> str | None:
    syms = snap.index.symbols_at(t.node.name_span)
    text = describe.symbol_markdown(syms[0]) if syms else f"**{t.node.name}**"
    return _with_doc(text, t.node.doc)


def _attr_name(snap: Snapshot, t: locate.Target) -> str | None:
    block = t.block
    kind = v.KINDS.get(block.kind) if block is not None else None
    spec = kind.attr(t.node.name) if kind else None
    text = describe.attr_markdown(kind.name, spec) if spec else f"`{t.node.name}` is not an attribute here"
    owner = snap.index.owner.get(id(t.node))
    if owner is not None and t.node.name in owner.values:
        text += f"\n\nvalue: `{describe.value_text(owner.values[t.node.name])}`"
    return _with_doc(text, t.node.doc)


def _unit(snap: Snapshot, t: locate.Target) -> str | None:
    return describe.unit_markdown(t.node.unit) or f"unknown unit `{t.node.unit}`"


def _ref(snap: Snapshot, t: locate.Target) -> str | None:
    uses = snap.index.definitions_used_at(t.node.span)
    if t.node.parts[0] == "plan" and (not uses or uses[0][0] is None):   # no `plan` in the spec
        return _plan(snap, t)
    sym, attr = symbol_for_ref(snap, t.node, t.part)
    if attr is not None:
        ent, name = attr
        kind = v.KINDS.get(ent.kind)
        spec = kind.attr(name) if kind else None
        if spec is None and asserts.is_figure(ent, name):
            return _figure(snap, ent, ent.kind, f"{ent.qualname}.{name}", name)
        text = describe.attr_markdown(kind.name, spec) if spec else f"**{name}**"
        return text + f"\n\n{ent.qualname}.{name} = `{describe.value_text(describe.attr_value(ent, name))}`"
    if sym is None:
        return None
    return describe.symbol_markdown(sym)


def _plan(snap: Snapshot, t: locate.Target) -> str | None:
    """`plan` (not a name of the spec): the figures derived from the model."""
    if t.part == 0 or len(t.node.parts) < 2:
        names = ", ".join(f"`{k}`" for k in asserts.PLAN)
        return f"**plan**: figures derived from the model, for `assert` (as `factoryspec plan` prints them)\n\n{names}"
    name = t.node.parts[1]
    if name not in asserts.PLAN:
        return None
    return _figure(snap, asserts.PLAN_ROOT, "plan", f"plan.{name}", name)


def _figure(snap: Snapshot, owner, kind: str, label: str, name: str) -> str:
    model = snap.checked.model if snap.checked is not None else None
    value = describe.value_text(asserts.figure_value(model, owner, name))
    return f"**{label}** = `{value}` (derived)\n\n{asserts.figure_doc(kind, name)}"


def _import(snap: Snapshot, t: locate.Target) -> str | None:
    stmt: n.Import = t.node
    checked = snap.checked
    if checked is None:
        return None
    for display, targets in checked.program.imports.items():
        for imp, path in targets:
            if imp is stmt:
                return _module_summary(checked, path)
    return None


def _module_summary(checked, path: str) -> str:
    module = checked.program.modules.get(path)
    names = [f"- `{s.kind} {s.name}`" + (f": {s.doc.splitlines()[0]}" if s.doc else "")
             for s in (module.body if module else ()) if isinstance(s, n.Block) and s.name]
    return f"**{path}**\n\n" + ("\n".join(names[:40]) if names else "(no named blocks)")
