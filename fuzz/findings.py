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
        """Record a finding; True when it is new (not a duplicate). A new one
        is written at once, unshrunk: a long run that is stopped keeps it."""
        key = finding.key
        self.counts[key] = self.counts.get(key, 0) + 1
        if key in self.seen:
            return False
        self.seen[key] = finding
        self.write(finding)
        return True

    def path(self, finding: Finding) -> Path:
        digest = hashlib.sha256(repr(finding.key).encode()).hexdigest()[:10]
        return self.out / f"{finding.target}-{finding.kind}-{digest}{finding.ext}"

    def write(self, finding: Finding) -> Path:
        """(Re)write the finding's reproducer, and the summary of all findings so far."""
        self.out.mkdir(parents=True, exist_ok=True)
        path = self.path(finding)
        path.write_bytes(finding.data)
        lines = []
        for f in self.seen.values():
            line = f"{f.kind}\t{f.target}\t{_clip(f.message, 200)}\t{f.where}\t{self.path(f).name}"
            lines.append(line + (f"\t{f.note}" if f.note else ""))
        (self.out / "findings.txt").write_text("".join(x + "\n" for x in lines), encoding="utf-8")
        return path
