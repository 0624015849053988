"""Provider compatibility (TX): keywords, strict-mode requirements and per-request budgets of each `--target`.

Limits and their sources are collected in the project's research notes (peers.md §4). Strict profiles
apply when their target is selected, or to a tool that declares `strict: true` under the matching
provider target.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from toollint.catalog.model import Agent, Tool
from toollint.checks.constraints import dict_at, list_at
from toollint.diagnostics import Violation

if TYPE_CHECKING:
    from toollint.checks.rule import RuleContext

_NAMES = {
    "openai-strict": "OpenAI strict mode",
    "anthropic-strict": "Anthropic strict tool use",
    "gemini": "Gemini function declarations",
}
_COMMON_UNSUPPORTED = frozenset(
    {
        "not",
        "if",
        "then",
        "else",
        "dependentRequired",
        "dependentSchemas",
        "patternProperties",
        "unevaluatedProperties",
        "unevaluatedItems",
        "uniqueItems",
        "contains",
        "propertyNames",
        "minProperties",
        "maxProperties",
    }
)
UNSUPPORTED = {
    "openai-strict": _COMMON_UNSUPPORTED | {"allOf", "minLength", "maxLength"},
    "anthropic-strict": _COMMON_UNSUPPORTED
    | {
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minLength",
        "maxLength",
        "maxItems",
        "oneOf",
    },
}
GEMINI_SUPPORTED = frozenset(
    {
        "type",
        "format",
        "title",
        "description",
        "nullable",
        "enum",
        "items",
        "properties",
        "required",
        "propertyOrdering",
        "anyOf",
        "default",
        "example",
        "minimum",
        "maximum",
        "minItems",
        "maxItems",
        "minLength",
        "maxLength",
        "minProperties",
        "maxProperties",
        "pattern",
    }
)
FORMATS = {
    "openai-strict": frozenset({"date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"}),
    "anthropic-strict": frozenset(
        {"date-time", "date", "time", "duration", "email", "hostname", "uri", "ipv4", "ipv6", "uuid"}
    ),
}
_OPENAI_FORMATS = ("openai", "openai-responses", "openai-function")


def profiles(tool: Tool, targets: tuple[str, ...]) -> list[str]:
    """The restrictive profiles that apply to one tool."""
    strict = tool.spec.get("strict") is True
    found = []
    if "openai-strict" in targets or ("openai" in targets and strict and tool.format in _OPENAI_FORMATS):
        found.append("openai-strict")
    if "anthropic-strict" in targets or ("anthropic" in targets and strict and tool.format == "anthropic"):
        found.append("anthropic-strict")
    if "gemini" in targets and tool.input_key != "parametersJsonSchema":
        found.append("gemini")
    return found


def _unsupported(key: str, value: Any, profile: str) -> str | None:
    if profile == "gemini":
        if key not in GEMINI_SUPPORTED:
            return f"`{key}` is not in the schema subset of {_NAMES[profile]}"
        if key == "type" and isinstance(value, list):
            return f"a list of types is not supported by {_NAMES[profile]}; use one type and `nullable: true`"
        return None
    if key in UNSUPPORTED[profile]:
        return f"`{key}` is not supported by {_NAMES[profile]}"
    if key == "format" and isinstance(value, str) and value not in FORMATS[profile]:
        return f"format `{value}` is not supported by {_NAMES[profile]}"
    if profile == "anthropic-strict" and key == "minItems" and isinstance(value, int) and value > 1:
        return f"`minItems` above 1 is not supported by {_NAMES[profile]}"
    return None


def unsupported_keyword(tool: Tool, ctx: RuleContext) -> Iterator[Violation]:
    applicable = profiles(tool, ctx.targets)
    if not applicable:
        return
    for node, at in tool.input_nodes:
        if not isinstance(node, dict):
            continue
        for key, value in node.items():  # keys of a schema node are keywords; property names live one level down
            for profile in applicable:
                problem = _unsupported(key, value, profile)
                if problem:
                    yield Violation(at + (key,), problem)
                    break


def _objects(tool: Tool) -> Iterator[tuple[dict[str, Any], tuple[Any, ...]]]:
    for node, at in tool.input_nodes:
        if isinstance(node, dict) and (node.get("type") == "object" or "properties" in node):
            yield node, at


def strict_mode_violation(tool: Tool, ctx: RuleContext) -> Iterator[Violation]:
    applicable = [p for p in profiles(tool, ctx.targets) if p != "gemini"]
    if not applicable or not isinstance(tool.input_schema, dict):
        return
    names = " and ".join(_NAMES[p] for p in applicable)
    root = tool.input_schema
    if root.get("type") != "object":
        yield Violation(tool.input_pointer, f"{names} needs an object at the root of the input schema", anchor="key")
        return
    for node, at in _objects(tool):
        if node.get("additionalProperties") is not False:
            yield Violation(at, f"{names} needs `additionalProperties: false` on every object", anchor="key")
        if "openai-strict" in applicable and isinstance(node.get("properties"), dict):
            required = list_at(node, "required")
            for name in dict_at(node, "properties"):
                if name not in required:
                    yield Violation(
                        at + ("properties", name),
                        f"`{name}` is optional, but OpenAI strict mode needs every property in `required`; "
                        'make it required and nullable (`type: [string, "null"]`) instead',
                        anchor="key",
                    )


def _optional_and_unions(tool: Tool) -> tuple[int, int]:
    optional = unions = 0
    for node, _ in _objects(tool):
        properties = dict_at(node, "properties")
        required = list_at(node, "required")
        optional += sum(1 for name in properties if name not in required)
        for sub in properties.values():
            if isinstance(sub, dict) and ("anyOf" in sub or isinstance(sub.get("type"), list)):
                unions += 1
    return optional, unions


def request_budget_exceeded(agent: Agent, ctx: RuleContext) -> Iterator[Violation]:
    tools = agent.tools
    scope = "the toolset" if agent.name == "default" else f"agent `{agent.name}`"
    budgets = ctx.options
    limit = budgets["max-tools-openai"]
    if {"openai", "openai-strict"} & set(ctx.targets) and len(tools) > limit:
        yield Violation(
            tools[limit].at("name"),
            f"{scope} has {len(tools)} tools; OpenAI accepts at most {limit} per request",
            path=tools[limit].path,
            anchor="key",
        )
    strict = [t for t in tools if "anthropic-strict" in profiles(t, ctx.targets)]
    if not strict:
        return
    limit = budgets["max-strict-tools-anthropic"]
    if len(strict) > limit:
        yield Violation(
            strict[limit].at("name"),
            f"{scope} has {len(strict)} strict tools; Anthropic accepts at most {limit} per request",
            path=strict[limit].path,
            anchor="key",
        )
    optional = unions = 0
    for tool in strict:
        tool_optional, tool_unions = _optional_and_unions(tool)
        optional, unions = optional + tool_optional, unions + tool_unions
        for count, added, key, what in (
            (optional, tool_optional, "max-optional-anthropic", "optional parameters"),
            (unions, tool_unions, "max-unions-anthropic", "union-typed parameters"),
        ):
            if count > budgets[key] >= count - added:  # report once, at the tool that crosses the limit
                yield Violation(
                    tool.at("name"),
                    f"with `{tool.display_name}`, the strict tools of {scope} have {count} {what}; Anthropic accepts at most "
                    f"{budgets[key]} per request",
                    path=tool.path,
                    anchor="key",
                )
