"""End-to-end tests of `factoryspec lsp` with a real LSP client (pytest-lsp).

One server process serves the whole module (starting one costs ~0.5 s); each
test opens its own documents under a temporary workspace.
"""

from __future__ import annotations

import asyncio
import json
import queue
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls import uris
from pytest_lsp import ClientServerConfig, LanguageClient

from factoryspec.diagnostics import codes

e2e = pytest.mark.asyncio(loop_scope="module")

SPEC = """\
## The campus.
site s1 {
  land = 10 acre
  pue = 1.3
  ## The first building.
  building b1 {
    size = 250 m x 120 m
    hall h1 {
      size = 120 m x 60 m
      rows = 20
      slots_per_row = 30
      busway = 1.6 MW
    }
  }
}

## A rack system.
system gb {
  gpus = 72
  power = 135 kW
  compute_ports = 72
  port_speed = 800 Gb/s
}

## Racks in the cluster.
let n = 100

## The training cluster.
cluster c1 {
  system = gb
  racks = n
}
"""

BROKEN = "site s1 {\n  land = 10 acre\n  pue 1.3\n}\n"


registrations: list[types.Registration] = []


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("ws")


@pytest_lsp.fixture(
    scope="module",
    config=ClientServerConfig(server_command=[sys.executable, "-m", "factoryspec", "lsp"]),
)
async def client(lsp_client: LanguageClient, workspace: Path):
    registrations.clear()

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams):
        registrations.extend(params.registrations)

    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=types.ClientCapabilities(workspace=types.WorkspaceClientCapabilities(
            did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(dynamic_registration=True))),
        root_uri=uris.from_fs_path(str(workspace)),
        workspace_folders=[types.WorkspaceFolder(uri=uris.from_fs_path(str(workspace)), name="ws")],
        initialization_options={"debounceMs": 50},
    ))
    yield
    await lsp_client.shutdown_session()


# ---- helpers -------------------------------------------------------------------

_version: dict[str, int] = {}


def open_doc(client: LanguageClient, workspace: Path, name: str, text: str, write: bool = True) -> str:
    path = workspace / name
    if write:
        path.write_text(text, encoding="utf-8")
    uri = uris.from_fs_path(str(path))
    _version[uri] = 1
    client.diagnostics.pop(uri, None)
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="fac", version=1, text=text)))
    return uri


def change_doc(client: LanguageClient, uri: str, text: str) -> None:
    _version[uri] += 1
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=_version[uri]),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))


async def diagnostics(client: LanguageClient, uri: str, until=lambda ds: True, timeout: float = 10):
    """Wait until the diagnostics published for `uri` satisfy `until`."""
    async def wait():
        while uri not in client.diagnostics or not until(client.diagnostics[uri]):
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        return client.diagnostics[uri]
    return await asyncio.wait_for(wait(), timeout)


def pos(line: int, character: int) -> types.Position:
    return types.Position(line=line, character=character)


def doc(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri)


def hover_text(result: types.Hover | None) -> str:
    assert result is not None
    return result.contents.value


# ---- diagnostics -----------------------------------------------------------------

@e2e
async def test_syntax_diagnostic_at_zero_based_position(client: LanguageClient, workspace: Path):
    uri = open_doc(client, workspace, "broken.fac", BROKEN)
    diags = await diagnostics(client, uri, lambda ds: len(ds) > 0)
    syntax = [d for d in diags if d.code == "syntax"]
    assert syntax, diags
    # `pue 1.3` on the third line (0-based 2): the parser stops at `1.3`, column 6.
    assert syntax[0].range.start == pos(2, 6)
    assert syntax[0].severity == types.DiagnosticSeverity.Error
    assert syntax[0].source == "factoryspec"


@e2e
async def test_clean_spec_has_no_errors(client: LanguageClient, workspace: Path):
    uri = open_doc(client, workspace, "good.fac", SPEC)
    diags = await diagnostics(client, uri)
    # Engineering checks may still object to the toy figures; the language is clean.
    phases = {d.code: codes.CODES[d.code].phase for d in diags if d.code in codes.CODES}
    assert [d for d in diags if phases.get(d.code) in ("input", "parse", "resolve")] == []


