"""Cases for the language server: broken framing, and valid framing around
mutated documents and requests at odd positions.

A case is a list of raw messages (bytes). `@ROOT@` in them stands for the
server's workspace directory, so documents are inside the workspace.
"""

from __future__ import annotations

import json
from random import Random

from . import mutate
from .lsp_client import Session, frame

DOC = "file://@ROOT@/doc.fac"
REQUESTS = ["textDocument/hover", "textDocument/definition", "textDocument/references", "textDocument/completion",
            "textDocument/documentSymbol", "textDocument/formatting", "textDocument/diagnostic"]
ODD_NUMBERS = [0, 1, 5, -1, 2 ** 31, 2 ** 63, 10 ** 30, 1.5, None, "3"]
LENGTH_LIES = [b"0", b"-5", b"abc", b"", b"99999999999999999999", b"1e3", b" 12 ", b"0x10", b"+7", b"\xff"]
GARBAGE = [b"\x00" * 64, b"Content-Len", b"\r\n\r\n", b"Content-Length: \r\n\r\n", b"{}", b"\xff\xfe" * 100,
           b"Content-Length: 5\r\nContent-Length: 7\r\n\r\n{}", b"garbage " * 500]
BODIES = [b"[]", b"null", b"1", b'"x"', b"{}", b'{"jsonrpc":"2.0"}', b'{"jsonrpc":"2.0","id":{},"method":"x"}',
          b'{"jsonrpc":"2.0","id":1,"method":5}', b'{"jsonrpc":"2.0","id":null,"method":"textDocument/hover"}',
          b'{"jsonrpc":"2.0","id":7,"method":"textDocument/hover","params":[]}',
          b'{"jsonrpc":"2.0","id":8,"method":"textDocument/hover","params":{"textDocument":5}}',
          b'[{"jsonrpc":"2.0","id":9,"method":"textDocument/hover"}]', b'{"jsonrpc":"2.0","method":"$/cancelRequest"}',
          b'{"jsonrpc":"2.0","id":10,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///etc/passwd"},'
          b'"position":{"line":0,"character":0}}}', b'{"a":' * 5000 + b"1" + b"}" * 5000]


def _position(rng: Random, text: str) -> dict:
    lines = text.split("\n")
    if rng.random() < 0.7:
        line = rng.randrange(len(lines))
        return {"line": line, "character": rng.randint(0, len(lines[line]) + 2)}
    return {"line": rng.choice(ODD_NUMBERS), "character": rng.choice(ODD_NUMBERS)}


def _request(rng: Random, text: str, n: int, uri: str = DOC) -> bytes:
    method = rng.choice(REQUESTS)
    params = {"textDocument": {"uri": uri}}
    if method in ("textDocument/hover", "textDocument/definition", "textDocument/completion",
                  "textDocument/references"):
        params["position"] = _position(rng, text)
    if method == "textDocument/references":
        params["context"] = {"includeDeclaration": True}
    if method == "textDocument/formatting":
        params["options"] = {"tabSize": 2, "insertSpaces": True}
    return frame({"id": f"req-{n}", "method": method, "params": params})


def _text(rng: Random, corpus) -> str:
    _, data, _ = rng.choice(corpus.files)
    mutant, _ = mutate.mutate(data, rng, corpus)
    return mutant.decode("utf-8", "surrogateescape")


def document_case(rng: Random, corpus) -> tuple[list[bytes], str]:
    """Open a mutated spec, maybe edit it with odd ranges, ask about it, close it."""
    text = _text(rng, corpus)
    uri = DOC if rng.random() < 0.9 else rng.choice(["file:///etc/passwd", "untitled:x", "file://@ROOT@/../up.fac",
                                                     "http://x/y.fac", "file://@ROOT@/d%00.fac"])
    msgs = [frame({"method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": uri, "languageId": "factoryspec", "version": 1, "text": text}}})]
    for k in range(rng.randint(0, 2)):
        start, end = _position(rng, text), _position(rng, text)
        change = {"text": _text(rng, corpus)[:200]} if rng.random() < 0.3 else \
            {"range": {"start": start, "end": end}, "text": rng.choice(mutate.UNICODE + mutate.KEYWORDS)}
        msgs.append(frame({"method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri, "version": 2 + k}, "contentChanges": [change]}}))
    for n in range(rng.randint(1, 4)):
        msgs.append(_request(rng, text, n, uri))
    msgs.append(frame({"method": "textDocument/didClose", "params": {"textDocument": {"uri": uri}}}))
    return msgs, "a mutated document and requests about it"


def framing_case(rng: Random, corpus) -> tuple[list[bytes], str]:
    """One valid message, then one message whose framing or body is broken."""
    text = _text(rng, corpus)[:2000]
    body = _request(rng, text, 0).split(b"\r\n\r\n", 1)[1]
    op = rng.randrange(7)
    if op == 0:
        bad, desc = b"Content-Length: %d\r\n\r\n" % max(0, len(body) + rng.choice([-10, -1, 1, 10, 1000])) + body, \
            "a Content-Length that lies"
    elif op == 1:
        bad, desc = b"Content-Length: " + rng.choice(LENGTH_LIES) + b"\r\n\r\n" + body, "an unreadable Content-Length"
    elif op == 2:
        header = rng.choice([b"Content-Length: %d\n\n", b"content-LENGTH:%d\r\n\r\n", b"Content-Length: %d\r\n",
                             b"Content-Type: x\r\nContent-Length: %d\r\n\r\n", b"X: " + b"y" * 10000 +
                             b"\r\nContent-Length: %d\r\n\r\n", b"Content-Length: %d\r\r"])
        bad, desc = header % len(body) + body, "odd header lines"
    elif op == 3:
        bad, desc = b"Content-Length: %d\r\n\r\n" % len(body) + mutate.flip_bytes(body, rng, None), "a damaged body"
    elif op == 4:
        junk = rng.choice(BODIES)
        bad, desc = b"Content-Length: %d\r\n\r\n" % len(junk) + junk, "a body that is not a valid message"
    elif op == 5:
        bad, desc = rng.choice(GARBAGE), "bytes outside any message"
    else:
        whole = b"Content-Length: %d\r\n\r\n" % len(body) + body
        bad, desc = whole[:rng.randrange(1, len(whole))], "a message cut short"
    if b"exit" in bad or b"shutdown" in bad:      # a client may end the session; that is no finding
        bad = rng.choice(GARBAGE)
    return [frame({"method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": DOC, "languageId": "factoryspec", "version": 1, "text": text}}}), bad], desc


def case(rng: Random, corpus) -> tuple[list[bytes], str]:
    return (framing_case if rng.random() < 0.5 else document_case)(rng, corpus)


REPLAY_ROOT = "/tmp/factoryspec-lsp-replay"


def replay_stream(messages: list[bytes]) -> list[bytes]:
    """The whole stdin of a replay: the session's opening, the case, the probe."""
    probe_uri = f"file://{REPLAY_ROOT}/probe.fac"
    probe = frame({"id": "probe", "method": "textDocument/documentSymbol", "params": {"textDocument": {"uri": probe_uri}}})
    return Session.opening(f"file://{REPLAY_ROOT}", probe_uri) + \
        [m.replace(b"@ROOT@", REPLAY_ROOT.encode()) for m in messages] + [probe]
