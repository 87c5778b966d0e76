"""textDocument/formatting through `factoryspec fmt`'s formatter."""

from __future__ import annotations

from lsprotocol import types

from .positions import split_lines, whole_document


def format_document(text: str, path: str, encoding: str) -> list[types.TextEdit] | None:
    """One edit replacing the whole text, [] when it is already formatted, or
    None when it cannot be formatted (syntax errors)."""
    from ..lang import fmt  # lazily: the formatter is only needed when asked for

    result = fmt.format_text(text, path)
    if result.text is None:
        return None
    if result.text == text:
        return []
    return [types.TextEdit(range=whole_document(split_lines(text), encoding), new_text=result.text)]
