"""Writing outputs atomically, one file (`write_bytes`, for `fmt`) or a whole
directory as one set (`replace_dir`, for `compile`).

A file is written to a temporary file beside it, fsynced and renamed over
the old one: an interrupted run never leaves a half-written file.

A directory of outputs is replaced as a set, so that it never mixes files of
two compiles. For `out/`:

1. Refuse unless `out` is missing, empty, or holds only files that compile
   writes (the caller says which names those are): a directory with other
   files in it is not a previous output and is never touched. Nor is one
   that holds the working directory.
2. Remove leftovers of earlier compiles that were killed: sibling
   directories `out.tmp-PID-*` whose process PID is gone (a running
   compile's are left alone).
3. Write every file into a new sibling `out.tmp-PID-XXXX/` (same file
   system), fsync each file and the directory.
4. Swap it with `out` in one step (Linux renameat2 RENAME_EXCHANGE), or
   rename it into place when there is no `out`; fsync the parent.
5. Remove the old set, now at `out.tmp-PID-XXXX/` (only files compile
   writes are removed; anything else stays and is reported).

A crash at any point leaves `out` holding either the complete old set or the
complete new set, and possibly an `out.tmp-PID-*` directory (a partial new
set, or the old set being removed), which is never a finished compile and
which the next compile removes. Where the exchange is not available (not
Linux, or a file system without it) step 4 is two renames, old `out` aside
to `out.tmp-PID-XXXX-old` and the new one into place; a crash between the
two leaves no `out` but both complete sets under `out.tmp-*` names.
"""

from __future__ import annotations

import ctypes
import errno
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import Callable

import attrs


@attrs.frozen(eq=False)
class Streamed:
    """Several files of a set written in one pass, straight to disk, by
    `write(opener)`: `opener(name)` gives a binary file for each of `names`
    (a cutsheet per hall, which would not fit in memory as bytes)."""

    names: tuple
    write: Callable

    def materialize(self) -> dict[str, bytes]:
        """The files as bytes (for comparing sets; the writer streams instead)."""
        import io
        bufs: dict = {}

        class _Keep(io.BytesIO):
            def close(self):         # keep the bytes readable after the writer closes it
                pass

        def opener(name):
            bufs[name] = _Keep()
            return bufs[name]
        self.write(opener)
        return {n: b.getvalue() for n, b in bufs.items()}


def materialize(files: dict) -> dict[str, bytes]:
    """A set's files all as bytes (Streamed ones written to memory)."""
    out, done = {}, set()
    for name, v in files.items():
        if isinstance(v, Streamed):
            if id(v) not in done:
                done.add(id(v))
                out.update(v.materialize())
        else:
            out[name] = v
    return out


