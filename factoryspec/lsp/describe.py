"""Plain-text descriptions of values, vocabulary entries and entities (for hover)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ..lang import units as u
from ..lang import vocabulary as v
from ..lang.resolve import ERROR, Entity, TemplateSym, ValueSym


def value_text(value: Any) -> str:
    if value is None:
        return "(not set)"
    if value is ERROR:
        return "(error)"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Fraction):
        return u.format_number(value)
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, Entity):
        return f"{value.kind} {value.qualname}"
    if isinstance(value, tuple) and all(isinstance(x, Fraction) for x in value) and len(value) == 2:
        return f"{u.format_number(value[0])}:{u.format_number(value[1])}"
    if isinstance(value, tuple):
        return "[" + ", ".join(value_text(x) for x in value) + "]"
    return str(value)


def type_text(attr: v.Attr) -> str:
    if attr.ref:
        base = " or ".join(f"a `{k}`" for k in attr.refs)
    elif isinstance(attr.type, tuple):
        base = u.dimension_name(attr.type)
    else:
        base = str(attr.type)
    return f"list of {base}" if attr.many else base


def attr_markdown(kind: str, attr: v.Attr) -> str:
    facts = [f"type: {type_text(attr)}"]
    if attr.required:
        facts.append("required")
    elif attr.default is not None:
        facts.append(f"default: `{value_text(attr.default)}`")
    return f"**{kind}.{attr.name}**: {attr.doc}\n\n" + "; ".join(facts)


def kind_markdown(kind: v.Kind) -> str:
    out = [f"**{kind.name}**: {kind.doc}"]
    if kind.attrs:
        out.append("Attributes: " + ", ".join(f"`{a.name}`" + ("*" if a.required else "") for a in kind.attrs)
                   + "  (* required)")
    if kind.children:
        out.append("Holds: " + ", ".join(f"`{c}`" for c in kind.children))
    places = [k.name for k in v.KINDS.values() if kind.name in k.children]
    where = (["the top level"] if kind.top_level else []) + [f"`{p}`" for p in places]
    if where:
        out.append("Goes in: " + ", ".join(where))
    return "\n\n".join(out)


def unit_markdown(symbol: str) -> str | None:
    found = u.lookup(symbol)
    if found is None:
        return None
    factor, dims = found
    if symbol in u.UNITS:
        name = u.UNITS[symbol][2]
    else:
        num, den = symbol.split("/", 1)
        name = f"{u.UNITS[num][2]} per {u.UNITS[den][2]}"
    si = f"{u.format_number(factor)} in SI base units" if dims != u.NONE else f"x {u.format_number(factor)}"
    return f"**{symbol}**: {name} ({u.dimension_name(dims)}; {si})"


def attr_value(ent: Entity, name: str):
    if name in ent.values:
        return ent.values[name]
    kind = v.KINDS.get(ent.kind)
    a = kind.attr(name) if kind else None
    return a.default if a else None


def _times(count, per) -> Any:
    """count x per, when both are known numbers (per may carry a unit)."""
    if not isinstance(count, Fraction) or count is ERROR:
        return None
    if isinstance(per, u.Quantity):
        return u.Quantity(per.value * count, per.dims)
    if isinstance(per, Fraction):
        return per * count
    return None


def _cluster_figures(ent: Entity) -> list[tuple[str, Any]]:
    racks, system = attr_value(ent, "racks"), attr_value(ent, "system")
    nodes = attr_value(ent, "nodes")
    if not isinstance(system, Entity):
        return [("racks", racks)] if nodes is None else [("nodes", nodes)]
    per = attr_value(system, "nodes_per_rack")
    # a node system's figures are per node: count its nodes (written, or racks x nodes_per_rack)
    units = nodes if per is not None and nodes is not None else _times(racks, per) if per is not None else racks
    head = [("racks", racks)] if nodes is None else [("nodes", nodes)]
    return head + [("system", system),
                   ("GPUs", _times(units, attr_value(system, "gpus"))),
                   ("IT power", _times(units, attr_value(system, "power"))),
                   ("compute ports", _times(units, attr_value(system, "compute_ports"))),
                   ("rack weight", _times(units, attr_value(system, "weight")))]


def _hall_figures(ent: Entity) -> list[tuple[str, Any]]:
    rows, slots, size = attr_value(ent, "rows"), attr_value(ent, "slots_per_row"), attr_value(ent, "size")
    busway, feeds = attr_value(ent, "busway"), attr_value(ent, "feeds")
    per_row = _times(feeds, busway)
    return [("rack slots", _times(rows, slots)), ("floor area", getattr(size, "area", None)),
            ("busway rating (all rows and feeds)", _times(rows, per_row))]


def _set_values(ent: Entity) -> list[tuple[str, Any]]:
    kind = v.KINDS.get(ent.kind)
    names = [a.name for a in kind.attrs] if kind else sorted(ent.exprs)
    return [(name, attr_value(ent, name)) for name in names if name in ent.exprs or attr_value(ent, name) is not None]


def entity_markdown(ent: Entity, instances: int = 1) -> str:
    head = f"**{ent.kind} {ent.qualname}**" if ent.name else f"**{ent.qualname}**"
    if instances > 1:
        head += f" (1 of {instances} repeated blocks)"
    out = [head]
    if ent.doc:
        out.append(ent.doc)
    figures = {"cluster": _cluster_figures, "hall": _hall_figures}.get(ent.kind, lambda e: [])(ent)
    rows = [(k, x) for k, x in figures if x is not None] + \
        [(k, x) for k, x in _set_values(ent) if k not in dict(figures)]
    if rows:
        out.append("\n".join(f"- {k}: `{value_text(x)}`" for k, x in rows))
    if ent.children:
        out.append("Contains: " + ", ".join(f"`{c.name or c.kind}`" for c in ent.children[:20])
                   + (" ..." if len(ent.children) > 20 else ""))
    return "\n\n".join(out)


def symbol_markdown(sym: Any, instances: int = 1) -> str | None:
    if isinstance(sym, Entity):
        return entity_markdown(sym, instances)
    if isinstance(sym, ValueSym):
        what = "param" if sym.node.__class__.__name__ == "Param" else "let"
        text = f"**{what} {sym.node.name}** = `{value_text(sym.value)}`"
        return text + (f"\n\n{sym.node.doc}" if sym.node.doc else "")
    if isinstance(sym, TemplateSym):
        text = f"**template {sym.node.name}** (a `{sym.node.kind}` template)"
        return text + (f"\n\n{sym.node.doc}" if sym.node.doc else "")
    name = getattr(sym, "name", None)
    return f"**{name}**: imported module" if name else None
