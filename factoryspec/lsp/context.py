"""Reading a half-typed line: where the cursor is, syntactically.

Completion runs while the text is broken, so it cannot rely on the AST. This
module scans the raw text before the cursor with a small tokenizer that
knows strings and comments, and classifies the cursor's position.
"""

from __future__ import annotations

import re

import attrs

_TOKENS = re.compile(r'"(?:[^"\\\n]|\\.)*"?|(?:#|//)[^\n]*|[{};\n]|[A-Za-z_][A-Za-z0-9_]*|\S')
_NUMBER_UNIT = re.compile(r'(?:^|[^\w.])\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?(\s*)([A-Za-z_%][\w/]*)?$')
_IMPORT = re.compile(r'^\s*import\s+("?[\w./-]*)$')
_ASSERT = re.compile(r'^\s*assert\s+(.*)$')
_ASSIGN = re.compile(r'^\s*(?:(let|param)\s+)?([A-Za-z_]\w*)\s*=\s*(.*)$')
_TEMPLATE_USE = re.compile(r'^\s*([A-Za-z_]\w*)\s+[A-Za-z_]\w*\s*(?:\[[^\]]*\])?\s*=\s*([\w.]*)$')
_DOTTED_TAIL = re.compile(r'([A-Za-z_][\w.]*)$')
_WORD_ONLY = re.compile(r'^\s*[A-Za-z_]?\w*$')

STATEMENT, VALUE, UNIT, IMPORT, TEMPLATE, NONE = "statement", "value", "unit", "import", "template", "none"


@attrs.frozen
class Context:
    where: str
    kinds: tuple[str, ...]          # enclosing block kinds, outermost first
    attribute: str | None = None    # for VALUE and UNIT: the attribute being set
    partial: str = ""               # the text typed so far of the completed word
    template_kind: str | None = None
    block_start: int = 0            # offset just inside the innermost open block (0 at top level)
    in_assert: bool = False         # in an assert: the model's derived figures are names too

    @property
    def block_kind(self) -> str | None:
        return self.kinds[-1] if self.kinds else None


def block_stack(text: str) -> tuple[tuple[str, ...], str, int]:
    """The kinds of the blocks open at the end of `text`, the text of the
    statement being written there (after the last separator or brace), and the
    offset just inside the innermost open block (0 at the top level)."""
    stack: list[tuple[str, int]] = []
    words: list[str] = []
    stmt_start = 0
    for m in _TOKENS.finditer(text):
        tok = m.group()
        if tok.startswith(("#", "//")):
            continue
        if tok == "{":
            stack.append((_header_kind(words), m.end()))
        elif tok == "}":
            if stack:
                stack.pop()
        elif tok not in (";", "\n"):
            words.append(tok)
            continue
        words = []
        stmt_start = m.end()
    return tuple(k for k, _ in stack), text[stmt_start:], stack[-1][1] if stack else 0


def _header_kind(words: list[str]) -> str:
    if len(words) >= 2 and words[0] == "template":
        return words[1]
    return words[0] if words else ""


def _in_string_or_comment(stmt: str) -> bool:
    for m in _TOKENS.finditer(stmt):
        tok = m.group()
        if tok.startswith(("#", "//")):
            return True
        if tok.startswith('"') and (len(tok) == 1 or not tok.endswith('"') or tok.endswith('\\"')):
            return m.end() == len(stmt)
    return False


def assigned_in_block(text: str, offset: int, start: int) -> set[str]:
    """Attributes already set (`name = ...`) in the block that is open at
    `offset` and begins at `start` (Context.block_start), before or after the
    cursor, other than on the statement being typed there."""
    names: set[str] = set()
    depth, words, stmt_start = 0, [], start
    for m in _TOKENS.finditer(text, start):
        tok = m.group()
        if tok.startswith(("#", "//")):
            continue
        if tok in ("{", "}", ";", "\n"):
            if depth == 0 and not stmt_start <= offset <= m.start() and len(words) >= 2 and words[1] == "=" \
                    and words[0] not in ("let", "param"):
                names.add(words[0])
            if tok == "{":
                depth += 1
            elif tok == "}":
                if depth == 0:
                    break                     # the block's own closing brace
                depth -= 1
            words, stmt_start = [], m.end()
            continue
        words.append(tok)
    return names


def classify(text_before: str) -> Context:
    """The completion context at the end of `text_before` (all text before the cursor)."""
    kinds, stmt, start = block_stack(text_before)
    return attrs.evolve(_classify(kinds, stmt), block_start=start)


def _classify(kinds: tuple[str, ...], stmt: str) -> Context:
    if _in_string_or_comment(stmt):
        return Context(NONE, kinds)
    if m := _IMPORT.match(stmt):
        return Context(IMPORT, kinds, partial=m.group(1))
    if m := _TEMPLATE_USE.match(stmt):
        if m.group(1) not in ("let", "param"):
            return Context(TEMPLATE, kinds, partial=m.group(2), template_kind=m.group(1))
    if m := _ASSERT.match(stmt):
        return _in_expression(kinds, m.group(1), None, in_assert=True)
    assign = _ASSIGN.match(stmt)
    attribute = assign.group(2) if assign and not assign.group(1) else None
    if assign:
        return _in_expression(kinds, assign.group(3), attribute)
    if _WORD_ONLY.match(stmt):
        return Context(STATEMENT, kinds, partial=stmt.strip())
    return Context(NONE, kinds)


def _in_expression(kinds: tuple[str, ...], expr: str, attribute: str | None, in_assert: bool = False) -> Context:
    """The cursor at the end of `expr`, the value of an attribute or let, or an assert's."""
    if m := _NUMBER_UNIT.search(expr):
        if m.group(1) or m.group(2):
            return Context(UNIT, kinds, attribute, partial=m.group(2) or "", in_assert=in_assert)
    if re.search(r"[\d.]$", expr) and not _DOTTED_TAIL.search(expr):
        return Context(NONE, kinds)      # in the middle of a number
    tail = _DOTTED_TAIL.search(expr)
    return Context(VALUE, kinds, attribute, partial=tail.group(1) if tail else "", in_assert=in_assert)
