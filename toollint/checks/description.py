"""Description checks (TD): what the model reads to choose a tool and fill its arguments."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from toollint.catalog.model import Parameter, Tool
from toollint.catalog.risk import main_verb, name_words, words
from toollint.catalog.schema_walk import local_ref_target
from toollint.diagnostics import Violation
from toollint.lazy_pattern import lazy_compile

if TYPE_CHECKING:
    from toollint.checks.rule import RuleContext


def _blank(value: Any) -> bool:
    return not isinstance(value, str) or not value.strip()


def missing_tool_description(tool: Tool, ctx: RuleContext) -> Iterator[Violation]:
    description = tool.description
    if "description" in tool.spec and not _blank(description):
        return
    if "description" in tool.spec:
        yield Violation(tool.at("description"), f"tool `{tool.display_name}` has an empty description")
    else:
        yield Violation(tool.at("name"), f"tool `{tool.display_name}` has no description", anchor="key")


def _documented_in_description(tool: Tool, name: str) -> bool:
    """An `Args:` entry (`name: ...`, `name (int): ...`) or `:param name:` in the tool's description documents it.

    FastMCP and LangChain send a function's whole docstring as the description and no per-parameter text."""
    description = tool.description
    if _blank(description) or name not in description:
        return False
    entry = rf"^[ \t]*(?::param[ \t]+(?:\S+[ \t]+)?)?\*{{0,2}}{re.escape(name)}[ \t]*(?:\([^)\n]*\))?[ \t]*:[ \t]*\S"
    return re.search(entry, description, re.MULTILINE) is not None


def missing_parameter_description(parameter: Parameter, ctx: RuleContext) -> Iterator[Violation]:
    schema = parameter.schema
    if not isinstance(schema, dict):
        return
    if not _blank(schema.get("description")):
        return
    ref = schema.get("$ref")
    if isinstance(ref, str) and ctx.tool is not None:
        target = local_ref_target(ctx.tool.input_schema, ref)
        if isinstance(target, dict) and not _blank(target.get("description")):
            return
    if parameter.depth == 0 and ctx.tool is not None and _documented_in_description(ctx.tool, parameter.name):
        return
    if "description" in schema:
        yield Violation(
            parameter.pointer + ("description",), f"parameter `{parameter.qualified_name}` has an empty description"
        )
    else:
        yield Violation(parameter.pointer, f"parameter `{parameter.qualified_name}` has no description", anchor="key")


_SENTENCE_END = lazy_compile(r"[.!?](\s|$)")
_STOPWORDS = frozenset(
    "a an the of to for and or in on at by with from this that it its is are be tool function api returns return "
    "given specified provided".split()
)
_VAGUE_START = lazy_compile(
    r"^\s*(handles?|manages?|processes|deals? with|does|performs? (an? )?(action|operation)s?|utility|helper|wrapper)\b",
    re.IGNORECASE,
)
_SPELLED_OUT = lazy_compile(r"\bby\s+\w+ing\b", re.IGNORECASE)  # "Processes an order by updating inventory, ..."
_GUIDANCE = lazy_compile(
    r"\b(use (this|it|when|for|to|only|before|after|instead)|do not use|don't use|not for|only (for|when|if)|when the user|"
    r"instead of|prefer|call (this|it) (when|before|after|to))\b",
    re.IGNORECASE,
)


def _text(tool: Tool) -> str | None:
    description = tool.description
    return description.strip() if isinstance(description, str) and description.strip() else None


def short_tool_description(tool: Tool, ctx: RuleContext) -> Iterator[Violation]:
    text = _text(tool)
    if text is None:
        return
    minimum, sentences = ctx.options["min-length"], ctx.options["min-sentences"]
    count = len(_SENTENCE_END.findall(text)) or 1
    if len(text) < minimum:
        yield Violation(
            tool.at("description"),
            f"the description of `{tool.display_name}` has {len(text)} characters; say what it does, what it returns and when to use it (at least {minimum})",
        )
    elif count < sentences:
        yield Violation(
            tool.at("description"),
            f"the description of `{tool.display_name}` has {count} sentence(s); the configured minimum is {sentences}",
        )


def vague_tool_description(tool: Tool, ctx: RuleContext) -> Iterator[Violation]:
    text = _text(tool)
    if text is None:
        return
    vague = _VAGUE_START.match(text)
    first_sentence = text.split(". ", 1)[0]
    if vague and not _SPELLED_OUT.search(first_sentence, vague.end()):
        yield Violation(
            tool.at("description"),
            f"the description of `{tool.display_name}` starts with the vague `{vague.group(1)}`; say exactly what it reads or changes",
        )
        return
    if not isinstance(tool.name, str) or len(text) > 120:
        return  # a restatement of a name is short
    content = [w for w in words(text) if w not in _STOPWORDS]
    name = set(words(tool.name))
    stems = {w.rstrip("s") for w in name}
    if content and len(content) <= 6 and all(w in name or w.rstrip("s") in stems for w in content):
        yield Violation(
            tool.at("description"),
            f"the description of `{tool.display_name}` only restates its name; say what it does, what it returns and when to use it",
        )