@e2e
async def test_change_with_non_ascii_text(client: LanguageClient, workspace: Path):
    uri = open_doc(client, workspace, "unicode.fac", "site s1 {\n  land = 10 acre\n}\n")
    await diagnostics(client, uri)
    # The unknown attribute follows a string with a 2-unit emoji and `ü`:
    # code points 37, UTF-16 units 38.
    line = 'site s1 { location = "Zürich 🚀 🚀"; bogus = 1 }\n'
    change_doc(client, uri, line)
    diags = await diagnostics(client, uri, lambda ds: any(d.code == "unknown-attribute" for d in ds))
    d = next(d for d in diags if d.code == "unknown-attribute")
    start = line.index("bogus")
    utf16 = len(line[:start].encode("utf-16-le")) // 2
    assert utf16 == start + 2
    assert d.range.start == pos(0, utf16)
    assert d.range.end == pos(0, utf16 + len("bogus"))


@e2e
async def test_rapid_changes_settle_on_the_last_text(client: LanguageClient, workspace: Path):
    uri = open_doc(client, workspace, "rapid.fac", "site s1 {\n  land = 10 acre\n}\n")
    await diagnostics(client, uri)
    for i in range(30):
        change_doc(client, uri, f"site s1 {{\n  land = {i} acre\n  bad{i} = 1\n}}\n")
    diags = await diagnostics(client, uri, lambda ds: any("bad29" in d.message for d in ds))
    assert [d.message for d in diags if d.code == "unknown-attribute"] == ["`bad29` is not an attribute of site"]


@e2e
async def test_pull_diagnostics(client: LanguageClient, workspace: Path):
    uri = open_doc(client, workspace, "pulled.fac", BROKEN)
    report = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=doc(uri)))
    assert any(d.code == "syntax" and d.range.start.line == 2 for d in report.items)
    again = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=doc(uri), previous_result_id=report.result_id))
    assert again.kind == "unchanged"


@e2e
async def test_diagnostics_of_an_imported_open_document(client: LanguageClient, workspace: Path):
    lib = open_doc(client, workspace, "lib.fac", "## Shared PUE.\nlet shared = 1.2\n")
    main = open_doc(client, workspace, "main.fac",
                    'import "lib.fac"\nsite s1 {\n  land = 10 acre\n  pue = shared\n}\n')
    first = await diagnostics(client, main)
    assert not any(d.code == "undefined-reference" for d in first)
    # An unsaved edit of the library is seen by its importer.
    change_doc(client, lib, "let other = 1.2\n")
    diags = await diagnostics(client, main, lambda ds: any(d.code == "undefined-reference" for d in ds))
    assert next(d for d in diags if d.code == "undefined-reference").range.start == pos(3, 8)


@e2e
async def test_an_imported_file_changed_on_disk(client: LanguageClient, workspace: Path):
    assert any(r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES for r in registrations)
    lib = workspace / "disk-lib.fac"
    lib.write_text("let disk_pue = 1.2\n", encoding="utf-8")
    main = open_doc(client, workspace, "disk-main.fac",
                    'import "disk-lib.fac"\nsite s1 {\n  land = 10 acre\n  pue = disk_pue\n}\n')
    assert not any(d.code == "undefined-reference" for d in await diagnostics(client, main))
    lib.write_text("let renamed = 1.2\n", encoding="utf-8")
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=uris.from_fs_path(str(lib)), type=types.FileChangeType.Changed)]))
    await diagnostics(client, main, lambda ds: any(d.code == "undefined-reference" for d in ds))


# ---- hover ---------------------------------------------------------------------------

