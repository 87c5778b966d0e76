"""Rendering diagnostics for people (rustc/Elm style) and machines (JSON)."""

from __future__ import annotations

import json
from typing import Callable, Iterable

from . import Diagnostic, Severity

_COLORS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


def _plain(text: str, **_style) -> str:
    return text


def render_text(diags: Iterable[Diagnostic], sources: dict[str, str],
                style: Callable[..., str] = _plain) -> str:
    """file:line:col, the source line, a caret underline, and the hint."""
    out: list[str] = []
    for d in diags:
        head = style(f"{d.severity.value}[{d.code}]", fg=_COLORS[d.severity], bold=True)
        out.append(f"{head}: {style(d.message, bold=True)}")
        s = d.span
        if s is None:
            if d.hint:
                out.append(f"  = hint: {d.hint}")
            out.append("")
            continue
        gutter = " " * len(str(s.line))
        out.append(f"{gutter}--> {s.file}:{s.line}:{s.column}")
        text = sources.get(s.file)
        lines = text.splitlines() if text is not None else []
        if 0 < s.line <= len(lines):
            src = lines[s.line - 1].expandtabs(1)
            end = s.end_column if s.end_line == s.line else len(src) + 1
            width = max(1, end - s.column)
            out.append(f" {gutter} |")
            out.append(f" {s.line} | {src}")
            caret = " " * (s.column - 1) + "^" * width
            out.append(f" {gutter} | " + style(caret, fg=_COLORS[d.severity], bold=True))
        if d.hint:
            out.append(f"{gutter} = hint: {d.hint}")
        out.append("")
    return "\n".join(out)


def render_json(diags: Iterable[Diagnostic]) -> str:
    return json.dumps([d.to_json() for d in diags], indent=2, ensure_ascii=False) + "\n"


def summary(diags: list[Diagnostic], files: int) -> str:
    errors = sum(d.severity is Severity.ERROR for d in diags)
    warnings = sum(d.severity is Severity.WARNING for d in diags)
    noun = "file" if files == 1 else "files"
    if not errors and not warnings:
        return f"{files} {noun} checked: no problems"
    return f"{files} {noun} checked: {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
