"""Checks in worker processes, with a time and a memory budget.

A check can run for as long as Python's big-int arithmetic takes (`let a =
1e100000000`) while holding the GIL, so no thread of the server can stop it
and, worse, the server's own thread stalls with it. Each check therefore
runs in a worker process first; a worker that overruns its budget is killed
and replaced, and only the check's diagnostics (small) come back. The
server then builds its look-up snapshot in process, from text the worker
has shown to check in time (see linting.Linter).

Workers are started with the forkserver method where there is one (a fork
of a process that has the pipeline imported: replacing a killed worker is
cheap), else spawned.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import traceback
from typing import Any

import attrs

from ..diagnostics import Diagnostic

TIMEOUT = 10.0                      # seconds of wall time per check
MEMORY = 2 * 1024 * 1024 * 1024     # bytes of address space a worker may add (where setrlimit exists)
PRELOAD = ["factoryspec.api", "factoryspec.pipeline", "factoryspec.checks", "factoryspec.model"]


@attrs.frozen
class Outcome:
    """What a worker reports of one check."""
    status: str                               # "ok", "timeout", "memory", "error" or "died"
    diagnostics: list[Diagnostic] = attrs.Factory(list)
    sources: list[str] = attrs.Factory(list)  # every file the check read
    detail: str = ""                          # the traceback, for "error"


def _context():
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if ctx.get_start_method() == "forkserver":
        ctx.set_forkserver_preload(PRELOAD)
    return ctx


def _limit_memory(extra: int) -> None:
    try:
        import resource
    except ImportError:      # not on Windows: time is still limited
        return
    with open("/proc/self/statm") as fh:
        used = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    resource.setrlimit(resource.RLIMIT_AS, (used + extra, resource.RLIM_INFINITY))


def _limit_cpu(seconds: float) -> None:
    """A backstop in case the server dies mid-check: the kernel ends a worker
    that spends more CPU than its budget, even inside C code."""
    try:
        import resource
    except ImportError:
        return
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(usage.ru_utime + usage.ru_stime + seconds) + 5
    resource.setrlimit(resource.RLIMIT_CPU, (soft, resource.RLIM_INFINITY))


def _serve(conn, memory: int, timeout: float) -> None:
    """The worker's loop: one job in, one Outcome out, until the pipe closes."""
    # stdout is the LSP stream of the server: a stray print would corrupt it.
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        if memory:
            _limit_memory(memory)
    except (OSError, ValueError):
        pass
    from ..api import check
    try:
        check("warm-up.fac", overlay={"warm-up.fac": "let warm = 1\n"})   # first check builds caches
    except Exception:
        pass
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        _limit_cpu(timeout)
        conn.send(_run(check, *job))


def _run(check, path: str, text: str, root: str, overlay: dict[str, str]) -> Outcome:
    try:
        checked = check(path, root=root, overlay={**overlay, path: text}).checked
        return Outcome("ok", checked.diagnostics, list(checked.sources))
    except MemoryError:
        return Outcome("memory")
    except Exception:
        return Outcome("error", detail=traceback.format_exc())


class Worker:
    """One worker process and the pipe to it; used by one check at a time."""

    def __init__(self, ctx, memory: int, timeout: float):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(child, memory, timeout), daemon=True,
                                name="factoryspec-check")
        self.proc.start()
        child.close()

    def run(self, job: tuple, timeout: float) -> Outcome:
        """Blocking (call it from a thread): the job's outcome, killing the
        worker if it takes longer than `timeout` seconds."""
        try:
            self.conn.send(job)
            if self.conn.poll(timeout):
                return self.conn.recv()
        except (EOFError, OSError):
            self.stop()
            return Outcome("died")
        self.stop()
        return Outcome("timeout")

    @property
    def alive(self) -> bool:
        return self.proc.is_alive()

    def stop(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()


class Pool:
    """A fixed number of workers; a job waits for an idle one (in its thread)."""

    def __init__(self, size: int = 2, timeout: float = TIMEOUT, memory: int = MEMORY):
        self.size, self.timeout, self.memory = size, timeout, memory
        self.ctx: Any = None
        self.idle: list[Worker] = []
        self.all: list[Worker] = []      # idle or busy, to stop them all at shutdown
        self.ready = threading.Semaphore(size)
        self.lock = threading.Lock()

    def run(self, path: str, text: str, root: str, overlay: dict[str, str]) -> Outcome:
        """Blocking: check one document in a worker."""
        with self.ready:
            worker = self._take()
            try:
                return worker.run((path, text, root, overlay), self.timeout)
            finally:
                self._give_back(worker)

    def _take(self) -> Worker:
        with self.lock:
            if self.ctx is None:
                self.ctx = _context()
            while self.idle:
                worker = self.idle.pop()
                if worker.alive:
                    return worker
            return self._new()

    def _new(self) -> Worker:
        self.all = [w for w in self.all if w.alive]
        worker = Worker(self.ctx, self.memory, self.timeout)
        self.all.append(worker)
        return worker

    def _give_back(self, worker: Worker) -> None:
        # A killed worker is replaced at once, so the next job finds one warmed up.
        with self.lock:
            self.idle.append(worker if worker.alive else self._new())

    def start(self) -> None:
        """Start the workers ahead of the first check (they take a moment)."""
        with self.lock:
            if self.ctx is None:
                self.ctx = _context()
            while len([w for w in self.all if w.alive]) < self.size:
                self.idle.append(self._new())

    def close(self) -> None:
        with self.lock:
            for worker in self.all:
                worker.stop()
            self.idle.clear()
            self.all.clear()