@e2e
async def test_hover(client: LanguageClient, workspace: Path):
    uri = open_doc(client, workspace, "hover.fac", SPEC)
    await diagnostics(client, uri)
    lines = SPEC.split("\n")

    def at(line_text: str, word: str) -> types.Position:
        i = next(i for i, x in enumerate(lines) if line_text in x)
        return pos(i, lines[i].index(word))

    async def hover(p):
        return hover_text(await client.text_document_hover_async(types.HoverParams(text_document=doc(uri), position=p)))

    cluster = await hover(at("cluster c1", "c1"))
    assert "The training cluster." in cluster
    assert "GPUs: `7200`" in cluster           # GPUs: 100 racks x 72
    assert "13.5 MW" in cluster          # IT power: 100 x 135 kW
    assert "data hall" in await hover(at("hall h1", "hall"))
    busway = await hover(at("busway =", "busway"))
    assert "busway" in busway and "power" in busway
    assert "megawatt" in await hover(at("busway =", "MW"))
    assert "Racks in the cluster." in await hover(at("racks = n", "n"))
    assert "100" in await hover(at("racks = n", "n"))
    assert "The first building." in await hover(at("building b1", "b1"))
    system = await hover(at("system = gb", "gb"))
    assert "A rack system." in system and "135 kW" in system


# ---- completion ------------------------------------------------------------------------

async def _complete(client: LanguageClient, uri: str, p: types.Position) -> list[str]:
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=doc(uri), position=p))
    items = result.items if isinstance(result, types.CompletionList) else result
    return [i.label for i in items]


@e2e
async def test_completion_attributes_in_a_hall(client: LanguageClient, workspace: Path):
    text = "site s1 {\n  building b1 {\n    hall h1 {\n      ro\n    }\n  }\n}\n"
    uri = open_doc(client, workspace, "complete.fac", text)
    labels = await _complete(client, uri, pos(3, 8))
    assert {"rows", "slots_per_row", "busway", "size"} <= set(labels)
    assert "cdu" in labels            # child block kinds
    assert "land" not in labels       # a site attribute


@e2e
async def test_completion_units_and_names(client: LanguageClient, workspace: Path):
    text = SPEC + "cluster c2 {\n  system = \n  racks = 1\n}\nlet p = 5 \n"
    uri = open_doc(client, workspace, "complete2.fac", text)
    await diagnostics(client, uri)
    lines = text.split("\n")
    row = lines.index("  system = ")
    names = await _complete(client, uri, pos(row, len(lines[row])))
    assert "gb" in names and "n" not in names      # only systems fit `system =`
    units = await _complete(client, uri, pos(len(lines) - 2, len("let p = 5 ")))
    assert {"kW", "MW", "m", "acre"} <= set(units)
    top = await _complete(client, uri, pos(len(lines) - 1, 0))
    assert {"site", "cluster", "let", "import"} <= set(top)


# ---- navigation -------------------------------------------------------------------------

@e2e
async def test_definition_and_references(client: LanguageClient, workspace: Path):
    uri = open_doc(client, workspace, "nav.fac", SPEC + "let m = n * 2\nlet k = m + n\n")
    await diagnostics(client, uri)
    lines = SPEC.split("\n")
    use = lines.index("  racks = n")
    result = await client.text_document_definition_async(
        types.DefinitionParams(text_document=doc(uri), position=pos(use, 10)))
    loc = result[0] if isinstance(result, list) else result
    let_line = lines.index("let n = 100")
    assert loc.uri == uri and loc.range.start == pos(let_line, 4) and loc.range.end == pos(let_line, 5)

    refs = await client.text_document_references_async(types.ReferenceParams(
        text_document=doc(uri), position=pos(let_line, 4),
        context=types.ReferenceContext(include_declaration=False)))
    assert sorted(r.range.start.line for r in refs) == [use, len(lines) - 1, len(lines)]
    with_decl = await client.text_document_references_async(types.ReferenceParams(
        text_document=doc(uri), position=pos(use, 10), context=types.ReferenceContext(include_declaration=True)))
    assert len(with_decl) == 4


@e2e
async def test_document_symbols(client: LanguageClient, workspace: Path):
    uri = open_doc(client, workspace, "outline.fac", SPEC)
    await diagnostics(client, uri)
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=doc(uri)))
    assert [s.name for s in symbols] == ["s1", "gb", "n", "c1"]
    site = symbols[0]
    building = next(c for c in site.children if c.name == "b1")
    assert any(c.name == "h1" and c.detail == "hall" for c in building.children)


