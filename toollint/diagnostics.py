"""Data that flows between the stages: pointers, violations, spans and diagnostics.

The high-volume types are named tuples: immutable like frozen dataclasses, and three times cheaper to
create, which matters when a run produces tens of thousands of them.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, Literal, NamedTuple

Segment = str | int
Pointer = tuple[Segment, ...]


class Severity(enum.IntEnum):
    """Ordered so that `--fail-on` can compare levels."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.upper()]

    @property
    def label(self) -> str:
        return self.name.lower()


def to_json_pointer(pointer: Pointer) -> str:
    """Render pointer segments as an RFC 6901 string ("" is the whole document)."""
    return "".join("/" + str(s).replace("~", "~0").replace("/", "~1") for s in pointer)


Anchor = Literal["value", "key"]


class Violation(NamedTuple):
    """What a rule yields: where (a pointer, or character offsets in a prompt) and what is wrong.

    A rule never knows line numbers; the engine adds them, and the severity, which a rule may only lower or
    raise per finding when its evidence is weaker or stronger than usual (a config severity still wins).
    `path` is only needed by rules that look across files (toolset and prompt rules).
    """

    pointer: Pointer
    message: str
    path: str | None = None
    anchor: Anchor = "value"
    offsets: tuple[int, int] | None = None
    related: tuple[tuple[str, Pointer], ...] = ()  # other places the message refers to, as (path, pointer)
    # the severity this finding has unless the config sets the rule's: for rules whose evidence varies in strength
    severity: Severity | None = None


class Span(NamedTuple):
    """1-based line and column (Unicode code points); the end is exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int


class Diagnostic(NamedTuple):
    code: str
    name: str
    severity: Severity
    message: str
    path: str
    span: Span
    pointer: Pointer = ()
    related: tuple[str, ...] = ()
    # machine-readable facts for json / jsonl / sarif, e.g. a TC finding's change kind, level, old and new value
    data: Mapping[str, Any] | None = None

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.span.line, self.span.column, self.code)
