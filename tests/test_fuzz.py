"""Random junk in every position of every tool format: rules report it or ignore it, and never crash (no TL005)."""

from __future__ import annotations

import json
import random

import pytest
import yaml

from conftest import lint

KEYS = [
    "type",
    "properties",
    "required",
    "items",
    "enum",
    "description",
    "$ref",
    "anyOf",
    "allOf",
    "oneOf",
    "additionalProperties",
    "pattern",
    "minimum",
    "maxLength",
    "default",
    "const",
    "prefixItems",
    "$defs",
    "x-toollint",
    "name",
    "input_schema",
    "inputSchema",
    "parameters",
    "function",
    "annotations",
    "ignore",
]


def junk(rng: random.Random, depth: int = 0) -> object:
    kinds = (
        ["str", "int", "float", "bool", "none", "list", "dict", "type", "schema"]
        if depth < 5
        else ["str", "int", "none"]
    )
    kind = rng.choice(kinds)
    if kind == "str":
        return rng.choice(["", "x", "dict", "object", "a.b", "[", "(?<n>x)", "\u202e", "#/$defs/a", "#", "💥" * 3])
    if kind == "int":
        return rng.choice([0, -1, 10**20, 3])
    if kind == "float":
        return rng.choice([0.5, -2.5, 1e308])
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "none":
        return None
    if kind == "list":
        return [junk(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if kind == "type":
        return rng.choice(["string", "integer", ["string", "null"], [], "String", 5])
    return {rng.choice(KEYS): junk(rng, depth + 1) for _ in range(rng.randint(0, 5))}


def tool(rng: random.Random) -> object:
    schema = {
        "type": junk(rng),
        "properties": {f"p{i}": junk(rng) for i in range(rng.randint(0, 4))},
        "required": junk(rng),
    }
    body = {"name": rng.choice(["ok", "a.b", 5, None, "x" * 200]), "description": junk(rng), "x-toollint": junk(rng)}
    shape = rng.choice(["anthropic", "mcp", "openai", "responses", "gemini"])
    if shape == "anthropic":
        return {**body, "input_schema": schema if rng.random() < 0.8 else junk(rng)}
    if shape == "mcp":
        return {**body, "inputSchema": schema, "annotations": junk(rng)}
    if shape == "openai":
        return {"type": "function", "function": {**body, "parameters": schema}}
    if shape == "responses":
        return {"type": "function", **body, "parameters": junk(rng)}
    return {"function_declarations": [{**body, "parameters": schema}]}


@pytest.mark.parametrize("seed", range(40))
def test_random_tools_never_crash_a_rule(seed: int) -> None:
    rng = random.Random(seed)
    tools = [tool(rng) for _ in range(8)]
    files = {"tools.json": json.dumps(tools), "tools.yaml": yaml.safe_dump({"tools": tools}, allow_unicode=True)}
    result = lint(files, select=("ALL",))
    crashes = [d.message for d in result.diagnostics if d.code == "TL005"]
    assert not crashes, crashes[:3]