def write_bytes(path: Path | str, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp creates 0600 files; keep the mode the file had, or the usual one.
        os.chmod(tmp, _mode_for(path))
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _mode_for(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_text(path: Path | str, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


@attrs.frozen
class Problem:
    """Why outputs were not (all) replaced; the caller makes it a diagnostic."""
    code: str       # output-dir-foreign: refused, nothing written; output-write-failed
    message: str


def _mode(path: Path) -> int | None:
    try:
        return os.lstat(path).st_mode
    except OSError:
        return None


def _default_mode(kind: int) -> int:
    umask = os.umask(0)
    os.umask(umask)
    return kind & ~umask


def refusal(out: Path | str, owned: Callable[[str], bool]) -> Problem | None:
    """Why `out` may not be replaced by a new set of outputs, or None."""
    out = Path(os.path.realpath(out))
    cwd = Path(os.path.realpath(os.getcwd()))
    if out == cwd or out in cwd.parents:
        return Problem("output-dir-foreign", f"{out} is or holds the working directory; "
                                             "compile replaces its output directory as a whole")
    mode = _mode(out)
    if mode is None:
        return None
    if not stat.S_ISDIR(mode):
        return Problem("output-dir-foreign", f"{out} exists and is not a directory")
    try:
        foreign = sorted(e.name for e in os.scandir(out) if not _is_output(e, owned))
    except OSError as exc:
        return Problem("output-write-failed", f"cannot read {out}: {exc.strerror or exc}")
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        return Problem("output-dir-foreign",
                       f"{out} holds files compile does not write ({shown}); it is not replaced")
    return None


def _is_output(entry: os.DirEntry, owned: Callable[[str], bool]) -> bool:
    return owned(entry.name) and entry.is_file(follow_symlinks=False)


def replace_dir(out: Path | str, files: dict[str, bytes], owned: Callable[[str], bool]) -> Problem | None:
    """Make `out` hold exactly `files` (name -> bytes), all or nothing; see
    the module docstring. `owned(name)` tells the names compile writes."""
    out = Path(os.path.realpath(out))
    problem = refusal(out, owned)
    if problem:
        return problem
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(out, owned)
        new = _write_set(out, files)
    except OSError as exc:
        return Problem("output-write-failed", f"cannot write the outputs beside {out}: {exc.strerror or exc}")
    try:
        old = _swap_in(new, out)
    except OSError as exc:
        _remove_set(new, owned)
        return Problem("output-write-failed", f"cannot move the outputs into {out}: {exc.strerror or exc}")
    if old is not None and not _remove_set(old, owned):
        return Problem("output-write-failed", f"the outputs are in {out}, but the previous ones could "
                                              f"not all be removed from {old}")
    return None


def _tmp_prefix(out: Path) -> str:
    return f"{out.name}.tmp-"


def _write_set(out: Path, files: dict[str, bytes]) -> Path:
    """A new sibling directory holding every file, all synced to disk."""
    new = Path(tempfile.mkdtemp(prefix=f"{_tmp_prefix(out)}{os.getpid()}-", dir=out.parent))
    try:
        old_mode = _mode(out)
        os.chmod(new, stat.S_IMODE(old_mode) if old_mode is not None else _default_mode(0o777))
        streams: list = []
        for name in sorted(files):
            if isinstance(files[name], Streamed):
                if not any(x is files[name] for x in streams):
                    streams.append(files[name])
                continue
            _write_synced(new / name, files[name], _mode(out / name))
        for st in streams:
            _write_streamed(new, out, st)
        _fsync_dir(new)
    except BaseException:
        _remove_set(new, lambda name: True)
        raise
    return new


def _write_streamed(new: Path, out: Path, st: Streamed) -> None:
    """A Streamed group's files into the new set, each synced to disk."""
    handles = []

    def opener(name: str):
        if name not in st.names:
            raise ValueError(f"{name} is not one of the stream's files")
        fd = os.open(new / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
        old_mode = _mode(out / name)
        if old_mode is not None:
            os.fchmod(fd, stat.S_IMODE(old_mode))
        fh = os.fdopen(fd, "wb", buffering=1 << 20)
        handles.append(fh)
        return fh
    try:
        st.write(opener)
    finally:
        for fh in handles:
            if not fh.closed:
                fh.flush()
                os.fsync(fh.fileno())
                fh.close()


def _write_synced(path: Path, data: bytes, old_mode: int | None) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
    try:
        if old_mode is not None:   # keep the mode the previous output had
            os.fchmod(fd, stat.S_IMODE(old_mode))
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _swap_in(new: Path, out: Path) -> Path | None:
    """Put `new` at `out`; returns where the old set is now, if there was one."""
    if _mode(out) is None:
        os.rename(new, out)
        _fsync_dir(out.parent)
        return None
    if _exchange(new, out):
        _fsync_dir(out.parent)
        return new
    aside = Path(f"{new}-old")   # still an out.tmp-PID-* name: a crash here is cleaned up next time
    os.rename(out, aside)
    os.rename(new, out)
    _fsync_dir(out.parent)
    return aside


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2); False where that is not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):   # kernel or file system without it
        return False
    raise OSError(err, os.strerror(err), str(b))


def _remove_set(path: Path, owned: Callable[[str], bool]) -> bool:
    """Remove a directory of outputs: only the files compile writes, then the
    directory if that emptied it. True when it is gone."""
    try:
        for entry in os.scandir(path):
            if _is_output(entry, owned):
                os.unlink(entry.path)
        os.rmdir(path)
        return True
    except OSError:
        return False


def _remove_leftovers(out: Path, owned: Callable[[str], bool]) -> None:
    """Remove the `out.tmp-PID-*` directories of compiles that were killed."""
    prefix = _tmp_prefix(out)
    for entry in os.scandir(out.parent):
        if not entry.name.startswith(prefix) or not entry.is_dir(follow_symlinks=False):
            continue
        pid = entry.name[len(prefix):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            _remove_set(Path(entry.path), owned)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False   # an earlier process with this number; this one has written nothing yet
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True    # someone else's process
    return True
