"""Offsets to 1-based line and column, and the locator protocol every document kind implements."""

from __future__ import annotations

import bisect
from array import array
from itertools import accumulate
from typing import NamedTuple, Protocol

from toollint.diagnostics import Anchor, Pointer, Span

_plus_one = (1).__add__


class LineIndex:
    """Converts code-point offsets of one text into 1-based (line, column)."""

    def __init__(self, text: str) -> None:
        # an array of machine integers: a tenth of the memory of a list of ints on files with many lines
        self._starts = array("q", [0])
        self._starts.extend(accumulate(map(_plus_one, map(len, text.split("\n")))))  # C-level loops only
        self._starts.pop()
        self._length = len(text)

    def position(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, self._length))
        row = bisect.bisect_right(self._starts, offset) - 1
        return row + 1, offset - self._starts[row] + 1

    def line_start(self, line: int) -> int:
        return self._starts[max(0, min(line - 1, len(self._starts) - 1))]

    def span(self, start: int, end: int) -> Span:
        starts, length = self._starts, self._length
        start = 0 if start < 0 else length if start > length else start
        end = start if end < start else length if end > length else end
        row = bisect.bisect_right(starts, start) - 1
        next_start = starts[row + 1] if row + 1 < len(starts) else length + 1
        # most spans are a key or a short value on one line: no second search
        end_row = row if end < next_start else bisect.bisect_right(starts, end) - 1
        return Span(row + 1, start - starts[row] + 1, end_row + 1, end - starts[end_row] + 1)


class DuplicateKey(NamedTuple):
    """A key given twice in one object or mapping: the parsers used keep the later value."""

    key: str
    offset: int  # of the later key, whose value is used
    first: int  # of the earlier key


class Locator(Protocol):
    def span(self, pointer: Pointer, anchor: Anchor = "value") -> Span:
        """The span of the pointer's key or value, or of its closest existing ancestor."""
        ...

    def release(self) -> None:
        """Drop caches built while locating; later lookups rebuild them."""
        ...
