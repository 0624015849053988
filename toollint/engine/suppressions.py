"""Suppressions: `# toollint: ignore[CODE] reason` comments, Markdown comments and `x-toollint.ignore` entries."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from toollint.diagnostics import Pointer
from toollint.loading.document import Document

_HASH = re.compile(r"#[ \t]*toollint:[ \t]*ignore(?:\[(?P<codes>[^\]]*)\])?(?P<reason>[^\n]*)", re.MULTILINE)
_HTML = re.compile(r"<!--[ \t]*toollint:[ \t]*ignore(?:\[(?P<codes>[^\]]*)\])?(?P<reason>.*?)-->", re.DOTALL)
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


def _next_content_line(lines: list[str], index: int, comment: str) -> int:
    """1-based number of the first line after `index` that is not blank and not a comment."""
    for j in range(index + 1, len(lines)):
        stripped = lines[j].strip()
        if stripped and not stripped.startswith(comment):
            return j + 1
    return index + 1


def comment_suppressions(document: Document) -> Iterator[Suppression]:
    text = document.text
    if "toollint:" not in text:
        return
    lines = text.split("\n")
    pattern, comment = (_HTML, "<!--") if document.kind == "text" else (_HASH, "#")
    for match in pattern.finditer(text):
        line, column = document.lines.position(match.start())
        own_line = not lines[line - 1][: column - 1].strip()
        target = _next_content_line(lines, line - 1, comment) if own_line else line
        # in Python, a comment on a tool's decorators or `def` line covers the whole tool
        scope = next((pointer for first, last, pointer in document.scopes if first <= target <= last), None)
        yield Suppression(
            document.path, _codes(match.group("codes")), match.group("reason").strip(), line, column, target, scope
        )


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
