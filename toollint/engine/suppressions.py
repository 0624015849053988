"""Suppressions: `# toollint: ignore[CODE] reason` comments, Markdown comments and `x-toollint.ignore` entries."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from toollint.diagnostics import Pointer
from toollint.loading.document import Document

# Linear on any text: the codes stop at the end of the line (an unclosed `[` once scanned to the end of the file
# for every comment after it), and the end of a Markdown comment is found by `str.find`, once per comment.
_HASH = re.compile(r"#[ \t]*toollint:[ \t]*ignore(?:\[(?P<codes>[^\]\n]*)\])?(?P<reason>[^\n]*)")
_HTML_START = re.compile(r"<!--[ \t]*toollint:[ \t]*ignore")
_HTML_CODES = re.compile(r"\[(?P<codes>[^\]]*)\]")
_MAX_WALK_DEPTH = 64


class Suppression(NamedTuple):
    path: str
    codes: tuple[str, ...]
    reason: str
    line: int = 0  # comment suppressions: where the comment is
    column: int = 0
    target_line: int = 0  # ... and the line whose findings it silences
    scope: Pointer | None = None  # findings at or below this pointer (x-toollint entries, Python tool headers)
    pointer: Pointer = ()  # where the x-toollint entry itself is

    def matches(self, code: str, line: int, pointer: Pointer) -> bool:
        if code not in self.codes:
            return False
        if self.scope is not None:
            return pointer[: len(self.scope)] == self.scope
        return line == self.target_line


def _codes(raw: str | None) -> tuple[str, ...]:
    if not raw:
        return ()
    return tuple(c.strip().upper() for c in raw.split(",") if c.strip())


class _NextContentLine:
    """1-based number of the first line after a 0-based index that is not blank and not a comment.

    Asked in increasing order of index, as comments are found; the answer for one index is the answer for
    every index up to it, so the lines are scanned once in all (a file of nothing but comments once took
    quadratic time)."""

    def __init__(self, lines: list[str], comment: str) -> None:
        self.lines = lines
        self.comment = comment
        self.asked = -1
        self.answer = -1  # 0-based index of the content line found for `asked`, len(lines) when none

    def __call__(self, index: int) -> int:
        if not (self.asked <= index < self.answer):
            j = index + 1
            while j < len(self.lines):
                stripped = self.lines[j].strip()
                if stripped and not stripped.startswith(self.comment):
                    break
                j += 1
            self.answer = j
        self.asked = index
        return self.answer + 1 if self.answer < len(self.lines) else index + 1


class _Comment(NamedTuple):
    start: int
    codes: str | None
    reason: str


def _hash_comments(text: str) -> Iterator[_Comment]:
    for match in _HASH.finditer(text):
        yield _Comment(match.start(), match.group("codes"), match.group("reason"))


def _html_comments(text: str) -> Iterator[_Comment]:
    position = 0
    while True:
        match = _HTML_START.search(text, position)
        if match is None:
            return
        end = text.find("-->", match.end())
        if end < 0:
            return  # no comment after this one can be closed either
        body = text[match.end() : end]
        codes = _HTML_CODES.match(body)
        reason = body[codes.end() :] if codes else body
        yield _Comment(match.start(), codes.group("codes") if codes else None, reason)
        position = end + 3


def comment_suppressions(document: Document) -> Iterator[Suppression]:
    text = document.text
    if "toollint:" not in text:
        return
    lines = text.split("\n")
    comments, comment = (_html_comments, "<!--") if document.kind == "text" else (_hash_comments, "#")
    next_content_line = _NextContentLine(lines, comment)
    scopes = sorted(document.scopes, key=lambda scope: scope[0])
    firsts = [first for first, _, _ in scopes]
    for found in comments(text):
        line, column = document.lines.position(found.start)
        own_line = not lines[line - 1][: column - 1].strip()
        target = next_content_line(line - 1) if own_line else line
        # in Python, a comment on a tool's decorators or `def` line covers the whole tool
        index = bisect.bisect_right(firsts, target) - 1
        scope = scopes[index][2] if index >= 0 and scopes[index][1] >= target else None
        yield Suppression(document.path, _codes(found.codes), found.reason.strip(), line, column, target, scope)


def pointer_suppressions(document: Document) -> Iterator[Suppression]:
    """`x-toollint: {ignore: [{code, reason}]}` on any object silences findings inside that object."""
    if "x-toollint" not in document.text:
        return
    stack: list[tuple[Any, Pointer]] = [(document.data, ())]
    while stack:
        node, at = stack.pop()
        if len(at) > _MAX_WALK_DEPTH:
            continue
        if isinstance(node, dict):
            meta = node.get("x-toollint")
            if isinstance(meta, dict) and "ignore" in meta:
                yield from _entries(document.path, meta["ignore"], at)
            stack.extend((v, at + (k,)) for k, v in node.items() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend((v, at + (i,)) for i, v in enumerate(node) if isinstance(v, (dict, list)))


def _entries(path: str, raw: Any, scope: Pointer) -> Iterator[Suppression]:
    base = scope + ("x-toollint", "ignore")
    if not isinstance(raw, list):
        yield Suppression(path, (), "", scope=scope, pointer=base)
        return
    for i, entry in enumerate(raw):
        if isinstance(entry, dict):
            code, reason = entry.get("code"), entry.get("reason")
            codes = _codes(code) if isinstance(code, str) else ()
            yield Suppression(
                path, codes, reason.strip() if isinstance(reason, str) else "", scope=scope, pointer=base + (i,)
            )
        else:
            yield Suppression(path, (), "", scope=scope, pointer=base + (i,))


def problem(suppression: Suppression, known: set[str] | frozenset[str]) -> str | None:
    """Why a suppression is invalid (TL004), or None."""
    if not suppression.codes:
        if not suppression.line:
            return "`x-toollint.ignore` entries must look like `{code: TS009, reason: why it is fine}`"
        return "suppression names no rule code; write `toollint: ignore[CODE] reason`"
    unknown = [c for c in suppression.codes if c not in known]
    if unknown:
        return f"suppression names unknown rule code `{unknown[0]}`"
    if not suppression.reason:
        return f"suppression of {', '.join(suppression.codes)} gives no reason; say why the finding is acceptable"
    return None
