"""`factoryspec lsp` survives a hostile or broken client.

These tests drive a real server process over raw stdin/stdout bytes (a tiny
framing client of their own, so they can send what no LSP library would):
broken headers, oversize messages, a spec whose check never ends, edits that
cannot apply, and pull requests for files outside the workspace. Timeouts
are generous safety limits, never performance assertions.
"""

from __future__ import annotations

import asyncio
import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from pygls import uris

WAIT = 60.0     # seconds; only a safety limit


class RawClient:
    """Speaks LSP framing by hand; collects every message the server sends."""

    def __init__(self, cwd: Path):
        self.proc = subprocess.Popen([sys.executable, "-m", "factoryspec", "lsp"], cwd=cwd,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.inbox: queue.Queue = queue.Queue()
        self.seen: list[dict] = []
        self.cursor: dict[str, int] = {}     # uri -> index in seen after the last diagnostics returned
        self.next_id = 100
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                if not line.strip():
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            self.inbox.put(json.loads(out.read(length)))

    def send_raw(self, data: bytes) -> None:
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.send_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def notify(self, method: str, params: dict) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: dict | None) -> int:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        return self.next_id

    def wait_for(self, accept, timeout: float = WAIT, since: int = 0) -> dict:
        """The first message (seen before, from index `since`, or arriving) that `accept` takes."""
        for msg in self.seen[since:]:
            if accept(msg):
                return msg
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError("no matching message from the server")
            try:
                msg = self.inbox.get(timeout=remaining)
            except queue.Empty:
                continue
            self.seen.append(msg)
            if accept(msg):
                return msg

    def response(self, request_id: int, timeout: float = WAIT) -> dict:
        return self.wait_for(lambda m: m.get("id") == request_id and "method" not in m, timeout)

    def diagnostics(self, uri: str, accept=lambda ds: True, timeout: float = WAIT) -> list[dict]:
        """The next diagnostics published for `uri` (after those returned
        before) that `accept` takes."""
        msg = self.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                            and m["params"]["uri"] == uri and accept(m["params"]["diagnostics"]),
                            timeout, self.cursor.get(uri, 0))
        self.cursor[uri] = next(i for i, m in enumerate(self.seen) if m is msg) + 1
        return msg["params"]["diagnostics"]

    def initialize(self, root: Path, options: dict | None = None, pull: bool = False) -> None:
        caps = {"textDocument": {"diagnostic": {}}} if pull else {}
        rid = self.request("initialize", {"processId": None, "rootUri": uris.from_fs_path(str(root)),
                                          "capabilities": caps, "initializationOptions": options})
        assert "result" in self.response(rid)
        self.notify("initialized", {})

    def open(self, uri: str, text: str, version: int = 1) -> None:
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "fac", "version": version, "text": text}})

    def alive(self) -> bool:
        """The server still answers a request."""
        return "result" in self.response(self.request("textDocument/hover", {
            "textDocument": {"uri": "file:///nowhere.fac"}, "position": {"line": 0, "character": 0}}))

    def close(self) -> None:
        try:
            self.request("shutdown", None)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
        finally:
            self.proc.kill()


@pytest.fixture
def workspace(tmp_path) -> Path:
    return tmp_path


@pytest.fixture
def client(workspace):
    c = RawClient(workspace)
    yield c
    c.close()


def codes_of(diags: list[dict]) -> set[str]:
    return {d.get("code") for d in diags}


# ---- framing ---------------------------------------------------------------------

BODY = b'{"jsonrpc": "2.0", "id": 1, "method": "shutdown_nope", "params": null}'

BROKEN_HEADERS = {
    "short": b"Content-Length: 10\r\n\r\n" + BODY,
    "long": b"Content-Length: 500\r\n\r\n" + BODY,
    "zero": b"Content-Length: 0\r\n\r\n" + BODY,
    "negative": b"Content-Length: -12\r\n\r\n" + BODY,
    "not a number": b"Content-Length: twelve\r\n\r\n" + BODY,
    "missing": b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n" + BODY,
    "no blank line": b"Content-Length: %d\r\n" % len(BODY) + BODY,
    "garbage": b"hello\r\nthis is not LSP\r\n\r\n",
    # found by fuzz/: a header cut short runs into the next message's on one line
    "header cut short": b"Content-Length: 1",
}


