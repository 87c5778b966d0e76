"""`factoryspec fmt`: the canonical layout of a .fac file.

The formatter works on the parser's token stream (ParseResult.tokens), not on
the AST: it only ever changes the whitespace between tokens (plus `;` becoming
a line break and the optional trailing comma of a list or call), so comments
are kept verbatim and the meaning cannot change. Broken input is never
formatted: if the parse reports an error, `format_text` returns text=None
together with the parser's diagnostics.

Layout rules
------------
* 2-space indentation by brace depth; one statement per line (`;` becomes a
  line break); `{` ends the block header line and `}` stands on its own line;
  an empty block without comments is written `kind name {}`.
* One space around `=`, binary `+ - * /`, the size `x`, comparisons
  (`<=`...) and `and`/`or`; `not ` before its operand; none in unary minus
  (`-5`), ratios (`1:1`), ranges (`1..4`), dotted names (`a.b`), between a
  function name and `(` or a block name and its index (`h[1..4]`), and none
  inside brackets; `, ` after commas (also the one of `assert test, "message"`,
  which stays on its line); one space between a number and its unit.
* At most one blank line between statements (kept where the author had one or
  more), none at the start or end of the file, right after `{` or before `}`.
  The file ends with exactly one newline and no line has trailing whitespace.
* Trailing comments stay on their line, two spaces after the code; full-line
  comments keep their own line, re-indented to the current depth.
* A bracketed list, call, group or index stays on one line (without a
  trailing comma) unless it contains a comment or would not fit in
  MAX_WIDTH columns; then each item goes on its own line one level deeper,
  lists and calls with a trailing comma. The outermost brackets break first.
  Trailing comments do not count against the width, and code without brackets
  is never broken (there is nowhere a line break may go). Blank lines inside
  brackets are not kept (the parser drops newlines there).
* Inside a broken list a comma sticks to its item: `1 # c` + newline + `, 2`
  becomes `1,  # c`. Comments never move past code, so their order is kept.
"""

from __future__ import annotations

import attrs
from lark import Token

from ..diagnostics import Diagnostic, Severity, error
from .parser import parse

MAX_WIDTH = 100
INDENT = "  "

_OPEN = {"(": ")", "[": "]"}
_CLOSE = {")", "]"}
# Tokens after which a `-` is binary (they end an operand).
_OPERAND_END = {"NUMBER", "UNIT", "STRING", "NAME", "TRUE", "FALSE", "RPAR", "RSQB"}
_NO_SPACE_AFTER = {"(", "[", ".", ":", ".."}
_NO_SPACE_BEFORE = {")", "]", ",", ".", ":", ".."}


@attrs.define
class FormatResult:
    text: str | None
    diagnostics: list[Diagnostic] = attrs.Factory(list)


def format_text(text: str, path: str = "<input>") -> FormatResult:
    """The canonical layout of `text`, or text=None and the reasons why not.

    Never raises: an internal failure is reported as an `internal-error` diagnostic."""
    result = parse(text, path)
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    if errors or result.module is None:
        return FormatResult(None, list(result.diagnostics))
    try:
        return FormatResult(_Formatter(result.tokens).run(), list(result.diagnostics))
    except Exception as exc:  # pragma: no cover - a bug in the formatter
        return FormatResult(None, [error("internal-error", f"internal formatter error: {exc!r}", None,
                                         "please report this; the file was left unchanged")])


# ---- the statement level -----------------------------------------------------

@attrs.define
class _Item:
    """One output unit at brace level: a statement, a block opener or closer,
    or a full-line comment."""
    kind: str                      # "stmt" | "open" | "close" | "comment"
    depth: int
    tokens: list[Token] = attrs.Factory(list)
    blank_before: bool = False
    comment: Token | None = None   # trailing comment (or the comment itself)
    end_line: int = 0              # source line of the item's last token


