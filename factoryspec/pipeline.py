"""The one pipeline that the CLI and the language server share.

    source text -> AST -> resolved entities -> model -> checks, asserts -> diagnostics
                -> solve -> layout -> emitters

`check()` runs everything short of solving (it is `factoryspec lint`, and
what the editor shows on each keystroke); `compile` builds on its result.
"""

from __future__ import annotations

import contextlib
import gc
from typing import TYPE_CHECKING

import attrs

from .lang import suggest
from .model import allow
from .diagnostics import Diagnostic, has_errors, sort_key
from .lang import Program, Resolved, load, resolve

if TYPE_CHECKING:
    from .model import Factory


@attrs.define
class Checked:
    program: Program
    resolved: Resolved | None
    diagnostics: list[Diagnostic]
    model: "Factory | None" = None      # the typed model (factoryspec.model), None if nothing resolved
    _graph: object = attrs.field(default=None, init=False, repr=False)

    def graph(self):
        """The factory graph (factoryspec.model.graph), built on first use only: lint does not need it."""
        if self._graph is None and self.model is not None:
            from .model.graph import build_graph
            self._graph = build_graph(self.model)
        return self._graph

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)

    @property
    def sources(self) -> dict[str, str]:
        return self.program.sources


def _dedupe(diags: list[Diagnostic]) -> list[Diagnostic]:
    seen, out = set(), []
    for d in sorted(diags, key=sort_key):
        key = (d.code, d.message, d.span)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


@contextlib.contextmanager
def fewer_gc_pauses():
    """Compiling allocates many small objects that live until the end of the
    run; the default collector thresholds rescan them again and again (about
    a fifth of lint time on a 10,000-line spec). Like mypy's build, raise the
    first threshold while we work and restore it after."""
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], 100_000), old[1], old[2])
    try:
        yield
    finally:
        gc.set_threshold(*old)


def check(path: str, *, root: str | None = None, variables: dict[str, str] | None = None,
          overlay: dict[str, str] | None = None) -> Checked:
    """Parse, resolve, build the model and run every engineering check on a spec
    and its imports (no solve). Never raises for bad input.

    The model is built even when resolution found errors: objects with
    erroneous values are left out of it, and checks that add capacities up skip
    the containers that lost something, so one run reports what it can.
    Warnings that a block's `allow` names are dropped here (factoryspec/model/allow.py).
    """
    with fewer_gc_pauses(), suggest.budget():
        program = load(path, root=root, overlay=overlay)
        diags = list(program.diagnostics)
        resolved = None
        model = None
        if program.entry in program.modules:
            resolved = resolve(program, variables)
            diags.extend(resolved.diagnostics)
            model, more = _model_and_checks(resolved)
            diags.extend(more)
            # The one place warnings are silenced, so every consumer agrees.
            diags = allow.apply(resolved, diags)
        return Checked(program, resolved, _dedupe(diags), model)


def _model_and_checks(resolved: Resolved):
    """The model and the diagnostics of every engineering check (factoryspec.checks)."""
    from . import checks
    from .diagnostics import error
    from .model import build_model

    try:
        model = build_model(resolved)
    except Exception as exc:  # noqa: BLE001: a bug must not take lint down
        return None, [error("internal-error", f"building the model failed: {type(exc).__name__}: {exc}", None,
                            "please report this with the spec that caused it")]
    return model, checks.run(model) + _asserts(resolved, model)


def _asserts(resolved: Resolved, model) -> list:
    """The spec's own design rules (factoryspec.checks.asserts): they may use figures
    derived from the model, so they are checked after it is built."""
    if not resolved.asserts:
        return []
    from .checks.asserts import check_asserts
    from .diagnostics import error

    try:
        return check_asserts(resolved, model)
    except Exception as exc:  # noqa: BLE001: a bug must not take lint down
        return [error("internal-error", f"checking the asserts failed: {type(exc).__name__}: {exc}", None,
                      "please report this with the spec that caused it")]
