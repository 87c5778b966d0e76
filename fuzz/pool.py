"""A pool of forked worker processes, each case with a time budget.

multiprocessing.Pool cannot take back a worker stuck in an endless loop: a
case that hangs would hang the run. Here every worker has its own pipe; a
worker that overruns its budget is killed (by its pid, which this pool
started) and replaced, and the case is reported as a timeout. A worker that
dies (a crash, the memory limit) is reported and replaced the same way.

The budget is CPU time, not wall time, where the host says how much a worker
has used (Linux's /proc): a case's CPU time is its own work whatever else
the machine runs, so a busy machine cannot turn a 5 s case into a "hang".
A case that burns no CPU (blocked on a read, asleep) is still caught by wall
time: after WALL_FACTOR budgets if it has used under BLOCKED_SHARE of a CPU,
and after WALL_LIMIT budgets whatever it used.
"""

from __future__ import annotations

import contextlib
import faulthandler
import multiprocessing
import os
import resource
import signal
import tempfile
import time
import traceback
from multiprocessing.connection import wait

MEMORY = 3 * 1024 ** 3      # bytes of address space per worker: a runaway allocation fails, the host survives
WALL_FACTOR = 3.0           # a case blocked without using CPU is a hang after this many budgets of wall time
BLOCKED_SHARE = 0.1         # ... "without using CPU": under this share of one CPU since it started
WALL_LIMIT = 10.0           # and any case is stopped after this many budgets of wall time
POLL = 0.5                  # seconds between looks at a busy worker's CPU time
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

_CTX = multiprocessing.get_context("fork")


def _limit_memory(limit: int) -> None:
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):
        pass   # some hosts refuse; the timeout still bounds a case


def _serve(conn, handlers: dict, memory: int, stack_file: str) -> None:
    """The worker's loop: run (name, args) jobs until the pipe closes.
    SIGUSR1 writes the worker's Python stack to stack_file: where a hang is
    stuck, even inside a long C computation such as a huge power."""
    _limit_memory(memory)
    faulthandler.register(signal.SIGUSR1, file=open(stack_file, "w"), all_threads=False)
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the parent decides when to stop
    while True:
        try:
            name, args = conn.recv()
        except EOFError:
            return
        try:
            result = handlers[name](*args)
        except BaseException as exc:  # noqa: BLE001: a harness bug is reported, not fatal
            result = {"status": "harness-error", "message": f"{type(exc).__name__}: {exc}",
                      "traceback": traceback.format_exc()}
        conn.send(result)



WAIT = object()     # a job source's "not now": ask again once a running case ends

class _Slot:
    def __init__(self, handlers: dict, memory: int):
        self.conn, child = _CTX.Pipe()
        fd, self.stack_file = tempfile.mkstemp(prefix="factoryspec-fuzz-stack-")
        os.close(fd)
        self.proc = _CTX.Process(target=_serve, args=(child, handlers, memory, self.stack_file), daemon=True)
        self.proc.start()
        child.close()
        self.job = None
        self.started = 0.0
        self.cpu_started = 0.0

    def cpu(self) -> float | None:
        """CPU seconds (user + system) the worker has used, or None where the
        host does not say (then only wall time bounds a case)."""
        try:
            with open(f"/proc/{self.proc.pid}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / _TICKS   # utime, stime
        except (OSError, IndexError, ValueError):
            return None

    def used(self) -> float | None:
        now = self.cpu()
        return None if now is None else now - self.cpu_started

    def stack(self) -> str:
        """The Python stack of a worker that is still busy (faulthandler's text)."""
        if not (self.proc.is_alive() and self.proc.pid):
            return ""
        os.kill(self.proc.pid, signal.SIGUSR1)
        time.sleep(0.3)
        with open(self.stack_file, encoding="utf-8", errors="replace") as fh:
            return fh.read()[-6000:]

    def kill(self) -> None:
        if self.proc.is_alive() and self.proc.pid:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.join(5)
        self.conn.close()
        with contextlib.suppress(OSError):
            os.unlink(self.stack_file)


class Pool:
    """`run(jobs)` yields (job, result) as cases finish, in any order. A job is
    (tag, name, args); result is the handler's dict, or {"status": "timeout"}
    or {"status": "died"}, with "seconds" (wall) and "cpu_seconds" added.
    With cpu=True the timeout is a CPU-time budget (wall time a safety stop at
    WALL_FACTOR times it); with cpu=False, for cases whose work runs in other
    processes (the language server), it is wall time."""

    def __init__(self, handlers: dict, jobs: int = 1, timeout: float = 10.0, memory: int = MEMORY,
                 cpu: bool = True):
        self.handlers, self.size, self.timeout, self.memory = handlers, max(1, jobs), timeout, memory
        self.cpu = cpu
        self.slots = [_Slot(handlers, memory) for _ in range(self.size)]

    def _replace(self, i: int) -> None:
        self.slots[i].kill()
        self.slots[i] = _Slot(self.handlers, self.memory)

    def run(self, jobs):
        """Run `jobs` (which may yield WAIT: no job until a running one ends),
        yielding (job, result) as cases end."""
        jobs = iter(jobs)
        pending = True
        while True:
            for slot in self.slots:
                if slot.job is None and pending:
                    job = next(jobs, None)
                    if job is None:
                        pending = False
                        break
                    if job is WAIT:      # nothing to hand out until a running case ends
                        break
                    slot.job, slot.started = job, time.monotonic()
                    slot.cpu_started = slot.cpu() or 0.0
                    slot.conn.send((job[1], job[2]))
            busy = [s for s in self.slots if s.job is not None]
            if not busy:
                return
            now = time.monotonic()
            wait_for = max(0.0, min(s.started + self._wall() - now for s in busy))
            if self.cpu:
                wait_for = min(wait_for, POLL)
            ready = wait([s.conn for s in busy], timeout=wait_for)
            yield from self._collect(ready)

    def _wall(self) -> float:
        return self.timeout * (WALL_LIMIT if self.cpu else 1.0)

    def _overrun(self, slot: _Slot, now: float) -> bool:
        wall = now - slot.started
        if not self.cpu:
            return wall >= self.timeout
        used = slot.used()
        if used is None:
            return wall >= self.timeout * WALL_FACTOR
        if used >= self.timeout or wall >= self._wall():
            return True
        # Waiting for a CPU on a busy machine is not a hang (a 7 s case took
        # 27 s of wall time beside four others); getting almost none is.
        return wall >= self.timeout * WALL_FACTOR and used < BLOCKED_SHARE * wall

    def _collect(self, ready):
        now = time.monotonic()
        for i, slot in enumerate(self.slots):
            if slot.job is None:
                continue
            job, started = slot.job, slot.started
            if slot.conn in ready:
                try:
                    result = slot.conn.recv()
                except (EOFError, OSError):
                    result = {"status": "died", "exitcode": self._exitcode(slot)}
                    self._replace(i)
                    cpu = None
                else:
                    cpu = slot.used()
            elif self._overrun(slot, now):
                cpu = slot.used()
                result = {"status": "timeout", "stack": slot.stack()}
                self._replace(i)
            else:
                continue
            result["seconds"] = round(time.monotonic() - started, 3)
            result["cpu_seconds"] = None if cpu is None else round(cpu, 2)
            self.slots[i].job = None
            yield job, result

    @staticmethod
    def _exitcode(slot: _Slot):
        slot.proc.join(2)
        return slot.proc.exitcode

    def close(self) -> None:
        for slot in self.slots:
            slot.kill()