class _Formatter:
    def __init__(self, tokens: list[Token]):
        self.tokens = tokens

    def run(self) -> str:
        items = self._items()
        lines: list[str] = []
        prev: _Item | None = None
        i = 0
        while i < len(items):
            item = items[i]
            if (item.blank_before and prev is not None and prev.kind != "open"
                    and item.kind != "close"):
                lines.append("")
            if item.kind == "comment":
                lines.append(INDENT * item.depth + _comment_text(item.comment))
            elif item.kind == "close":
                lines.append(_with_comment(INDENT * item.depth + "}", item.comment))
            elif item.kind == "open":
                nxt = items[i + 1] if i + 1 < len(items) else None
                if item.comment is None and nxt is not None and nxt.kind == "close":
                    out = _render(item.tokens, item.depth, " {}")
                    out[-1] = _with_comment(out[-1] + " {}", nxt.comment)
                    lines.extend(out)
                    prev = nxt
                    i += 2
                    continue
                out = _render(item.tokens, item.depth, " {")
                out[-1] = _with_comment(out[-1] + " {", item.comment)
                lines.extend(out)
            else:
                out = _render(item.tokens, item.depth, "")
                out[-1] = _with_comment(out[-1], item.comment)
                lines.extend(out)
            prev = item
            i += 1
        return "".join(line.rstrip() + "\n" for line in lines)

    def _items(self) -> list[_Item]:
        """Split the token stream into statements, block openers and closers,
        and comments, remembering blank lines and trailing comments."""
        items: list[_Item] = []
        stmt: list[Token] = []
        depth = brackets = 0
        blank = False

        def flush():
            nonlocal stmt, blank
            if stmt:
                items.append(_Item("stmt", depth, stmt, blank, end_line=stmt[-1].end_line))
                stmt, blank = [], False

        for tok in self.tokens:
            t = tok.type
            if brackets:
                stmt.append(tok)
                if t != "COMMENT":
                    if tok.value in _OPEN:
                        brackets += 1
                    elif tok.value in _CLOSE:
                        brackets -= 1
                continue
            if t == "_NL":
                flush()
                if tok.value.count("\n") >= 2:
                    blank = True
            elif t == "SEMICOLON":
                flush()
            elif t == "COMMENT":
                flush()
                last = items[-1] if items else None
                if last is not None and last.kind != "comment" and last.comment is None \
                        and last.end_line == tok.line:
                    last.comment = tok
                else:
                    items.append(_Item("comment", depth, blank_before=blank, comment=tok))
                    blank = False
            elif t == "LBRACE":
                items.append(_Item("open", depth, stmt, blank, end_line=tok.end_line))
                stmt, blank = [], False
                depth += 1
            elif t == "RBRACE":
                flush()
                depth = max(depth - 1, 0)
                items.append(_Item("close", depth, blank_before=blank, end_line=tok.end_line))
                blank = False
            else:
                stmt.append(tok)
                if tok.value in _OPEN:
                    brackets += 1
        flush()
        return items


def _comment_text(tok: Token) -> str:
    return tok.value.rstrip()


def _with_comment(line: str, comment: Token | None) -> str:
    return line if comment is None else f"{line}  {_comment_text(comment)}"


# ---- expressions and brackets ------------------------------------------------

@attrs.define(eq=False)
class _Tok:
    """A code token with what spacing needs to know about it."""
    text: str
    type: str
    unary: bool = False


@attrs.define(eq=False)
class _Comment:
    text: str
    trailing: bool   # on the same source line as the code before it


@attrs.define(eq=False)
class _Group:
    """`( ... )` or `[ ... ]`: kind is list, call, index or paren."""
    open: _Tok
    close: _Tok
    kind: str
    children: list  # of _Tok | _Comment | _Group
    has_comment: bool = False

    @property
    def commas(self) -> bool:
        return self.kind in ("list", "call")


