"""Source text to AST, recovering from syntax errors.

The grammar (grammar/factoryspec.lark) is LALR(1) with lark's contextual
lexer. AST nodes are built while parsing (an inline transformer, so no parse
tree is materialised); `keep_all_tokens` lets each rule see its punctuation, so
its span runs from its first token to its last.

Recovery is panic mode, as in yacc's `error` token: on an unexpected token we
record a `syntax` diagnostic, pop the parser's stacks back to a statement
boundary, and have the post-lexer drop tokens up to the next separator. One
pass therefore reports every broken statement, not just the first.

A missing `}` is only noticed at the end of the file, and the blocks after it
land inside the block left open. When indentation says where each open block
should have ended, the text is parsed a second time with a `}` supplied
there, so the rest of the file is read as its layout shows.
"""

from __future__ import annotations

import functools
import threading
from fractions import Fraction
from pathlib import Path

import attrs
import lark
from lark import Token
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.parsers.lalr_analysis import Shift

from . import limits
from . import nodes as n
from ..diagnostics import Diagnostic, Severity, Span, error
from .suggest import closest

MAX_ERRORS = 50        # a binary or wildly wrong file: stop after this many
MAX_NESTING = 64       # braces, brackets and parentheses
MAX_OPERATORS = 200    # binary operators in one statement (keeps trees shallow)

KEYWORDS = ("import", "param", "let", "assert", "expect", "template", "true", "false", "as", "and", "or", "not")
_SEPARATORS = {"_NL", "SEMICOLON"}
_OPENERS = {"LPAR": "RPAR", "LSQB": "RSQB"}
_OPERATORS = {"PLUS", "MINUS", "STAR", "SLASH", "X", "COMPARE", "AND", "OR"}
_NESTING = {"LBRACE", "RBRACE", "LPAR", "RPAR", "LSQB", "RSQB"}   # the only tokens track() looks at

_TOKEN_NAMES = {
    "_NL": "a new line", "SEMICOLON": "`;`", "NAME": "a name", "NUMBER": "a number",
    "STRING": "a string", "UNIT": "a unit", "EQUAL": "`=`", "LBRACE": "`{`", "RBRACE": "`}`",
    "LSQB": "`[`", "RSQB": "`]`", "LPAR": "`(`", "RPAR": "`)`", "COMMA": "`,`", "DOT": "`.`",
    "COLON": "`:`", "PLUS": "`+`", "MINUS": "`-`", "STAR": "`*`", "SLASH": "`/`", "X": "`x`",
    "COMPARE": "a comparison (`<`, `<=`, `==` ...)", "AND": "`and`", "OR": "`or`", "NOT": "`not`",
    "$END": "end of file",
}