@e2e
async def test_formatting(client: LanguageClient, workspace: Path):
    uri = open_doc(client, workspace, "ugly.fac", "site s1 {\nland=10 acre;pue=1.3}\n")
    edits = await client.text_document_formatting_async(types.DocumentFormattingParams(
        text_document=doc(uri), options=types.FormattingOptions(tab_size=2, insert_spaces=True)))
    assert len(edits) == 1
    assert edits[0].range.start == pos(0, 0) and edits[0].range.end == pos(2, 0)
    assert edits[0].new_text == "site s1 {\n  land = 10 acre\n  pue = 1.3\n}\n"
    broken = open_doc(client, workspace, "ugly-broken.fac", BROKEN)
    none = await client.text_document_formatting_async(types.DocumentFormattingParams(
        text_document=doc(broken), options=types.FormattingOptions(tab_size=2, insert_spaces=True)))
    assert not none


# ---- robustness ----------------------------------------------------------------------------

@e2e
async def test_file_deleted_while_open(client: LanguageClient, workspace: Path):
    uri = open_doc(client, workspace, "doomed.fac", SPEC)
    await diagnostics(client, uri)
    (workspace / "doomed.fac").unlink()
    change_doc(client, uri, SPEC + "let z = 1 +\n")
    diags = await diagnostics(client, uri, lambda ds: any(d.code == "syntax" for d in ds))
    assert all(d.code != "file-not-found" for d in diags)
    hover = await client.text_document_hover_async(types.HoverParams(text_document=doc(uri), position=pos(1, 6)))
    assert hover is not None
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=doc(uri)))
    await diagnostics(client, uri, lambda ds: not ds)


@e2e
async def test_unknown_request_and_unknown_document(client: LanguageClient, workspace: Path):
    with pytest.raises(Exception):
        await client.protocol.send_request_async("factoryspec/noSuchMethod", {})
    ghost = uris.from_fs_path(str(workspace / "never-opened.fac"))
    assert await client.text_document_hover_async(
        types.HoverParams(text_document=doc(ghost), position=pos(0, 0))) is None
    assert await client.text_document_definition_async(
        types.DefinitionParams(text_document=doc(ghost), position=pos(3, 99))) is None
    # Positions beyond the text and half-typed lines are answered, not fatal.
    uri = open_doc(client, workspace, "half.fac", "site s1 {\n  building b1 { hall h1 { size = 1")
    await diagnostics(client, uri, lambda ds: len(ds) > 0)
    await client.text_document_hover_async(types.HoverParams(text_document=doc(uri), position=pos(40, 99)))
    await _complete(client, uri, pos(1, 40))
    # The server is still alive.
    alive = open_doc(client, workspace, "alive.fac", BROKEN)
    assert await diagnostics(client, alive, lambda ds: len(ds) > 0)


# ---- a client that pulls diagnostics and negotiates UTF-8 positions -----------------------------

@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "factoryspec", "lsp"]))
async def utf8_client(lsp_client: LanguageClient):
    result = await lsp_client.initialize_session(types.InitializeParams(capabilities=types.ClientCapabilities(
        general=types.GeneralClientCapabilities(position_encodings=[types.PositionEncodingKind.Utf8]),
        text_document=types.TextDocumentClientCapabilities(diagnostic=types.DiagnosticClientCapabilities()))))
    assert result.capabilities.position_encoding == types.PositionEncodingKind.Utf8
    assert result.capabilities.diagnostic_provider is not None
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio
async def test_pulling_client_with_utf8_positions(utf8_client: LanguageClient, tmp_path: Path):
    line = 'site s1 { location = "Zürich 🚀"; bogus = 1 }\n'
    uri = open_doc(utf8_client, tmp_path, "utf8.fac", line)
    report = await utf8_client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=doc(uri)))
    d = next(d for d in report.items if d.code == "unknown-attribute")
    assert d.range.start == pos(0, len(line[:line.index("bogus")].encode("utf-8")))
    h = await utf8_client.text_document_hover_async(
        types.HoverParams(text_document=doc(uri), position=d.range.start))
    assert "`bogus` is not an attribute" in hover_text(h)
    assert uri not in utf8_client.diagnostics        # a pulling client gets nothing pushed


