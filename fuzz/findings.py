"""What counts as a finding, how findings are told apart, and where they go."""

from __future__ import annotations

import hashlib
import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE = str(Path(__file__).resolve().parent.parent / "factoryspec")
# A traceback's frame line, or faulthandler's (`File "x", line 3 in f`).
_FRAME = re.compile(r'File "([^"]*/factoryspec/[^"]*)", line (\d+),? in (\S+)')


@dataclass
class Finding:
    kind: str            # traceback, internal-error, hang, crash, wrong-exit, accepted-tamper, deaf-server ...
    target: str          # lint, compile, verify, lsp
    message: str
    where: str = ""      # the innermost factoryspec frame, or the tampered field
    data: bytes = b""    # the input that shows it (shrunk before it is written)
    ext: str = ".fac"
    note: str = ""       # how to replay it, when the file alone does not say
    extra: dict = field(default_factory=dict)

    @property
    def key(self) -> tuple:
        """Findings with one key are one bug: the kind, the exception type, the place."""
        return (self.kind, self.target, self.message.split(":", 1)[0], self.where)


def innermost_frame(tb_text: str) -> str:
    """`factoryspec/x.py:123:function` of the deepest factoryspec frame in a traceback's text."""
    frames = _FRAME.findall(tb_text or "")
    if not frames:
        return ""
    # faulthandler lists the most recent call first; a traceback, last.
    path, line, name = frames[0] if "most recent call first" in tb_text else frames[-1]
    return f"factoryspec/{path.rsplit('/factoryspec/', 1)[1]}:{line}:{name}"


def describe_exception(exc: BaseException) -> dict:
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return {"type": type(exc).__name__, "message": _clip(f"{type(exc).__name__}: {exc}"),
            "where": innermost_frame(text), "traceback": text[-6000:]}


def _clip(text: str, size: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[:size - 3] + "..."


class Store:
    """Deduplicated findings, written to `out` as reproducer files plus one
    summary line each in out/findings.txt."""

    def __init__(self, out: Path):
        self.out = out
        self.seen: dict[tuple, Finding] = {}
        self.counts: dict[tuple, int] = {}

    def add(self, finding: Finding) -> bool:
        """Record a finding; True when it is new (not a duplicate)."""
        key = finding.key
        self.counts[key] = self.counts.get(key, 0) + 1
        if key in self.seen:
            return False
        self.seen[key] = finding
        return True

    def write(self, finding: Finding) -> Path:
        self.out.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256(repr(finding.key).encode()).hexdigest()[:10]
        path = self.out / f"{finding.target}-{finding.kind}-{digest}{finding.ext}"
        path.write_bytes(finding.data)
        line = f"{finding.kind}\t{finding.target}\t{_clip(finding.message, 200)}\t{finding.where}\t{path.name}"
        if finding.note:
            line += f"\t{finding.note}"
        with open(self.out / "findings.txt", "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
        return path