def grammar_path() -> Path:
    """The grammar ships inside the wheel as factoryspec/grammar/; a source
    checkout keeps it in the top-level grammar/ directory."""
    package = Path(__file__).resolve().parent.parent     # factoryspec/, above lang/
    for candidate in (package / "grammar" / "factoryspec.lark", package.parent / "grammar" / "factoryspec.lark"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("factoryspec.lark not found next to the package")


@attrs.define
class ParseResult:
    module: n.Module | None
    diagnostics: list[Diagnostic]
    tokens: list[Token]       # every token including comments and newlines (for fmt)
    comments: list[Token]


class _TooDeep(Exception):
    def __init__(self, token: Token, what: str):
        self.token, self.what = token, what


class _TooManyTokens(Exception):
    def __init__(self, token: Token):
        self.token = token


class _Context:
    """Per-parse state shared by the post-lexer, the builder and the error handler."""

    def __init__(self, path: str, text: str, closes: dict[int, list[Token]] | None = None):
        self.path = path
        self.text = text
        self.diags: list[Diagnostic] = []
        self.tokens: list[Token] = []
        self.comments: list[Token] = []
        self.docs: dict[int, str] = {}      # line -> text of a `##` comment
        self.doc_taken: dict[int, int] = {} # line -> column of the statement that took its doc
        self.braces: list[Token] = []      # open `{` not yet closed
        self.brackets: list[str] = []      # open ( and [
        self.skipping = False
        self.skip_braces = 0
        self.operators = 0
        self.stmt_first: Token | None = None
        self.last_token: Token | None = None
        self.at_stmt_start = True
        self.unclosed: list[Token] = []    # the `{` still open at the end of the file
        self.closes = closes or {}         # line -> openers whose `}` is supplied before it
        self.last_real: Token | None = None
        self.count = 0                     # tokens so far (limits.MAX_TOKENS)

    def span(self, tok: Token) -> Span:
        return Span(self.path, tok.line, tok.column, tok.end_line, tok.end_column)


class _PostLexer:
    """Drops newlines inside (...) and [...], tracks nesting, and implements
    the token-skipping half of panic-mode recovery."""

    always_accept = ("_NL",)

    def __init__(self):
        self.ctx: _Context | None = None

    def process(self, stream):
        ctx = self.ctx
        for tok in stream:
            t = tok.type
            ctx.count += 1
            if ctx.count > limits.MAX_TOKENS:
                raise _TooManyTokens(tok)
            if ctx.closes and t != "_NL" and tok.line in ctx.closes and not ctx.brackets:
                yield from self._supply_closes(ctx.closes.pop(tok.line))
            ctx.last_token = tok
            if t != "_NL":
                ctx.last_real = tok
            if t in _NESTING:
                self.track(tok)
            if t == "_NL" and ctx.brackets:
                continue
            if ctx.skipping:
                if self._skip(tok):
                    continue
            if t in _SEPARATORS or t in ("LBRACE", "RBRACE"):
                ctx.operators = 0
                ctx.at_stmt_start = True
            else:
                if ctx.at_stmt_start:
                    ctx.stmt_first = tok
                    ctx.at_stmt_start = False
                if t in _OPERATORS:
                    ctx.operators += 1
                    if ctx.operators > MAX_OPERATORS:
                        raise _TooDeep(tok, f"more than {MAX_OPERATORS} operators in one statement")
            ctx.tokens.append(tok)
            yield tok

    def _supply_closes(self, openers: list[Token]):
        """The `}` (and separator) that indentation says is missing here. They
        sit, zero-width, at the end of the last real token, so the recovered
        block's span ends where its text does; fmt never sees them."""
        last = self.ctx.last_real
        self.ctx.skipping = False     # a broken statement ends with its block
        where = dict(start_pos=last.end_pos, line=last.end_line, column=last.end_column,
                     end_line=last.end_line, end_column=last.end_column, end_pos=last.end_pos)
        for _ in openers:
            brace = Token("RBRACE", "}", **where)
            self.track(brace)
            self.ctx.at_stmt_start = True
            yield brace
            yield Token("_NL", "\n", **where)

    def track(self, tok: Token) -> None:
        """Keep the stacks of open braces and brackets."""
        ctx, t = self.ctx, tok.type
        if t == "LBRACE":
            ctx.braces.append(tok)
            ctx.brackets.clear()   # a `{` cannot sit inside ( or [: resynchronise
        elif t == "RBRACE":
            if ctx.braces:
                ctx.braces.pop()
            ctx.brackets.clear()
        elif t in _OPENERS:
            ctx.brackets.append(_OPENERS[t])
        elif t in ("RPAR", "RSQB") and ctx.brackets and ctx.brackets[-1] == t:
            ctx.brackets.pop()
        if len(ctx.braces) + len(ctx.brackets) > MAX_NESTING:
            raise _TooDeep(tok, f"nesting deeper than {MAX_NESTING} levels")

    def _skip(self, tok: Token) -> bool:
        """True while `tok` is part of the broken statement being skipped."""
        ctx = self.ctx
        if tok.type == "LBRACE":
            ctx.skip_braces += 1
            return True
        if tok.type == "RBRACE":
            if ctx.skip_braces:
                ctx.skip_braces -= 1
                return True
            ctx.skipping = False     # closes the enclosing block: let the parser see it
            return False
        if tok.type in _SEPARATORS and not ctx.skip_braces:
            ctx.skipping = False
            return False
        return True


@attrs.frozen(slots=True)
class _Body:
    """A block body while parsing: its statements and the span of its braces."""
    items: tuple
    span: Span


def _pos(x):
    """(start, end) positions of a token or node, or None."""
    if isinstance(x, Token):
        return (x.line, x.column), (x.end_line, x.end_column)
    span = getattr(x, "span", None)
    if span is not None:
        return (span.line, span.column), (span.end_line, span.end_column)
    return None


class _Builder(lark.Transformer):
    """One small method per grammar rule, building nodes.py classes."""

    def __init__(self, parser: "_Parser"):
        super().__init__()
        self._parser = parser

    @property
    def ctx(self) -> _Context:
        return self._parser.ctx

    def _span(self, children) -> Span:
        """From the first positioned child to the last (tokens or nodes)."""
        first = last = None
        for c in children:
            first = _pos(c)
            if first:
                break
        for c in reversed(children):
            last = _pos(c)
            if last:
                break
        if first is None:
            return Span(self.ctx.path, 1, 1, 1, 1)
        return Span(self.ctx.path, first[0][0], first[0][1], last[1][0], last[1][1])

    def _doc(self, span: Span) -> str | None:
        """`##` lines directly above the statement, or one trailing on its last line."""
        docs, lines, line = self.ctx.docs, [], span.line - 1
        if self.ctx.doc_taken.get(span.line, span.column) < span.column:
            return None   # `a = 1; b = 2` under one `##`: the doc belongs to `a` only
        self.ctx.doc_taken[span.line] = span.column
        while line in docs:
            lines.append(docs[line])
            line -= 1
        if lines:
            return "\n".join(reversed(lines))
        # A trailing `## ...` documents a one-line statement such as an attribute.
        return docs.get(span.line) if span.line == span.end_line else None

    # ---- statements
    def start(self, ch):
        body = tuple(c for c in ch if not isinstance(c, Token))
        return n.Module(self.ctx.path, body, self._span(ch))

    def import_stmt(self, ch):
        target = ch[1]
        alias = ch[3].value if len(ch) > 3 else None
        span = self._span(ch)
        if isinstance(target, Token):
            return n.Import(_unquote(target.value), True, alias, span, self._doc(span))
        return n.Import(target.dotted, False, alias, span, self._doc(span))

    def param_stmt(self, ch):
        span = self._span(ch)
        default = ch[3] if len(ch) > 3 else None
        return n.Param(ch[1].value, default, span, self.ctx.span(ch[1]), self._doc(span))

    def let_stmt(self, ch):
        span = self._span(ch)
        return n.Let(ch[1].value, ch[3], span, self.ctx.span(ch[1]), self._doc(span))

    def assert_stmt(self, ch):
        span = self._span(ch)
        return n.Assert(ch[1], ch[3], span, self._doc(span))

    def expect_stmt(self, ch):
        span = self._span(ch)
        return n.Assert(ch[1], ch[3], span, self._doc(span), soft=True)

    def template_def(self, ch):
        span = self._span(ch)
        return n.Template(ch[1].value, ch[2].value, ch[3].items, span, self.ctx.span(ch[1]),
                          self.ctx.span(ch[2]), self._doc(span))

    def block(self, ch):
        span = self._span(ch)
        kind, body = ch[0], ch[-1].items
        name = index = template = None
        for c in ch[1:-1]:
            if isinstance(c, n.Index):
                index = c
            elif isinstance(c, n.Ref):
                template = c
            elif isinstance(c, Token) and c.type == "NAME":
                name = c
        return n.Block(kind.value, name.value if name else None, index, template, body, span,
                       self.ctx.span(kind), self.ctx.span(name) if name else None, self._doc(span))

    def body(self, ch):
        return _Body(tuple(c for c in ch if not isinstance(c, Token)), self._span(ch))

    def index_range(self, ch):
        return n.Index(self._int(ch[1]), self._int(ch[3]), self._span(ch))

    def index_count(self, ch):
        return n.Index(1, self._int(ch[1]), self._span(ch))

    def attribute(self, ch):
        span = self._span(ch)
        return n.Attribute(ch[0].value, ch[2], span, self.ctx.span(ch[0]), self._doc(span))

    # ---- expressions
    def _binop(op):
        def build(self, ch):
            return n.BinOp(op, ch[0], ch[2], self._span(ch))
        return build

    add, sub, mul, div = _binop("+"), _binop("-"), _binop("*"), _binop("/")
    del _binop

    def compare(self, ch):
        return n.Compare(ch[1].value, ch[0], ch[2], self._span(ch))

    def or_test(self, ch):
        return n.Logic("or", ch[0], ch[2], self._span(ch))

    def and_test(self, ch):
        return n.Logic("and", ch[0], ch[2], self._span(ch))

    def not_test(self, ch):
        return n.Not(ch[1], self._span(ch))

    def size(self, ch):
        return n.Size(ch[0], ch[2], self._span(ch))

    def neg(self, ch):
        return n.Neg(ch[1], self._span(ch))

    def quantity(self, ch):
        unit = ch[1] if len(ch) > 1 else None
        return n.Number(self._literal(ch[0]), unit.value if unit else None, self._span(ch),
                        self.ctx.span(unit) if unit else None)

    def ratio(self, ch):
        return n.Ratio(self._literal(ch[0]), self._literal(ch[2]), self._span(ch))

    def range(self, ch):
        return n.Range(self._int(ch[0]), self._int(ch[2]), self._span(ch))

    def string(self, ch):
        return n.String(_unquote(ch[0].value), self._span(ch))

    def true(self, ch):
        return n.Bool(True, self._span(ch))

    def false(self, ch):
        return n.Bool(False, self._span(ch))

    def list(self, ch):
        items = tuple(c for c in ch if c is not None and not isinstance(c, Token))
        return n.List(items, self._span(ch))

    def call(self, ch):
        args = tuple(c for c in ch[2:] if c is not None and not isinstance(c, Token))
        return n.Call(ch[0].value, args, self._span(ch))

    def dotted(self, ch):
        return n.Ref(tuple(c.value for c in ch if c.type == "NAME"), self._span(ch))

    def ref(self, ch):
        return ch[0]

    def group(self, ch):
        return ch[1]

    def _literal(self, tok: Token) -> Fraction | None:
        """The exact value of a NUMBER token, or None (diagnosed) when it is out
        of range: checked on the text, since building `1e100000000` as a
        Fraction alone takes minutes."""
        text = tok.value
        if len(text) <= 16 and "e" not in text and "E" not in text:
            return _number(text)     # the common case: at most 16 digits, no exponent, always in range
        problem = limits.literal_problem(text)
        if problem is None:
            return _number(tok.value)
        shown = tok.value if len(tok.value) <= 24 else tok.value[:20] + "..."
        self.ctx.diags.append(error("number-too-large", f"the number `{shown}` is out of range: {problem}",
                                    self.ctx.span(tok), limits.RANGE_TEXT))
        return None

    def _int(self, tok: Token) -> int | None:
        value = self._literal(tok)
        if value is None:
            return None
        if value.denominator != 1:
            self.ctx.diags.append(error("syntax", f"`{tok.value}` is not a whole number",
                                        self.ctx.span(tok), "ranges and repetition counts are integers"))
        return int(value)


def _number(text: str) -> Fraction:
    # Fraction parses decimal strings exactly: "1.1" is 11/10, not a float.
    # Most literals are plain integers, for which int() is much faster.
    if text.isdigit():
        return Fraction(int(text))
    return Fraction(text.replace("_", ""))


def _unquote(text: str) -> str:
    body = text[1:-1]
    if "\\" not in body:
        return body
    out, i = [], 0
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            out.append(escapes.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


class _Parser:
    """A compiled lark parser plus the per-parse context it reads.

    Building the LALR tables takes a while, so one instance is shared and
    guarded by a lock: lark keeps the post-lexer and transformer on the parser.
    """

    def __init__(self):
        self.ctx: _Context | None = None
        self.postlex = _PostLexer()
        self.lark = lark.Lark(
            grammar_path().read_text(encoding="utf-8"),
            parser="lalr", lexer="contextual", propagate_positions=False,
            keep_all_tokens=True, maybe_placeholders=True,
            postlex=self.postlex, transformer=_Builder(self),
            lexer_callbacks={"COMMENT": self._comment},
        )
        self.lock = threading.Lock()

    def _comment(self, tok: Token) -> Token:
        ctx = self.ctx
        ctx.comments.append(tok)
        ctx.tokens.append(tok)
        if tok.value.startswith("##"):
            ctx.docs[tok.line] = tok.value[2:].strip()
        return tok

    def parse(self, text: str, path: str) -> ParseResult:
        with self.lock:
            ctx, module = self._parse_once(text, path)
            if ctx.unclosed and module is not None:
                ctx, module = self._reparse_closed(text, path, ctx, module)
            self.ctx = self.postlex.ctx = None
            return ParseResult(module, ctx.diags, ctx.tokens, ctx.comments)

    def _parse_once(self, text: str, path: str, closes: dict[int, list[Token]] | None = None):
        ctx = self.ctx = _Context(path, text, closes)
        self.postlex.ctx = ctx
        module = None
        try:
            module = self.lark.parse(text, on_error=self._on_error)
        except _TooDeep as exc:
            ctx.diags.append(error("too-deep", f"the spec is too deeply nested: {exc.what}",
                                   ctx.span(exc.token),
                                   "flatten it with `let` values or templates"))
        except _TooManyTokens as exc:
            ctx.diags.append(error("file-too-large", f"the file has more than {limits.MAX_TOKENS:,} tokens; "
                                   f"specs are limited to that (parsing is not read past here)",
                                   ctx.span(exc.token), "split a very large campus into several files "
                                   "joined with `import`, or use repetition (`hall h[1..40]`)"))
        except UnexpectedInput as exc:
            if len(ctx.diags) < MAX_ERRORS:
                ctx.diags.append(self._describe(exc))
        except RecursionError:
            ctx.diags.append(error("too-deep", "the spec is too deeply nested to parse",
                                   Span.point(path, 1, 1)))
        if len(ctx.diags) >= MAX_ERRORS:
            ctx.diags.append(error("syntax", f"too many syntax errors; stopped after {MAX_ERRORS}",
                                   ctx.diags[-1].span))
        if any(d.code in ("too-deep", "file-too-large") for d in ctx.diags):
            module = None
        return ctx, module

    def _reparse_closed(self, text: str, path: str, ctx: _Context, module):
        """Parse again with each missing `}` supplied where indentation puts
        it, so the blocks after it are not read as its children (which cascades
        into one misplaced-block error per block). Only when indentation
        accounts for every open `{` and the second parse closes them all;
        otherwise the first reading, closed at the end of the file, stands."""
        closes = _indentation_closes(ctx.tokens, text.splitlines())
        if sum(map(len, closes.values())) != len(ctx.unclosed):
            return ctx, module
        again, module2 = self._parse_once(text, path, {line: list(o) for line, o in closes.items()})
        if module2 is None or again.unclosed or again.closes:
            return ctx, module
        for line, openers in closes.items():
            for opener in openers:
                again.diags.extend(_missing_brace(again, opener, line))
        return again, module2

    # ---- recovery
    def _on_error(self, exc: UnexpectedInput) -> bool:
        ctx = self.ctx
        if len(ctx.diags) >= MAX_ERRORS:
            return False
        if isinstance(exc, UnexpectedToken) and exc.token is not ctx.last_token and exc.token.type != "$END":
            # Raised by the contextual lexer itself: the post-lexer never saw it.
            ctx.last_token = exc.token
            self.postlex.track(exc.token)
        if ctx.skipping and self._skipped_by_lexer(exc):
            return True
        if isinstance(exc, UnexpectedCharacters):
            if not self._single_quoted(exc):
                self._bad_character(exc)
            return True
        if not isinstance(exc, UnexpectedToken):
            return False
        if exc.token.type == "$END":
            ctx.unclosed = list(ctx.braces)
            ctx.diags.extend(self._unexpected_end(exc))
            return self._close_everything(exc.interactive_parser)
        ctx.diags.append(self._describe(exc))
        ip = exc.interactive_parser
        self._pop_to_statement(ip)
        if exc.token.type in _SEPARATORS or exc.token.type == "RBRACE":
            # The bad token is itself a synchronisation point: replay it so a
            # `}` that closes the block is not lost.
            try:
                ip.feed_token(exc.token)
            except UnexpectedInput:
                pass
        else:
            ctx.skipping, ctx.skip_braces = True, 0
        return True

    def _skipped_by_lexer(self, exc: UnexpectedInput) -> bool:
        """While skipping a broken statement, the contextual lexer (which only
        lexes what the popped parser state accepts) raises for the very tokens
        the post-lexer would have dropped: drop them here too."""
        if isinstance(exc, UnexpectedCharacters):
            return True
        tok = exc.token
        if tok.type == "$END" or tok.type in _SEPARATORS:
            self.ctx.skipping = False
            return False
        if tok.type == "LBRACE":
            self.ctx.skip_braces += 1
        elif tok.type == "RBRACE":
            if not self.ctx.skip_braces:
                self.ctx.skipping = False
                return False
            self.ctx.skip_braces -= 1
        return True

    @staticmethod
    def _accepts_separator(ip) -> bool:
        return _would_accept(ip, Token("_NL", "\n"))

    def _pop_to_statement(self, ip) -> None:
        state = ip.parser_state
        while len(state.state_stack) > 1 and not self._accepts_separator(ip):
            state.state_stack.pop()
            state.value_stack.pop()

    def _close_everything(self, ip) -> bool:
        """At end of file with blocks still open: close them so the AST survives.
        A half-written statement at the very end is dropped."""
        state = ip.parser_state
        text = self.ctx.text
        line = text.count("\n") + 1
        col = len(text) - (text.rfind("\n") + 1) + 1
        at_end = dict(start_pos=len(text), line=line, column=col, end_line=line, end_column=col, end_pos=len(text))
        for _ in range(4 * MAX_NESTING + 8):
            # LALR merges states, so a look-ahead in choices() may still fail
            # after reductions: try each token on a copy first.
            if _would_accept(ip, None):
                return True
            for tok in (Token("RBRACE", "}", **at_end), Token("_NL", "\n", **at_end)):
                if _would_accept(ip, tok):
                    ip.feed_token(tok)
                    break
            else:
                if len(state.state_stack) <= 1:
                    return False
                state.state_stack.pop()
                state.value_stack.pop()
        return False

    def _single_quoted(self, exc: UnexpectedCharacters) -> bool:
        """`'text'` is a common slip: report it once and parse it as a string,
        so the rest of the statement does not cascade into more errors."""
        ctx, pos = self.ctx, exc.pos_in_stream
        if ctx.text[pos] != "'":
            return False
        end = ctx.text.find("'", pos + 1)
        newline = ctx.text.find("\n", pos + 1)
        if end < 0 or (0 <= newline < end):
            return False
        value = ctx.text[pos:end + 1]
        tok = Token("STRING", '"' + value[1:-1].replace('"', '\\"') + '"', pos, exc.line, exc.column,
                    exc.line, exc.column + len(value), end + 1)
        ip = exc.interactive_parser
        try:
            ip.feed_token(tok)
        except UnexpectedInput:
            return False
        ip.lexer_thread.state.line_ctr.feed(value)
        ctx.tokens.append(tok)
        ctx.diags.append(error("syntax", f"strings use double quotes: {value}", ctx.span(tok),
                               f'write "{value[1:-1]}"'))
        return True

    def _bad_character(self, exc: UnexpectedCharacters) -> None:
        ctx = self.ctx
        char = ctx.text[exc.pos_in_stream]
        span = Span(ctx.path, exc.line, exc.column, exc.line, exc.column + 1)
        prev = ctx.diags[-1] if ctx.diags else None
        # A run of stray characters is one mistake, not many.
        if (prev and prev.code == "syntax" and prev.span and prev.span.line == span.line
                and prev.span.end_column == span.column and prev.message.startswith("unexpected character")):
            ctx.diags[-1] = attrs.evolve(prev, span=prev.span.to(span),
                                         message="unexpected characters in the spec")
            return
        hint = {"'": 'strings use double quotes: "like this"',
                '"': "this string is never closed on its line"}.get(char)
        ctx.diags.append(error("syntax", f"unexpected character `{char}`", span, hint))

    def _describe(self, exc: UnexpectedInput) -> Diagnostic:
        ctx = self.ctx
        if not isinstance(exc, UnexpectedToken):
            return error("syntax", "unexpected input", Span.point(ctx.path, exc.line, exc.column))
        tok = exc.token
        expected = _expected(exc.expected)
        shown = "end of line" if tok.type == "_NL" else f"`{tok.value}`"
        message = f"unexpected {shown}"
        if expected and len(expected) <= 4:
            message += "; expected " + " or ".join(expected)
        hint = self._hint(exc)
        span = ctx.span(tok)
        if tok.type == "_NL":
            # Point at the end of the line, not at the indentation of the next one.
            span = Span(ctx.path, tok.line, tok.column, tok.line, tok.column + 1)
        return error("syntax", message, span, hint)

    def _hint(self, exc: UnexpectedToken) -> str | None:
        ctx, tok = self.ctx, exc.token
        first = ctx.stmt_first
        if first is not None and first.type == "NAME" and first.value not in KEYWORDS:
            kw = closest(first.value, ("import", "param", "let", "assert", "expect", "template"))
            if kw and kw != first.value:
                return f"did you mean `{kw}`?"
        if tok.type == "COMPARE" and "NUMBER" not in exc.expected:   # after `a < b`
            return "comparisons do not chain: write `a < b and b < c`"
        if tok.type in ("AND", "OR"):
            return "`and` and `or` join conditions in an assert, or inside parentheses: `(a and b)`"
        if tok.type == "NAME" and "EQUAL" in exc.expected:
            return "an attribute is written `name = value`"
        if tok.type in ("NUMBER", "NAME", "STRING") and "_NL" in exc.expected:
            return "put one statement per line, or separate them with `;`"
        if tok.type == "RBRACE" and not ctx.braces:
            return "this `}` has no matching `{`"
        return None

    def _unexpected_end(self, exc: UnexpectedToken) -> list[Diagnostic]:
        ctx = self.ctx
        if not ctx.braces:
            lines = ctx.text.splitlines() or [""]
            end = Span.point(ctx.path, len(lines), len(lines[-1]) + 1)
            return [error("syntax", "unexpected end of file; the last statement is incomplete", end)]
        lines = ctx.text.splitlines()
        out = []
        for brace in ctx.braces:
            where = _missing_close(lines, brace.line)
            hint = (f"by indentation, the `}}` is missing before line {where}" if where
                    else "add `}` at the end of the block")
            out.append(error("syntax", "this `{` is never closed", ctx.span(brace), hint))
        return out


def _would_accept(ip, tok: Token | None) -> bool:
    """Whether the parser would accept `tok` (None: end of file).

    Runs the LALR automaton on a copy of the state stack only. LALR merges
    states, so a look-ahead in choices() can still fail after reductions;
    and a trial on ip.copy() would run the tree callbacks, which share (and
    extend in place) the children lists of the real parse."""
    conf = ip.parser_state.parse_conf
    states, stack = conf.states, list(ip.parser_state.state_stack)
    kind = "$END" if tok is None else tok.type
    for _ in range(10_000):
        action = states[stack[-1]].get(kind)
        if action is None:
            return False
        op, arg = action
        if op is Shift:
            return True
        size = len(arg.expansion)
        if size:
            del stack[-size:]
        stack.append(states[stack[-1]][arg.origin.name][1])
        if kind == "$END" and stack[-1] == conf.end_state:
            return True
    return False


def _expected(terminals) -> list[str]:
    """Human names for what the parser would have accepted."""
    names = set(terminals)
    out = []
    if {"NUMBER", "STRING", "NAME"} <= names:
        out.append("a value")
        names -= {"NUMBER", "STRING", "NAME", "LSQB", "LPAR", "MINUS", "TRUE", "FALSE", "NOT"}
    out += sorted(_TOKEN_NAMES.get(t, f"`{t.lower()}`") for t in names if not t.startswith("__"))
    return out


def _missing_close(lines: list[str], open_line: int) -> int | None:
    """The first later line indented no deeper than the opener's: where the
    author most likely forgot the `}`."""
    def indent(s: str) -> int:
        return len(s) - len(s.lstrip())

    base = indent(lines[open_line - 1]) if open_line <= len(lines) else 0
    for i in range(open_line, len(lines)):
        s = lines[i].strip()
        if not s or s.startswith(("#", "//")):
            continue
        if indent(lines[i]) <= base:
            return None if s.startswith("}") else i + 1
    return None


def _indentation_closes(tokens: list[Token], lines: list[str]) -> dict[int, list[Token]]:
    """Line -> the `{` that, by indentation, should have been closed before
    it: a line that starts no deeper than an open block's first line ends
    that block, unless it is the block's own `}`. Lines inside ( or [ are
    continuations and say nothing."""
    def indent(line: int) -> int:
        s = lines[line - 1] if line <= len(lines) else ""
        return len(s) - len(s.lstrip())

    open_, out, depth, prev_line = [], {}, 0, 0
    for tok in tokens:
        t = tok.type
        if t in ("_NL", "COMMENT"):
            continue
        if tok.line != prev_line and depth == 0:
            prev_line, d = tok.line, indent(tok.line)
            while open_ and (open_[-1][1] > d or (open_[-1][1] == d and t != "RBRACE")):
                out.setdefault(tok.line, []).append(open_.pop()[0])
        prev_line = tok.line
        if t == "LBRACE":
            open_.append((tok, indent(tok.line)))
            depth = 0
        elif t == "RBRACE":
            if open_:
                open_.pop()
            depth = 0
        elif t in _OPENERS:
            depth += 1
        elif t in ("RPAR", "RSQB") and depth:
            depth -= 1
    return out


def _missing_brace(ctx: _Context, opener: Token, line: int) -> list[Diagnostic]:
    """The error at the `{` left open, and a note at the line where its `}` belongs."""
    lines = ctx.text.splitlines()
    head = lines[opener.line - 1][:opener.column - 1].strip() if opener.line <= len(lines) else ""
    what = f"`{head}`" if head else "the block"
    text = lines[line - 1] if line <= len(lines) else ""
    col = len(text) - len(text.lstrip()) + 1
    return [error("syntax", "this `{` is never closed", ctx.span(opener),
                  f"by indentation, the `}}` is missing before line {line}"),
            Diagnostic("syntax", Severity.INFO,
                       f"by indentation, {what} (opened at line {opener.line}) ends here: add `}}` before this line",
                       Span.point(ctx.path, line, col),
                       "the lines from here on are read as if the `}` were here")]


@functools.cache
def _parser() -> _Parser:
    return _Parser()


def parse(text: str, path: str = "<input>") -> ParseResult:
    """Parse .fac source text. Never raises for any input text."""
    return _parser().parse(text, path)
