"""Checking open documents in the background, debounced and coalesced.

Each document has at most one worker task. A change only moves the
document's due time; the worker sleeps until the text has been quiet for the
debounce delay, then checks the latest text. Changes that arrive during a
check make the worker go round once more, with the newest text: however fast
the edits come, work never queues up and results never fall behind by more
than one check.

A check runs twice. First in a worker process (worker.Pool) with a time and
memory budget: its diagnostics are published at once, and a check that
overruns is abandoned and reported in the document (`check-timeout`), so one
pathological document cannot stall the others. Then, for text that has just
been shown to check in time, once more in a background thread of the server,
to keep the full result (AST, resolved names) that hover, completion and
navigation read; sending that result between processes would cost more than
checking again. A check that fails is shown in the document
(`internal-error`) as well as logged.
"""

from __future__ import annotations

import asyncio
import os
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

from lsprotocol import types

from ..diagnostics import Diagnostic, Severity, error
from ..api import check
from ..lang.source import MAX_BYTES
from .positions import span_to_range
from .state import Snapshot
from .worker import Outcome, Pool

# Seconds of quiet after a change before checking. Kept short: the worker
# already coalesces (one check in flight, always on the newest text), so the
# delay only merges edits that arrive together (multi-cursor, paste); the
# target is diagnostics within 100 ms of a change (measured: median 48 ms).
DEBOUNCE = 0.01

MAX_SPEC = MAX_BYTES         # characters read of an unopened file (the loader's limit for a spec)

_SEVERITY = {Severity.ERROR: types.DiagnosticSeverity.Error, Severity.WARNING: types.DiagnosticSeverity.Warning,
             Severity.INFO: types.DiagnosticSeverity.Information}


def to_lsp(d: Diagnostic, lines: list[str], encoding: str) -> types.Diagnostic:
    rng = span_to_range(lines, d.span, encoding) if d.span else types.Range(
        start=types.Position(line=0, character=0), end=types.Position(line=0, character=0))
    message = d.message + (f"\nhint: {d.hint}" if d.hint else "")
    return types.Diagnostic(range=rng, message=message, severity=_SEVERITY[d.severity], code=d.code,
                            source="factoryspec")


def document_diagnostics(snap: Snapshot, encoding: str, library: bool = False) -> list[types.Diagnostic]:
    """The diagnostics of a check that belong to its own document. A library
    (a file other open documents import) gets no `unused` warnings, as in
    `factoryspec lint` of a directory."""
    return [to_lsp(d, snap.lines, encoding) for d in snap.diagnostics
            if (d.span is None or snap.is_file(d.span.file)) and not (library and d.code == "unused")]


def run_check(uri: str, path: str, version: int | None, text: str, root: str,
              overlay: dict[str, str]) -> Snapshot:
    """One check, in the worker thread; the look-up index is built here too."""
    snap = Snapshot(uri, path, version, text, check(path, root=root, overlay=overlay).checked)
    _ = snap.index
    return snap


def problem(outcome: Outcome, budget: float) -> Diagnostic | None:
    """The diagnostic telling the user their document could not be checked
    (shown at line 1: it concerns the whole document)."""
    if outcome.status == "timeout":
        return error("check-timeout", f"checking this document took longer than {budget:g} s and was "
                     "stopped, so its other diagnostics are missing", None,
                     hint="a number with a huge exponent (such as 1e100000000) can cause this")
    if outcome.status == "memory":
        return error("check-out-of-memory", "checking this document needed too much memory and was "
                     "stopped, so its other diagnostics are missing", None)
    if outcome.status == "died":
        return error("internal-error", "the process checking this document died; see the language "
                     "server's log", None)
    if outcome.status == "error":
        last = outcome.detail.strip().splitlines()[-1] if outcome.detail.strip() else "unknown error"
        return error("internal-error", f"factoryspec failed while checking this document ({last}); "
                     "see the language server's log", None)
    return None


