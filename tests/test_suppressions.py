"""Suppressions in YAML comments, Markdown comments and `x-toollint.ignore`; a reason is required; unused ones are reported."""

from __future__ import annotations

import json

from conftest import found, lint

TOOL = "- name: a.b  {comment}\n  input_schema: {{type: object}}\n"


def test_end_of_line_comment_suppresses_that_line() -> None:
    result = lint({"t.yaml": TOOL.format(comment="# toollint: ignore[TN001, TD001] legacy names kept for clients")})
    assert found(result) == []


def test_own_line_comment_suppresses_the_next_content_line() -> None:
    text = "# toollint: ignore[TN001] kept for old clients\n\n" + TOOL.format(comment="")
    result = lint({"t.yaml": text})
    assert [c for _, _, c in found(result)] == ["TD001"], result.diagnostics


def test_a_reason_is_required_and_an_invalid_suppression_suppresses_nothing() -> None:
    result = lint({"t.yaml": TOOL.format(comment="# toollint: ignore[TN001]")})
    assert sorted(c for _, _, c in found(result)) == ["TD001", "TL004", "TN001"]
    (tl004,) = [d for d in result.diagnostics if d.code == "TL004"]
    assert (tl004.span.line, tl004.span.column) == (1, 14) and "gives no reason" in tl004.message


def test_unknown_codes_and_missing_codes_are_invalid() -> None:
    for comment, message in (
        ("# toollint: ignore[XX999] nope", "unknown rule code `XX999`"),
        ("# toollint: ignore because", "names no rule code"),
    ):
        result = lint({"t.yaml": TOOL.format(comment=comment)})
        assert any(d.code == "TL004" and message in d.message for d in result.diagnostics)


def test_unused_suppression_is_reported_at_the_comment() -> None:
    result = lint(
        {
            "t.yaml": "- name: ok  # toollint: ignore[TS003] was broken once\n  description: Look up the record by its id and return it.\n  input_schema: {type: object}\n"
        }
    )
    assert found(result) == [(1, 13, "TL003")]


def test_suppressions_of_disabled_rules_are_not_reported_unused() -> None:
    text = "- name: ok  # toollint: ignore[TS003] was broken once\n  description: Look up the record by its id and return it.\n  input_schema: {type: object}\n"
    assert found(lint({"t.yaml": text}, ignore=("TS003",))) == []


def test_markdown_comment_suppresses_the_same_or_next_line() -> None:
    text = "<!-- toollint: ignore[TL003] testing the comment parser -->\nSome prompt.\n"
    result = lint({"p.md": text})
    assert found(result, "TL004") == []


def test_json_x_toollint_ignore_scopes_to_the_object() -> None:
    tool = {
        "name": "a.b",
        "input_schema": {"type": "object"},
        "x-toollint": {"ignore": [{"code": "TN001", "reason": "name fixed by the partner API"}]},
    }
    other = {
        "name": "c.d",
        "description": "Look up the record by its id and return it.",
        "input_schema": {"type": "object"},
    }
    result = lint({"t.json": json.dumps([tool, other], indent=1)})
    assert sorted((d.code, d.pointer) for d in result.diagnostics) == [("TD001", (0, "name")), ("TN001", (1, "name"))]


def test_json_x_toollint_ignore_needs_code_and_reason() -> None:
    tool = {
        "name": "a",
        "description": "Look up the record by its id and return it.",
        "input_schema": {"type": "object"},
        "x-toollint": {"ignore": ["TN001"]},
    }
    result = lint({"t.json": json.dumps([tool])})
    assert [(d.code, d.pointer) for d in result.diagnostics] == [("TL004", (0, "x-toollint", "ignore", 0))]


def test_parse_errors_cannot_be_suppressed() -> None:
    result = lint({"t.yaml": "# toollint: ignore[TL001] nope\na: [\n"})
    assert "TL001" in {c for _, _, c in found(result)}
