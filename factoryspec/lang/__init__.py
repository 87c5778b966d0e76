"""The language: source text -> AST -> resolved entities.

    source      reading spec files within the size limit, decoding, unreadable-file diagnostics
    parser      the grammar (grammar/factoryspec.lark) and the AST built from it (nodes)
    loader      a spec and every file it imports -> Program
    resolve     names, templates, values and units -> Resolved
    fmt         the canonical formatter
    units, vocabulary, limits, suggest, varfiles   what the phases above share

The next phase (the model, and pipeline.check) uses `load` and `resolve`.
"""

from __future__ import annotations

from .loader import Program, load
from .parser import ParseResult, parse
from .resolve import Entity, Resolved, resolve
from .source import Unreadable, read, read_limited

__all__ = ["Program", "load", "ParseResult", "parse", "Entity", "Resolved", "resolve", "Unreadable", "read",
           "read_limited"]
