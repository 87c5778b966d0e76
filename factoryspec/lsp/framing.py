"""Reading LSP messages from a byte stream that may be broken.

pygls reads `Content-Length: N\\r\\n` headers with an exact pattern and, once
a header fails to match or a length is wrong, never finds a message boundary
again (and it allocates whatever length it is told). `FramedStdin` sits
between stdin and pygls: it does the framing itself, tolerantly, and hands
pygls only well-formed messages, re-framed in pygls' exact format. It is
passed to `start_io(stdin=...)`, pygls' own hook for the input stream.

Recovery rules:
  * header lines may end in CRLF or a bare LF; header names are matched
    without regard to case; headers other than Content-Length are ignored;
  * a header block without a valid length (missing, negative, not a number,
    zero) is reported and skipped;
  * bytes outside a message are skipped up to the next `Content-Length:`;
  * a message longer than `limit` is reported and discarded in chunks,
    without being held in memory;
  * a body that contains a complete `Content-Length: N` header line is cut
    there: the length was too long and that header starts the next message
    (no valid JSON text can contain one: JSON strings cannot hold a raw
    line break, and `Content-Length:` is not JSON outside a string).
"""

from __future__ import annotations

import re
from typing import BinaryIO, Callable

LIMIT = 64 * 1024 * 1024        # largest message accepted (a 64 MiB didOpen is far beyond any spec)
CHUNK = 64 * 1024               # bytes read (or discarded) at a time
MAX_HEADER = 8 * 1024           # a header block longer than this is garbage, not headers

_NAME = b"content-length:"
_HEADER = re.compile(rb"content-length:[ \t]*([^\r\n]*?)[ \t]*\r?\n", re.IGNORECASE)
_EMBEDDED = re.compile(rb"content-length:[ \t]*\d+[ \t]*\r?\n", re.IGNORECASE)
_OTHER_HEADER = re.compile(rb"[A-Za-z0-9-]+:[^\r\n]*\r?\n")
_BLANK = re.compile(rb"\r?\n")


def _header_prefix_at_end(body: bytes) -> int:
    """The length of the longest tail of `body` that begins a `Content-Length:`."""
    low = body[-len(_NAME):].lower()
    for size in range(min(len(_NAME), len(low)), 0, -1):
        if low.endswith(_NAME[:size]):
            return size
    return 0


