"""JSON and JSON Lines: data from the stdlib parser, positions computed lazily for files with findings.

Positions come from walking only the containers a pointer passes through. Sibling values are
skipped with the C decoder (`raw_decode`), so locating a handful of pointers in a large file costs
little more than parsing it, and files without findings never pay anything.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any, NamedTuple

from toollint.diagnostics import Anchor, Pointer, Segment, Span
from toollint.loading.positions import DuplicateKey, LineIndex

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


class _Parsed(NamedTuple):
    data: Any
    has_duplicates: bool


def _parse(text: str) -> _Parsed:
    duplicates = False

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal duplicates
        made = dict(items)
        if len(made) != len(items):
            duplicates = True
        return made

    try:
        data = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise JsonParseError(exc.msg, exc.pos) from None
    except RecursionError:
        raise too_deep(text) from None
    except ValueError as exc:  # an integer too long to convert (over 4,300 digits); nothing else raises it
        raise long_integer(text, str(exc)) from None
    return _Parsed(data, duplicates)


def parse_json(text: str) -> Any:
    return _parse(text).data


def parse_json_document(text: str) -> tuple[Any, list[DuplicateKey]]:
    """The data of a JSON text and the keys it gives twice (in the order they occur)."""
    parsed = _parse(text)
    return parsed.data, duplicate_keys(text) if parsed.has_duplicates else []


def long_integer(text: str, reason: str, start: int = 0, end: int | None = None) -> JsonParseError:
    """The error for an integer longer than Python converts, at the first such integer outside a string."""
    longest = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 4300
    pattern = re.compile(r'"(?:[^"\\]|\\.)*"?|-?[0-9]{' + str(longest + 1) + ",}")
    for match in pattern.finditer(text, start, len(text) if end is None else end):
        if not match.group().startswith('"'):
            digits = len(match.group().lstrip("-"))
            message = f"integer of {digits:,} digits is too long to check; write it as a string if it is meant"
            return JsonParseError(message, match.start())
    return JsonParseError(reason, start)


_KEY_TOKEN = re.compile(r'("(?:[^"\\]|\\.)*")[ \t\n\r]*(:)?|[\[\]{}]')


def duplicate_keys(text: str, start: int = 0, end: int | None = None) -> list[DuplicateKey]:
    """Every key of `text[start:end]` that an object has already given, with both offsets.

    Only called for texts the parser found a duplicate in, so a valid JSON text can be assumed."""
    found: list[DuplicateKey] = []
    stack: list[dict[str, int] | None] = []  # the keys seen so far in each open object; None for arrays
    for match in _KEY_TOKEN.finditer(text, start, len(text) if end is None else end):
        token = match.group()
        if token in ("{", "["):
            stack.append({} if token == "{" else None)
        elif token in ("}", "]"):
            if stack:
                stack.pop()
        elif match.group(2) and stack and stack[-1] is not None:
            raw = match.group(1)
            key = json.loads(raw) if "\\" in raw else raw[1:-1]
            seen = stack[-1]
            if key in seen:
                found.append(DuplicateKey(key, match.start(1), seen[key]))
            seen[key] = match.start(1)
    return found


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

    def __init__(
        self,
        text: str,
        start: int = 0,
        end: int | None = None,
        lines: LineIndex | None = None,
        unique_keys: bool = True,
    ) -> None:
        self._text = text
        self._lines = lines
        # with duplicate keys the parser keeps the last value, so a lookup must read on to the end of the object
        self._unique_keys = unique_keys
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
                found = members.get(segment)
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
            members[key] = member
            index += 1
            i = after(text, value_end).end()  # type: ignore[union-attr]
            if key == segment and self._unique_keys:
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

    def __init__(self, text: str, records: list[tuple[int, int]], duplicated: frozenset[int] = frozenset()) -> None:
        self._text = text
        self._records = records
        self._duplicated = duplicated  # records that give a key twice
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
            locator = JsonLocator(self._text, start, end, self._lines, unique_keys=index not in self._duplicated)
            self._locators[index] = locator
        return locator.span(pointer[1:], anchor)

    def string_offsets(self, pointer: Pointer) -> list[int] | None:
        if not pointer or not isinstance(pointer[0], int) or not 0 <= pointer[0] < len(self._records):
            return None
        self.span(pointer[:1])
        return self._locators[pointer[0]].string_offsets(pointer[1:])


MAX_BAD_LINES = 20


class JsonLines(NamedTuple):
    data: list[Any]
    records: list[tuple[int, int]]  # (start, end) offset of each record's line
    errors: list[JsonParseError]
    duplicates: list[DuplicateKey]
    duplicated: frozenset[int]  # indexes of the records that give a key twice


def parse_json_lines(text: str) -> JsonLines:
    """Parse each non-blank line; a bad line is an error, the good ones are kept.

    Records are separated by `\\n` only: a raw U+2028 inside a string is valid JSON, not a line break. After
    `MAX_BAD_LINES` bad lines the file is not read further (a file of two million bad lines would otherwise
    cost two million errors and their diagnostics); the last error says so."""
    data: list[Any] = []
    records: list[tuple[int, int]] = []
    errors: list[JsonParseError] = []
    duplicates: list[DuplicateKey] = []
    duplicated: set[int] = set()
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            try:
                parsed = _parse(line)
            except JsonParseError as exc:
                if len(errors) == MAX_BAD_LINES:
                    message = f"more than {MAX_BAD_LINES} lines are not valid JSON; the file was read only up to here"
                    errors.append(JsonParseError(message, offset))
                    break
                errors.append(JsonParseError(exc.message, offset + exc.offset))
            else:
                if parsed.has_duplicates:
                    duplicated.add(len(records))
                    duplicates += [
                        DuplicateKey(d.key, offset + d.offset, offset + d.first) for d in duplicate_keys(line)
                    ]
                data.append(parsed.data)
                records.append((offset, offset + len(line.rstrip("\r"))))
        offset += len(line) + 1
    return JsonLines(data, records, errors, duplicates, frozenset(duplicated))
