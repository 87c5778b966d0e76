"""Exports of a verified layout to the tools operators run (`factoryspec export`).

Each exporter is a module with `files(problem, layout, model) -> dict[str,
bytes]` (every file it writes, by name; deterministic: the same layout gives
the same bytes) and `is_output(name) -> bool` (the names it may replace in its
output directory). The API verifies the layout against its spec first and
writes the set atomically (safe_write.replace_dir), so an export never comes
from a layout that fails verify or another spec's, and never half-written.
"""

from __future__ import annotations

import importlib

# kind -> module of factoryspec.emit
EXPORTERS = {"netbox": "netbox", "racksdb": "racksdb"}


def exporter(kind: str):
    """The exporter module of `kind` (one of EXPORTERS)."""
    return importlib.import_module(f".{EXPORTERS[kind]}", __package__)
