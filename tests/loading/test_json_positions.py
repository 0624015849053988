"""The JSON locator maps pointers to the exact key or value, in code points, with closest-ancestor fallback."""

from __future__ import annotations

import json
import random

from toollint.diagnostics import Span
from toollint.loading.json_source import JsonLinesLocator, JsonLocator, parse_json_lines
from toollint.loading.positions import LineIndex

TEXT = """{
  "tools": [
    {"name": "get_weather", "input_schema": {"type": "object",
      "properties": {"city": {"type": "string"}}, "required": ["cty"]}},
    {"name": "caf\\u00e9", "emoji": "\\ud83d\\ude00", "x": 1}
  ],
  "a/b": {"~": true}
}"""


def locate(text: str, *pointer: str | int, anchor: str = "value") -> Span:
    return JsonLocator(text).span(tuple(pointer), anchor)  # type: ignore[arg-type]


def test_value_and_key_of_a_member() -> None:
    assert locate(TEXT, "tools", 0, "name") == Span(3, 14, 3, 27)
    assert locate(TEXT, "tools", 0, "name", anchor="key") == Span(3, 6, 3, 12)


def test_array_items_and_nested_values() -> None:
    assert locate(TEXT, "tools", 0, "input_schema", "required", 0) == Span(4, 64, 4, 69)
    assert locate(TEXT, "tools", 0, "input_schema", "properties", "city", "type") == Span(4, 39, 4, 47)


def test_escaped_keys_and_values_count_code_points_of_the_source() -> None:
    assert locate(TEXT, "tools", 1, "x") == Span(5, 57, 5, 58)
    assert locate(TEXT, "a/b", "~") == Span(7, 16, 7, 20)


def test_missing_pointer_falls_back_to_the_closest_ancestor_key() -> None:
    assert locate(TEXT, "tools", 0, "description") == Span(3, 5, 3, 6)  # the tool object's opening brace
    assert locate(TEXT, "tools", 0, "input_schema", "nope") == Span(3, 29, 3, 43)  # key of the ancestor
    assert locate(TEXT, "tools", 7) == Span(2, 3, 2, 10)


def test_digit_keys_and_string_indexes() -> None:
    text = '{"200": {"a": [10, 20]}}'
    assert locate(text, 200, "a", "1") == Span(1, 20, 1, 22)


def test_multibyte_characters_before_the_value_count_as_one_column() -> None:
    text = '{"d": "😀 ünïcode", "n": 5}'
    assert locate(text, "n") == Span(1, 25, 1, 26)


def test_crlf_line_endings() -> None:
    text = '{\r\n  "a": 1,\r\n  "b": 2\r\n}'
    assert locate(text, "b") == Span(3, 8, 3, 9)


def test_every_value_of_a_random_document_is_located_at_its_own_text() -> None:
    rng = random.Random(7)

    def make(depth: int) -> object:
        kind = rng.choice(["obj", "arr", "str", "num"] if depth < 4 else ["str", "num"])
        if kind == "obj":
            return {f"k{i}\u00e9" if rng.random() < 0.2 else f"k{i}": make(depth + 1) for i in range(rng.randint(0, 4))}
        if kind == "arr":
            return [make(depth + 1) for _ in range(rng.randint(0, 4))]
        return 'v"\\😀' if kind == "str" else rng.randint(-5, 500)

    for _ in range(20):
        data = make(0)
        text = json.dumps(data, indent=rng.choice([None, 2]), ensure_ascii=rng.random() < 0.5)
        locator, lines = JsonLocator(text), LineIndex(text)
        stack: list[tuple[object, tuple[str | int, ...]]] = [(data, ())]
        while stack:
            value, pointer = stack.pop()
            span = locator.span(pointer)
            start = lines.line_start(span.line) + span.column - 1
            end = lines.line_start(span.end_line) + span.end_column - 1
            assert json.loads(text[start:end]) == value
            if isinstance(value, dict):
                stack.extend((v, (*pointer, k)) for k, v in value.items())
            elif isinstance(value, list):
                stack.extend((v, (*pointer, i)) for i, v in enumerate(value))


def test_json_lines_records_and_errors() -> None:
    text = '{"name": "a"}\n\nnot json\n{"name": "b", "x": [1]}\n'
    data, records, errors, _, _ = parse_json_lines(text)
    assert data == [{"name": "a"}, {"name": "b", "x": [1]}]
    assert len(errors) == 1 and LineIndex(text).position(errors[0].offset)[0] == 3
    locator = JsonLinesLocator(text, records)
    assert locator.span((1, "x", 0)) == Span(4, 21, 4, 22)
