"""YAML positions come from libyaml node marks; hostile YAML is refused before it is composed."""

from __future__ import annotations

import pytest

from toollint.diagnostics import Span
from toollint.loading.yaml_source import YamlParseError, parse_yaml

TEXT = """\
tools:
  - name: get_weather   # a comment
    description: "Café 😀 weather"
    input_schema:
      type: object
      properties:
        city: {type: string}
      required: [cty]
"""


def locate(*pointer: str | int, anchor: str = "value") -> Span:
    _, locator = parse_yaml(TEXT)
    return locator.span(tuple(pointer), anchor)  # type: ignore[arg-type]


def test_scalar_values_and_keys() -> None:
    assert locate("tools", 0, "name") == Span(2, 11, 2, 22)
    assert locate("tools", 0, "name", anchor="key") == Span(2, 5, 2, 9)
    assert locate("tools", 0, "input_schema", "required", 0) == Span(8, 18, 8, 21)
    assert locate("tools", 0, "input_schema", "properties", "city", "type") == Span(7, 22, 7, 28)


def test_multi_line_mapping_points_at_its_key() -> None:
    assert locate("tools", 0, "input_schema") == Span(4, 5, 4, 17)


def test_missing_member_points_at_the_closest_ancestor_key() -> None:
    assert locate("tools", 0, "input_schema", "properties", "city", "description") == Span(7, 9, 7, 13)


def test_columns_are_code_points_after_emoji() -> None:
    _, locator = parse_yaml('a: "😀😀"\nb: 1\nc: {"😀": 2, d: 3}\n')
    assert locator.span(("c", "d")) == Span(3, 16, 3, 17)


def test_several_documents_become_a_list() -> None:
    data, locator = parse_yaml("a: 1\n---\nb: 2\n")
    assert data == [{"a": 1}, {"b": 2}]
    assert locator.span((1, "b")) == Span(3, 4, 3, 5)


def test_alias_bomb_is_refused() -> None:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [{', '.join(['*a' + str(i - 1)] * 10)}]" for i in range(1, 9)]
    with pytest.raises(YamlParseError, match="alias bomb"):
        parse_yaml("\n".join(lines))


def test_recursive_alias_is_refused() -> None:
    with pytest.raises(YamlParseError, match="contains it"):
        parse_yaml("a: &x [1, *x]\n")


def test_deep_nesting_is_refused_before_libyaml_recurses() -> None:
    # the behaviour, not the wording: PyYAML 6.0.4's libyaml refuses deep flow nesting with its own message
    nesting = r"(?i)\bnest(ing|ed)\b.*\b(deep|depth)"
    with pytest.raises(YamlParseError, match=nesting) as info:
        parse_yaml("[" * 10_000 + "]" * 10_000)
    assert info.value.line == 1 and 100 < info.value.column <= 10_000  # at the nesting, not at the start
    with pytest.raises(YamlParseError, match=nesting) as info:
        parse_yaml("".join("  " * i + f"k{i}:\n" for i in range(1000)) + "  " * 1000 + "v\n")
    assert 100 < info.value.line <= 1001


def test_syntax_error_has_a_position() -> None:
    with pytest.raises(YamlParseError) as info:
        parse_yaml("a: [1, 2\nb: 3\n")
    assert info.value.line >= 2


def test_syntax_error_in_a_large_file_is_a_parse_error_not_a_crash() -> None:
    text = "".join(f"- name: tool{i}\n  description: d\n" for i in range(400)) + "- a: b: c\n"
    with pytest.raises(YamlParseError) as info:
        parse_yaml(text)
    assert info.value.line == 801