# ---- in-process: the feature functions on real specs --------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


def snapshot_of(path: Path, text: str | None = None):
    from factoryspec.lsp.state import Snapshot, real, path_to_uri
    from factoryspec.pipeline import check

    text = path.read_text(encoding="utf-8") if text is None else text
    return Snapshot(path_to_uri(str(path)), real(str(path)), 1, text,
                    check(str(path), overlay={str(path): text}))


def at(snap, line_text: str, word: str) -> tuple[int, int]:
    row = next(i for i, x in enumerate(snap.lines) if line_text in x)
    return row + 1, snap.lines[row].index(word, snap.lines[row].index(line_text)) + 1


def test_dotted_references_resolve_each_part(tmp_path):
    from factoryspec.lsp import locate, navigation

    path = tmp_path / "dotted.fac"
    text = SPEC.replace("  racks = n\n", "  racks = n\n  halls = [s1.b1.h1]\n")
    snap = snapshot_of(path, text)
    for word, definition in (("s1", "site s1"), ("b1", "building b1"), ("h1", "hall h1")):
        line, col = at(snap, "halls = [", word)
        target = locate.target_at(snap.index.module, snap.lines, line, col)
        span = navigation.definition_of(snap, target)
        assert (span.line, span.column) == at(snap, definition, word.split(".")[-1])
        refs = navigation.references_to([snap], snap, target, include_declaration=False)
        assert [(r.line, r.column) for r in refs] == [(line, col)]


def test_completion_offers_catalog_items_with_their_import(tmp_path):
    from factoryspec.lsp import catalog, completion

    systems = [i for i in catalog.items() if i.kind == "system"]
    if not systems:
        pytest.skip("the catalog has no systems")
    text = "cluster c1 {\n  system = \n  racks = 1\n}\n"
    snap = snapshot_of(tmp_path / "cat.fac", text)
    items = {i.label: i for i in completion.complete(text, snap, 2, 12, "utf-16")}
    item = items[systems[0].name]
    assert item.additional_text_edits[0].new_text == f"import catalog.{systems[0].module}\n"
    assert all(i.kind != types.CompletionItemKind.Function for i in items.values())   # `system` needs a system
    imported = f"import catalog.{systems[0].module}\n" + text
    snap = snapshot_of(tmp_path / "cat.fac", imported)
    items = {i.label: i for i in completion.complete(imported, snap, 3, 12, "utf-16")}
    assert not items[systems[0].name].additional_text_edits


def test_libraries_get_no_unused_warnings(tmp_path):
    from factoryspec.lsp import linting

    snap = snapshot_of(tmp_path / "lib.fac", "let shared = 4\n")
    assert [d.code for d in linting.document_diagnostics(snap, "utf-16")] == ["unused"]
    assert linting.document_diagnostics(snap, "utf-16", library=True) == []


def _every_feature(snap, text: str, step: int) -> int:
    from factoryspec.lsp import completion, hover, locate, navigation, outline

    answered = 0
    for row, line in enumerate(text.split("\n")):
        for col in range(1, len(line) + 2, step):
            answered += hover.hover(snap, row + 1, col, "utf-16") is not None
            completion.complete(text, snap, row + 1, col, "utf-16")
            target = locate.target_at(snap.index.module, snap.lines, row + 1, col)
            if target is not None:
                navigation.definition_of(snap, target)
                navigation.references_to([snap], snap, target, True)
    outline.document_symbols(snap.index.module, snap.lines, "utf-16")
    return answered


def test_every_position_of_a_real_spec_is_answered():
    path = ROOT / "specs" / "superpod.fac"
    if not path.exists():
        pytest.skip("specs/superpod.fac is missing")
    snap = snapshot_of(path)
    assert _every_feature(snap, snap.text, step=2) > 100


