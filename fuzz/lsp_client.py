"""A raw-bytes client of `factoryspec lsp`, for sending what no LSP library would.

One server per worker process, kept across cases (starting one costs about
a second); a case that leaves it deaf or dead is a finding, and the next case
starts a fresh server. After the case's bytes the client sends a valid
request about a small, valid document it opened first: the server must
answer it.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from pygls import uris

PROBE_TEXT = 'site probe {\n  land = 10 acre\n}\n'
_SESSION = None


def frame(message: dict) -> bytes:
    body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8", "surrogatepass")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class Session:
    def __init__(self):
        from . import work       # killed workers cannot clean up: stay inside the run's directory
        self.dir = Path(tempfile.mkdtemp(prefix="factoryspec-fuzz-lsp-", dir=work.BASE))
        self.probe_path = self.dir / "probe.fac"
        self.probe_path.write_text(PROBE_TEXT, encoding="utf-8")
        self.probe_uri = uris.from_fs_path(str(self.probe_path))
        self.proc = subprocess.Popen([sys.executable, "-m", "factoryspec", "lsp"], cwd=self.dir,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.inbox: queue.Queue = queue.Queue()
        self.n = 0
        threading.Thread(target=self._read, daemon=True).start()

    @staticmethod
    def opening(root_uri: str, probe_uri: str) -> list[bytes]:
        """initialize, initialized, and didOpen of the probe document."""
        return [frame({"id": "init", "method": "initialize",
                       "params": {"processId": None, "rootUri": root_uri, "capabilities": {}}}),
                frame({"method": "initialized", "params": {}}),
                frame({"method": "textDocument/didOpen", "params": {"textDocument": {
                    "uri": probe_uri, "languageId": "factoryspec", "version": 1, "text": PROBE_TEXT}}})]

    def start(self, timeout: float) -> bool:
        for chunk in self.opening(uris.from_fs_path(str(self.dir)), self.probe_uri):
            self.send(chunk)
        return self.wait_for("init", timeout) is not None

    def _read(self) -> None:
        """Frames from the server's stdout onto the inbox (None at the end)."""
        out = self.proc.stdout
        try:
            while True:
                length = None
                while True:
                    line = out.readline()
                    if not line:
                        return
                    if not line.strip():
                        break
                    name, _, value = line.decode("ascii", "replace").partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                self.inbox.put(json.loads(out.read(length or 0)))
        except Exception:
            return
        finally:
            self.inbox.put(None)

    def send(self, data: bytes) -> bool:
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
            return True
        except (BrokenPipeError, OSError, ValueError):
            return False

    def wait_for(self, request_id, timeout: float, seen: list | None = None):
        """The response to request_id, or None; other messages go to `seen`."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            try:
                msg = self.inbox.get(timeout=remaining)
            except queue.Empty:
                return None
            if msg is None:
                self.inbox.put(None)   # the end stays visible
                return None
            if msg.get("id") == request_id and "method" not in msg:
                return msg
            if seen is not None:
                seen.append(msg)

    def probe(self) -> bytes:
        self.n += 1
        return frame({"id": f"probe-{self.n}", "method": "textDocument/documentSymbol",
                      "params": {"textDocument": {"uri": self.probe_uri}}})

    def run_case(self, messages: list[bytes], probe_timeout: float) -> dict:
        """Send the case, then each awaited request and the probe; collect
        what the server says along the way."""
        seen: list = []
        for m in messages:
            self.send(m.replace(b"@ROOT@", str(self.dir).encode()))
        probe = self.probe()
        self.send(probe)
        answered = self.wait_for(f"probe-{self.n}", probe_timeout, seen)
        alive = self.proc.poll() is None
        return {"status": "ok" if answered and alive else "dead" if not alive else "deaf",
                "exitcode": self.proc.poll(), "problems": _problems(seen)}

    def close(self) -> None:
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(3)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(3)


def _problems(messages: list) -> list[str]:
    """internal-error diagnostics and logged exceptions among the server's messages."""
    found = []
    for msg in messages:
        params = msg.get("params") or {}
        if msg.get("method") == "textDocument/publishDiagnostics":
            found += [f"internal-error: {d.get('message', '')}" for d in params.get("diagnostics", [])
                      if d.get("code") == "internal-error"]
        elif msg.get("method") == "window/logMessage" and params.get("type") == 1 and \
                "Traceback" in params.get("message", ""):
            found.append("logged-exception: " + params["message"][-2000:])
    return found


def session(fresh: bool) -> Session:
    """This worker's server: a new one when asked or when the last one died."""
    global _SESSION
    if _SESSION is not None and (fresh or _SESSION.proc.poll() is not None):
        _SESSION.close()
        _SESSION = None
    if _SESSION is None:
        _SESSION = Session()
        if not _SESSION.start(30.0):
            raise RuntimeError("the language server did not answer initialize")
    return _SESSION
