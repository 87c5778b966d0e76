"""CLI commands over the factory model: plan, graph, schema."""

from __future__ import annotations

from .cli import main  # noqa: F401  (commands below attach to this group)
