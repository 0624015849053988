"""Naming and toolset checks (TN): names the provider accepts, and one meaning per name in a toolset."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from toollint.catalog.model import Agent, Tool
from toollint.diagnostics import Violation

if TYPE_CHECKING:
    from toollint.engine.run import RuleContext

# Tool-name rules of each provider target (research: peers.md §4; conservative where docs disagree).
NAME_RULES: dict[str, tuple[re.Pattern[str], str]] = {
    "anthropic": (re.compile(r"^[a-zA-Z0-9_-]{1,64}$"), "letters, digits, `_` and `-`, at most 64 characters"),
    "openai": (re.compile(r"^[a-zA-Z0-9_-]{1,64}$"), "letters, digits, `_` and `-`, at most 64 characters"),
    "gemini": (re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$"), "a letter or `_` first, then letters, digits, `_`, `.` and `-`, at most 64 characters"),
    "mcp": (re.compile(r"^[A-Za-z0-9._-]{1,128}$"), "letters, digits, `_`, `-` and `.`, at most 128 characters"),
}


def _base_target(target: str) -> str:
    return target.removesuffix("-strict")


def invalid_tool_name(tool: Tool, ctx: RuleContext) -> Iterator[Violation]:
    name = tool.name
    if not isinstance(name, str):
        yield Violation(tool.at("name"), f"tool name must be a string, not `{name!r}`")
        return
    if all(NAME_RULES[_base_target(t)][0].match(name) for t in ctx.targets):
        return
    by_rule: dict[str, list[str]] = {}
    for target in dict.fromkeys(_base_target(t) for t in ctx.targets):
        pattern, rule = NAME_RULES[target]
        if not pattern.match(name):
            by_rule.setdefault(rule, []).append(target)
    if not by_rule:
        return
    reasons = "; ".join(f"{', '.join(targets)} allow {rule}" for rule, targets in by_rule.items())
    shown = name if len(name) <= 80 else name[:77] + "..."
    yield Violation(tool.at("name"), f"tool name `{shown}` is invalid: {reasons}")


def duplicate_tool_name(agent: Agent, ctx: RuleContext) -> Iterator[Violation]:
    first: dict[str, Tool] = {}
    for tool in agent.tools:
        if not isinstance(tool.name, str):
            continue
        seen = first.get(tool.name)
        if seen is None:
            first[tool.name] = tool
            continue
        scope = "" if agent.name == "default" else f" of agent `{agent.name}`"
        yield Violation(
            tool.at("name"),
            f"tool `{tool.name}` is defined more than once in the toolset{scope}",
            path=tool.path,
            related=((seen.path, seen.at("name")),),
        )
