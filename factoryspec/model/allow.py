"""`allow = ["code", ...]`: silencing warnings block by block.

Every block kind accepts `allow` (vocabulary.ALLOW). A warning is dropped when
its span lies inside a block whose `allow`, or an enclosing block's, names its
code. pipeline.check() calls `apply()` once on the whole list, so lint,
compile, plan and the language server all see the same diagnostics.

Decisions:

* Only warnings can be allowed. Naming a code that is never a warning is an
  `allow-error`; a code that does not exist is an `unknown-code` (with a
  did-you-mean), since a misspelt code would silently silence nothing; a value
  that is not a list of strings is an `invalid-value`. All three are errors
  and none of them can be allowed. For codes that are sometimes a warning and
  sometimes an error (air-capacity), only the warnings are dropped.
* Templates: a warning can point into a template's body (an attribute the
  template sets). The span alone cannot say which instance it is about, so
  it is dropped only when every block built from that template allows the
  code (an `allow` in the template body itself does that). The same holds for
  blocks nested in a template body and for the copies of a repeated block.
* Diagnostics without a span (--var mistakes) are never dropped.
"""

from __future__ import annotations

from typing import Iterable

from ..diagnostics import codes
from ..lang import nodes as n
from ..diagnostics import Diagnostic, Severity, Span, error
from ..lang.resolve import ERROR, Entity, Resolved
from ..lang.suggest import did_you_mean
from ..lang.vocabulary import ALLOW

NAME = ALLOW.name
EXAMPLE = 'e.g. `allow = ["excess-land"]`'


def apply(resolved: Resolved | None, diags: list[Diagnostic]) -> list[Diagnostic]:
    """`diags` without the warnings an `allow` silences, plus the diagnostics
    of the `allow` values themselves."""
    if resolved is None or resolved.resolver is None:
        return diags
    entities = resolved.resolver.all_entities
    own, problems = _own_allows(resolved, entities)
    if not own:
        return diags + problems
    regions = _regions(entities, own)
    kept = [d for d in diags if not _silenced(d, regions)]
    return kept + problems


# ---- reading and checking the values ----------------------------------------------

def _own_allows(resolved: Resolved, entities: Iterable[Entity]):
    """{entity: codes its own `allow` names (valid ones only)} and the diagnostics of bad values."""
    own: dict[Entity, frozenset[str]] = {}
    problems: list[Diagnostic] = []
    seen: set[Span] = set()          # copies of a repeated block share one statement: report it once
    for ent in entities:
        stmt = ent.exprs.get(NAME)
        if stmt is None:
            continue
        found, bad = _check(stmt, resolved.resolver.attr(ent, NAME))
        if found:
            own[ent] = frozenset(found)
        if stmt.value.span not in seen:
            seen.add(stmt.value.span)
            problems.extend(bad)
    return own, problems


def _check(stmt: n.Attribute, value) -> tuple[list[str], list[Diagnostic]]:
    where = stmt.value.span
    if value is ERROR:                       # already diagnosed (an undefined name ...)
        return [], []
    if not isinstance(value, tuple):
        return [], [error("invalid-value", f"`{NAME}` takes a list of warning codes; got {_describe(value)}",
                          where, EXAMPLE)]
    spans = ([x.span for x in stmt.value.items]
             if isinstance(stmt.value, n.List) and len(stmt.value.items) == len(value) else [where] * len(value))
    found, bad = [], []
    for item, span in zip(value, spans):
        if not isinstance(item, str):
            bad.append(error("invalid-value", f"`{NAME}` takes strings (diagnostic codes); got "
                             f"{_describe(item)}", span, EXAMPLE))
        elif item not in codes.CODES:
            bad.append(error("unknown-code", f"`{item}` is not a diagnostic code", span,
                             did_you_mean(item, codes.WARNINGS) or did_you_mean(item, codes.CODES)
                             or "`factoryspec explain` lists the codes"))
        elif item not in codes.WARNINGS:
            bad.append(error("allow-error", f"`{item}` is an error code; only warnings can be allowed", span,
                             "fix what the error reports instead"))
        else:
            found.append(item)
    return found, bad


def _describe(value) -> str:
    from ..lang.resolve import _describe as describe      # the resolver's wording for values
    return describe(value)


# ---- where each code is allowed -----------------------------------------------------

def _regions(entities: list[Entity], own: dict[Entity, frozenset[str]]) -> dict[str, list[Span]]:
    """{code: source ranges where its warnings are dropped}.

    A range is a block's text, or a template's body. One range can belong to
    several entities (the copies of a repeated block, every instance of a
    template); a code is allowed there only if all of them allow it.
    """
    effective: dict[Entity, frozenset[str]] = {}

    def allowed(ent: Entity) -> frozenset[str]:
        if ent not in effective:
            up = allowed(ent.parent) if ent.parent is not None else frozenset()
            effective[ent] = up | own.get(ent, frozenset())
        return effective[ent]

    shared: dict[Span, frozenset[str]] = {}
    for ent in entities:
        spans = [ent.span] + ([ent.template.node.span] if ent.template is not None else [])
        codes_here = allowed(ent)
        for span in spans:
            shared[span] = shared[span] & codes_here if span in shared else codes_here
    out: dict[str, list[Span]] = {}
    for span, names in shared.items():
        for code in names:
            out.setdefault(code, []).append(span)
    return out


def _silenced(d: Diagnostic, regions: dict[str, list[Span]]) -> bool:
    if d.severity is not Severity.WARNING or d.span is None:
        return False
    return any(_inside(d.span, r) for r in regions.get(d.code, ()))


def _inside(s: Span, r: Span) -> bool:
    return (s.file == r.file and (r.line, r.column) <= (s.line, s.column)
            and (s.end_line, s.end_column) <= (r.end_line, r.end_column))
