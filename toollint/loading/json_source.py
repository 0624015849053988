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

# (key_start, key_end, value_start, value_end); key offsets are -1 for array items
Entry = tuple[int, int, int, int]


class JsonParseError(Exception):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


MAX_DEPTH = 500  # far below the recursion limit the stdlib parser runs into
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]')


def too_deep(text: str, start: int = 0, end: int | None = None) -> JsonParseError:
    """The error for a text the stdlib parser gave up on, at the first bracket deeper than `MAX_DEPTH`."""
    depth = 0
    for match in _TOKEN.finditer(text, start, len(text) if end is None else end):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > MAX_DEPTH:
                return JsonParseError(f"nesting is too deep to parse (deeper than {MAX_DEPTH} levels)", match.start())
        elif token in ("]", "}"):
            depth -= 1
    return JsonParseError("nesting is too deep to parse", start)


def parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise JsonParseError(exc.msg, exc.pos) from None
    except RecursionError:
        raise too_deep(text) from None


class _Container:
    """Members of one object or array, scanned only as far as lookups have needed so far."""

    __slots__ = ("members", "position", "index", "done", "is_object")

    def __init__(self, text: str, value_start: int) -> None:
        self.members: dict[Segment, Entry] = {}
        self.is_object = text.startswith("{", value_start)
        self.done = not (self.is_object or text.startswith("[", value_start))
        self.position = value_start + 1
        self.index = 0


_NEXT_MEMBER = re.compile(r'[ \t\n\r]*(?:(\})|"((?:[^"\\]|\\.)*)"[ \t\n\r]*:[ \t\n\r]*)')
_NEXT_ITEM = re.compile(r"[ \t\n\r]*(\])?")
_AFTER_VALUE = re.compile(r"[ \t\n\r]*,?")


class JsonLocator:
    """Maps pointers to offsets in one JSON text (or one line of a JSON Lines file)."""

    def __init__(self, text: str, start: int = 0, end: int | None = None, lines: LineIndex | None = None) -> None:
        self._text = text
        self._lines = lines
        value_start = _WS.match(text, start).end()  # type: ignore[union-attr]
        self._root: Entry = (-1, -1, value_start, len(text) if end is None else end)
        self._containers: dict[int, _Container] = {}

    def release(self) -> None:
        self._containers = {}

    def _member(self, entry: Entry, segment: Segment) -> Entry | None:
        container = self._containers.get(entry[2])
        if container is None:
            container = self._containers[entry[2]] = _Container(self._text, entry[2])
        members = container.members
        found = members.get(segment)
        if found is not None or container.done:
            return found
        # the hot loop of locating: locals and bound methods only
        text, end = self._text, len(self._text)
        decode, after = _DECODER.raw_decode, _AFTER_VALUE.match
        i, index, is_object = container.position, container.index, container.is_object
        step = _NEXT_MEMBER.match if is_object else _NEXT_ITEM.match
        while True:
            match = step(text, i)
            if match is None or match.group(1) or match.end() >= end:
                container.done = True  # the closing bracket (or, defensively, something unexpected)
                found = None
                break
            i = match.end()
            if is_object:
                raw = match.group(2)
                key: Segment = json.loads(f'"{raw}"') if "\\" in raw else raw
                key_start = match.start(2) - 1
                key_end = key_start + len(raw) + 2
            else:
                key, key_start, key_end = index, -1, -1
            value_end = decode(text, i)[1]
            member = (key_start, key_end, i, value_end)
            if key not in members:
                members[key] = member
            index += 1
            i = after(text, value_end).end()  # type: ignore[union-attr]
            if key == segment:
                found = member
                break
        container.position, container.index = i, index
        return found

    def find(self, pointer: Pointer) -> tuple[Entry, int]:
        """The entry of the deepest existing prefix of the pointer and how many segments matched."""
        entry = self._root
        containers = self._containers
        for depth, segment in enumerate(pointer):
            container = containers.get(entry[2])
            child = container.members.get(segment) if container is not None else None  # the usual case: seen before
            if child is not None:
                entry = child
                continue
            child = self._member(entry, segment)
            if child is None:
                alternative = str(segment) if isinstance(segment, int) else _as_index(segment)
                child = self._member(entry, alternative) if alternative != segment else None
            if child is None:
                return entry, depth
            entry = child
        return entry, len(pointer)

    def string_offsets(self, pointer: Pointer) -> list[int] | None:
        """For a string value: the text offset of each character of its decoded content (escapes resolved)."""
        (_, _, value_start, value_end), matched = self.find(pointer)
        text = self._text
        if matched < len(pointer) or not text.startswith('"', value_start):
            return None
        offsets: list[int] = []
        i = value_start + 1
        while i < value_end - 1:
            offsets.append(i)
            if text[i] != "\\":
                i += 1
            elif text[i + 1] != "u":
                i += 2
            elif text[i + 2 : i + 4].lower() == "d8" or text[i + 2 : i + 4].lower() in ("d9", "da", "db"):
                i += 12  # a surrogate pair is one character of the decoded string
            else:
                i += 6
        offsets.append(value_end - 1)
        return offsets

    def span(self, pointer: Pointer, anchor: Anchor = "value") -> Span:
        lines = self._lines
        if lines is None:
            lines = self._lines = LineIndex(self._text)
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

    def release(self) -> None:
        self._locators = {}

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

    def string_offsets(self, pointer: Pointer) -> list[int] | None:
        if not pointer or not isinstance(pointer[0], int) or not 0 <= pointer[0] < len(self._records):
            return None
        self.span(pointer[:1])
        return self._locators[pointer[0]].string_offsets(pointer[1:])


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
                errors.append(too_deep(text, offset, offset + len(line)))
        offset += len(line)
    return data, records, errors
