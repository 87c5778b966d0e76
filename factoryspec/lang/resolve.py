"""Program (ASTs) to resolved entities: names bound, templates and repetition
expanded, values evaluated exactly with units, and checked against the
vocabulary.

Evaluation is lazy and memoised, so definitions may appear in any order;
a value that depends on itself is a `reference-cycle`. Diagnostics are
collected, never raised: an erroneous value becomes `ERROR`, which silences
follow-on diagnostics about the same value.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Iterator

import attrs

from . import limits
from . import nodes as n
from . import units as u
from . import vocabulary as v
from ..diagnostics import Diagnostic, Span, error, warning
from .loader import Program
from .suggest import closest, did_you_mean, nearest
from .suggest import exhausted as suggest_exhausted

MAX_REPEAT = 10_000   # instances from one `[a..b]`
INDEX = "index"       # the name a repeated block's copies know their number by
MAX_COUNT = 10**7     # any whole-number attribute
MAX_DEPTH = 64        # blocks inside blocks, templates included (as the parser's nesting)


class _Error:
    """An erroneous value; already diagnosed."""

    def __repr__(self) -> str:
        return "ERROR"


ERROR = _Error()


@attrs.frozen
class RatioValue:
    left: Fraction
    right: Fraction

    def __str__(self) -> str:
        return f"{u.format_number(self.left)}:{u.format_number(self.right)}"


@attrs.frozen
class RangeValue:
    start: int
    end: int

    def __str__(self) -> str:
        return f"{self.start}..{self.end}"


@attrs.frozen
class SizeValue:
    width: u.Quantity
    depth: u.Quantity

    @property
    def area(self) -> u.Quantity:
        return self.width * self.depth

    def __str__(self) -> str:
        return f"{self.width} x {self.depth}"


@attrs.define(eq=False, repr=False)
class Entity:
    """One block instance (after template and repetition expansion)."""
    kind: str
    name: str | None
    qualname: str
    span: Span
    name_span: Span | None
    doc: str | None
    parent: "Entity | None"
    module: str
    scope: "Scope"
    exprs: dict[str, n.Attribute] = attrs.Factory(dict)   # attribute -> the statement that sets it
    values: dict[str, Any] = attrs.Factory(dict)          # evaluated (memo)
    inherited: set[str] = attrs.Factory(set)              # attributes set by the template
    children: list["Entity"] = attrs.Factory(list)
    template: "TemplateSym | None" = None                 # the template whose body it was built from
    repeat: int = 1        # copies its declaration makes in its parent (`h[1..4]`: 4)
    copies: int = 1        # copies of its declaration in the whole spec (the repeats above multiplied)
    depth: int = 0         # blocks above it
    decl: tuple = ()       # identifies its declaration in its place: the expansion budget's key
    _index: tuple = (-1, None)  # (children counted, name -> first child of that name): see child()

    def __repr__(self) -> str:
        return f"<{self.kind} {self.qualname}>"

    @property
    def label(self) -> str:
        return f"{self.kind} {self.qualname}" if self.name else self.qualname

    def attr_span(self, name: str) -> Span:
        """Where an attribute was set, or the block header when defaulted."""
        stmt = self.exprs.get(name)
        return stmt.value.span if stmt else (self.name_span or self.span)

    def child(self, name: str) -> "Entity | None":
        """The first child of that name. Indexed (anew whenever children were added
        since): a site of 10,000 clusters was scanned once per reference into it."""
        seen, index = self._index
        if seen != len(self.children):
            index = {}
            for c in self.children:
                if c.name is not None:
                    index.setdefault(c.name, c)
            self._index = (len(self.children), index)
        return index.get(name)

    def walk(self) -> Iterator["Entity"]:
        stack = [self]
        while stack:
            e = stack.pop()
            yield e
            stack.extend(reversed(e.children))


@attrs.define(eq=False)
class ValueSym:
    """A `let` or `param`, evaluated on first use."""
    node: n.Let | n.Param
    scope: "Scope"
    module: str
    value: Any = None
    state: int = 0      # 0 new, 1 evaluating, 2 done
    used: bool = False


@attrs.define(eq=False)
class AssertSym:
    """An `assert`, with the scope its names are looked up in. Asserts are
    checked once the model is built (factoryspec/checks/asserts.py); one inside a
    template or a repeated block is checked for each instance (`owner`)."""
    node: n.Assert
    scope: "Scope"
    owner: "Entity | None"
    module: str


@attrs.define(eq=False)
class TemplateSym:
    node: n.Template
    scope: "Scope"
    module: str
    used: bool = False


@attrs.define(eq=False)
class Namespace:
    """An aliased import or a catalog module: `nvidia.gb300_nvl72`."""
    name: str
    scope: "Scope"
    span: Span


class _Budgeted(list):
    """The resolver's diagnostics, at most limits.MAX_DIAGNOSTICS per file: a
    spec that repeats one mistake over thousands of blocks says so in one
    line, not in 300,000."""

    def __init__(self):
        super().__init__()
        self.per_file: dict[str | None, int] = {}
        self.dropped: dict[str | None, int] = {}

    def append(self, d: Diagnostic) -> None:
        file = d.span.file if d.span else None
        seen = self.per_file.get(file, 0)
        if seen >= limits.MAX_DIAGNOSTICS:
            self.dropped[file] = self.dropped.get(file, 0) + 1
            return
        self.per_file[file] = seen + 1
        super().append(d)

    def extend(self, ds) -> None:
        for d in ds:
            self.append(d)

    def full(self, span: Span | None) -> bool:
        """Whether a diagnostic at `span` would be dropped: then its hint (a
        did-you-mean, a listing of blocks) need not be worked out."""
        file = span.file if span else None
        return self.per_file.get(file, 0) >= limits.MAX_DIAGNOSTICS

    def summarise(self) -> None:
        """One closing diagnostic per file that lost some."""
        for file, n_dropped in self.dropped.items():
            span = Span.point(file, 1, 1) if file else None
            super().append(error("too-many-diagnostics", f"{n_dropped:,} more diagnostics in this file are not "
                                 f"shown (at most {limits.MAX_DIAGNOSTICS:,} per file)", span,
                                 "fix the first ones: most are probably repeats"))
        self.dropped.clear()


class Scope:
    def __init__(self, parent: "Scope | None" = None):
        self.parent = parent
        self.names: dict[str, Any] = {}

    def lookup(self, name: str):
        s = self
        while s is not None:
            if name in s.names:
                return s.names[name]
            s = s.parent
        return None

    def visible(self) -> list[str]:
        out, s = [], self
        while s is not None:
            out.extend(s.names)
            s = s.parent
        return out


def definition_span(sym) -> Span | None:
    if isinstance(sym, Entity):
        return sym.name_span or sym.span
    if isinstance(sym, ValueSym):
        return sym.node.name_span
    if isinstance(sym, TemplateSym):
        return sym.node.name_span
    if isinstance(sym, Namespace):
        return sym.span
    return None


@attrs.define
class Resolved:
    program: Program
    roots: list[Entity]                  # top-level entities of user modules (not the catalog)
    catalog: list[Entity]                # entities defined in catalog modules
    scope: Scope                         # the entry module's top-level scope
    params: dict[str, Any]
    diagnostics: list[Diagnostic]
    references: list[tuple[Span, Span | None, str]]   # (use, definition, name) for the editor
    symbols: list[tuple[str, str, Span, Any]]         # (name, kind, span, symbol) definitions
    resolver: "Resolver | None" = None               # for later phases: `resolver.attr(entity, name)`
    asserts: list[AssertSym] = attrs.Factory(list)    # checked after the model is built (checks/asserts.py)

    def entities(self, kind: str | None = None) -> list[Entity]:
        out = []
        for root in self.roots:
            for e in root.walk():
                if kind is None or e.kind == kind:
                    out.append(e)
        return out


class Resolver:
    def __init__(self, program: Program, variables: dict[str, str] | None = None):
        self.program = program
        self.variables = dict(variables or {})
        self.diags: list[Diagnostic] = _Budgeted()
        self.references: list[tuple[Span, Span | None, str]] = []
        self.symbols: list[tuple[str, str, Span, Any]] = []
        self.module_scopes: dict[str, Scope] = {}
        self.roots: list[Entity] = []
        self.catalog: list[Entity] = []
        self.all_entities: list[Entity] = []
        self.value_syms: list[ValueSym] = []
        self.templates: list[TemplateSym] = []
        self.asserts: list[AssertSym] = []
        self.instances = 0                  # block instances made or reserved (limits.MAX_INSTANCES)
        self.statements = 0                 # statements those instances hold (limits.MAX_STATEMENTS)
        self.fabrics = 0                    # fabric instances among them (limits.MAX_FABRICS)
        self.reserved: dict[tuple, bool] = {}   # declaration -> whether its instances fit the budget
        self.expanding: list[TemplateSym] = []  # templates being instantiated, innermost last
        # The figures derived from the model (plan.racks, CLUSTER.gpus ...):
        # set only while asserts are checked, see factoryspec/checks/asserts.py.
        self.derived = None
        # The block kinds the attribute being evaluated must name (`halls`:
        # hall, building), so an undefined reference can list those.
        self.expecting: tuple[str, ...] = ()
        # id(Number node) -> (node, its value): a repeated block evaluates the
        # same literals once per copy; unit scaling and the range check are a
        # good part of resolving 100,000 copies. Errors are not kept (each
        # evaluation reports its own).
        self.numbers: dict[int, tuple] = {}
        self._nested: dict[str, str] | None = None     # see _nested_by_name
        self._catalog_seen: dict[int, bool] = {}        # see _sees_catalog
        self._listings: dict = {}                       # see _children_listing

    # ---- declaration pass ------------------------------------------------
    def run(self) -> Resolved:
        prog = self.program
        for path in prog.scope_order():   # imports first, so no import chain recurses (loader.py)
            self._module_scope(path)
        entry_scope = self._module_scope(prog.entry) if prog.entry in prog.modules else Scope()
        self._apply_variables(entry_scope)
        for e in list(self.all_entities):
            self._check_entity(e)
        # Lazy evaluation would skip what nothing uses; a check must see it all.
        for sym in list(self.value_syms):
            self._value_of(sym)
        self._mark_assert_names()
        self._warn_unused()
        self.diags.summarise()
        params = {s.node.name: self._value_of(s) for s in self.value_syms
                  if isinstance(s.node, n.Param) and s.module == prog.entry}
        return Resolved(prog, self.roots, self.catalog, entry_scope, params, self.diags,
                        self.references, self.symbols, self, self.asserts)

    def _mark_assert_names(self) -> None:
        """Asserts are evaluated after the model, so a `let` only an assert
        uses must not be reported unused now: mark what their names reach."""
        refs: dict[int, list[n.Ref]] = {}    # an assert of a repeated block: walked once
        for a in self.asserts:
            if id(a.node) not in refs:
                refs[id(a.node)] = [x for x in n.walk(a.node) if isinstance(x, n.Ref)]
            for node in refs[id(a.node)]:
                sym = a.scope.lookup(node.parts[0])
                for part in node.parts[1:]:
                    if not isinstance(sym, Namespace):
                        break
                    sym = sym.scope.names.get(part)
                self._mark_used(sym)

    def _module_scope(self, path: str) -> Scope:
        if path in self.module_scopes:
            return self.module_scopes[path]
        scope = Scope()
        self.module_scopes[path] = scope
        module = self.program.modules.get(path)
        if module is None:
            return scope
        is_catalog = self.program.is_catalog(path)
        for stmt, target in self.program.imports.get(path, []):
            if target not in self.program.modules or target == path:
                continue
            imported = self._module_scope(target)
            if stmt.alias or not stmt.is_path:
                ns_name = stmt.alias or stmt.target.split(".")[-1]
                self._declare(scope, ns_name, Namespace(ns_name, imported, stmt.span), stmt.span)
            if not stmt.alias:
                for name, sym in imported.names.items():
                    if not isinstance(sym, Namespace) and name not in scope.names:
                        scope.names[name] = sym
        for stmt in _templates_first(module.body):
            self._declare_stmt(stmt, scope, None, path, is_catalog)
        return scope

    def _declare(self, scope: Scope, name: str, sym, span: Span) -> None:
        prev = scope.names.get(name)
        if prev is not None and not isinstance(prev, Namespace):
            where = definition_span(prev)
            hint = f"first defined at {where.file}:{where.line}" if where else None
            self.diags.append(error("duplicate-name", f"`{name}` is already defined in this scope", span, hint))
            return
        scope.names[name] = sym
        self.symbols.append((name, _sym_kind(sym), span, sym))

    def _declare_stmt(self, stmt, scope: Scope, parent: Entity | None, module: str, is_catalog: bool,
                      from_template: bool = False):
        if isinstance(stmt, n.Attribute):  # by far the most common statement: test it first
            if parent is None:
                self.diags.append(error("misplaced-block", f"attribute `{stmt.name}` outside any block",
                                        stmt.span, f"use `let {stmt.name} = ...` for a top-level value"))
            elif stmt.name in parent.exprs and stmt.name not in parent.inherited:
                first = parent.exprs[stmt.name].span
                self.diags.append(error("duplicate-attribute", f"`{stmt.name}` is set twice in {parent.label}",
                                        stmt.span, f"first set at line {first.line}"))
            else:
                # An instance may override what its template set, once.
                parent.exprs[stmt.name] = stmt
                if from_template:
                    parent.inherited.add(stmt.name)
                else:
                    parent.inherited.discard(stmt.name)
        elif isinstance(stmt, n.Block):
            for ent in self._instantiate(stmt, scope, parent, module):
                if parent is None:
                    (self.catalog if is_catalog else self.roots).append(ent)
                else:
                    parent.children.append(ent)
                if ent.name is not None:
                    self._declare(scope, ent.name, ent, ent.name_span or ent.span)
        elif isinstance(stmt, (n.Let, n.Param)):
            sym = ValueSym(stmt, scope, module)
            if isinstance(stmt, n.Param) and parent is not None:
                self.diags.append(error("misplaced-block", "`param` is only allowed at the top level of a file",
                                        stmt.span, "use `let` inside blocks"))
            self.value_syms.append(sym)
            self._declare(scope, stmt.name, sym, stmt.name_span)
        elif isinstance(stmt, n.Template):
            sym = TemplateSym(stmt, scope, module)
            self.templates.append(sym)
            if stmt.kind not in v.KINDS:
                self._unknown_kind(stmt.kind, stmt.kind_span)
            self._declare(scope, stmt.name, sym, stmt.name_span)
        elif isinstance(stmt, n.Assert):
            self.asserts.append(AssertSym(stmt, scope, parent, module))
        elif isinstance(stmt, n.Import) and parent is not None:
            self.diags.append(error("misplaced-block", "`import` is only allowed at the top level of a file",
                                    stmt.span))

    def _instantiate(self, block: n.Block, scope: Scope, parent: Entity | None, module: str) -> list[Entity]:
        kind = v.KINDS.get(block.kind)
        if kind is None:
            self._unknown_kind(block.kind, block.kind_span)
        elif parent is not None and parent.kind in v.KINDS and block.kind not in v.KINDS[parent.kind].children:
            allowed = ", ".join(v.KINDS[parent.kind].children) or "no blocks"
            self.diags.append(error("misplaced-block", f"a `{block.kind}` block cannot go inside {parent.kind}",
                                    block.kind_span, f"{parent.kind} holds: {allowed}"))
        elif parent is None and not kind.top_level:
            places = [k.name for k in v.KINDS.values() if block.kind in k.children]
            self.diags.append(error("misplaced-block", f"a `{block.kind}` block cannot stand at the top level",
                                    block.kind_span, f"put it inside: {', '.join(places)}"))
        if kind is not None and kind.named and block.name is None:
            self.diags.append(error("missing-name", f"a `{block.kind}` block needs a name",
                                    block.kind_span, f"write `{block.kind} NAME {{ ... }}`"))

        depth = parent.depth + 1 if parent is not None else 0
        if depth > MAX_DEPTH:
            self.diags.append(error("too-deep", f"blocks nest more than {MAX_DEPTH} deep here (templates "
                                    "included)", block.kind_span, "flatten the templates"))
            return []
        template = self._template_for(block, scope)
        if template is not None and not self._enter_template(template, block):
            template = None
        try:
            idx = block.index
            if idx is not None and idx.start is not None and idx.end is not None and \
                    1 <= idx.end - idx.start + 1 <= MAX_REPEAT and \
                    not self._within_budget(block, parent, idx.end - idx.start + 1, template):
                return []       # decided before making the names: a spent budget costs nothing more
            names: list[str | None] = [block.name]
            if idx is not None:
                names = self._repeat_names(block)
            if idx is None and not self._within_budget(block, parent, 1, template):
                return []
            return [self._instance(block, scope, parent, module, template, i, name, len(names))
                    for i, name in enumerate(names)]
        finally:
            if template is not None:
                self.expanding.pop()

    def _instance(self, block: n.Block, scope: Scope, parent: Entity | None, module: str,
                  template: "TemplateSym | None", i: int, name: str | None, repeat: int) -> Entity:
        qual = name or block.kind
        if parent is not None:
            qual = f"{parent.qualname}.{qual}"
        ent = Entity(block.kind, name, qual, block.span, block.name_span, block.doc, parent, module,
                     Scope(scope))
        ent.repeat = repeat
        ent.copies = repeat * (parent.copies if parent is not None else 1)
        ent.depth = parent.depth + 1 if parent is not None else 0
        ent.decl = (id(block), parent.decl if parent is not None else ())
        if block.index is not None:
            self._declare_index(ent.scope, block.index, block.index.start + i, module)
        if template is not None:
            ent.template = template
            ent.doc = ent.doc or template.node.doc
            for stmt in _templates_first(template.node.body):
                self._declare_stmt(stmt, ent.scope, ent, template.module, False, from_template=True)
        for stmt in _templates_first(block.body):
            self._declare_stmt(stmt, ent.scope, ent, module, False)
        self.all_entities.append(ent)
        return ent

    def _enter_template(self, template: "TemplateSym", block: n.Block) -> bool:
        """Push `template` on the expansion stack, or report (and refuse) a
        template that instantiates itself, directly or through others: its
        expansion would never end."""
        if template in self.expanding:
            chain = self.expanding[self.expanding.index(template):] + [template]
            path = " -> ".join(t.node.name for t in chain)
            self.diags.append(error("template-cycle", f"template `{template.node.name}` instantiates itself "
                                    f"({path})", block.template.span,
                                    "a template cannot contain a block made from itself"))
            return False
        self.expanding.append(template)
        return True

    def _within_budget(self, block: n.Block, parent: Entity | None, count: int,
                       template: "TemplateSym | None" = None) -> bool:
        """Whether the instances of this declaration (in this place), and the
        statements each copy holds, fit the spec's budgets. Decided once, on
        its first expansion, for all the copies its enclosing repetitions will
        make: so either every copy expands or none does, and the error names
        the product that crossed the line."""
        key = (id(block), parent.decl if parent is not None else ())
        if key in self.reserved:
            return self.reserved[key]
        total = count * (parent.copies if parent is not None else 1)
        each = len(block.body) + (len(template.node.body) if template is not None else 0)
        fabrics = total if block.kind == "fabric" else 0
        ok_blocks = self.instances + total <= limits.MAX_INSTANCES
        ok_statements = self.statements + total * each <= limits.MAX_STATEMENTS
        ok = ok_blocks and ok_statements and self.fabrics + fabrics <= limits.MAX_FABRICS
        self.reserved[key] = ok
        if ok:
            self.instances += total
            self.statements += total * each
            self.fabrics += fabrics
            return True
        span = block.index.span if block.index is not None else block.kind_span
        if not ok_blocks:
            what = f"the spec would expand to {self.instances + total:,} blocks, more than {limits.MAX_INSTANCES:,}"
        elif not ok_statements:
            what = (f"{total:,} copies of {each:,} statements each: the spec would expand to "
                    f"{self.statements + total * each:,} statements, more than {limits.MAX_STATEMENTS:,}")
        else:
            what = (f"the spec would have {self.fabrics + fabrics:,} fabrics, more than {limits.MAX_FABRICS:,} "
                    f"(a cluster's fabrics are few: compute, storage, management; `planes` copies one)")
        self.diags.append(error("too-many-instances", f"{_product(block, parent, count, total)}: {what}", span,
                                "repetitions multiply: model fewer, larger blocks, or split the campus into "
                                "several specs"))
        return False

    def _template_for(self, block: n.Block, scope: Scope) -> TemplateSym | None:
        if block.template is None:
            return None
        sym = self._lookup_path(block.template, scope)
        if sym is ERROR:
            return None
        if not isinstance(sym, TemplateSym):
            self.diags.append(error("type-mismatch", f"`{block.template.dotted}` is not a template",
                                    block.template.span))
            return None
        sym.used = True
        if sym.node.kind != block.kind:
            self.diags.append(error("type-mismatch",
                                    f"template `{sym.node.name}` is a `{sym.node.kind}` template, "
                                    f"not a `{block.kind}` one", block.template.span))
            return None
        return sym

    def _declare_index(self, scope: Scope, idx, value: int, module: str) -> None:
        """`index` in a repeated block (and its template): which copy this is,
        `3` in `b3` of `b[1..8]`, so a copy can compute e.g. its `position`."""
        number = n.Number(Fraction(value), None, span=idx.span)
        node = n.Let(INDEX, number, span=idx.span, name_span=idx.span,
                     doc=f"The copy's number in its repetition [{idx.start}..{idx.end}]: {value}.")
        sym = ValueSym(node, scope, module, value=u.Quantity(Fraction(value), u.NONE), state=2, used=True)
        self._declare(scope, INDEX, sym, idx.span)

    def _repeat_names(self, block: n.Block) -> list[str]:
        idx = block.index
        if idx.start is None or idx.end is None:
            return []           # a number out of range: the parser reported it
        count = idx.end - idx.start + 1
        if count < 1:
            self.diags.append(error("invalid-value", f"empty repetition [{idx.start}..{idx.end}]", idx.span,
                                    "the range must run upwards, e.g. [1..4]"))
            return []
        if count > MAX_REPEAT:
            self.diags.append(error("invalid-value", f"repetition of {count:,} blocks; at most {MAX_REPEAT:,}",
                                    idx.span))
            return []
        return [f"{block.name}{i}" for i in range(idx.start, idx.end + 1)]

    def _unknown_kind(self, name: str, span: Span) -> None:
        hint = did_you_mean(name, v.KINDS) or f"block kinds: {', '.join(v.kind_names())}"
        self.diags.append(error("unknown-kind", f"unknown block kind `{name}`", span, hint))

    def _apply_variables(self, scope: Scope) -> None:
        from .parser import parse  # local: variables are rare, parsing them is cheap
        for name, text in self.variables.items():
            sym = scope.names.get(name)
            if not isinstance(sym, ValueSym) or not isinstance(sym.node, n.Param):
                params = [k for k, s in scope.names.items() if isinstance(s, ValueSym) and isinstance(s.node, n.Param)]
                self.diags.append(error("unknown-var", f"--var {name}: the spec declares no `param {name}`", None,
                                        did_you_mean(name, params) or
                                        (f"params: {', '.join(params)}" if params else "the spec has no params")))
                continue
            result = parse(f"let {name} = {text}\n", f"--var {name}")
            stmt = result.module.body[0] if result.module and len(result.module.body) == 1 else None
            if result.diagnostics or not isinstance(stmt, n.Let):
                self.diags.append(error("syntax", f"--var {name}={text}: not a valid value", None,
                                        "values are written as in a spec: 1.3, 200 MW, \"2N\""))
                continue
            sym.value, sym.state = self.eval(stmt.value, scope), 2

    # ---- evaluation --------------------------------------------------------
    def _value_of(self, sym: ValueSym):
        if sym.state == 2:
            return sym.value
        if sym.state == 1:
            self.diags.append(error("reference-cycle", f"`{sym.node.name}` depends on itself", sym.node.span))
            sym.value, sym.state = ERROR, 2
            return ERROR
        sym.state = 1
        expr = sym.node.value if isinstance(sym.node, n.Let) else sym.node.default
        if expr is None:
            self.diags.append(error("missing-param", f"param `{sym.node.name}` has no default and no --var",
                                    sym.node.span, f"pass --var {sym.node.name}=VALUE or give it a default"))
            value = ERROR
        else:
            value = self.eval(expr, sym.scope)
        if sym.state == 1:
            sym.value, sym.state = value, 2
        return sym.value

    def attr(self, ent: Entity, name: str):
        """The evaluated value of an attribute, its default, or None."""
        if name in ent.values:
            value = ent.values[name]
            if value is _EVALUATING:
                self.diags.append(error("reference-cycle", f"`{ent.qualname}.{name}` depends on itself",
                                        ent.attr_span(name)))
                ent.values[name] = ERROR
                return ERROR
            return value
        stmt = ent.exprs.get(name)
        if stmt is None:
            kind = v.KINDS.get(ent.kind)
            a = kind.attr(name) if kind else None
            return a.default if a else None
        ent.values[name] = _EVALUATING
        kind = v.KINDS.get(ent.kind)
        spec = kind.attr(name) if kind else None
        outer, self.expecting = self.expecting, (spec.refs if spec is not None else ())
        try:
            value = self.eval(stmt.value, ent.scope)
        finally:
            self.expecting = outer
        value = self._check_attr(ent, stmt, value)
        ent.values[name] = value
        return value

    def eval(self, expr, scope: Scope):
        method = getattr(self, "_eval_" + type(expr).__name__)
        try:
            return method(expr, scope)
        except RecursionError:
            self.diags.append(error("too-deep", "expression too deeply nested", expr.span))
            return ERROR

    def _eval_Number(self, e: n.Number, scope):
        known = self.numbers.get(id(e))
        if known is not None and known[0] is e:
            return known[1]
        value = self._number(e)
        if value is not ERROR:
            self.numbers[id(e)] = (e, value)      # the node is kept alive, so its id stays its own
        return value

    def _number(self, e: n.Number):
        if e.value is None:
            return ERROR        # out of range: the parser reported it
        if e.unit is None:
            return self._bounded(u.Quantity(e.value), e.span)
        found = u.lookup(e.unit)
        if found is None:
            hint = did_you_mean(e.unit, u.known_symbols()) or "see `factoryspec explain unknown-unit`"
            self.diags.append(error("unknown-unit", f"unknown unit `{e.unit}`", e.unit_span or e.span, hint))
            return ERROR
        return self._bounded(u.Quantity(e.value * found[0], found[1]), e.span)

    def _bounded(self, q: u.Quantity, span: Span):
        """`q`, or ERROR (reported) when it is beyond limits.py's bounds: every
        later phase may then rely on bounded values."""
        problem = limits.value_problem(q.value)
        if problem is None:
            return q
        self.diags.append(error("number-too-large", f"this value is out of range: {problem}", span,
                                limits.RANGE_TEXT))
        return ERROR

    def _eval_String(self, e: n.String, scope):
        return e.value

    def _eval_Bool(self, e: n.Bool, scope):
        return e.value

    def _eval_Ratio(self, e: n.Ratio, scope):
        if e.left is None or e.right is None:
            return ERROR        # out of range: the parser reported it
        for side in (e.left, e.right):
            if not limits.in_range(side):
                return self._bounded(u.Quantity(side), e.span)
        if e.left <= 0 or e.right <= 0:
            self.diags.append(error("invalid-value", "both sides of a ratio must be positive", e.span))
            return ERROR
        return RatioValue(e.left, e.right)

    def _eval_Range(self, e: n.Range, scope):
        if e.start is None or e.end is None:
            return ERROR        # out of range: the parser reported it
        return RangeValue(e.start, e.end)

    def _eval_Size(self, e: n.Size, scope):
        w, d = self.eval(e.width, scope), self.eval(e.depth, scope)
        if w is ERROR or d is ERROR:
            return ERROR
        for part, val in ((e.width, w), (e.depth, d)):
            if not isinstance(val, u.Quantity) or val.dims != u.LENGTH:
                self.diags.append(error("unit-mismatch", f"a size is `length x length`; this side is "
                                        f"{_describe(val)}", part.span, "e.g. `120 m x 60 m`"))
                return ERROR
        return SizeValue(w, d)

    def _eval_List(self, e: n.List, scope):
        items = tuple(self.eval(x, scope) for x in e.items)
        return ERROR if any(i is ERROR for i in items) else items

    def _eval_Ref(self, e: n.Ref, scope):
        target = self._lookup_path(e, scope)
        if isinstance(target, ValueSym):
            return self._value_of(target)
        if isinstance(target, (TemplateSym, Namespace)):
            self.diags.append(error("type-mismatch", f"`{e.dotted}` is a {_sym_kind(target)}, not a value", e.span))
            return ERROR
        if isinstance(target, Fraction):
            # Checked counts and numbers are stored as Fractions (the model
            # wants them so); in an expression they are plain quantities.
            return u.Quantity(target)
        return target

    def _lookup_path(self, e: n.Ref, scope: Scope):
        """Resolve `a.b.c`: a name in scope, then children, attributes or namespace members."""
        head = e.parts[0]
        sym = scope.lookup(head)
        if sym is None and self.derived is not None:
            sym = self.derived.root(head)     # `plan`
        if sym is None:
            hint = (None if self.diags.full(e.span) else
                    "`index` exists inside a repeated block, e.g. `building b[1..4] { ... }`"
                    if head == INDEX else self._undefined_hint(head, scope))
            self.diags.append(error("undefined-reference", f"`{head}` is not defined", e.span, hint))
            return ERROR
        self._mark_used(sym)
        self.references.append((e.span, definition_span(sym), head))
        for part in e.parts[1:]:
            if isinstance(sym, ValueSym):
                sym = self._value_of(sym)
            if isinstance(sym, Namespace):
                nxt = sym.scope.names.get(part)
                options = list(sym.scope.names)
            elif isinstance(sym, Entity):
                nxt = sym.child(part)
                if nxt is None and self.derived is not None:
                    figure = self.derived.member(sym, part)
                    if figure is not None:
                        sym = figure
                        continue
                if nxt is None and (part in sym.exprs or _has_attr(sym, part)):
                    self.references.append((e.span, sym.attr_span(part), part))
                    return self.attr(sym, part)
                # the names a did-you-mean compares against, only for a diagnostic that is shown
                options = None if nxt is not None or self.diags.full(e.span) else (
                    [c.name for c in sym.children if c.name] + list(sym.exprs) + self._figure_names(sym))
            elif self.derived is not None and self.derived.is_root(sym):
                nxt = self.derived.member(sym, part)
                if nxt is None:
                    self.diags.append(error("undefined-reference", f"`{part}` is not a figure of `{head}`",
                                            e.span, did_you_mean(part, self._figure_names(sym))))
                    return ERROR
                sym = nxt
                continue
            else:
                if sym is not ERROR:
                    self.diags.append(error("type-mismatch", f"`{part}`: {_describe(sym)} has no members", e.span))
                return ERROR
            if nxt is None and self.diags.full(e.span):
                self.diags.append(error("undefined-reference", f"`{part}` is not defined in `{_label(sym)}`",
                                        e.span))          # counted, not shown: no hint worked out
                return ERROR
            if nxt is None:
                hint = did_you_mean(part, options) or self._figure_hint(sym, part)
                # Where a block is expected, list the blocks; elsewhere (an
                # assert's `s.train.gpu`) only when no near name answers.
                if isinstance(sym, Entity) and (self.expecting or hint is None):
                    hint = _join(hint, self._children_listing(sym, part))
                self.diags.append(error("undefined-reference", f"`{part}` is not defined in `{_label(sym)}`",
                                        e.span, hint))
                return ERROR
            self._mark_used(nxt)
            sym = nxt
        return sym

    def _figure_names(self, owner) -> list[str]:
        """Derived figures of `owner` (a block or `plan`) while asserts are checked."""
        return self.derived.names(owner) if self.derived is not None else []

    def _figure_hint(self, owner, name: str) -> str | None:
        """Outside an assert, a derived figure is not a value yet: say so."""
        from ..checks import asserts  # local: only on this error path
        if self.derived is None and asserts.is_figure(owner, name):
            return f"`{name}` is derived from the model: only an `assert` can use it"
        return None

    def _undefined_hint(self, name: str, scope: Scope) -> str | None:
        if name == "plan" and self.derived is None:
            return "`plan.racks` and the other derived figures can only be used in an `assert`"
        nested = self._nested_by_name().get(name)
        if nested:
            return f"`{name}` is nested: write `{nested}`"
        if suggest_exhausted():          # every hint below compares against every name in scope
            return None
        hint = _join(did_you_mean(name, scope.visible()), self._blocks_listing(name, scope))
        if hint:
            return hint
        return None if self._sees_catalog(scope) else "catalog items need `import catalog.nvidia`"

    def _sees_catalog(self, scope: Scope) -> bool:
        """Whether a catalog namespace is visible from `scope`. Imports stand at a
        file's top level, so only the outermost scope can hold one: scanning every
        visible name per undefined reference was quadratic in a large campus."""
        while scope.parent is not None:
            scope = scope.parent
        key = id(scope)
        if key not in self._catalog_seen:
            self._catalog_seen[key] = any(isinstance(scope.lookup(k), Namespace) for k in scope.names)
        return self._catalog_seen[key]

    def _nested_by_name(self) -> dict[str, str]:
        """name -> qualname of the first nested block of that name: built once, on
        the first undefined name (a scan per reference was quadratic in a campus
        of 20,000 blocks with many bad references)."""
        if self._nested is None:
            self._nested = {}
            for e in self.all_entities:
                if e.name and e.parent is not None:
                    self._nested.setdefault(e.name, e.qualname)
        return self._nested

    def _children_listing(self, owner: Entity, name: str) -> str | None:
        """`halls of childress.b1: h1, h2, h3, h4`: the children of the kind the
        attribute expects, or else of the kind of the nearest-named child. Once
        per owner, name and expected kinds: 10,000 instances of one block make
        the same mistake 10,000 times, and each listing scans every child."""
        key = (id(owner), name, self.expecting)
        if key not in self._listings:
            self._listings[key] = self._list_children(owner, name)
        return self._listings[key]

    def _list_children(self, owner: Entity, name: str) -> str | None:
        named = [c for c in owner.children if c.name]
        kinds = self.expecting
        if not kinds:
            near = nearest(name, [c.name for c in named], 1)
            kinds = tuple(c.kind for c in named if near and c.name == near[0])[:1]
        pool = _first_kind(named, kinds)
        if not pool:
            return None
        shown = nearest(name, [c.name for c in pool])
        return f"{_kinds_of(pool)} of {owner.qualname}: {_listed(shown, len(pool))}"

    def _blocks_listing(self, name: str, scope: Scope) -> str | None:
        """Where a block of some kind is expected (`system = ...`), the blocks of
        that kind with the nearest names, written as they can be referred to here."""
        if not self.expecting:
            return None
        pool = _first_kind([e for e in self.all_entities if e.name], self.expecting)
        if not pool:
            return None
        by_name: dict[str, list[Entity]] = {}
        for e in pool:
            by_name.setdefault(e.name, []).append(e)
        shown = [_reference_name(e, scope) for nm in nearest(name, by_name) for e in by_name[nm]][:4]
        return f"{_kinds_of(pool)}: {_listed(shown, len(pool))}"

    def _mark_used(self, sym) -> None:
        if isinstance(sym, (ValueSym, TemplateSym)):
            sym.used = True

    def _eval_Neg(self, e: n.Neg, scope):
        x = self.eval(e.operand, scope)
        if x is ERROR:
            return ERROR
        if not isinstance(x, u.Quantity):
            self.diags.append(error("type-mismatch", f"cannot negate {_describe(x)}", e.span))
            return ERROR
        return -x   # as bounded as x

    def _eval_BinOp(self, e: n.BinOp, scope):
        a, b = self.eval(e.left, scope), self.eval(e.right, scope)
        if a is ERROR or b is ERROR:
            return ERROR
        if not isinstance(a, u.Quantity) or not isinstance(b, u.Quantity):
            bad = e.left if not isinstance(a, u.Quantity) else e.right
            self.diags.append(error("type-mismatch", f"`{e.op}` needs numbers; got {_describe(a if bad is e.left else b)}",
                                    bad.span))
            return ERROR
        try:
            result = {"+": a.__add__, "-": a.__sub__, "*": a.__mul__, "/": a.__truediv__}[e.op](b)
            return self._bounded(result, e.span)
        except u.DimensionError:
            self.diags.append(error("unit-mismatch", f"cannot {'add' if e.op == '+' else 'subtract'} "
                                    f"{u.dimension_name(b.dims)} {'to' if e.op == '+' else 'from'} "
                                    f"{u.dimension_name(a.dims)}", e.span,
                                    f"`{a}` and `{b}` have different dimensions"))
        except ZeroDivisionError:
            self.diags.append(error("invalid-value", "division by zero", e.right.span))
        return ERROR

    def _eval_Compare(self, e: n.Compare, scope):
        return self.compare(e, self.eval(e.left, scope), self.eval(e.right, scope))

    def compare(self, e: n.Compare, a, b):
        """`a op b` exactly: quantities of one dimension in any order; other
        values (strings, booleans, blocks, ratios ...) only for == and !=."""
        if a is ERROR or b is ERROR:
            return ERROR
        if isinstance(a, u.Quantity) and isinstance(b, u.Quantity):
            if a.dims != b.dims:
                plain = b if b.dimensionless else a if a.dimensionless else None
                unit = _example_unit(a.dims if plain is b else b.dims) if plain is not None else None
                hint = (f"`{plain}` has no unit: write it with one, like `{unit}`" if unit
                        else f"`{a}` and `{b}` have different dimensions")
                self.diags.append(error("unit-mismatch", f"cannot compare {u.dimension_name(a.dims)} with "
                                        f"{u.dimension_name(b.dims)}", e.span, hint))
                return ERROR
            a, b = a.value, b.value
        elif e.op not in ("==", "!="):
            bad = b if isinstance(a, u.Quantity) else a
            self.diags.append(error("type-mismatch", f"`{e.op}` compares numbers; got {_describe(bad)}", e.span))
            return ERROR
        elif type(a) is not type(b):
            self.diags.append(error("type-mismatch", f"cannot compare {_describe(a)} with {_describe(b)}", e.span))
            return ERROR
        return _COMPARISONS[e.op](a, b)

    def _eval_Logic(self, e: n.Logic, scope):
        a, b = self.eval(e.left, scope), self.eval(e.right, scope)
        for side, val in ((e.left, a), (e.right, b)):
            if val is not ERROR and not isinstance(val, bool):
                self.diags.append(error("type-mismatch", f"`{e.op}` joins true/false values; got {_describe(val)}",
                                        side.span, "compare it: `x > 0`"))
                return ERROR
        if a is ERROR or b is ERROR:
            return ERROR
        return (a and b) if e.op == "and" else (a or b)

    def _eval_Not(self, e: n.Not, scope):
        x = self.eval(e.operand, scope)
        if x is ERROR:
            return ERROR
        if not isinstance(x, bool):
            self.diags.append(error("type-mismatch", f"`not` takes true or false; got {_describe(x)}", e.operand.span))
            return ERROR
        return not x

    def _eval_Call(self, e: n.Call, scope):
        args = [self.eval(a, scope) for a in e.args]
        if any(a is ERROR for a in args):
            return ERROR
        if e.func in ("min", "max"):
            if not args or not all(isinstance(a, u.Quantity) for a in args) or \
                    len({a.dims for a in args}) != 1:
                self.diags.append(error("bad-call", f"{e.func}() takes one or more values of one dimension", e.span))
                return ERROR
            pick = min if e.func == "min" else max
            return pick(args, key=lambda q: q.value)
        if e.func in ("ceil", "floor", "round"):
            if len(args) != 1 or not isinstance(args[0], u.Quantity) or not args[0].dimensionless:
                self.diags.append(error("bad-call", f"{e.func}() takes one plain number", e.span,
                                        "divide by a unit first: ceil(load / 135 kW)"))
                return ERROR
            x = args[0].value
            f = {"ceil": math.ceil, "floor": math.floor, "round": round}[e.func]
            return u.Quantity(Fraction(f(x)))
        self.diags.append(error("bad-call", f"unknown function `{e.func}`", e.span,
                                did_you_mean(e.func, ("min", "max", "ceil", "floor", "round"))))
        return ERROR

    # ---- vocabulary checks ---------------------------------------------
    def _check_entity(self, ent: Entity) -> None:
        kind = v.KINDS.get(ent.kind)
        typos: set[str] = set()     # required attributes an unknown one is a likely misspelling of
        for name, stmt in ent.exprs.items():
            if kind is not None and kind.attr(name) is None:
                typos |= self._unknown_attribute(ent, kind, name, stmt)
                ent.values[name] = ERROR
                continue
            self.attr(ent, name)
        if kind is None:
            return
        for a in kind.attrs:
            # `slots_per_rw = 16` is one mistake: the unknown-attribute error
            # says so at the typo; a missing-attribute at the block's name,
            # listed before it, would send the user the wrong way.
            if a.required and a.name not in ent.exprs and a.name not in typos and a.instead not in ent.exprs:
                self.diags.append(error("missing-attribute", f"{ent.label} has no `{a.name}`",
                                        ent.name_span or ent.span, f"{a.name}: {a.doc}"))

    def _unknown_attribute(self, ent: Entity, kind, name: str, stmt: n.Attribute) -> set[str]:
        """Report `name`; return the required attribute it misspells, if any."""
        best = closest(name, [a.name for a in kind.attrs if a.name not in ent.exprs])
        hint = did_you_mean(name, [a.name for a in kind.attrs])
        meant = kind.attr(best) if best else None
        if meant is not None and meant.required:
            hint = f"did you mean `{best}`? {ent.label} needs it and does not set it"
        self.diags.append(error("unknown-attribute", f"`{name}` is not an attribute of {ent.kind}",
                                stmt.name_span, hint))
        return {best} if meant is not None and meant.required else set()

    def _check_attr(self, ent: Entity, stmt: n.Attribute, value):
        kind = v.KINDS.get(ent.kind)
        spec = kind.attr(stmt.name) if kind else None
        if spec is None or value is ERROR:
            return value
        if spec.many:
            items = value if isinstance(value, tuple) else (value,)
            checked = tuple(self._check_one(spec, stmt, x) for x in items)
            return ERROR if any(x is ERROR for x in checked) else checked
        return self._check_one(spec, stmt, value)

    def _check_one(self, spec: v.Attr, stmt: n.Attribute, value):
        where = stmt.value.span

        def bad(code: str, msg: str, hint: str | None = None):
            self.diags.append(error(code, msg, where, hint))
            return ERROR

        t = spec.type
        if spec.ref:
            if not isinstance(value, Entity) or value.kind not in spec.refs:
                kinds = " or ".join(f"`{k}`" for k in spec.refs)
                return bad("type-mismatch", f"`{stmt.name}` must name a {kinds}; got {_describe(value)}")
            return value
        if isinstance(t, tuple):  # a dimension
            if not isinstance(value, u.Quantity):
                return bad("type-mismatch", f"`{stmt.name}` must be {u.dimension_name(t)}; got {_describe(value)}")
            if value.dims != t:
                example = _example_unit(t)
                return bad("unit-mismatch", f"`{stmt.name}` must be {u.dimension_name(t)}, "
                           f"but `{value}` is {u.dimension_name(value.dims)}",
                           f"write it with a unit of {u.dimension_name(t)}" + (f", e.g. `{example}`" if example else ""))
            if value.value < 0:
                return bad("invalid-value", f"`{stmt.name}` must not be negative, got {value}")
            return value
        if t in (v.COUNT, v.NUMBER, v.FRACTION):
            if not isinstance(value, u.Quantity):
                return bad("type-mismatch", f"`{stmt.name}` must be a number; got {_describe(value)}")
            if not value.dimensionless:
                return bad("unit-mismatch", f"`{stmt.name}` is a plain number, but `{value}` is "
                           f"{u.dimension_name(value.dims)}")
            x = value.value
            if t == v.COUNT:
                if x.denominator != 1:
                    return bad("invalid-value", f"`{stmt.name}` must be a whole number, got {u.format_number(x)}")
                # One rule, one wording: `rows = 0` and `rows = -3` break the same minimum.
                least = spec.minimum if spec.minimum is not None else 0
                if x < least:
                    return bad("invalid-value", _at_least(stmt.name, least, x))
                if x > MAX_COUNT:
                    return bad("invalid-value", f"`{stmt.name}` = {u.format_number(x)} is absurdly large "
                               f"(at most {MAX_COUNT:,})")
            if t == v.FRACTION and not 0 <= x <= 1:
                return bad("invalid-value", f"`{stmt.name}` is a share between 0 and 100 %; got {u.format_number(x * 100)} %")
            if t == v.NUMBER and spec.minimum is not None and x < spec.minimum:
                return bad("invalid-value", _at_least(stmt.name, spec.minimum, x))
            return x
        if t in (v.STRING, v.REDUNDANCY):
            if not isinstance(value, str):
                return bad("type-mismatch", f"`{stmt.name}` must be a string; got {_describe(value)}")
            if t == v.REDUNDANCY and parse_redundancy(value) is None:
                return bad("invalid-value", f"`{value}` is not a redundancy scheme", v.REDUNDANCY_HELP)
            return value
        checks = {v.BOOL: bool, v.RATIO: RatioValue, v.SIZE: SizeValue, v.RANGE: RangeValue}
        if t in checks and not isinstance(value, checks[t]):
            examples = {v.BOOL: "`true`", v.RATIO: "`1:1`", v.SIZE: "`120 m x 60 m`", v.RANGE: "`1..4`"}
            return bad("type-mismatch", f"`{stmt.name}` must be like {examples[t]}; got {_describe(value)}")
        return value

    def _warn_unused(self) -> None:
        for sym in self.value_syms:
            if not sym.used and not self.program.is_catalog(sym.module):
                self.diags.append(warning("unused", f"`{sym.node.name}` is never used", sym.node.name_span))
        for sym in self.templates:
            if not sym.used and not self.program.is_catalog(sym.module):
                self.diags.append(warning("unused", f"template `{sym.node.name}` is never used", sym.node.name_span))


class _Evaluating:
    pass


_COMPARISONS = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
                ">=": lambda a, b: a >= b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b}


_EVALUATING = _Evaluating()


def _at_least(name: str, least, got: Fraction) -> str:
    return f"`{name}` must be at least {u.format_number(Fraction(least))}, got {u.format_number(got)}"


def _join(*hints: str | None) -> str | None:
    return " ".join(h for h in hints if h) or None


def _first_kind(ents: list[Entity], kinds: tuple[str, ...]) -> list[Entity]:
    """The entities of the first of `kinds` that has any: `halls` names halls
    (or a whole building), and a listing of halls is what helps."""
    for kind in kinds:
        found = [e for e in ents if e.kind == kind]
        if found:
            return found
    return []


def _kinds_of(ents: list[Entity]) -> str:
    """`halls`, `switches`: the kind of a listing (all of one kind, see _first_kind)."""
    kind = ents[0].kind
    return {"switch": "switches", "media": "media"}.get(kind) or _plural(kind)


def _listed(names: list[str], total: int) -> str:
    more = total - len(names)
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


def _reference_name(ent: Entity, scope: Scope) -> str:
    """The shortest dotted name that reaches `ent` from `scope` (`b1.h1` inside
    its site), else its full name."""
    chain, e = [], ent
    while e is not None:
        chain.append(e)
        e = e.parent
    for i, start in enumerate(chain):
        if start.name and scope.lookup(start.name) is start:
            names = [x.name for x in reversed(chain[:i + 1])]
            if all(names):               # an unnamed block on the way (a `utility`) has no dotted name
                return ".".join(names)
            break
    return ent.qualname


def _templates_first(body):
    """Templates are declared before the blocks that use them, wherever they
    stand in the file: definitions may come in any order."""
    return sorted(body, key=lambda stmt: not isinstance(stmt, n.Template))


def _has_attr(ent: Entity, name: str) -> bool:
    kind = v.KINDS.get(ent.kind)
    return bool(kind and kind.attr(name))


def _label(sym) -> str:
    if isinstance(sym, Entity):
        return sym.qualname
    if isinstance(sym, Namespace):
        return sym.name
    return "?"


def _product(block: n.Block, parent: Entity | None, count: int, total: int) -> str:
    """`10,000 buildings x 10 halls = 100,000 halls`: the repetitions whose
    product is the number of copies of `block`."""
    chain, e = [], parent
    while e is not None:
        if e.repeat > 1:
            chain.append(f"{e.repeat:,} {_plural(e.kind)}")
        e = e.parent
    parts = list(reversed(chain)) + [f"{count:,} {_plural(block.kind)}"]
    if len(parts) == 1:
        return parts[0]
    return " x ".join(parts) + f" = {total:,} {_plural(block.kind)}"


def _plural(kind: str) -> str:
    return kind if kind.endswith("s") else kind + "s"


def _sym_kind(sym) -> str:
    if isinstance(sym, Entity):
        return sym.kind
    if isinstance(sym, ValueSym):
        return "param" if isinstance(sym.node, n.Param) else "let"
    if isinstance(sym, TemplateSym):
        return "template"
    return "namespace"


def _describe(value) -> str:
    if isinstance(value, u.Quantity):
        return f"{value} ({u.dimension_name(value.dims)})" if not value.dimensionless else f"the number {value}"
    if isinstance(value, str):
        return f'the string "{value}"'
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, Entity):
        return f"the {value.kind} `{value.qualname}`"
    if isinstance(value, tuple):
        return "a list"
    if isinstance(value, RatioValue):
        return f"the ratio {value}"
    if isinstance(value, SizeValue):
        return f"the size {value}"
    if isinstance(value, RangeValue):
        return f"the range {value}"
    return "a value"


def _example_unit(dims) -> str | None:
    examples = {u.POWER: "135 kW", u.LENGTH: "120 m", u.AREA: "1000 acre", u.MASS: "1360 kg",
                u.AREAL_DENSITY: "1500 kg/m2", u.DATA_RATE: "800 Gb/s", u.MONEY: "1000 USD",
                u.MONEY_PER_LENGTH: "5 USD/m", u.TIME: "60 s", u.VOLTAGE: "415 V"}
    return examples.get(dims)


@attrs.frozen
class Redundancy:
    """x modules installed for every y needed: usable share y/x. `N+k` over
    `modules` is handled by the model, which knows the module count."""
    text: str
    installed: int      # x in xN/y  (2 for 2N)
    needed: int         # y
    spare: int          # k in N+k
    doubled: bool       # 2(N+k)

    def usable_share(self, modules: int | None = None) -> Fraction:
        """Share of installed capacity usable by the load."""
        share = Fraction(self.needed, self.installed)
        if self.spare:
            m = modules if modules and modules > self.spare else self.spare + 1
            share *= Fraction(m - self.spare, m)
        return share / 2 if self.doubled else share


# Digits of one number in a redundancy scheme: real schemes have one; more
# than this is not a scheme (and int() of thousands of digits is refused).
_SCHEME_DIGITS = 6


def parse_redundancy(text: str) -> Redundancy | None:
    import re
    s = text.replace(" ", "").upper()
    d = rf"(\d{{1,{_SCHEME_DIGITS}}})"
    m = re.fullmatch(rf"2\(N\+{d}\)", s)
    if m:
        return Redundancy(text, 1, 1, int(m.group(1)), True)
    m = re.fullmatch(rf"{d}?N(?:/{d})?(?:\+{d})?", s)
    if not m:
        return None
    x = int(m.group(1)) if m.group(1) else 1
    y = int(m.group(2)) if m.group(2) else 1
    k = int(m.group(3)) if m.group(3) else 0
    if x < 1 or y < 1 or y > x:
        return None
    return Redundancy(text, x, y, k, False)


def resolve(program: Program, variables: dict[str, str] | None = None) -> Resolved:
    return Resolver(program, variables).run()