def _render(tokens: list[Token], depth: int, tail: str) -> list[str]:
    """Lay out one statement (or block header) at `depth`; `tail` is what will
    be appended to its last line (` {`), counted against the width."""
    elements = _tree(_prepare(tokens))
    em = _Emitter(depth)
    _emit_seq(em, elements, len(tail))
    return em.finish()


def _prepare(tokens: list[Token]) -> list:
    """Tokens to _Tok/_Comment, classifying comments and unary minus, and
    moving each comma before the comments that precede it (a comma belongs to
    the item it ends; comments carry no meaning, so their order is all that
    matters and it is kept)."""
    out: list = []
    prev: Token | None = None
    prev_code: Token | None = None
    for tok in tokens:
        if tok.type == "COMMENT":
            out.append(_Comment(_comment_text(tok), prev is not None and prev.end_line == tok.line))
        else:
            unary = tok.value == "-" and (prev_code is None or prev_code.type not in _OPERAND_END)
            item = _Tok(tok.value, tok.type, unary)
            if tok.value == ",":
                at = len(out)
                while at and isinstance(out[at - 1], _Comment):
                    at -= 1
                out.insert(at, item)
            else:
                out.append(item)
            prev_code = tok
        prev = tok
    return out


def _tree(flat: list) -> list:
    """Nest bracketed runs into _Group nodes."""
    root: list = []
    stack: list[tuple[list, _Tok, _Tok | None]] = []   # (parent list, opener, token before)
    cur = root
    prev_code: _Tok | None = None
    for el in flat:
        if isinstance(el, _Tok) and el.text in _OPEN:
            stack.append((cur, el, prev_code))
            cur = []
        elif isinstance(el, _Tok) and el.text in _CLOSE and stack:
            parent, opener, before = stack.pop()
            after_name = before is not None and before.type == "NAME"
            if opener.text == "[":
                kind = "index" if after_name else "list"
            else:
                kind = "call" if after_name else "paren"
            group = _Group(opener, el, kind, cur)
            group.has_comment = any(isinstance(c, _Comment) or (isinstance(c, _Group) and c.has_comment)
                                    for c in cur)
            parent.append(group)
            cur = parent
        else:
            cur.append(el)
        if isinstance(el, _Tok):
            prev_code = el
    while stack:  # unbalanced (cannot happen for input that parsed): flatten
        parent, opener, _ = stack.pop()
        parent.append(opener)
        parent.extend(cur)
        cur = parent
    return cur


def _space(prev: _Tok | None, nxt: _Tok) -> bool:
    if prev is None:
        return False
    if prev.text in _NO_SPACE_AFTER or (prev.unary and prev.text == "-"):
        return False
    if nxt.text in _NO_SPACE_BEFORE:
        return False
    if nxt.text in _OPEN and prev.type == "NAME":
        return False   # call `f(`, index `h[`
    return True


def _flat_tokens(elements: list, out: list[_Tok]) -> list[_Tok]:
    """The code tokens of `elements` laid out on one line (trailing commas of
    lists and calls dropped; comments never occur in a flat group)."""
    for el in elements:
        if isinstance(el, _Group):
            out.append(el.open)
            kids = _strip_trailing_comma(el.children)
            _flat_tokens(kids, out)
            out.append(el.close)
        elif isinstance(el, _Tok):
            out.append(el)
    return out


def _width(tokens: list[_Tok], prev: _Tok | None = None) -> int:
    w = 0
    for tok in tokens:
        if _space(prev, tok):
            w += 1
        w += len(tok.text)
        prev = tok
    return w


def _last_code(children: list) -> int | None:
    """Index of the last element that is not a comment (None if there is none)."""
    return next((i for i in range(len(children) - 1, -1, -1) if not isinstance(children[i], _Comment)), None)


def _is_comma(el) -> bool:
    return isinstance(el, _Tok) and el.text == ","


def _strip_trailing_comma(children: list) -> list:
    i = _last_code(children)
    return children[:i] + children[i + 1:] if i is not None and _is_comma(children[i]) else children


