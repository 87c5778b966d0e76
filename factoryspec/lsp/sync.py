"""Whether an editor's change can be applied to the server's copy of a document.

pygls applies whatever range it is given, silently mangling the text when
the range lies outside it, after which every diagnostic is placed against
text the editor does not have. These checks come first; a change that fails
them marks the document out of sync instead (see server.FacProtocol).
"""

from __future__ import annotations

from lsprotocol import types


def change_problem(text: str, version: int | None, new_version: int | None,
                   change: types.TextDocumentContentChangeEvent) -> str | None:
    """Why `change` cannot be applied to `text`, or None if it can."""
    # LSP only promises that versions increase (Neovim's skip numbers), so
    # only a version that does not increase is a sign of a lost or replayed change.
    if version is not None and new_version is not None and new_version <= version:
        return f"version {new_version} after version {version}"
    rng = getattr(change, "range", None)
    if rng is None:          # the whole text: always applies
        return None
    lines = text.split("\n")
    for pos in (rng.start, rng.end):
        if pos.line < 0 or pos.character < 0 or pos.line >= len(lines):
            return f"range {_show(rng)} is outside the document ({len(lines)} lines)"
    if (rng.start.line, rng.start.character) > (rng.end.line, rng.end.character):
        return f"range {_show(rng)} ends before it starts"
    return None


def _show(rng: types.Range) -> str:
    return f"{rng.start.line + 1}:{rng.start.character}-{rng.end.line + 1}:{rng.end.character}"
