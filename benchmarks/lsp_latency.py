"""Language server latency on a generated 1,000-line spec.

Starts `python -m factoryspec lsp` over stdio with a pygls client, then
measures, for ~20 edits each, the time from sending a didChange until the
publishDiagnostics of that version arrives:

  * with the debounce switched off (initializationOptions debounceMs = 0):
    the cost of a check plus the round trip;
  * with the default debounce (10 ms): what a user sees after a pause;
  * a burst of 20 edits 20 ms apart: time from the last edit to its
    diagnostics (shows that edits never queue up behind each other).

Run: python benchmarks/lsp_latency.py [LINES] [CHANGES]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls import uris
from pygls.lsp.client import LanguageClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import spec_lines  # noqa: E402


class Client(LanguageClient):
    def __init__(self):
        super().__init__("lsp-latency", "1")
        self.versions: dict[int, float] = {}     # version -> arrival time
        self.arrived = asyncio.Event()

        @self.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(params: types.PublishDiagnosticsParams):
            if params.version is not None:
                self.versions[params.version] = time.perf_counter()
                self.arrived.set()

    async def until_version(self, version: int, timeout: float = 30) -> float:
        deadline = time.perf_counter() + timeout
        while version not in self.versions:
            self.arrived.clear()
            await asyncio.wait_for(self.arrived.wait(), max(deadline - time.perf_counter(), 0.001))
        return self.versions[version]


class Session:
    def __init__(self, path: Path, debounce_ms: int | None):
        self.path, self.debounce_ms = path, debounce_ms
        self.uri = uris.from_fs_path(str(path))
        self.text = path.read_text(encoding="utf-8")
        self.version = 1
        self.client = Client()

    async def start(self) -> None:
        await self.client.start_io(sys.executable, "-m", "factoryspec", "lsp")
        options = {"debounceMs": self.debounce_ms} if self.debounce_ms is not None else None
        await self.client.initialize_async(types.InitializeParams(
            capabilities=types.ClientCapabilities(), root_uri=uris.from_fs_path(str(self.path.parent)),
            initialization_options=options))
        self.client.initialized(types.InitializedParams())
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
            uri=self.uri, language_id="fac", version=1, text=self.text)))
        await self.client.until_version(1, timeout=60)

    def edit(self, i: int) -> float:
        """Change a cluster's rack count in the middle of the file (an incremental change)."""
        lines = self.text.split("\n")
        row = next(r for r in range(len(lines) // 2, len(lines)) if lines[r].strip().startswith("racks ="))
        old = lines[row]
        new = old.split("=")[0] + f"= {60 + i % 5}"
        lines[row] = new
        self.text = "\n".join(lines)
        self.version += 1
        change = types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(line=row, character=0),
                              end=types.Position(line=row, character=len(old))), text=new)
        sent = time.perf_counter()
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=self.uri, version=self.version),
            content_changes=[change]))
        return sent

    async def hover_ms(self) -> float:
        lines = self.text.split("\n")
        row = next(r for r, x in enumerate(lines) if x.startswith("cluster "))
        t = time.perf_counter()
        await self.client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=self.uri), position=types.Position(line=row, character=9)))
        return (time.perf_counter() - t) * 1000

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()


def summary(samples_ms: list[float]) -> str:
    s = sorted(samples_ms)
    p90 = s[min(len(s) - 1, int(round(0.9 * (len(s) - 1))))]
    return f"median {statistics.median(s):6.1f} ms   p90 {p90:6.1f} ms   max {s[-1]:6.1f} ms   (n={len(s)})"


async def edits_one_by_one(path: Path, debounce_ms: int | None, changes: int) -> tuple[list[float], list[float]]:
    session = Session(path, debounce_ms)
    await session.start()
    samples, hovers = [], []
    try:
        for i in range(changes):
            sent = session.edit(i)
            samples.append((await session.client.until_version(session.version) - sent) * 1000)
            hovers.append(await session.hover_ms())
    finally:
        await session.stop()
    return samples, hovers


async def burst(path: Path, edits: int = 20, gap: float = 0.02) -> tuple[float, int]:
    session = Session(path, None)
    await session.start()
    try:
        for i in range(edits):
            sent = session.edit(i)
            await asyncio.sleep(gap)
        arrived = await session.client.until_version(session.version)
        published = sum(1 for v in session.client.versions if v > 1)
    finally:
        await session.stop()
    return (arrived - sent) * 1000, published


async def main() -> None:
    n_lines = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    changes = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "generated.fac"
        path.write_text(spec_lines(n_lines), encoding="utf-8")
        print(f"spec: {path.read_text().count(chr(10)):,} lines; {changes} edits each; times are change -> diagnostics")
        raw, hovers = await edits_one_by_one(path, 0, changes)
        print(f"  no debounce:       {summary(raw)}")
        debounced, _ = await edits_one_by_one(path, None, changes)
        print(f"  default debounce:  {summary(debounced)}")
        print(f"  hover (cluster):   {summary(hovers)}")
        last, published = await burst(path)
        print(f"  burst of 20 edits 20 ms apart: last edit -> its diagnostics {last:.1f} ms; "
              f"{published} publications for 20 edits")


if __name__ == "__main__":
    asyncio.run(main())