@pytest.mark.parametrize("cut", [0.13, 0.37, 0.5, 0.71, 0.9])
def test_half_typed_specs_never_raise(tmp_path, cut):
    path = ROOT / "specs" / "superpod.fac"
    if not path.exists():
        pytest.skip("specs/superpod.fac is missing")
    full = path.read_text(encoding="utf-8")
    text = full[:int(len(full) * cut)] + "\n  hall x { rows = 4 MW + \n"
    snap = snapshot_of(tmp_path / "superpod.fac", text)
    _every_feature(snap, text, step=7)


# ---- raw JSON-RPC: garbage on the wire ------------------------------------------------------------

def _frame(message) -> bytes:
    body = message if isinstance(message, bytes) else json.dumps(message).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class RawServer:
    """The server as a subprocess, spoken to in raw JSON-RPC frames."""

    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, "-m", "factoryspec", "lsp"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.messages: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        while header := out.readline():
            if header.lower().startswith(b"content-length:"):
                length = int(header.split(b":")[1])
                while out.readline().strip():
                    pass
                self.messages.put(json.loads(out.read(length)))

    def send(self, *messages) -> None:
        self.proc.stdin.write(b"".join(map(_frame, messages)))
        self.proc.stdin.flush()

    def response(self, msg_id: int, timeout: float = 20) -> dict:
        while True:
            message = self.messages.get(timeout=timeout)
            if message.get("id") == msg_id and "method" not in message:
                return message


def test_malformed_messages_do_not_kill_the_server(tmp_path):
    uri = uris.from_fs_path(str(tmp_path / "raw.fac"))
    text = "site s1 {\n  land = 10 acre\n}\n"
    server = RawServer()
    server.send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}, "processId": None}},
                {"jsonrpc": "2.0", "method": "initialized", "params": {}},
                b"{not json",
                {"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": {"textDocument": {"uri": 5}}},
                {"jsonrpc": "2.0", "id": 3, "method": "factoryspec/unknown", "params": {}},
                {"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                    "textDocument": {"uri": uri + ".never-opened", "version": 2}, "contentChanges": [{"text": "x"}]}},
                {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
                    "uri": uri, "languageId": "fac", "version": 1, "text": text}}},
                {"jsonrpc": "2.0", "id": 4, "method": "textDocument/hover", "params": {
                    "textDocument": {"uri": uri}, "position": {"line": 0, "character": 1}}})
    try:
        assert "error" in server.response(2)          # unreadable parameters are answered, not dropped
        assert "error" in server.response(3)
        assert "site" in server.response(4)["result"]["contents"]["value"]
        server.send({"jsonrpc": "2.0", "id": 5, "method": "shutdown", "params": None},
                    {"jsonrpc": "2.0", "method": "exit", "params": None})
        assert "error" not in server.response(5)
        assert server.proc.wait(timeout=20) == 0
    finally:
        if server.proc.poll() is None:
            server.proc.kill()
        server.proc.stdin.close()
        server.proc.wait(timeout=20)
        server.proc.stdout.close()


def test_completion_leaves_out_attributes_already_set_in_the_block(tmp_path):
    from factoryspec.lsp import completion

    text = ("site s1 {\n  building b1 {\n    hall h1 {\n      rows = 4  # set\n      ro\n"
            "      cdu {\n        count = 2\n      }\n      busway = 2 MW\n    }\n  }\n  land = 1 ha\n}\n")
    snap = snapshot_of(tmp_path / "set.fac", text)
    labels = {i.label for i in completion.complete(text, snap, 5, 9, "utf-16")}     # after `ro`
    assert {"slots_per_row", "size", "cdu"} <= labels
    assert "rows" not in labels and "busway" not in labels       # set before and after the cursor
    inner = text.replace("count = 2", "co")
    assert "count" in {i.label for i in completion.complete(inner, snap, 7, 11, "utf-16")}
    # the attribute on the line being typed is still offered (it may be what is being written)
    retyped = text.replace("rows = 4  # set", "ro")
    assert "rows" in {i.label for i in completion.complete(retyped, snap, 4, 9, "utf-16")}