@pytest.mark.parametrize("name", list(BROKEN_HEADERS))
def test_a_broken_header_does_not_make_the_server_deaf(client, workspace, name):
    client.initialize(workspace)
    client.send_raw(BROKEN_HEADERS[name])
    assert client.alive()
    assert client.proc.poll() is None


def test_a_broken_header_is_logged(client, workspace):
    client.initialize(workspace)
    client.send_raw(BROKEN_HEADERS["negative"])
    assert client.alive()
    log = client.wait_for(lambda m: m.get("method") == "window/logMessage" and "Content-Length" in m["params"]["message"])
    assert "-12" in log["params"]["message"]


def test_an_oversize_message_is_refused_without_being_read_into_memory(client, workspace):
    client.initialize(workspace)
    # Declares a terabyte, sends a little: the server must neither allocate it nor wait for it.
    client.send_raw(b"Content-Length: 1000000000000\r\n\r\n" + BODY)
    assert client.alive()
    log = client.wait_for(lambda m: m.get("method") == "window/logMessage" and "refused" in m["params"]["message"])
    assert "1000000000000" in log["params"]["message"]


def test_an_oversize_message_that_is_really_sent_is_skipped(client, workspace):
    client.initialize(workspace)
    big = b'{"x": "' + b"a" * (65 * 1024 * 1024) + b'"}'
    client.send_raw(b"Content-Length: %d\r\n\r\n" % len(big) + big)
    assert client.alive()


def test_lf_only_headers_are_accepted(client, workspace):
    client.send_raw(b"")
    body = json.dumps({"jsonrpc": "2.0", "id": 7, "method": "initialize",
                       "params": {"processId": None, "rootUri": None, "capabilities": {}}}).encode()
    client.send_raw(b"Content-Length: %d\n\n" % len(body) + body)
    assert "result" in client.response(7)


# ---- one document cannot stall the others ----------------------------------------

BROKEN_SPEC = "site s1 {\n  land = 10 acre\n  pue 1.3\n}\n"
# 19,000 halls with an assert each: within the expansion budgets
# (factoryspec/lang/limits.py), and more than a 1 s check can get through (it
# takes about 2.2 s of CPU on the reference machine, measured: it once took 6 s,
# and a 2.5 s budget then made the test pass or fail with the machine's speed). (Literals such as 1e100000000 used to
# serve here; they are now refused at once as number-too-large.)
SLOW_SPEC = ("site s { building b[1..190] { hall h[1..100] {\n  size = 13 m x 21 m\n  rows = 5\n"
             "  slots_per_row = 16\n  row_pitch = 4.2 m\n  busway = 2.5 MW\n"
             '  assert rows == 6 and slots_per_row * rows >= 90, "a check for every hall"\n} } }\n')


def test_a_check_that_never_ends_does_not_stall_other_documents(client, workspace):
    client.initialize(workspace, {"debounceMs": 0, "checkTimeoutMs": 1000})
    slow = uris.from_fs_path(str(workspace / "slow.fac"))
    other = uris.from_fs_path(str(workspace / "other.fac"))
    client.open(slow, SLOW_SPEC)
    client.open(other, BROKEN_SPEC)
    assert "syntax" in codes_of(client.diagnostics(other))
    assert not any(m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == slow
                   for m in client.seen), "the slow document was still being checked"
    assert codes_of(client.diagnostics(slow)) == {"check-timeout"}
    # The killed worker was replaced: checks go on.
    client.notify("textDocument/didChange", {"textDocument": {"uri": slow, "version": 2},
                                             "contentChanges": [{"text": "let a = 1e10\n"}]})
    assert codes_of(client.diagnostics(slow, lambda ds: "check-timeout" not in codes_of(ds))) == {"unused"}


# ---- pull diagnostics stay inside the workspace ----------------------------------

def _pull(client: RawClient, uri: str) -> dict:
    rid = client.request("textDocument/diagnostic", {"textDocument": {"uri": uri}})
    return client.response(rid)["result"]