class Linter:
    """Owns the checks: schedules them, runs them and keeps the latest snapshots."""

    def __init__(self, source: Callable[[str], tuple[str, str, int | None, str] | None],
                 overlay: Callable[[], dict[str, str]], on_result: Callable[[Snapshot], None],
                 log: Callable[[str], None], delay: float = DEBOUNCE, pool: Pool | None = None):
        self.source = source          # uri -> (path, text, version, root), or None if not open
        self.overlay = overlay        # path -> text of every open document
        self.on_result = on_result
        self.log = log
        self.delay = delay
        self.pool = pool or Pool()
        # Threads waiting on worker processes (one per worker, plus one for a
        # job queued behind them), and the one thread building snapshots.
        self.waiters = ThreadPoolExecutor(max_workers=self.pool.size + 1, thread_name_prefix="factoryspec-wait")
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="factoryspec-check")
        self.snapshots: dict[str, Snapshot] = {}   # the last full check of each document
        self.latest: dict[str, Snapshot] = {}      # the last published one (perhaps from a worker)
        self.due: dict[str, float] = {}
        self.workers: dict[str, asyncio.Task] = {}
        self.timings: list[float] = []   # seconds per check, for the log and the benchmark

    def schedule(self, uri: str, delay: float | None = None) -> None:
        loop = asyncio.get_running_loop()
        self.due[uri] = loop.time() + (self.delay if delay is None else delay)
        worker = self.workers.get(uri)
        if worker is None or worker.done():
            self.workers[uri] = loop.create_task(self._work(uri))

    def forget(self, uri: str) -> None:
        self.due.pop(uri, None)
        self.snapshots.pop(uri, None)
        self.latest.pop(uri, None)

    async def settled(self, uri: str, timeout: float = 3.0) -> None:
        """Wait (a bounded time) until the document's pending check is done."""
        worker = self.workers.get(uri)
        if worker is not None and not worker.done():
            try:
                await asyncio.wait_for(asyncio.shield(worker), timeout)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                pass

    async def built(self, uri: str, timeout: float) -> Snapshot | None:
        """The full snapshot of the last published check: once diagnostics are
        shown, features should see that text too, so wait (a bounded time)
        while it is being built; otherwise answer at once."""
        latest, full = self.latest.get(uri), self.snapshots.get(uri)
        if latest is not None and latest is not full and (full is None or full.version != latest.version):
            await self.settled(uri, timeout)
        return self.snapshots.get(uri)

    async def _work(self, uri: str) -> None:
        loop = asyncio.get_running_loop()
        while uri in self.due:
            wait = self.due[uri] - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            del self.due[uri]
            try:
                await self._check(uri)
            except Exception as exc:  # never let one bad check stop the worker
                self.log(f"check of {uri} failed: {exc!r}\n{traceback.format_exc()}")
                self._failed(uri, Outcome("error", detail=f"{type(exc).__name__}: {exc}"))

    async def _check(self, uri: str) -> None:
        src = self.source(uri)
        if src is None:
            return
        path, text, version, root = src
        overlay = self.overlay()
        loop = asyncio.get_running_loop()
        start = time.perf_counter()
        outcome = await loop.run_in_executor(self.waiters, self.pool.run, path, text, root, overlay)
        self.timings.append(time.perf_counter() - start)
        if self.source(uri) is None:   # closed meanwhile
            return
        if outcome.status != "ok":
            self.log(f"check of {uri}: {outcome.status}\n{outcome.detail}".rstrip())
            self._failed(uri, outcome, version, text)
            return
        self._publish(Snapshot(uri, path, version, text, None, outcome.diagnostics, outcome.sources))
        if uri in self.due:            # newer text is waiting: its check will build the look-ups
            return
        snap = await loop.run_in_executor(self.executor, run_check, uri, path, version, text, root, overlay)
        if self.source(uri) is not None:
            self.snapshots[uri] = snap

    def _failed(self, uri: str, outcome: Outcome, version: int | None = None, text: str | None = None) -> None:
        """Show in the document that it could not be checked."""
        src = self.source(uri)
        if src is None:
            return
        path, current, current_version, _root = src
        self.report(uri, path, current_version if text is None else version,
                    current if text is None else text, problem(outcome, self.pool.timeout))

    def report(self, uri: str, path: str, version: int | None, text: str, diagnostic: Diagnostic | None) -> None:
        """Replace the document's diagnostics with one about the document itself."""
        old = self.snapshots.get(uri)
        snap = Snapshot(uri, path, version, text, None, [diagnostic] if diagnostic else [],
                        old.sources if old else [path])
        self.snapshots[uri] = snap
        self._publish(snap)

    def _publish(self, snap: Snapshot) -> None:
        self.latest[snap.uri] = snap
        self.on_result(snap)

    def dependents(self, path: str) -> list[str]:
        """Open documents whose last check read `path` (they import it)."""
        out = []
        for uri, snap in self.latest.items():
            if snap.path != path and any(os.path.realpath(p) == path for p in snap.sources):
                out.append(uri)
        return out
