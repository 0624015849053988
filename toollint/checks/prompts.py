"""Prompt checks (TP): a prompt against the toolset its agent is given — names, worked examples, loops, retries, safety."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from toollint.catalog.model import Prompt, Tool
from toollint.catalog.prompt_parts import Block, Call, Mention, PromptParts, is_placeholder
from toollint.checks.constraints import is_instance, list_at, types_of
from toollint.diagnostics import Pointer, Violation
from toollint.lazy_pattern import lazy_compile

if TYPE_CHECKING:
    from toollint.checks.rule import RuleContext

MAX_EXAMPLE_DEPTH = 16


@lru_cache(maxsize=256)
def parts(prompt: Prompt) -> PromptParts:
    return PromptParts(prompt)


def at_offsets(prompt: Prompt, start: int, end: int, message: str) -> Violation:
    """A finding at offsets of the prompt text; for a prompt inside a YAML or JSON file, of its string value."""
    return Violation(prompt.pointer, message, offsets=(start, max(end, start + 1)))


def _tools(ctx: RuleContext) -> dict[str, Tool]:
    return ctx.agent.tools_by_name if ctx.agent is not None else {}


def _closest(name: str, names: Any, agent: Any = None) -> str:
    candidates = list(names)
    if agent is not None and len(candidates) > 200:
        # difflib against thousands of names is slow; names sharing a word with this one are the likely ones
        from toollint.catalog.risk import words

        shared = {n for w in words(name) for n in agent.names_by_word.get(w.rstrip("s"), ())}
        candidates = sorted(shared) or [n for n in candidates if abs(len(n) - len(name)) <= 2][:200]
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.5)
    return f"; did you mean `{close[0]}`?" if close else ""


# ---- TP001 unknown-tool-reference -------------------------------------------------------------------------

_CALL_WORDS = lazy_compile(
    r"\b(?:call|calls|calling|use|uses|using|invoke|invoking|run|with|via)\s+(?:the\s+)?(?:(?:tool|function)\s+)?$",
    re.IGNORECASE,
)
_TOOL_WORD = lazy_compile(r"^`?(?:\(\))?`?\s+(?:tool|function)s?\b", re.IGNORECASE)
_BULLET = lazy_compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+$")


def _is_tool_reference(prompt: Prompt, mention: Mention) -> bool:
    text = prompt.text
    before = text[max(0, mention.start - 30) : mention.start].rstrip("`")
    after = text[mention.end : mention.end + 20]
    line_start = text.rfind("\n", 0, mention.start) + 1
    return bool(
        after.startswith("(")
        or _CALL_WORDS.search(before)
        or _TOOL_WORD.match(after)
        or _BULLET.match(text[line_start : mention.start].rstrip("`"))
    )


def unknown_tool_reference(prompt: Prompt, ctx: RuleContext) -> Iterator[Violation]:
    tools = _tools(ctx)
    if not tools:
        return
    for mention in parts(prompt).mentions:
        if mention.name in tools or not _is_tool_reference(prompt, mention):
            continue
        if ctx.agent is not None and mention.name in ctx.agent.vocabulary:
            continue
        yield at_offsets(
            prompt,
            mention.start,
            mention.end,
            f"`{mention.name}` is not a tool of this agent{_closest(mention.name, tools, ctx.agent)}",
        )


# ---- TP002 vague-tool-reference ---------------------------------------------------------------------------

_CATEGORY = lazy_compile(
    r"\b(?:the|our|your|its)\s+(?P<category>[a-z][a-z-]+(?:\s+[a-z][a-z-]+)?)\s+tools\b", re.IGNORECASE
)
_GENERIC = frozenset(
    "available following listed above below other same provided given relevant appropriate right these those all "
    "two three four five several many few necessary required mcp".split()
)


def vague_tool_reference(prompt: Prompt, ctx: RuleContext) -> Iterator[Violation]:
    tools = _tools(ctx)
    for match in _CATEGORY.finditer(prompt.text):
        category = match.group("category")
        words = category.lower().split()
        if any(w in _GENERIC for w in words) or category in tools or parts(prompt).in_fence(match.start()):
            continue
        yield at_offsets(
            prompt,
            match.start(),
            match.end(),
            f'"{match.group(0)}" names a category, not tools: the model fills the gap with tools it invents; '
            "name the tools ("
            + ", ".join(f"`{n}`" for n in list(tools)[:4])
            + (", ..." if len(tools) > 4 else "")
            + ")",
        )


_NEGATED = lazy_compile(r"\b(?:do\s+not|don'?t|never|not|no|avoid|instead\s+of)\b[^.]{0,40}$", re.IGNORECASE)


# ---- TP003 unbounded-loop-instruction ---------------------------------------------------------------------

_LOOP = lazy_compile(
    r"\b(?:research|investigate|explore|search|look)\w*\s+(?:\w+\s+){0,4}?(?:fully|thoroughly|exhaustively|comprehensively|completely)\b"
    r"|\b(?:keep|continue)\s+(?:going|searching|calling|looking|trying|researching)\b"
    r"|\bnever\s+stop\b|\bdon'?t\s+stop\b|\bdo\s+not\s+stop\b|\buntil\s+you\s+(?:have\s+)?(?:found|exhausted|covered)\s+(?:every|all)"
    r"|\bas\s+many\s+(?:tool\s+)?calls\s+as\s+(?:you\s+)?(?:need|needed|necessary|possible)\b|\bleave\s+no\s+stone\s+unturned\b",
    re.IGNORECASE,
)
_STOP = lazy_compile(
    r"\bstop\s+(?:as\s+soon\s+as|when|once|after|if)\b|\bas\s+soon\s+as\s+you\s+(?:have|know|can)\b|\bonce\s+you\s+have\b"
    r"|\b(?:at\s+most|no\s+more\s+than|maximum\s+of|up\s+to|limit\s+of|more\s+than)\s+\d+\s+(?:tool\s+)?(?:calls?|steps?|searches|lookups|requests|tools?)\b"
    r"|\bnot\s+required\b|\bis\s+enough\b|\bthen\s+(?:answer|respond|stop)\b",
    re.IGNORECASE,
)


def unbounded_loop_instruction(prompt: Prompt, ctx: RuleContext) -> Iterator[Violation]:
    text = prompt.text
    loop = next(
        (m for m in _LOOP.finditer(text) if not _NEGATED.search(text[text.rfind("\n", 0, m.start()) + 1 : m.start()])),
        None,
    )
    if loop is None or _STOP.search(text) or parts(prompt).in_fence(loop.start()):
        return
    yield at_offsets(
        prompt,
        loop.start(),
        loop.end(),
        f'"{loop.group(0)}" has no stop condition or call cap anywhere in the prompt; say when to stop '
        '("as soon as you have X") and how many calls at most',
    )


# ---- TP004 retry-instruction-on-write-tool ----------------------------------------------------------------

_RETRY = lazy_compile(
    r"\btry\s+(?:it\s+)?again\b|\bretry(?:ing)?\b|\bcall\s+(?:it|this|them|the\s+tool|\S+)\s+again\b|\buntil\s+it\s+succeeds\b"
    r"|\bkeep\s+trying\b|\brepeat\s+the\s+call\b",
    re.IGNORECASE,
)


def _risky_to_repeat(tool: Tool) -> bool:
    return tool.risk.risk != "read" and tool.risk.idempotency is None


def retry_instruction_on_write_tool(prompt: Prompt, ctx: RuleContext) -> Iterator[Violation]:
    tools = _tools(ctx)
    if not tools:
        return
    mentions = parts(prompt).mentions
    previous: tuple[int, int, str] | None = None
    for start, end, sentence in parts(prompt).sentences:
        retry = _RETRY.search(sentence)
        window_start = previous[0] if previous else start
        previous = (start, end, sentence)
        if retry is None or _NEGATED.search(sentence[: retry.start()]):
            continue
        named = [m.name for m in mentions if window_start <= m.start < end and m.name in tools]
        risky = [n for n in dict.fromkeys(named) if _risky_to_repeat(tools[n])]
        if risky:
            yield at_offsets(
                prompt,
                start + retry.start(),
                start + retry.end(),
                f"the prompt tells the model to retry `{risky[0]}`, a write tool with no idempotency key: a call that "
                "failed after it took effect is repeated. Check the outcome first, or give the tool a runtime key",
            )


# ---- TP005 invalid-example-call ---------------------------------------------------------------------------


def _value_problems(value: Any, schema: Any, at: Pointer, depth: int = 0) -> Iterator[tuple[Pointer, str]]:
    if is_placeholder(value) or not isinstance(schema, dict) or depth > MAX_EXAMPLE_DEPTH:
        return
    kinds = types_of(schema)
    if kinds and not any(is_instance(value, k) for k in kinds):
        shown = f'"{value}"' if isinstance(value, str) else repr(value)
        yield (
            at,
            f"expected {' or '.join(sorted(kinds))}, got {type(value).__name__.replace('str', 'string')} {shown[:40]}",
        )
        return
    enum = schema.get("enum")
    if isinstance(enum, list) and enum and value not in enum:
        yield at, f"`{value}` is not one of {', '.join(f'`{v}`' for v in enum[:8])}"
        return
    for bound, test in (("minimum", lambda v, b: v < b), ("maximum", lambda v, b: v > b)):
        limit = schema.get(bound)
        if (
            isinstance(limit, (int, float))
            and isinstance(value, (int, float))
            and not isinstance(value, bool)
            and test(value, limit)
        ):
            yield at, f"{value} is {'below the minimum' if bound == 'minimum' else 'above the maximum'} {limit}"
    pattern = schema.get("pattern")
    if isinstance(pattern, str) and isinstance(value, str):
        try:
            if not re.search(pattern, value):
                yield at, f'"{value[:40]}" does not match the pattern `{pattern}`'
        except re.error:
            pass
    if isinstance(value, dict):
        yield from _object_problems(value, schema, at, depth + 1)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            yield from _value_problems(item, schema["items"], at + (index,), depth + 1)


def _object_problems(
    value: dict[str, Any], schema: dict[str, Any], at: Pointer, depth: int
) -> Iterator[tuple[Pointer, str]]:
    properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else None
    if properties is None:
        return
    for key, item in value.items():
        if key not in properties:
            yield at + (key, "#key"), f"`{key}` is not a parameter{_closest(key, properties)}"
        else:
            yield from _value_problems(item, properties[key], at + (key,), depth)
    missing = [r for r in list_at(schema, "required") if isinstance(r, str) and r not in value]
    if missing:
        yield at, f"missing required {', '.join(f'`{m}`' for m in missing)}"


def _span(call: Call, at: Pointer) -> tuple[int, int]:
    for length in range(len(at), -1, -1):
        found = call.argument_spans.get(at[:length])
        if found is not None:
            return found
    return call.whole


_COUNTER_EXAMPLE = lazy_compile(
    r"\b(?:wrong|incorrect|invalid|bad|don'?t|do\s+not|never|avoid|not\s+like\s+this|counter-?example|instead\s+of)\b[^\n]*$",
    re.IGNORECASE,
)


def _counter_example(prompt: Prompt, start: int) -> bool:
    """The line before a block (or the start of its own line) says it shows what not to do."""
    text = prompt.text
    fence_line = text.rfind("\n", 0, max(0, start - 1)) + 1  # the ```json line opening the block
    before = text[max(0, fence_line - 200) : fence_line].rstrip()
    paragraph = before.rsplit("\n\n", 1)[-1]
    return bool(_COUNTER_EXAMPLE.search(paragraph))


def invalid_example_call(prompt: Prompt, ctx: RuleContext) -> Iterator[Violation]:
    tools = _tools(ctx)
    if not tools:
        return
    for call in example_calls(prompt):
        tool = tools.get(call.name)
        if tool is None:
            start, end = call.name_span
            yield at_offsets(
                prompt,
                start,
                end,
                f"the example calls `{call.name}`, which is not a tool of this agent{_closest(call.name, tools, ctx.agent)}",
            )
            continue
        for start, end, message in call_problems(call, tool.input_schema):
            yield at_offsets(prompt, start, end, message)


# ---- TP006 stale-example-response -------------------------------------------------------------------------

_RESPONSE_WORDS = lazy_compile(
    r"\b(?:respon\w*|returns?|result\w*|output|looks\s+like|replies|reply|comes\s+back)\b", re.IGNORECASE
)


def response_examples(prompt: Prompt, tools: dict[str, Tool]) -> Iterator[tuple[Block, Tool]]:
    """Example responses in a prompt, each with the tool it shows: the one named just before it."""
    call_blocks = {id(block) for block, _ in parts(prompt).calls}
    for block in parts(prompt).blocks:
        if id(block) in call_blocks or not isinstance(block.data, dict) or _counter_example(prompt, block.start):
            continue
        context = prompt.text[max(0, block.start - 400) : block.start]
        if not _RESPONSE_WORDS.search(context[-200:]):
            continue
        named = [m for m in parts(prompt).mentions if block.start - 400 <= m.start < block.start and m.name in tools]
        if named:
            yield block, tools[named[-1].name]


def response_problems(block: Block, tool_name: str, schema: Any) -> Iterator[tuple[int, int, str]]:
    """Where an example response disagrees with an output schema: (start, end, message)."""
    if not isinstance(schema, dict) or not isinstance(schema.get("properties"), dict):
        return
    properties = schema["properties"]
    for key, value in block.data.items():
        span = block.spans.get((key, "#key"), (block.start, block.end))
        if key not in properties:
            yield (*span, f"`{key}`: not in the current output schema of `{tool_name}`{_closest(key, properties)}")
            continue
        for at, problem in _value_problems(value, properties[key], (key,)):
            start, end = block.spans.get(at, span)
            yield start, end, f"`{key}` in the example response of `{tool_name}`: {problem}"


def call_problems(call: Call, schema: Any) -> Iterator[tuple[int, int, str]]:
    """Where an example call disagrees with an input schema: (start, end, message)."""
    if not isinstance(call.arguments, dict) or not isinstance(schema, dict):
        return
    for at, problem in _object_problems(call.arguments, schema, (), 0):
        label = ".".join(str(p) for p in at if p != "#key")
        start, end = _span(call, at)
        yield (
            start,
            end,
            f"example call of `{call.name}`: {f'`{label}`: ' if label and not problem.startswith('`') else ''}{problem}",
        )


def example_calls(prompt: Prompt) -> Iterator[Call]:
    for block, call in parts(prompt).calls:
        if not _counter_example(prompt, block.start):
            yield call


def stale_example_response(prompt: Prompt, ctx: RuleContext) -> Iterator[Violation]:
    tools = _tools(ctx)
    if not tools:
        return
    for block, tool in response_examples(prompt, tools):
        for start, end, message in response_problems(block, tool.name, tool.output_schema):
            yield at_offsets(prompt, start, end, message)


# ---- TP007 unknown-parameter-reference --------------------------------------------------------------------

_PARAMETER = lazy_compile(
    r"`(?P<name>[A-Za-z_]\w*)`\s+(?:parameter|argument|arg|field|input)\b|\b(?:parameter|argument)\s+`(?P<name2>[A-Za-z_]\w*)`",
    re.IGNORECASE,
)


def unknown_parameter_reference(prompt: Prompt, ctx: RuleContext) -> Iterator[Violation]:
    tools = _tools(ctx)
    if not tools:
        return
    mentions = parts(prompt).mentions
    for start, end, sentence in parts(prompt).sentences:
        named = [tools[m.name] for m in mentions if start <= m.start < end and m.name in tools]
        if len({t.name for t in named}) != 1:
            continue  # which tool is meant is clear only when the sentence names exactly one
        tool = named[0]
        for match in _PARAMETER.finditer(sentence):
            name = match.group("name") or match.group("name2")
            parameters = {p.name for p in tool.parameters}
            if name not in parameters:
                offset = start + match.start("name" if match.group("name") else "name2")
                yield at_offsets(
                    prompt,
                    offset,
                    offset + len(name),
                    f"`{tool.name}` has no parameter `{name}`{_closest(name, parameters)}",
                )


# ---- TP008 prompt-only-safety-rule ------------------------------------------------------------------------

_SAFETY_RULE = lazy_compile(
    r"\b(?:never|do\s+not|don'?t|must\s+not|only)\b[^.\n]{0,80}\b(?:delet\w*|remov\w*|drop\w*|destroy\w*|destructive|irreversible|wip\w*|purg\w*)"
    r"[^.\n]{0,80}\b(?:without|unless|until|after|before)\b[^.\n]{0,40}\b(?:approv\w*|confirm\w*|permission|consent)",
    re.IGNORECASE,
)


def prompt_only_safety_rule(prompt: Prompt, ctx: RuleContext) -> Iterator[Violation]:
    agent = ctx.agent
    if agent is None:
        return
    for match in _SAFETY_RULE.finditer(prompt.text):
        if parts(prompt).in_fence(match.start()):
            continue
        ungated = [t.display_name for t in agent.tools if t.risk.risk == "destructive" and t.risk.approval is None]
        if not ungated:
            return
        yield at_offsets(
            prompt,
            match.start(),
            match.end(),
            "this safety rule lives only in the prompt: "
            + ", ".join(f"`{n}`" for n in ungated[:3])
            + " can be called without any approval gate. Enforce approval in the runtime (`x-toollint.approval: human`)",
        )
        return
