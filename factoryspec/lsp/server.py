"""`factoryspec lsp`: the language server (pygls 2, stdio).

Diagnostics come from the same pipeline as `factoryspec lint`
(`factoryspec.check`), run on the editor's unsaved text: every open document is
passed as an overlay, so an import of another open file sees its buffer. The
checks run in the background (linting.Linter), debounced; requests are
answered from the last check of the document.

Every handler is guarded: an exception is logged to the client
(window/logMessage) and answered with an empty result; the server never dies
of a bad file, a half-typed line or an unexpected request.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import os
import sys
import traceback
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from .. import __version__
from . import completion, formatting, hover, linting, locate, navigation, outline, sync
from ..diagnostics import error
from .framing import FramedStdin
from .positions import from_position
from .state import Snapshot, path_to_uri, real, uri_to_path


class FacProtocol(LanguageServerProtocol):
    """Answers a request whose parameters cannot be read with an error
    response (pygls alone drops it, leaving the client waiting forever)."""

    def structure_message(self, data: dict[str, Any]):
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if isinstance(data, dict) and "id" in data and "method" in data:
                self._send_response(data["id"], error=types.ResponseError(code=exc.code, message=str(exc.message)))
            raise


    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams):
        """pygls' handler, but a change that cannot apply marks the document
        out of sync instead of being applied anyhow."""
        uri = params.text_document.uri
        server: FacServer = self._server
        if uri in server.open and uri not in server.out_of_sync:
            doc = self.workspace.get_text_document(uri)
            for change in params.content_changes:
                why = sync.change_problem(doc.source, doc.version, params.text_document.version, change)
                if why is not None:
                    server.lost_sync(uri, why)
                    break
                doc.apply_change(change)
            doc.version = params.text_document.version
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None


class FacServer(LanguageServer):
    def __init__(self):
        super().__init__("factoryspec", __version__, protocol_cls=FacProtocol,
                         text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.open: dict[str, str] = {}        # uri -> real path of every open document
        self.pull = False                     # the client pulls diagnostics itself
        self.refresh: set[str] = set()        # pull mode: re-checked because an import changed
        self.libraries: dict[str, bool] = {}  # uri -> published as a library (imported by others)
        self.out_of_sync: dict[str, str] = {} # uri -> why the server's copy may differ from the editor's
        self.linter = linting.Linter(self.source, self.overlay, self._on_result, self.log)
        self.loop: asyncio.AbstractEventLoop | None = None   # set at initialize; for other threads' logs

    # ---- plumbing ----------------------------------------------------------
    @property
    def encoding(self) -> str:
        try:
            enc = self.workspace.position_encoding
        except RuntimeError:   # before initialize
            return "utf-16"
        return getattr(enc, "value", enc) or "utf-16"

    def log(self, message: str, kind: types.MessageType = types.MessageType.Error) -> None:
        try:
            self.window_log_message(types.LogMessageParams(type=kind, message=message))
        except Exception:
            pass

    def framing_error(self, message: str) -> None:
        """A broken message on stdin (called from the reader thread)."""
        logging.getLogger(__name__).warning("factoryspec: %s", message)
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self.log, f"factoryspec: {message}", types.MessageType.Warning)

    def report_server_error(self, error: Exception, source) -> None:
        """Errors outside any request (unreadable messages and the like) go to
        the client's log rather than popping up in front of the user."""
        self.log(f"factoryspec: {type(error).__name__}: {error}", types.MessageType.Warning)

    def workspace_roots(self) -> list[str]:
        try:
            folders = [uri_to_path(f.uri) for f in self.workspace.folders.values()]
            if self.workspace.root_path:
                folders.append(real(self.workspace.root_path))
        except RuntimeError:   # before initialize
            return []
        return folders

    def in_workspace(self, path: str) -> bool:
        return any(path.startswith(f.rstrip(os.sep) + os.sep) for f in self.workspace_roots())

    def root_for(self, path: str) -> str:
        """The innermost workspace folder holding the file, else its directory."""
        folders = self.workspace_roots()
        inside = [f for f in folders if path.startswith(f.rstrip(os.sep) + os.sep)]
        return max(inside, key=len) if inside else os.path.dirname(path)

    def lost_sync(self, uri: str, why: str) -> None:
        """A change could not be applied: say so in the document until the
        editor saves it (the server then rereads it) or reopens it."""
        self.out_of_sync[uri] = why
        self.log(f"factoryspec: {uri}: cannot apply a change ({why}); the document is out of sync until "
                 "it is saved or reopened")
        doc = self.workspace.get_text_document(uri)
        self.linter.report(uri, self.open[uri], doc.version, doc.source, error(
            "out-of-sync", f"the language server's copy of this document may differ from the editor's ({why}); "
            "save the file or close and reopen it", None))

    def resync(self, uri: str, text: str | None) -> None:
        """Take the editor's text after a save: sent with it, or else the file
        just written (only a file inside the workspace is read)."""
        if uri not in self.out_of_sync:
            return
        path = self.open[uri]
        if text is None and self.in_workspace(path) and os.path.isfile(path):
            with open(path, encoding="utf-8", errors="replace") as fh:
                text = fh.read(linting.MAX_SPEC)
        if text is None:
            return
        old = self.workspace.get_text_document(uri)
        self.workspace.put_text_document(types.TextDocumentItem(
            uri=uri, language_id=old.language_id or "fac", version=old.version or 0, text=text))
        del self.out_of_sync[uri]

    def text_of(self, uri: str) -> str | None:
        if uri not in self.open or uri in self.out_of_sync:   # formatting it would garble the editor's text
            return None
        return self.workspace.get_text_document(uri).source

    def source(self, uri: str):
        if uri not in self.open or uri in self.out_of_sync:   # not checked: the text is not the editor's
            return None
        doc = self.workspace.get_text_document(uri)
        path = self.open[uri]
        return path, doc.source, doc.version, self.root_for(path)

    def overlay(self) -> dict[str, str]:
        return {path: self.workspace.get_text_document(uri).source for uri, path in self.open.items()}

    def is_library(self, path: str) -> bool:
        return bool(self.linter.dependents(path))

    def _on_result(self, snap: Snapshot) -> None:
        if self.pull:
            if snap.uri in self.refresh:
                self.refresh.discard(snap.uri)
                self._request_refresh()
            return
        self._publish(snap)
        # Documents this one imports may have just become libraries (no `unused`).
        for other in list(self.linter.latest.values()):
            if other.uri != snap.uri and self.libraries.get(other.uri) != self.is_library(other.path):
                self._publish(other)

    def _publish(self, snap: Snapshot) -> None:
        library = self.libraries[snap.uri] = self.is_library(snap.path)
        diags = linting.document_diagnostics(snap, self.encoding, library)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=snap.uri, diagnostics=diags, version=snap.version))

    def _request_refresh(self) -> None:
        ws = self.client_capabilities.workspace
        if ws and ws.diagnostics and ws.diagnostics.refresh_support:
            self.workspace_diagnostic_refresh(None)

    def changed(self, uri: str, delay: float | None = None) -> None:
        """Re-check a document and the open documents that import it."""
        if uri in self.open:
            self.linter.schedule(uri, delay)
        path = self.open.get(uri) or uri_to_path(uri)
        for other in self.linter.dependents(path):
            if other != uri and other in self.open:
                self.refresh.add(other)
                self.linter.schedule(other)

    async def snapshot(self, uri: str) -> Snapshot | None:
        """The last check of an open document, after any pending one finishes."""
        if uri not in self.open:
            return None
        await self.linter.settled(uri)
        return self.linter.snapshots.get(uri)

    def markdown(self, capability: str) -> bool:
        """Whether the client renders Markdown where `capability` (a dotted
        path of its text document capabilities) lists the formats."""
        found: Any = self.client_capabilities.text_document
        for name in capability.split("."):
            found = getattr(found, name, None)
        return bool(found) and types.MarkupKind.Markdown in found

    def point(self, snap: Snapshot, pos: types.Position) -> tuple[int, int]:
        return from_position(snap.lines, pos, self.encoding)

    def location(self, snap: Snapshot, span) -> types.Location:
        by_path = {path: uri for uri, path in self.open.items()}
        sources = snap.checked.sources if snap.checked else {}
        return navigation.location(span, lambda p: by_path.get(p) or path_to_uri(p),
                                   navigation.file_lines(sources), self.encoding)


