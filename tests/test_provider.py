"""Provider profiles: which tools they apply to, and what each one rejects."""

from __future__ import annotations

import json

from conftest import lint

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["tags"],
    "properties": {
        "tags": {
            "type": ["array", "null"],
            "items": {"type": "string"},
            "minItems": 2,
            "maxItems": 5,
            "description": "Tags.",
        },
        "note": {"type": "string", "description": "Note."},
    },
}


def messages(tool: dict[str, object], *targets: str) -> list[str]:
    result = lint({"t.json": json.dumps([tool])}, select=("TX",), targets=targets or None)
    return [f"{d.code} {d.message}" for d in result.diagnostics]


def test_strict_profiles_apply_only_when_asked() -> None:
    plain = {"name": "tag_item", "description": "Tag an item.", "input_schema": SCHEMA}
    assert messages(plain) == []
    strict = {**plain, "strict": True}
    found = messages(strict)
    assert any("`maxItems` is not supported by Anthropic strict tool use" in m for m in found)
    assert any("`minItems` above 1" in m for m in found)
    assert messages(strict, "openai", "mcp") == []  # strict: true on an Anthropic tool concerns Anthropic only


def test_openai_strict_needs_every_property_required() -> None:
    tool = {"type": "function", "function": {"name": "tag_item", "description": "Tag an item.", "parameters": SCHEMA}}
    found = messages(tool, "openai-strict")
    assert any(m.startswith("TX002 `note` is optional") for m in found)


def test_gemini_subset() -> None:
    tool = {"name": "tag_item", "description": "Tag an item.", "parameters": SCHEMA}
    found = messages(tool, "gemini")
    assert any("`additionalProperties` is not in the schema subset" in m for m in found)
    assert any("a list of types is not supported" in m for m in found)