class FramedStdin:
    """A reader with the `readline`/`read` interface pygls expects of stdin,
    yielding `Content-Length: N\\r\\n\\r\\n<body>` for each message recovered
    from the raw stream. `report(text)` is told about every framing error;
    it is called from pygls' reader thread."""

    def __init__(self, raw: BinaryIO, report: Callable[[str], None], limit: int = LIMIT):
        self.raw = raw
        self._read = getattr(raw, "read1", None) or raw.read
        self.report = report
        self.limit = limit
        self.buf = bytearray()     # raw bytes read but not yet framed
        self.out = bytearray()     # the framed message pygls is consuming
        self.eof = False

    # ---- the interface pygls uses --------------------------------------------
    def readline(self) -> bytes:
        if not self.out:
            body = self._next_body()
            if body is None:
                return b""
            self.out = bytearray(b"Content-Length: %d\r\n\r\n" % len(body)) + body
        end = self.out.find(b"\n") + 1 or len(self.out)
        line = bytes(self.out[:end])
        del self.out[:end]
        return line

    def read(self, n: int = -1) -> bytes:
        n = len(self.out) if n < 0 else n
        data = bytes(self.out[:n])
        del self.out[:n]
        return data

    # ---- framing -----------------------------------------------------------------
    def _fill(self) -> bool:
        """Read what the stream has (at least one byte, or learn it ended)."""
        if self.eof:
            return False
        chunk = self._read(CHUNK)
        if not chunk:
            self.eof = True
            return False
        self.buf += chunk
        return True

    def _next_body(self) -> bytes | None:
        """The body of the next well-framed message, or None at end of input."""
        while True:
            length = self._next_length()
            if length is None:
                return None
            if length == 0:
                self.report("message with Content-Length 0 ignored")
                continue
            if length > self.limit:
                self.report(f"message of {length} bytes refused (the limit is {self.limit} bytes); skipped")
                if not self._discard(length):
                    return None
                continue
            body = self._body(length)
            if body is None:
                return None
            if body:
                return body

    def _next_length(self) -> int | None:
        """The length declared by the next valid header block; None at end of input."""
        while True:
            start = self._find_header()
            if start is None:
                return None
            del self.buf[:start]
            block = self._header_block()
            if block is None:
                return None
            length = self._length_of(block)
            if length is not None:
                return length

    def _find_header(self) -> int | None:
        """Where the next complete `Content-Length:` line starts, reading as
        needed; anything before it is dropped (and reported once)."""
        garbage = False
        while True:
            m = _HEADER.search(self.buf)
            if m:
                # a header cut short runs into the next one on the same line
                # (`Content-Length: 1Content-Length: 159`): the last one counts
                start = m.start() + bytes(self.buf[m.start():m.end()]).lower().rfind(_NAME)
                if garbage or bytes(self.buf[:start]).strip():
                    self.report("bytes outside any message skipped")
                return start
            # Keep a possible header that is still arriving; drop the rest.
            keep = self._partial_header_start()
            garbage = garbage or bool(bytes(self.buf[:keep]).strip())
            del self.buf[:keep]
            if not self._fill():
                return None

    def _partial_header_start(self) -> int:
        """How many leading bytes of buf cannot belong to a header line."""
        at = bytes(self.buf).lower().rfind(_NAME)
        if at >= 0 and len(self.buf) - at <= MAX_HEADER:
            return at
        return len(self.buf) - _header_prefix_at_end(bytes(self.buf))

    def _header_block(self) -> bytes | None:
        """The header block at the start of buf (up to and without its blank
        line), consumed; b"" if it is malformed (reported, and skipped past
        its Content-Length line so the search resumes after it)."""
        while True:
            pos = 0
            while True:
                blank = _BLANK.match(self.buf, pos)
                if blank:
                    block = bytes(self.buf[:pos])
                    del self.buf[:blank.end()]
                    return block
                line = (_HEADER if pos == 0 else _OTHER_HEADER).match(self.buf, pos)
                if not line:
                    break
                pos = line.end()
            incomplete = b"\n" not in self.buf[pos:] and len(self.buf) - pos < MAX_HEADER
            if not incomplete:
                self.report("malformed message header skipped")
                first = _HEADER.match(self.buf)
                del self.buf[:first.end() if first else 1]
                return b""
            if not self._fill():
                return None

    def _length_of(self, block: bytes) -> int | None:
        if not block:
            return None
        values = [m.group(1) for m in _HEADER.finditer(block)]
        value = values[-1] if values else b""
        if not value.isdigit():
            self.report(f"message with an invalid Content-Length ({value[:40].decode('ascii', 'replace')!r}) skipped")
            return None
        return int(value)

    def _body(self, length: int) -> bytes | None:
        """Read a body of `length` bytes; b"" if it turned out cut short by
        the next message's header (reported; the header stays in buf)."""
        scanned = 0
        while len(self.buf) < length:
            if self._embedded_header(max(scanned - MAX_HEADER, 0), len(self.buf)):
                return b""
            scanned = len(self.buf)
            if not self._fill():
                return None
        if self._embedded_header(max(scanned - MAX_HEADER, 0), length):
            return b""
        body = bytes(self.buf[:length])
        cut = _header_prefix_at_end(body)
        del self.buf[:length - cut]
        if cut:   # the body runs into the next header (no JSON text ends in "Cont..."): keep that
            self.report("message shorter than its Content-Length; resynchronised on the next header")
            return b""
        return body

    def _embedded_header(self, start: int, end: int) -> bool:
        m = _EMBEDDED.search(self.buf, start, end)
        if m is None:
            return False
        self.report("message shorter than its Content-Length; resynchronised on the next header")
        del self.buf[:m.start()]
        return True

    def _discard(self, length: int) -> bool:
        """Skip `length` bytes, holding at most a chunk at a time; stop early
        at an embedded header (the length was a lie). False at end of input."""
        while True:
            if self._embedded_header(0, min(len(self.buf), length)):
                return True
            if len(self.buf) >= length:
                del self.buf[:length - _header_prefix_at_end(bytes(self.buf[max(length - len(_NAME), 0):length]))]
                return True
            drop = max(len(self.buf) - MAX_HEADER, 0)   # the tail may hold half a header
            del self.buf[:drop]
            length -= drop
            if not self._fill():
                return False
