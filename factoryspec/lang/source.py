"""Reading .fac files safely: what is opened, how much is read, and the
binary and encoding checks before parsing.

Only regular files are read. A path is opened with O_NONBLOCK, so opening a
FIFO that has no writer returns at once instead of waiting for one, and then
fstat decides: anything but a regular file (FIFO, device, socket, directory)
is refused before a byte is read. The size limit is enforced while reading,
never after: at most limit + 1 bytes are read, so /dev/zero behind a symlink
or a file that grows while it is read cannot exhaust memory.
"""

from __future__ import annotations

import errno
import os
import stat

import attrs

from ..diagnostics import Diagnostic, Span, error

# Specs are hand-written; a multi-megabyte file is almost certainly not one,
# and parsing it would take long enough to look like a hang: the parser reads
# about 0.7 MB/s on a 2-core machine (a 2 MB mutant took 8 s to lint, 3.5 s
# of it parsing), so 1 MiB a file and 2 MiB for a spec with all its imports
# (MAX_TOTAL_BYTES, the loader's) keep parsing near 3 s. A 10 GW campus
# written hall by hall is some 600 KB.
MAX_BYTES = 1024 * 1024
MAX_TOTAL_BYTES = 2 * 1024 * 1024

_CHUNK = 1024 * 1024
NO_SUCH_FILE = "no such file"
IS_A_DIRECTORY = "it is a directory, not a file"
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)


@attrs.frozen(slots=True)
class SourceFile:
    path: str
    text: str

    def line(self, n: int) -> str:
        lines = self.text.splitlines()
        return lines[n - 1] if 0 < n <= len(lines) else ""


@attrs.frozen(slots=True)
class Unreadable:
    """Why a path was not read: a diagnostic code and a reason, without a
    position, so each caller can place it (the import statement, the file)."""
    code: str            # file-not-found, not-a-file, file-too-large
    reason: str          # reads after "cannot read PATH: "
    size: int = 0        # for file-too-large: the size, or a lower bound when not exact
    exact: bool = True

    @property
    def missing(self) -> bool:
        return self.reason == NO_SUCH_FILE


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "it is a FIFO (named pipe), not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "it is a device, not a regular file"
    if stat.S_ISSOCK(mode):
        return "it is a socket, not a regular file"
    return "it is not a regular file"


def _open_failure(exc: OSError) -> Unreadable:
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return Unreadable("file-not-found", NO_SUCH_FILE)
    if exc.errno == errno.ELOOP:
        return Unreadable("not-a-file", "it is a symbolic link loop (or a chain of more than 40 links)")
    if exc.errno == errno.ENAMETOOLONG:
        return Unreadable("not-a-file", "the name is too long to open")
    if exc.errno == errno.ENXIO:
        return Unreadable("not-a-file", "it is a socket or a device, not a regular file")
    return Unreadable("file-not-found", exc.strerror or str(exc))


def read_limited(path: str, limit: int) -> bytes | Unreadable:
    """The bytes of the regular file at `path`, or why not. Never blocks on a
    FIFO or device and never reads more than limit + 1 bytes."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        return _open_failure(exc)
    except ValueError:   # a NUL byte in the name
        return Unreadable("not-a-file", "the name contains a NUL byte")
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            return Unreadable("file-not-found", IS_A_DIRECTORY)
        if not stat.S_ISREG(st.st_mode):
            return Unreadable("not-a-file", _kind(st.st_mode))
        if st.st_size > limit:
            # Do not read 50 MB into memory just to reject it.
            return Unreadable("file-too-large", "it is too large", st.st_size)
        return _read_at_most(fd, limit)
    except OSError as exc:
        return Unreadable("file-not-found", exc.strerror or str(exc))
    finally:
        os.close(fd)


def _read_at_most(fd: int, limit: int) -> bytes | Unreadable:
    # st_size can lie (a file that grows, /proc): stop one byte past the limit.
    chunks, total = [], 0
    while total <= limit:
        chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
    return Unreadable("file-too-large", "it is too large", total, exact=False)


def _too_large(path: str, size: int, exact: bool = True) -> Diagnostic:
    amount = f"{size:,} bytes" if exact else f"more than {MAX_BYTES:,} bytes"
    return error("file-too-large", f"file is {amount}; specs are limited to {MAX_BYTES:,}",
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


def unreadable_diagnostic(path: str, why: Unreadable) -> Diagnostic:
    """The diagnostic for a spec named on the command line (or found in a walk)."""
    if why.code == "file-too-large":
        return _too_large(path, why.size, why.exact)
    if why.code == "not-a-file":
        return error("not-a-file", f"cannot read {path}: {why.reason}", Span.point(path, 1, 1),
                     "specs are read only from regular files")
    if why.missing:
        return error("file-not-found", f"no such file: {path}", None)
    if why.reason == IS_A_DIRECTORY:
        return error("file-not-found", f"{path} is a directory, not a .fac file", None)
    return error("file-not-found", f"cannot read {path}: {why.reason}", None)


def read(path: str) -> tuple[SourceFile | None, list[Diagnostic]]:
    data = read_limited(path, MAX_BYTES)
    if isinstance(data, Unreadable):
        return None, [unreadable_diagnostic(path, data)]
    return decode(path, data)
