"""Reading .fac files safely: size, binary and encoding checks before parsing."""

from __future__ import annotations

import os

import attrs

from .diagnostics import Diagnostic, Span, error

# Specs are hand-written; a multi-megabyte file is almost certainly not one,
# and parsing it would take long enough to look like a hang.
MAX_BYTES = 8 * 1024 * 1024


@attrs.frozen(slots=True)
class SourceFile:
    path: str
    text: str

    def line(self, n: int) -> str:
        lines = self.text.splitlines()
        return lines[n - 1] if 0 < n <= len(lines) else ""


def _too_large(path: str, size: int) -> Diagnostic:
    return error("file-too-large", f"file is {size:,} bytes; specs are limited to {MAX_BYTES:,}",
                 Span.point(path, 1, 1), "split the spec into files joined with `import`")


def decode(path: str, data: bytes) -> tuple[SourceFile | None, list[Diagnostic]]:
    """Bytes to text, or a diagnostic saying why this is not a spec."""
    if len(data) > MAX_BYTES:
        return None, [_too_large(path, len(data))]
    nul = data.find(b"\0")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        return None, [error("binary-file", "file contains NUL bytes: this looks like a binary file, not a .fac spec",
                            Span.point(path, line, 1))]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [error("encoding", f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x})",
                            Span.point(path, line, col), "save the file as UTF-8")]
    if text.startswith("\ufeff"):
        text = text[1:]  # a BOM is harmless; drop it so columns stay right
    return SourceFile(path, text), []


def read(path: str) -> tuple[SourceFile | None, list[Diagnostic]]:
    try:
        size = os.path.getsize(path)
        if size > MAX_BYTES:
            # Do not read 50 MB into memory just to reject it.
            return None, [_too_large(path, size)]
        with open(path, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        return None, [error("file-not-found", f"no such file: {path}", None)]
    except IsADirectoryError:
        return None, [error("file-not-found", f"{path} is a directory, not a .fac file", None)]
    except OSError as exc:
        return None, [error("file-not-found", f"cannot read {path}: {exc.strerror}", None)]
    return decode(path, data)
