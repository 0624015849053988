"""Every tool format of DESIGN §1 is recognised, from JSON, YAML and JSON Lines, with pointers to the tool."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import lint
from toollint.catalog.extract import prompts_in, tools_in

SCHEMA = {"type": "object", "properties": {"city": {"type": "string", "description": "City."}}}
DOCS = {
    "anthropic list": (
        [{"name": "a", "description": "Look up the record by its id and return it.", "input_schema": SCHEMA}],
        "anthropic",
        (0,),
    ),
    "anthropic tools key": ({"tools": [{"name": "a", "input_schema": SCHEMA}]}, "anthropic", ("tools", 0)),
    "openai chat": (
        [{"type": "function", "function": {"name": "a", "parameters": SCHEMA, "strict": True}}],
        "openai",
        (0,),
    ),
    "openai responses": ([{"type": "function", "name": "a", "parameters": SCHEMA}], "openai-responses", (0,)),
    "openai legacy functions": (
        {"functions": [{"name": "a", "parameters": SCHEMA}]},
        "openai-function",
        ("functions", 0),
    ),
    "mcp tools": (
        {"tools": [{"name": "a", "inputSchema": SCHEMA, "annotations": {"readOnlyHint": True}}]},
        "mcp",
        ("tools", 0),
    ),
    "mcp tools/list result": (
        {"jsonrpc": "2.0", "id": 1, "result": {"tools": [{"name": "a", "inputSchema": SCHEMA}]}},
        "mcp",
        ("result", "tools", 0),
    ),
    "gemini snake": (
        {"function_declarations": [{"name": "a", "parameters": SCHEMA}]},
        "gemini",
        ("function_declarations", 0),
    ),
    "gemini camel in tools": (
        {"tools": [{"functionDeclarations": [{"name": "a", "parameters": SCHEMA}]}]},
        "gemini",
        ("tools", 0, "functionDeclarations", 0),
    ),
    "single tool": (
        {"name": "a", "description": "Look up the record by its id and return it.", "inputSchema": SCHEMA},
        "mcp",
        (),
    ),
    "bfcl loose": (
        [{"name": "a.b", "parameters": {"type": "dict", "properties": {"x": {"type": "float"}}}}],
        "openai-function",
        (0,),
    ),
}


@pytest.mark.parametrize("case", DOCS)
def test_format_is_recognised_with_its_pointer(case: str) -> None:
    data, fmt, pointer = DOCS[case]
    tools = list(tools_in(data, (), "t.json"))
    assert [(t.format, t.pointer, t.name) for t in tools] == [(fmt, pointer, tools[0].name)]
    assert tools[0].name in ("a", "a.b")


def test_openai_chat_keeps_name_under_function() -> None:
    (tool,) = tools_in([{"type": "function", "function": {"name": "a", "parameters": SCHEMA}}], (), "t.json")
    assert tool.spec_pointer == (0, "function") and tool.input_pointer == (0, "function", "parameters")
    assert [p.name for p in tool.parameters] == ["city"]


def test_provider_builtin_tools_are_not_function_tools() -> None:
    data = [{"type": "web_search_20250305", "name": "web_search"}, {"name": "a", "input_schema": SCHEMA}]
    assert [t.name for t in tools_in(data, (), "t.json")] == ["a"]


def test_a_tool_without_schema_in_a_list_of_tools_is_still_linted() -> None:
    result = lint(
        {
            "tools.yaml": "- name: a\n  input_schema: {type: object}\n- name: b\n  description: Look up the record by its id and return it.\n"
        }
    )
    assert ("TS002", 3) in {(d.code, d.span.line) for d in result.diagnostics}


def test_nested_parameters_have_qualified_names() -> None:
    schema = {
        "type": "object",
        "properties": {
            "address": {"type": "object", "properties": {"city": {"type": "string"}}},
            "tags": {"type": "array", "items": {"type": "object", "properties": {"k": {}}}},
        },
    }
    (tool,) = tools_in([{"name": "a", "input_schema": schema}], (), "t.json")
    assert sorted(p.qualified_name for p in tool.parameters) == ["address", "address.city", "tags", "tags[].k"]


def test_json_lines_one_tool_per_line() -> None:
    lines = "\n".join(
        json.dumps({"name": n, "description": "Look up the record by its id and return it.", "input_schema": SCHEMA})
        for n in ("a", "b.c")
    )
    result = lint({"tools.jsonl": lines + "\n"})
    assert result.tools == 2
    assert [(d.code, d.span.line, d.span.column) for d in result.diagnostics if d.code == "TN001"] == [("TN001", 2, 10)]


def test_prompt_documents_yaml_and_text() -> None:
    data = {"system": "You are helpful.", "messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]}
    prompts = list(prompts_in(data, "p.yaml", None))
    assert [(p.pointer, p.role, p.text) for p in prompts] == [
        (("system",), "system", "You are helpful."),
        (("messages", 0, "content"), "user", "hi"),
    ]
    result = lint({"agent.md": "---\nagent: support\n---\nUse `get_order`.\n", "p.yaml": "prompt: hello\n"})
    assert result.prompts == 2 and not result.diagnostics


@pytest.mark.parametrize(
    ("front", "where", "message"),
    [
        ("agent: [support\n", 3, "invalid YAML front matter"),
        ("- support\n", 2, "front matter must be a YAML mapping"),
    ],
)
def test_bad_front_matter_is_tl001_every_time(
    front: str, where: int, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    for _ in ("parsed", "again, a mapping-less one from the cache"):
        result = lint({"agent.md": f"---\n{front}---\nUse `get_order`.\n"})
        assert [(d.code, d.span.line) for d in result.diagnostics] == [("TL001", where)]
        assert message in result.diagnostics[0].message


def test_unrecognised_explicit_file_is_reported_not_skipped() -> None:
    result = lint({"tools.json": '[{"name": "a", "input_shema": {}}]'})
    assert [(d.code, d.span.line) for d in result.diagnostics] == [("TL002", 1)]


def test_loose_bfcl_types_are_findings() -> None:
    result = lint({"t.json": json.dumps(DOCS["bfcl loose"][0])})
    assert sorted(d.code for d in result.diagnostics) == ["TD001", "TD004", "TN001", "TS001", "TS001"]
    messages = " ".join(d.message for d in result.diagnostics)
    assert "use `object`" in messages and "use `number`" in messages


def test_yaml_non_string_property_names_do_not_crash() -> None:
    result = lint(
        {
            "t.yaml": "- name: a\n  description: Look up the record by its id and return it.\n  input_schema:\n    type: object\n    properties:\n      200: {type: string}\n      true: {}\n"
        }
    )
    assert sorted(c for _, _, c in [(d.span.line, d.span.column, d.code) for d in result.diagnostics]) == [
        "TD004",
        "TD004",
        "TS004",
    ]