# Formats that reach OpenAI's API as they are: OpenAI's own, and MCP tools, which clients hand to whatever model
# they use. An Anthropic- or Gemini-format definition goes to its own provider, whose limit is not OpenAI's.
_SENT_TO_OPENAI = frozenset({"openai", "openai-responses", "openai-function", "mcp"})


def description_too_long(tool: Tool, ctx: RuleContext) -> Iterator[Violation]:
    text = tool.description
    limit = ctx.options["max-length"]
    if not isinstance(text, str) or len(text) <= limit or not {"openai", "openai-strict"} & set(ctx.targets):
        return
    if tool.format not in _SENT_TO_OPENAI:
        return
    yield Violation(
        tool.at("description"),
        f"the description of {tool.format} tool `{tool.display_name}` has {len(text)} characters; OpenAI rejects a "
        f"request whose tool description is over {limit}. Shorten it, or move detail into parameter descriptions",
    )


def missing_usage_guidance(tool: Tool, ctx: RuleContext) -> Iterator[Violation]:
    text = _text(tool)
    if text is not None and not _GUIDANCE.search(text):
        yield Violation(
            tool.at("description"),
            f"the description of `{tool.display_name}` does not say when to use it, or when not to",
        )


# Says whether the effect can be taken back, either way: "cannot be undone", "It cannot be unsent", "charges can
# be refunded", "moves it to the trash", "permanently".
_REVERSIBILITY = lazy_compile(
    r"\b(?:cannot|can't|can\s+not|can|may\s+not|may|is\s+not|are\s+not|not|is|are|be)\s+(?:be\s+)?(?:undone|reversed|"
    r"reverted|recovered|restored|refunded|cancell?ed|rolled\s+back|retracted|recalled|withdrawn|deleted|removed|"
    r"un[a-z]{3,}(?:ed|ne|en|t))\b"
    r"|\birreversibl[ey]\b|\bpermanent(?:ly)?\b|\b(?:ir)?reversible\b|\bundo(?:ne|able)?\b|\brevert(?:ed|s)?\b"
    r"|\btrash\b|\brecycle\s+bin\b|\bsoft[- ]delete|\brestor(?:e|able)\b|\brecoverable\b|\bno\s+side[- ]effects?\b"
    r"|\btemporar(?:y|ily)\b|\buntil\b[^.]{0,40}\b(?:resumed?|re-?enabled|expires?)\b|\bno\s+way\s+(?:back|to\s+undo)\b"
    r"|\b(?:to\s+)?(?:undo|reverse|revert|refund|cancel|restore)\s+(?:it|this|them|the)\b",
    re.IGNORECASE,
)


def _needs_reversibility_note(tool: Tool, ctx: RuleContext) -> str | None:
    """Why the description must say whether the effect can be undone, or None when it need not: destructive tools,
    and writes whose effect cannot be taken back by nature (send, pay, publish). An ordinary write (`rename_sheet`)
    is undone by the next call, and a note on it would be noise."""
    found = ctx.risk(tool)
    if found.risk == "read" or (found.inferred and _SIMULATED.search(_text(tool) or "")):
        return None  # a verb says it acts, but the description says it only pretends to
    if found.risk == "destructive":
        return f"destructive tool `{tool.display_name}` (from {found.evidence})"
    tokens = name_words(tool.name, ctx.words) if isinstance(tool.name, str) else ()
    verb = main_verb(tokens, ctx.words) or found.verb
    if verb in ctx.words.irreversible_verbs:
        where = "in the name" if verb in tokens else "that starts the description"
        return f"`{tool.display_name}`, whose effect may not be reversible (inferred from the verb `{verb}` {where})"
    return None


# a tool that only simulates or previews its action has no effect to take back
_SIMULATED = lazy_compile(r"\bsimulat(?:e|es|ed|ing)\b|\bdry[- ]run\b", re.IGNORECASE)


def undocumented_side_effect(tool: Tool, ctx: RuleContext) -> Iterator[Violation]:
    subject = _needs_reversibility_note(tool, ctx)
    if subject is None:
        return
    text = _text(tool)
    if text is not None and _REVERSIBILITY.search(text):
        return
    where = tool.at("description") if text is not None else tool.at("name")
    yield Violation(
        where,
        f"{subject}: the description does not say whether its effect can be undone "
        '("cannot be undone", "moves to trash", "can be reverted with ...")',
        anchor="value" if text is not None else "key",
    )