def test_pull_diagnostics_never_read_files_outside_the_workspace(client, tmp_path):
    workspace = tmp_path / "ws"
    workspace.mkdir()
    outside = tmp_path / "outside.fac"
    outside.write_text(BROKEN_SPEC, encoding="utf-8")
    inside = workspace / "inside.fac"
    inside.write_text(BROKEN_SPEC, encoding="utf-8")
    client.initialize(workspace, pull=True)
    assert _pull(client, "file:///etc/passwd")["items"] == []
    assert _pull(client, uris.from_fs_path(str(outside)))["items"] == []
    assert "syntax" in codes_of(_pull(client, uris.from_fs_path(str(inside)))["items"])


# ---- an internal failure is shown in the document ---------------------------------
# In process: a check that raises cannot be planted in the server's workers from here.

class InlinePool:
    """Stands in for worker.Pool: runs the worker's job function in this process."""
    size, timeout = 1, 5.0

    def __init__(self, check):
        self.check = check

    def run(self, path, text, root, overlay):
        from factoryspec.lsp import worker
        return worker._run(self.check, path, text, root, overlay)


def _lint_once(tmp_path, pool) -> tuple[list, list[str]]:
    from factoryspec.lsp import linting
    path = str(tmp_path / "doc.fac")
    uri = uris.from_fs_path(path)
    published, logged = [], []

    async def go():
        done = asyncio.Event()

        def on_result(snap):
            published.append(linting.document_diagnostics(snap, "utf-16"))
            done.set()
        linter = linting.Linter(lambda u: (path, "let a = 1\n", 1, str(tmp_path)), lambda: {}, on_result,
                                logged.append, delay=0, pool=pool)
        linter.schedule(uri)
        await asyncio.wait_for(done.wait(), WAIT)
    asyncio.run(go())
    return published, logged


def test_a_check_that_raises_is_shown_as_an_internal_error(tmp_path):
    def broken_check(path, **kwargs):
        raise ZeroDivisionError("boom")
    published, logged = _lint_once(tmp_path, InlinePool(broken_check))
    (diag,) = published[-1]
    assert diag.code == "internal-error" and "ZeroDivisionError: boom" in diag.message
    assert diag.range.start.line == 0
    assert any("boom" in entry for entry in logged)


def test_a_failure_building_the_snapshot_is_shown_too(tmp_path, monkeypatch):
    from factoryspec.lsp import linting
    from factoryspec.api import check

    def broken_run_check(*args):
        raise RuntimeError("index broke")
    monkeypatch.setattr(linting, "run_check", broken_run_check)
    published, logged = _lint_once(tmp_path, InlinePool(check))
    assert [d.code for d in published[-1]] == ["internal-error"]
    assert any("index broke" in entry for entry in logged)


# ---- a change that cannot apply ---------------------------------------------------

def _change(client: RawClient, uri: str, version: int, line: int, text: str) -> None:
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": [
        {"range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}}, "text": text}]})


def test_a_change_outside_the_document_marks_it_out_of_sync_until_saved(client, workspace):
    client.initialize(workspace, {"debounceMs": 0})
    uri = uris.from_fs_path(str(workspace / "drift.fac"))
    client.open(uri, "let a = 1\n")
    assert codes_of(client.diagnostics(uri)) == {"unused"}
    _change(client, uri, 2, 40, "let b = 2\n")
    (diag,) = client.diagnostics(uri, lambda ds: "out-of-sync" in codes_of(ds))
    assert diag["range"]["start"]["line"] == 0 and "save" in diag["message"]
    _change(client, uri, 3, 0, "let c = 3\n")        # valid, but the copy is already lost
    client.notify("textDocument/didSave", {"textDocument": {"uri": uri}, "text": BROKEN_SPEC})
    assert "syntax" in codes_of(client.diagnostics(uri, lambda ds: "out-of-sync" not in codes_of(ds)))


def test_a_version_that_does_not_increase_marks_it_out_of_sync_and_a_save_rereads_the_file(client, workspace):
    client.initialize(workspace, {"debounceMs": 0})
    path = workspace / "replay.fac"
    uri = uris.from_fs_path(str(path))
    client.open(uri, "let a = 1\n", version=5)
    assert codes_of(client.diagnostics(uri)) == {"unused"}
    _change(client, uri, 5, 0, "x")
    client.diagnostics(uri, lambda ds: "out-of-sync" in codes_of(ds))
    path.write_text(BROKEN_SPEC, encoding="utf-8")
    client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    assert "syntax" in codes_of(client.diagnostics(uri, lambda ds: "out-of-sync" not in codes_of(ds)))
