"""What the server knows about one document: its text and its last check.

A Snapshot pairs the exact text that was checked with the pipeline's result,
so positions in the AST always match the text they are converted against.
`Index` builds the look-ups the editor features need from a `Checked`.
"""

from __future__ import annotations

import functools
import os
from typing import Any

import attrs
from pygls import uris

from ..lang import nodes as n
from ..diagnostics import Diagnostic, Span
from ..pipeline import Checked
from ..lang.resolve import Entity
from .positions import split_lines


def real(path: str) -> str:
    """The canonical form of a path (display paths are relative to the cwd)."""
    return os.path.realpath(os.path.abspath(path))


def uri_to_path(uri: str) -> str:
    """A filesystem path for a document URI. Non-file URIs (an unsaved
    `untitled:` buffer) get a path in the working directory that exists only
    in the overlay, so they can be checked like any other text."""
    path = uris.to_fs_path(uri)
    if path:
        return real(path)
    name = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in uri.split(":", 1)[-1]) or "untitled"
    return real(os.path.join(os.getcwd(), f".{name}.fac"))


def path_to_uri(path: str) -> str:
    return uris.from_fs_path(real(path)) or path


@attrs.define
class Snapshot:
    uri: str
    path: str                  # real path of the document
    version: int | None
    text: str
    checked: Checked | None
    # Without `checked` (a check done in a worker process, or one that failed):
    # its diagnostics and the files it read.
    found: list[Diagnostic] = attrs.Factory(list)
    read: list[str] = attrs.Factory(list)
    lines: list[str] = attrs.field(init=False)

    def __attrs_post_init__(self):
        self.lines = split_lines(self.text)

    @functools.cached_property
    def index(self) -> "Index":
        return Index(self.checked, self.path)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self.checked.diagnostics if self.checked is not None else self.found

    @property
    def sources(self) -> list[str]:
        """Every file the check read (the document and its imports)."""
        return list(self.checked.sources) if self.checked is not None else self.read

    def is_file(self, file: str | None) -> bool:
        return file is not None and real(file) == self.path


class Index:
    """Look-ups over one check: the document's AST, its definitions and entities."""

    def __init__(self, checked: Checked | None, path: str):
        self.checked = checked
        self.path = path
        self.resolved = checked.resolved if checked else None
        self.module: n.Module | None = self._module()
        self.defs: dict[Span, list[Any]] = {}
        self.entities: list[Entity] = []
        self.owner: dict[int, Entity] = {}      # id(attribute statement) -> first entity it sets
        self.uses: dict[Span, list[tuple[Span | None, str]]] = {}   # use span -> [(definition, name)]
        if self.resolved is not None:
            self._build()

    def _module(self) -> n.Module | None:
        if self.checked is None:
            return None
        for display, module in self.checked.program.modules.items():
            if real(display) == self.path:
                return module
        return None

    def _build(self) -> None:
        for _name, _kind, span, sym in self.resolved.symbols:
            self.defs.setdefault(span, []).append(sym)
        for root in list(self.resolved.roots) + list(self.resolved.catalog):
            self.entities.extend(root.walk())
        for ent in self.entities:
            for stmt in ent.exprs.values():
                self.owner.setdefault(id(stmt), ent)
        for use, definition, name in self.resolved.references:
            entries = self.uses.setdefault(use, [])
            if (definition, name) not in entries:
                entries.append((definition, name))

    def symbols_at(self, span: Span | None) -> list[Any]:
        return self.defs.get(span, []) if span is not None else []

    def entities_named(self, span: Span | None) -> list[Entity]:
        """The entities declared by the block whose name (or header) is `span`."""
        if span is None:
            return []
        return [e for e in self.entities if (e.name_span or e.span) == span]

    def entity_for_block(self, block: n.Block) -> Entity | None:
        for e in self.entities:
            if e.span == block.span:
                return e
        return None

    def definitions_used_at(self, use: Span) -> list[tuple[Span | None, str]]:
        """What the reference at `use` resolved to: the head first, then an attribute."""
        return self.uses.get(use, [])