def guarded(fn):
    """Log and swallow any exception of a handler (answering None)."""
    @functools.wraps(fn)
    async def wrapper(ls: FacServer, params: Any):
        try:
            return await fn(ls, params)
        except Exception as exc:
            ls.log(f"factoryspec: {fn.__name__} failed: {exc!r}\n{traceback.format_exc()}")
            return None
    return wrapper


def create_server() -> FacServer:
    server = FacServer()
    _register_sync(server)
    _register_requests(server)
    return server


def _register_sync(server: FacServer) -> None:
    @server.feature(types.INITIALIZE)
    def initialize(ls: FacServer, params: types.InitializeParams):
        ls.loop = asyncio.get_running_loop()
        try:
            caps = params.capabilities.text_document
            ls.pull = bool(caps and caps.diagnostic)
            _apply_options(ls, params.initialization_options)
        except Exception as exc:
            ls.log(f"factoryspec: initialize: {exc!r}")
        # Start the check processes now: the first didOpen should not wait for them.
        ls.loop.run_in_executor(ls.linter.waiters, ls.linter.pool.start)

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: FacServer, params: None):
        ls.linter.pool.close()

    @server.feature(types.INITIALIZED)
    @guarded
    async def initialized(ls: FacServer, params: types.InitializedParams):
        await _watch_spec_files(ls)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    @guarded
    async def did_open(ls: FacServer, params: types.DidOpenTextDocumentParams):
        ls.open[params.text_document.uri] = uri_to_path(params.text_document.uri)
        ls.out_of_sync.pop(params.text_document.uri, None)
        ls.changed(params.text_document.uri, delay=0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    @guarded
    async def did_change(ls: FacServer, params: types.DidChangeTextDocumentParams):
        ls.changed(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=True))
    @guarded
    async def did_save(ls: FacServer, params: types.DidSaveTextDocumentParams):
        if params.text_document.uri in ls.open:
            ls.resync(params.text_document.uri, params.text)
        ls.changed(params.text_document.uri, delay=0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    @guarded
    async def did_close(ls: FacServer, params: types.DidCloseTextDocumentParams):
        uri = params.text_document.uri
        ls.open.pop(uri, None)
        ls.out_of_sync.pop(uri, None)
        ls.linter.forget(uri)
        ls.libraries.pop(uri, None)
        if not ls.pull:
            ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        ls.changed(uri)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    @guarded
    async def watched(ls: FacServer, params: types.DidChangeWatchedFilesParams):
        for change in params.changes:
            ls.changed(change.uri)


async def _watch_spec_files(ls: FacServer) -> None:
    """Ask the client to report changes of *.fac files on disk (an imported
    file edited outside the editor), when it can register watchers."""
    ws = ls.client_capabilities.workspace
    watched = ws.did_change_watched_files if ws else None
    if not (watched and watched.dynamic_registration):
        return
    options = types.DidChangeWatchedFilesRegistrationOptions(
        watchers=[types.FileSystemWatcher(glob_pattern="**/*.fac")])
    await ls.client_register_capability_async(types.RegistrationParams(registrations=[types.Registration(
        id="factoryspec-watch", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options)]))


def _apply_options(ls: FacServer, options: Any) -> None:
    """initializationOptions: {"debounceMs": 10, "checkTimeoutMs": 10000}."""
    if isinstance(options, dict):
        delay = options.get("debounceMs", options.get("debounce_ms"))
        if isinstance(delay, (int, float)) and 0 <= delay <= 10_000:
            ls.linter.delay = delay / 1000
        budget = options.get("checkTimeoutMs")
        if isinstance(budget, (int, float)) and 100 <= budget <= 600_000:
            ls.linter.pool.timeout = budget / 1000


def _register_requests(server: FacServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_HOVER)
    @guarded
    async def on_hover(ls: FacServer, params: types.HoverParams):
        snap = await ls.snapshot(params.text_document.uri)
        if snap is None:
            return None
        result = hover.hover(snap, *ls.point(snap, params.position), ls.encoding)
        if result is not None and not ls.markdown("hover.content_format"):
            result.contents = types.MarkupContent(kind=types.MarkupKind.PlainText, value=result.contents.value)
        return result

    @server.feature(types.TEXT_DOCUMENT_COMPLETION,
                    types.CompletionOptions(trigger_characters=["."], resolve_provider=False))
    @guarded
    async def on_completion(ls: FacServer, params: types.CompletionParams):
        uri = params.text_document.uri
        text = ls.text_of(uri)
        if text is None:
            return None
        # Completion must be instant: it waits only while the published check's look-ups are built.
        snap = await ls.linter.built(uri, timeout=0.5)
        line, column = from_position(text.split("\n"), params.position, ls.encoding)
        items = completion.complete(text, snap, line, column, ls.encoding)
        if not ls.markdown("completion.completion_item.documentation_format"):
            for item in items:
                if isinstance(item.documentation, types.MarkupContent):
                    item.documentation = item.documentation.value
        return types.CompletionList(is_incomplete=False, items=items)

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    @guarded
    async def on_definition(ls: FacServer, params: types.DefinitionParams):
        snap = await ls.snapshot(params.text_document.uri)
        target = _target(ls, snap, params.position)
        span = navigation.definition_of(snap, target) if target else None
        return ls.location(snap, span) if span else None

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    @guarded
    async def on_references(ls: FacServer, params: types.ReferenceParams):
        snap = await ls.snapshot(params.text_document.uri)
        target = _target(ls, snap, params.position)
        if target is None:
            return []
        spans = navigation.references_to(list(ls.linter.snapshots.values()), snap, target,
                                         params.context.include_declaration)
        return [ls.location(snap, s) for s in spans]

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    @guarded
    async def on_symbols(ls: FacServer, params: types.DocumentSymbolParams):
        snap = await ls.snapshot(params.text_document.uri)
        symbols = outline.document_symbols(snap.index.module, snap.lines, ls.encoding) if snap else []
        caps = ls.client_capabilities.text_document
        if caps and caps.document_symbol and caps.document_symbol.hierarchical_document_symbol_support:
            return symbols
        if caps and caps.document_symbol:   # a client that said what it supports, without hierarchy
            return outline.flatten(symbols, params.text_document.uri)
        return symbols

    @server.feature(types.TEXT_DOCUMENT_FORMATTING)
    @guarded
    async def on_formatting(ls: FacServer, params: types.DocumentFormattingParams):
        uri = params.text_document.uri
        text = ls.text_of(uri)
        if text is None:
            return None
        return formatting.format_document(text, ls.open[uri], ls.encoding)

    @server.feature(types.TEXT_DOCUMENT_DIAGNOSTIC,
                    types.DiagnosticOptions(inter_file_dependencies=True, workspace_diagnostics=False,
                                            identifier="factoryspec"))
    @guarded
    async def on_diagnostic(ls: FacServer, params: types.DocumentDiagnosticParams):
        return await _pull(ls, params)


def _target(ls: FacServer, snap: Snapshot | None, pos: types.Position) -> locate.Target | None:
    if snap is None:
        return None
    line, column = ls.point(snap, pos)
    return locate.target_at(snap.index.module, snap.lines, line, column)


async def _pull(ls: FacServer, params: types.DocumentDiagnosticParams):
    uri = params.text_document.uri
    snap = await ls.snapshot(uri)
    if snap is None:
        snap = await _check_closed(ls, uri)
    if snap is None:
        return types.RelatedFullDocumentDiagnosticReport(items=[], result_id="none")
    items = linting.document_diagnostics(snap, ls.encoding, ls.is_library(snap.path))
    # The id names the content, so "unchanged" is exact whatever was re-checked.
    result_id = hashlib.sha256(repr(items).encode("utf-8", "surrogatepass")).hexdigest()[:16]
    if params.previous_result_id == result_id:
        return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
    return types.RelatedFullDocumentDiagnosticReport(items=items, result_id=result_id)


async def _check_closed(ls: FacServer, uri: str) -> Snapshot | None:
    """A document the client asks about without opening it: check it from
    disk, if it is a spec inside the workspace (a client may not make the
    server read arbitrary files, such as file:///etc/passwd)."""
    path = uri_to_path(uri)
    if not (ls.in_workspace(path) and os.path.isfile(path)):
        return None
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read(linting.MAX_SPEC + 1)
    except OSError:
        return None
    if len(text) > linting.MAX_SPEC:
        return None
    outcome = await asyncio.get_running_loop().run_in_executor(
        ls.linter.waiters, ls.linter.pool.run, path, text, ls.root_for(path), ls.overlay())
    found = linting.problem(outcome, ls.linter.pool.timeout)
    return Snapshot(uri, path, None, text, None, [found] if found else outcome.diagnostics, outcome.sources)


def serve() -> None:
    """Run the language server on stdin/stdout until the client exits."""
    server = create_server()
    # pygls' own reader never recovers from a wrong Content-Length; ours does (framing.py).
    server.start_io(stdin=FramedStdin(sys.stdin.buffer, server.framing_error))