def test_completion_for_halls_offers_halls_and_buildings(tmp_path):
    from factoryspec.lsp import completion

    text = SPEC + "cluster c2 {\n  system = gb\n  racks = 1\n  halls = [\n}\n"
    # the server completes against the last snapshot that resolved
    snap = snapshot_of(tmp_path / "halls.fac", text.replace("  halls = [\n", "  halls = [s1.b1]\n"))
    line = text.split("\n").index("  halls = [") + 1
    labels = {i.label for i in completion.complete(text, snap, line, len("  halls = [") + 1, "utf-16")}
    assert "s1" in labels                      # a namespace on the way to its buildings and halls
    member = text.replace("  halls = [", "  halls = [s1.")
    labels = {i.label for i in completion.complete(member, snap, line, len("  halls = [s1.") + 1, "utf-16")}
    assert "b1" in labels and "gb" not in labels


# ---- asserts: derived figures ------------------------------------------------------------

ASSERTS = SPEC.replace("cluster c1 {\n  system = gb\n  racks = n\n}\n",
                       "cluster c1 {\n  system = gb\n  racks = n\n}\n"
                       'assert plan.gpus <= 7200 and c1.it_power <= 14 MW, "phase 1"\n')


def test_hover_on_derived_figures(tmp_path):
    from factoryspec.lsp import hover

    snap = snapshot_of(tmp_path / "asserts.fac", ASSERTS)

    def text(word: str, at_word: str | None = None) -> str:
        line, col = at(snap, "assert plan.gpus", at_word or word)
        result = hover.hover(snap, line, col, "utf-16")
        return result.contents.value if result else ""

    gpus = text("gpus")
    assert "plan.gpus" in gpus and "`7200`" in gpus and "GPUs" in gpus
    assert "figures derived from the model" in text("plan")
    power = text("it_power")
    assert "c1.it_power" in power and "13.5 MW" in power and "derived" in power


def test_completion_of_derived_figures_in_asserts(tmp_path):
    from factoryspec.lsp import completion

    snap = snapshot_of(tmp_path / "asserts.fac", ASSERTS)
    typed = ASSERTS + "assert plan.\n"
    line = len(typed.split("\n")) - 1
    items = {i.label: i for i in completion.complete(typed, snap, line, len("assert plan.") + 1, "utf-16")}
    assert {"racks", "gpus", "it_power", "facility_power", "switches", "links"} <= set(items)
    assert items["gpus"].detail == "7200" and "GPUs" in items["gpus"].documentation
    member = ASSERTS + "assert c1.\n"
    labels = {i.label for i in completion.complete(member, snap, line, len("assert c1.") + 1, "utf-16")}
    assert {"gpus", "it_power", "racks", "system"} <= labels
    # outside an assert the figures are not values yet
    let = ASSERTS + "let x = c1.\n"
    labels = {i.label for i in completion.complete(let, snap, line, len("let x = c1.") + 1, "utf-16")}
    assert "gpus" not in labels and "racks" in labels
    names = {i.label for i in completion.complete(ASSERTS + "assert p\n", snap, line, len("assert p") + 1, "utf-16")}
    assert "plan" in names
    top = {i.label for i in completion.complete(ASSERTS + "\n", snap, line, 1, "utf-16")}
    assert "assert" in top


@e2e
async def test_assert_failure_is_published(client: LanguageClient, workspace: Path):
    text = ASSERTS.replace("plan.gpus <= 7200", "plan.gpus <= 7000")
    uri = open_doc(client, workspace, "assert_fail.fac", text)
    diags = await diagnostics(client, uri, lambda ds: any(d.code == "assert-failed" for d in ds))
    d = next(d for d in diags if d.code == "assert-failed")
    assert d.message == "assertion failed: phase 1: plan.gpus = 7200, which is not <= 7000"
    row = text.split("\n").index(next(x for x in text.split("\n") if x.startswith("assert")))
    assert d.range.start == pos(row, 0)
