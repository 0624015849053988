"""Naming and toolset checks (TN): names the provider accepts, and one meaning per name in a toolset."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from toollint.catalog.model import Agent, Parameter, Tool
from toollint.catalog.risk import words
from toollint.diagnostics import Violation
from toollint.lazy_pattern import lazy_compile

if TYPE_CHECKING:
    from toollint.checks.rule import RuleContext

# Tool-name rules of each provider target (research: peers.md §4; conservative where docs disagree).
NAME_RULES: dict[str, tuple[re.Pattern[str], str]] = {
    "anthropic": (lazy_compile(r"^[a-zA-Z0-9_-]{1,64}$"), "letters, digits, `_` and `-`, at most 64 characters"),
    "openai": (lazy_compile(r"^[a-zA-Z0-9_-]{1,64}$"), "letters, digits, `_` and `-`, at most 64 characters"),
    "gemini": (
        lazy_compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$"),
        "a letter or `_` first, then letters, digits, `_`, `.` and `-`, at most 64 characters",
    ),
    "mcp": (lazy_compile(r"^[A-Za-z0-9._-]{1,128}$"), "letters, digits, `_`, `-` and `.`, at most 128 characters"),
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
    yield Violation(tool.at("name"), f"tool name `{tool.display_name}` is invalid: {reasons}")


def duplicate_tool_name(agent: Agent, ctx: RuleContext) -> Iterator[Violation]:
    first: dict[str, list[Tool]] = {}
    for tool in agent.tools:
        if not isinstance(tool.name, str):
            continue
        same_name = first.setdefault(tool.name, [])
        # versions of one tool (FastMCP's `version=`) share its name; an unversioned one collides with any
        version = _version(tool)
        seen = next((t for t in same_name if version is None or _version(t) in (None, version)), None)
        same_name.append(tool)
        if seen is None:
            continue
        if seen.path == tool.path and _declaring_class(seen) and _declaring_class(tool):
            continue  # two classes of one module (smolagents' search backends) are alternatives until one is used
        scope = "" if agent.name == "default" else f" of agent `{agent.name}`"
        yield Violation(
            tool.at("name"),
            f"tool `{tool.display_name}` is defined more than once in the toolset{scope}",
            path=tool.path,
            related=((seen.path, seen.at("name")),),
        )


def _declaring_class(tool: Tool) -> str | None:
    """The class that declares `tool` (a smolagents `Tool` subclass), as the Python loader marks it."""
    value = tool.meta.get("class")
    return value if isinstance(value, str) else None


def _version(tool: Tool) -> str | None:
    meta = tool.spec.get("x-toollint")
    version = meta.get("version") if isinstance(meta, dict) else None
    return str(version) if version is not None else None


GENERIC_WORDS = frozenset(
    "run execute exec do call process handle perform action actions operation op api tool tools function func helper "
    "util utils utility task request invoke main data stuff thing general generic misc command cmd query".split()
)
_CASES = {
    "snake_case": lazy_compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$"),
    # one way to split a name only: `[a-z]+[a-z0-9]*` could split a run of letters n ways (quadratic on a long name)
    "camelCase": lazy_compile(r"^[a-z][a-z0-9]*([A-Z][a-z0-9]*)+$"),
    "PascalCase": lazy_compile(r"^([A-Z][a-z0-9]+){2,}$"),
    "kebab-case": lazy_compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$"),
}


def generic_tool_name(tool: Tool, ctx: RuleContext) -> Iterator[Violation]:
    if not isinstance(tool.name, str):
        return
    tokens = words(tool.name)
    if tokens and all(t in GENERIC_WORDS for t in tokens):
        yield Violation(
            tool.at("name"),
            f"`{tool.display_name}` says nothing about what the tool does; name it by its action and object, like `refund_order`",
        )


def generic_parameter_name(parameter: Parameter, ctx: RuleContext) -> Iterator[Violation]:
    if parameter.depth == 0 and parameter.name.lower() in ctx.options["names"]:
        yield Violation(
            parameter.pointer,
            f"parameter `{parameter.name}` is too generic; name what it holds, like `customer_id` or `email_template_id`",
            anchor="key",
        )


def style_of(name: str) -> str | None:
    return next((style for style, pattern in _CASES.items() if pattern.match(name)), None)


def inconsistent_naming_style(agent: Agent, ctx: RuleContext) -> Iterator[Violation]:
    styles: dict[str, list[Tool]] = {}
    for tool in agent.tools:
        base = tool.name.rsplit(".", 1)[-1] if isinstance(tool.name, str) else ""
        style = style_of(base)
        if style is not None:
            styles.setdefault(style, []).append(tool)
    if len(styles) < 2:
        return
    majority = max(styles, key=lambda s: len(styles[s]))
    total = sum(len(v) for v in styles.values())
    for style, tools in styles.items():
        if style == majority:
            continue
        for tool in tools:
            yield Violation(
                tool.at("name"),
                f"`{tool.display_name}` is {style} while {len(styles[majority])} of {total} tools in the toolset use {majority}",
                path=tool.path,
            )


def too_many_tools(agent: Agent, ctx: RuleContext) -> Iterator[Violation]:
    limit = ctx.options["max-tools"]
    if len(agent.tools) > limit:
        extra = agent.tools[limit]
        scope = "the toolset" if agent.name == "default" else f"agent `{agent.name}`"
        yield Violation(
            extra.at("name"),
            f"{scope} has {len(agent.tools)} tools, more than {limit}; the model chooses worse among many similar "
            "tools — split the agent or merge tools",
            path=extra.path,
            anchor="key",
        )


_DESCRIPTION_STOP = frozenset(
    "a an the of to for and or in on at by with from this that it its is are be as use using used when if not "
    "returns return given specified provided tool function api".split()
)


def _content(text: object) -> frozenset[str]:
    return (
        frozenset(w.rstrip("s") for w in words(text) if w not in _DESCRIPTION_STOP)
        if isinstance(text, str)
        else frozenset()
    )


def _stems(name: str) -> frozenset[str]:
    return frozenset(w.rstrip("s") for w in words(name))


def _differ_where_names_differ(description_difference: frozenset[str], name_difference: frozenset[str]) -> bool:
    """True when a word that tells the descriptions apart is (or abbreviates to) a word that tells the names apart."""
    for word in description_difference:
        for name_word in name_difference:
            if word == name_word or (
                min(len(word), len(name_word)) >= 3 and (word.startswith(name_word) or name_word.startswith(word))
            ):
                return True
    return False


def _names_other(tool: Tool, other: Tool) -> bool:
    """One description already says when to use it instead of the other ("prefer this tool over X")."""
    first, second = tool.description, other.description
    return (isinstance(first, str) and str(other.name) in first) or (
        isinstance(second, str) and str(tool.name) in second
    )


# a description that says the tool takes many at once: the batch half of a singular/batch pair
_BATCH = lazy_compile(
    r"\b(?:multiple|several|many|batch|bulk|in\s+one\s+call|at\s+once|a\s+list\s+of)\b", re.IGNORECASE
)


def _array_parameters(tool: Tool) -> int:
    return sum(
        1
        for p in tool.parameters
        if p.depth == 0 and isinstance(p.schema, dict) and "array" in _types(p.schema.get("type"))
    )


def _types(declared: object) -> tuple[str, ...]:
    if isinstance(declared, str):
        return (declared,)
    return tuple(t for t in declared if isinstance(t, str)) if isinstance(declared, list) else ()


def _singular_and_batch(tool: Tool, other: Tool) -> bool:
    """`tag_photo` and `tag_photos`: names that differ only by a plural, where the plural one takes a list (more
    array parameters) or its description says it takes many. A standard pair, not two tools for one job."""
    if words(str(tool.name)) == words(str(other.name)):
        return False
    singular, plural = sorted((tool, other), key=lambda t: len(str(t.name)))
    if _array_parameters(plural) > _array_parameters(singular):
        return True
    description = plural.description
    return isinstance(description, str) and bool(_BATCH.search(description))


def overlapping_tools(agent: Agent, ctx: RuleContext) -> Iterator[Violation]:
    tools = [t for t in agent.tools if isinstance(t.name, str)]
    if len(tools) > ctx.options["max-tools-compared"]:
        return  # too-many-tools already says this toolset is too large to choose from
    threshold = ctx.options["min-similarity"]
    content = [_content(t.description) for t in tools]
    stems = [_stems(str(t.name)) for t in tools]
    for i, tool in enumerate(tools):
        for j in range(i):
            other = tools[j]
            if other.name == tool.name or len(content[i]) < 4 or len(content[j]) < 4:
                continue
            shared = len(content[i] & content[j]) / len(content[i] | content[j])
            same_words = stems[i] == stems[j]
            if not same_words and shared < threshold:
                continue  # most pairs: the rest is asked only of the few that look alike
            if same_words and _singular_and_batch(tool, other):
                continue
            # template descriptions ("Update the labels of an issue" / "... the assignees ...") differ exactly
            # where the names differ: those tools are told apart, not overlapping
            if same_words or not (
                _differ_where_names_differ(content[i] ^ content[j], stems[i] ^ stems[j]) or _names_other(tool, other)
            ):
                why = (
                    f"their descriptions share {shared:.0%} of their words"
                    if shared >= threshold
                    else "their names have the same words"
                )
                yield Violation(
                    tool.at("name"),
                    f"`{tool.name}` and `{other.name}` look like the same tool ({why}); the model will pick between "
                    "them at random — merge them, or say in each description when to use it instead of the other",
                    path=tool.path,
                    related=((other.path, other.at("name")),),
                )
                break