def _with_trailing_comma(children: list) -> list:
    i = _last_code(children)
    if i is None or _is_comma(children[i]):
        return children      # empty `[]` / `f()`: no comma; or it has one
    return children[:i + 1] + [_Tok(",", "COMMA")] + children[i + 1:]


class _Emitter:
    """Writes tokens and comments into lines, inserting spaces and the line
    breaks that broken groups and comments ask for."""

    def __init__(self, depth: int):
        self.indent = depth
        self.lines: list[str] = []
        self.cur = INDENT * depth
        self.fresh = True          # nothing written on the current line yet
        self.last: _Tok | None = None
        self.pending = False       # the next code or own-line comment starts a new line

    @property
    def col(self) -> int:
        return len(self.cur)

    def _newline(self) -> None:
        self.lines.append(self.cur)
        self.cur = INDENT * self.indent
        self.fresh, self.last, self.pending = True, None, False

    def space_before(self, tok: _Tok) -> int:
        if self.fresh:
            return 0
        return 1 if _space(self.last, tok) else 0

    def token(self, tok: _Tok) -> None:
        if self.pending:
            self._newline()
        if not self.fresh and _space(self.last, tok):
            self.cur += " "
        self.cur += tok.text
        self.fresh, self.last = False, tok

    def comment(self, c: _Comment) -> None:
        if c.trailing and self.last is not None:   # right after code on this line
            self.cur += "  " + c.text
        else:
            if not self.fresh:
                self._newline()
            self.cur += c.text
            self.fresh = False
        self.last = None
        self.pending = True

    def finish(self) -> list[str]:
        return self.lines + [self.cur]


def _emit_seq(em: _Emitter, elements: list, tail: int, in_group: bool = False) -> None:
    """Emit a run of elements; `tail` is the width that must still fit after
    the run on its last line (a `,`, ` {`...). `in_group`: the run is an item
    of a broken group, so a comma ends the line (outside brackets a comma is
    the one of `assert test, message` and keeps its line)."""
    for i, el in enumerate(elements):
        if isinstance(el, _Comment):
            em.comment(el)
        elif isinstance(el, _Tok):
            em.token(el)
            if in_group and el.text == ",":
                em.pending = True
        else:
            _emit_group(em, el, elements[i + 1:], tail)


def _rest_width(group: _Group, rest: list, tail: int) -> int:
    """What must share the line with `group`'s closer: the following code up
    to the next opener (a later group can break right after its opener), or
    to the end of the run plus `tail`."""
    toks: list[_Tok] = []
    for el in rest:
        if isinstance(el, _Comment):
            return _width(toks, group.close)
        if isinstance(el, _Group):
            toks.append(el.open)
            return _width(toks, group.close)
        toks.append(el)
        if el.text == ",":
            return _width(toks, group.close)
    return _width(toks, group.close) + tail


def _emit_group(em: _Emitter, group: _Group, rest: list, tail: int) -> None:
    flat = False
    if not group.has_comment:
        inner = _flat_tokens([group], [])
        start = len(INDENT) * em.indent if em.pending else em.col + em.space_before(group.open)
        flat = start + _width(inner) + _rest_width(group, rest, tail) <= MAX_WIDTH
    if flat:
        for tok in _flat_tokens([group], []):
            em.token(tok)
        return
    children = _with_trailing_comma(group.children) if group.commas else group.children
    em.token(group.open)
    em.indent += 1
    em.pending = True
    # Inside a broken group each item ends at its comma (or at the closer).
    _emit_items(em, children)
    em.indent -= 1
    em.pending = True
    em.token(group.close)


def _emit_items(em: _Emitter, children: list) -> None:
    start = 0
    for i, el in enumerate(children + [None]):
        if el is None or _is_comma(el):
            item = children[start:i + 1] if el is not None else children[start:]
            _emit_seq(em, item, 0, in_group=True)
            start = i + 1
