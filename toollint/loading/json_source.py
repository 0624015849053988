"""JSON and JSON Lines: data from the stdlib parser, positions computed lazily for files with findings.

Positions come from walking only the containers a pointer passes through. Sibling values are
skipped with the C decoder (`raw_decode`), so locating a handful of pointers in a large file costs
little more than parsing it, and files without findings never pay anything.
"""

from __future__ import annotations

import json
import re
from typing import Any

from toollint.diagnostics import Anchor, Pointer, Segment, Span
from toollint.loading.positions import LineIndex

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_scanstring = json.decoder.scanstring  # type: ignore[attr-defined]

# (key_start, key_end, value_start, value_end); key offsets are -1 for array items
Entry = tuple[int, int, int, int]


class JsonParseError(Exception):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


def parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise JsonParseError(exc.msg, exc.pos) from None
    except RecursionError:
        raise JsonParseError("nesting is too deep to parse", 0) from None


class JsonLocator:
    """Maps pointers to offsets in one JSON text (or one line of a JSON Lines file)."""

    def __init__(self, text: str, start: int = 0, end: int | None = None, lines: LineIndex | None = None) -> None:
        self._text = text
        self._lines = lines
        value_start = _WS.match(text, start).end()  # type: ignore[union-attr]
        self._root: Entry = (-1, -1, value_start, len(text) if end is None else end)
        self._children: dict[int, dict[Segment, Entry]] = {}

    def _members(self, entry: Entry) -> dict[Segment, Entry]:
        value_start = entry[2]
        cached = self._children.get(value_start)
        if cached is not None:
            return cached
        text = self._text
        members: dict[Segment, Entry] = {}
        opener = text[value_start : value_start + 1]
        if opener in ("{", "["):
            i = _WS.match(text, value_start + 1).end()  # type: ignore[union-attr]
            index = 0
            closer = "}" if opener == "{" else "]"
            while i < len(text) and text[i] != closer:
                key_start = key_end = -1
                key: Segment = index
                if opener == "{":
                    key_start = i
                    key, key_end = _scanstring(text, i + 1)
                    i = _WS.match(text, key_end).end()  # type: ignore[union-attr]
                    i = _WS.match(text, i + 1).end()  # type: ignore[union-attr]  # past ':'
                _, value_end = _DECODER.raw_decode(text, i)
                members[key] = (key_start, key_end, i, value_end)
                i = _WS.match(text, value_end).end()  # type: ignore[union-attr]
                if i < len(text) and text[i] == ",":
                    i = _WS.match(text, i + 1).end()  # type: ignore[union-attr]
                index += 1
        self._children[value_start] = members
        return members

    def find(self, pointer: Pointer) -> tuple[Entry, int]:
        """The entry of the deepest existing prefix of the pointer and how many segments matched."""
        entry = self._root
        for depth, segment in enumerate(pointer):
            members = self._members(entry)
            child = members.get(segment)
            if child is None:
                child = members.get(str(segment) if isinstance(segment, int) else _as_index(segment))
            if child is None:
                return entry, depth
            entry = child
        return entry, len(pointer)

    def span(self, pointer: Pointer, anchor: Anchor = "value") -> Span:
        lines = self._lines or LineIndex(self._text)
        self._lines = lines
        entry, matched = self.find(pointer)
        key_start, key_end, value_start, value_end = entry
        if key_start >= 0 and (anchor == "key" or matched < len(pointer)):
            return lines.span(key_start, key_end)
        if matched < len(pointer) and value_end - value_start > 1:
            return lines.span(value_start, value_start + 1)
        return lines.span(value_start, value_end)


def _as_index(segment: str) -> Segment:
    return int(segment) if segment.isdigit() else segment


class JsonLinesLocator:
    """The first pointer segment selects the record (0-based, blank lines not counted)."""

    def __init__(self, text: str, records: list[tuple[int, int]]) -> None:
        self._text = text
        self._records = records
        self._lines = LineIndex(text)
        self._locators: dict[int, JsonLocator] = {}

    def span(self, pointer: Pointer, anchor: Anchor = "value") -> Span:
        if not pointer or not isinstance(pointer[0], int) or not 0 <= pointer[0] < len(self._records):
            return self._lines.span(0, 0)
        index = pointer[0]
        locator = self._locators.get(index)
        if locator is None:
            start, end = self._records[index]
            locator = JsonLocator(self._text, start, end, self._lines)
            self._locators[index] = locator
        return locator.span(pointer[1:], anchor)


def parse_json_lines(text: str) -> tuple[list[Any], list[tuple[int, int]], list[JsonParseError]]:
    """Parse each non-blank line; a bad line is an error, the good ones are kept."""
    data: list[Any] = []
    records: list[tuple[int, int]] = []
    errors: list[JsonParseError] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped:
            try:
                data.append(json.loads(line))
                records.append((offset, offset + len(line.rstrip("\r\n"))))
            except json.JSONDecodeError as exc:
                errors.append(JsonParseError(exc.msg, offset + exc.pos))
            except RecursionError:
                errors.append(JsonParseError("nesting is too deep to parse", offset))
        offset += len(line)
    return data, records, errors
