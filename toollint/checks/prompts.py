"""Prompt checks (TP): a prompt against the toolset its agent is given — names, worked examples, loops, retries, safety."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from toollint.catalog.model import Prompt, Tool
from toollint.catalog.prompt_parts import Block, Call, PromptParts, is_placeholder
from toollint.checks.constraints import is_instance, list_at, types_of
from toollint.diagnostics import Pointer, Severity, Violation
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


_WORD = lazy_compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def name_words(name: str) -> tuple[str, ...]:
    """`grep_search` → (grep, search); `SearchWeb` → (search, web); `getHTTPStatus` → (get, http, status)."""
    return tuple(w.lower() for w in _WORD.findall(name))


def _word_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """Share of words the two names have in common, in any order, a word matching a close spelling of itself
    (`inventori` ~ `inventory`); 0 when no word matches, so `grep` is never close to `reapply`."""
    if not a or not b:
        return 0.0
    matched = 0.0
    for word in a:
        best = max(
            (1.0 if word == other else difflib.SequenceMatcher(None, word, other).ratio() for other in b), default=0.0
        )
        if best >= 0.8:
            matched += best
    return 2 * matched / (len(a) + len(b))


def _closest(name: str, names: Any, agent: Any = None) -> str:
    """ "; did you mean `x`?" for the name most like this one word by word, or ""."""
    candidates = [n for n in names if isinstance(n, str)]
    if agent is not None and len(candidates) > 200:
        # against thousands of names, only those sharing a word with this one can be close
        shared = {n for w in name_words(name) for n in agent.names_by_word.get(w.rstrip("s"), ())}
        candidates = sorted(shared)
    words = name_words(name)
    scored = [
        (_word_similarity(words, name_words(c)), difflib.SequenceMatcher(None, name, c).ratio(), c) for c in candidates
    ]
    scored = [s for s in scored if s[0] >= 0.6]
    if not scored:
        return ""
    return f"; did you mean `{max(scored)[2]}`?"


# ---- TP001 unknown-tool-reference -------------------------------------------------------------------------


def unknown_tool_reference(prompt: Prompt, ctx: RuleContext) -> Iterator[Violation]:
    tools = _tools(ctx)
    if not tools:
        return  # without the agent's tools nothing can be judged
    agent = ctx.agent
    if agent is not None and agent.assumed and not _names_a_tool(prompt, tools):
        return  # tools far above, none of which the prompt names: it may be written for other tools
    vocabulary = agent.vocabulary if agent is not None else frozenset()
    code_names = agent.code_names if agent is not None else frozenset()
    reported: set[tuple[str, int]] = set()
    text = prompt.text
    for reference in parts(prompt).references:
        name = reference.name
        if name in tools or name in vocabulary:
            continue  # a parameter, field or enum value of the agent's tools is TP007's business
        if name in code_names:
            continue  # defined in the project's code: maybe a tool the loader could not read
        if _NOT_TO_CALL.search(text, max(0, reference.start - 120), reference.start):
            continue  # "don't call `x`" invites no call
        line = text.count("\n", 0, reference.start)
        if (name, line) in reported:
            continue  # one finding per name and line
        closest = _closest(name, tools, agent)
        if (reference.guessed or (agent is not None and agent.incomplete)) and not closest:
            # "use `snake_case`", or a toolset with tools toollint could not read: judged only when the name
            # looks like a misspelt or renamed tool
            continue
        reported.add((name, line))
        yield Violation(
            prompt.pointer,
            f'`{name}` is called like a tool here ("{reference.evidence}") but is not a tool of this agent'
            f"{closest or '; name one of its tools or add the tool'}",
            offsets=(reference.start, max(reference.end, reference.start + 1)),
            severity=None if reference.strong else Severity.WARNING,
        )


# vocabulary: prohibitions — "don't call `x`" invites no call
PROHIBITIONS = (r"don'?t", r"do\s+not", r"never", r"avoid", r"must\s+not", r"should\s+not", r"cannot", r"can'?t")
_NOT_TO_CALL = lazy_compile(
    r"\b(?:" + "|".join(PROHIBITIONS) + r")\s+(?:\w+\s+)?"
    r"(?:call|calling|use|using|invoke|invoking|run)\b[^.!?\n]{0,80}$",
    re.IGNORECASE,
)


def _names_a_tool(prompt: Prompt, tools: dict[str, Tool]) -> bool:
    return any(m.name in tools for m in parts(prompt).mentions)


# ---- TP002 vague-tool-reference ---------------------------------------------------------------------------

_CATEGORY = lazy_compile(
    r"\b(?:the|our|your|its)\s+(?P<category>[a-z][a-z-]+(?:\s+[a-z][a-z-]+)?)\s+tools\b", re.IGNORECASE
)
# vocabulary: words that do not make a tool category ("the available tools", "the most powerful tools")
NOT_A_CATEGORY = frozenset(
    "available following listed above below other same provided given relevant appropriate right these those all "
    "two three four five several many few necessary required mcp most more best powerful useful new existing "
    "own standard built-in builtin dedicated specialized specialised specific proper correct wrong different "
    "various multiple remaining corresponding respective individual custom external internal native default "
    "registered enabled allowed permitted supported appropriate additional extra underlying same".split()
)
# vocabulary: words before a category that make it praise, not a reference ("among the most powerful tools")
PRAISE_OPENERS = (r"among", r"one\s+of", r"of\s+all")
# vocabulary: words after a category that go on to name its tools ("the file tools, such as `read`")
NAMING_WORDS = (r"like", r"such\s+as", r"e\.g\.", r"including", r"namely")
_AMONG = lazy_compile(r"\b(?:" + "|".join(PRAISE_OPENERS) + r")\s+$", re.IGNORECASE)
_NAMED_RIGHT_THERE = lazy_compile(r"^\s*(?:\(|:|,?\s*(?:" + "|".join(NAMING_WORDS) + r"))")


def vague_tool_reference(prompt: Prompt, ctx: RuleContext) -> Iterator[Violation]:
    tools = _tools(ctx)
    if not tools:
        return  # with no toolset there is nothing to name instead
    prompt_parts = parts(prompt)
    text = prompt_parts.text
    names_a_tool = _names_a_tool(prompt, tools)
    if ctx.agent is not None and ctx.agent.assumed and not names_a_tool:
        return  # tools from a folder above that the prompt never names: which tools it means is unknown
    for match in _CATEGORY.finditer(text):
        category = match.group("category")
        words = category.lower().split()
        if any(w in NOT_A_CATEGORY or w.endswith("ed") for w in words) or category in tools:
            continue  # "the available tools", "the filtered tools": which tools, not what kind
        if prompt_parts.in_fence(match.start()) or _AMONG.search(text, max(0, match.start() - 20), match.start()):
            continue  # "among the most ... tools you have": praise, not a reference
        if "`" in _paragraph_around(text, match.start()) or _NAMED_RIGHT_THERE.match(text, match.end()):
            continue  # the tools are named right there
        shown = ", ".join(f"`{n}`" for n in _related(category, tools)[:4])
        yield Violation(
            prompt.pointer,
            f'"{match.group(0)}" names a category, not tools: the model fills the gap with tools it invents; '
            f"name the tools ({shown})",
            offsets=(match.start(), match.end()),
            # the prompt names none of the tools anywhere: the category is all the model has to go on
            severity=None if not names_a_tool else Severity.WARNING,
        )


def _paragraph_around(text: str, offset: int) -> str:
    start = text.rfind("\n\n", 0, offset)
    end = text.find("\n\n", offset)
    start = max(start + 1 if start >= 0 else 0, offset - 300)  # a prompt without blank lines is not one paragraph
    return text[start : min(end if end >= 0 else len(text), offset + 300)]


def _sentence_around(prompt_parts: PromptParts, offset: int) -> str:
    for start, end, sentence in prompt_parts.sentences:
        if start <= offset < end:
            return sentence
    return ""


def _related(category: str, tools: dict[str, Tool]) -> list[str]:
    """The tools whose name or description shares a word with the category, else all of them."""
    words = {w.rstrip("s") for w in category.lower().replace("-", " ").split()}
    related = [
        n
        for n, t in tools.items()
        if words & {w.rstrip("s") for w in name_words(n)}
        or (isinstance(t.description, str) and any(w in t.description.lower() for w in words))
    ]
    return related or list(tools)


# vocabulary: negations before an instruction ("do not retry", "avoid researching fully")
NEGATIONS = (r"do\s+not", r"don'?t", r"never", r"not", r"no", r"avoid", r"instead\s+of")
_NEGATED = lazy_compile(r"\b(?:" + "|".join(NEGATIONS) + r")\b[^.]{0,40}$", re.IGNORECASE)


# ---- TP003 unbounded-loop-instruction ---------------------------------------------------------------------

# vocabulary: loop phrases — instructions that reward open-ended tool use
LOOP_PHRASES = (
    r"\b(?:research|investigate|explore|search|look)\w*\s+(?:\w+\s+){0,4}?(?:fully|thoroughly|exhaustively|comprehensively|completely)\b",
    r"\b(?:keep|continue)\s+(?:going|searching|calling|looking|trying|researching)\b",
    r"\bnever\s+stop\b",
    r"\bdon'?t\s+stop\b(?!\s+(?:to|and|for)\b)",
    r"\bdo\s+not\s+stop\b(?!\s+(?:to|and|for)\b)",
    r"\buntil\s+you\s+(?:have\s+)?(?:found|exhausted|covered)\s+(?:every|all)",
    r"\bas\s+many\s+(?:tool\s+)?calls\s+as\s+(?:you\s+)?(?:need|needed|necessary|possible)\b",
    r"\bleave\s+no\s+stone\s+unturned\b",
)
# vocabulary: stop conditions and call caps, anywhere in the prompt
STOP_PHRASES = (
    r"\bstop\s+(?:as\s+soon\s+as|when|once|after|if)\b",
    r"\bas\s+soon\s+as\s+you\s+(?:have|know|can)\b",
    r"\bonce\s+you\s+have\b",
    r"\b(?:at\s+most|no\s+more\s+than|maximum\s+of|up\s+to|limit\s+of|more\s+than)\s+\d+\s+(?:tool\s+)?(?:calls?|steps?|searches|lookups|requests|tools?|iterations|attempts|turns)\b",
    r"\bnot\s+required\b",
    r"\bis\s+enough\b",
    r"\bthen\s+(?:answer|respond|stop)\b",
)
# vocabulary: stop conditions in the loop's own sentence ("keep going until the request is resolved")
SENTENCE_STOP_PHRASES = (
    r"\buntil\b(?!\s+you\s+(?:have\s+)?(?:found|exhausted|covered)\s+(?:every|all))",
    r"\bwhen\s+(?:you\s+are|you're)\s+(?:done|finished|confident)\b",
    r"\bonce\b",
)
_LOOP = lazy_compile("|".join(LOOP_PHRASES), re.IGNORECASE)
_STOP = lazy_compile("|".join(STOP_PHRASES), re.IGNORECASE)
_SENTENCE_STOP = lazy_compile("|".join(SENTENCE_STOP_PHRASES), re.IGNORECASE)


def unbounded_loop_instruction(prompt: Prompt, ctx: RuleContext) -> Iterator[Violation]:
    prompt_parts = parts(prompt)
    text = prompt_parts.text
    if _STOP.search(text):
        return
    for match in _LOOP.finditer(text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        if _NEGATED.search(text[line_start : match.start()]) or prompt_parts.in_fence(match.start()):
            continue
        if _SENTENCE_STOP.search(_sentence_around(prompt_parts, match.start())):
            continue  # the same sentence says when to stop
        yield Violation(
            prompt.pointer,
            f'"{match.group(0)}" has no stop condition or call cap anywhere in the prompt; say when to stop '
            '("as soon as you have X") and how many calls at most',
            offsets=(match.start(), match.end()),
        )
        return


# ---- TP004 retry-instruction-on-write-tool ----------------------------------------------------------------

# vocabulary: retry instructions
RETRY_PHRASES = (
    r"\btry\s+(?:it\s+)?again\b",
    r"\bretry(?:ing)?\b",
    r"\bcall\s+(?:it|this|them|the\s+tool|\S+)\s+again\b",
    r"\buntil\s+it\s+succeeds\b",
    r"\bkeep\s+trying\b",
    r"\brepeat\s+the\s+call\b",
)
_RETRY = lazy_compile("|".join(RETRY_PHRASES), re.IGNORECASE)


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
    if isinstance(pattern, str) and isinstance(value, str) and pattern_mismatch(pattern, value):
        yield at, f'"{value[:40]}" does not match the pattern `{pattern[:80]}`'
    if isinstance(value, dict):
        yield from _object_problems(value, schema, at, depth + 1)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            yield from _value_problems(item, schema["items"], at + (index,), depth + 1)


MAX_PATTERN_LENGTH = 500
MAX_MATCHED_LENGTH = 500  # example values longer than this are not matched against a schema's pattern


def pattern_mismatch(pattern: str, value: str) -> bool:
    """Whether `value` certainly fails the schema's `pattern`. Python's `re` backtracks, and a pattern is
    user input: only patterns whose matching time is at most quadratic in the value (no repeat inside a
    repeat, no alternation under a repeat, no backreference, at most two unbounded repeats) are run, and only
    on short values. Anything else is not judged, so no pattern can stall a run."""
    if len(pattern) > MAX_PATTERN_LENGTH or len(value) > MAX_MATCHED_LENGTH:
        return False
    compiled = _bounded_pattern(pattern)
    return compiled is not None and compiled.search(value) is None


@lru_cache(maxsize=512)
def _bounded_pattern(pattern: str) -> re.Pattern[str] | None:
    try:
        from re import _parser as sre_parse  # type: ignore[attr-defined]
    except ImportError:  # Python 3.10
        import sre_parse  # type: ignore[no-redef]
    try:
        parsed = sre_parse.parse(pattern)
        compiled = re.compile(pattern)
    except (re.error, RecursionError, OverflowError, ValueError):
        return None
    unbounded = [0]
    if not _linear_enough(parsed, False, unbounded, sre_parse) or unbounded[0] > 2:
        return None
    return compiled


def _linear_enough(items: Any, under_repeat: bool, unbounded: list[int], sre_parse: Any) -> bool:
    """False for constructs whose backtracking can explode: a repeat or alternation under a repeat, backrefs."""
    constants = sre_parse
    for op, argument in items:
        name = str(op)
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = argument
            if under_repeat and high != low:
                return False
            if high == constants.MAXREPEAT or high > 100:
                unbounded[0] += 1
            if not _linear_enough(sub, under_repeat or high > 1, unbounded, sre_parse):
                return False
        elif name == "BRANCH":
            if under_repeat:
                return False
            if not all(_linear_enough(branch, under_repeat, unbounded, sre_parse) for branch in argument[1]):
                return False
        elif name == "SUBPATTERN":
            if not _linear_enough(argument[-1], under_repeat, unbounded, sre_parse):
                return False
        elif name in ("ASSERT", "ASSERT_NOT"):
            if not _linear_enough(argument[1], True, unbounded, sre_parse):
                return False
        elif name in ("GROUPREF", "GROUPREF_EXISTS", "ATOMIC_GROUP"):
            return False
    return True


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


# vocabulary: words that introduce an example as what not to do
COUNTER_EXAMPLE_WORDS = (
    "wrong",
    "incorrect",
    "invalid",
    "bad",
    r"don'?t",
    r"do\s+not",
    "never",
    "avoid",
    r"not\s+like\s+this",
    r"counter-?example",
    r"instead\s+of",
)
_COUNTER_EXAMPLE = lazy_compile(r"\b(?:" + "|".join(COUNTER_EXAMPLE_WORDS) + r")\b[^\n]*$", re.IGNORECASE)


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

# vocabulary: words that introduce an example as a tool's response
RESPONSE_WORDS = (
    r"respon\w*",
    r"returns?",
    r"result\w*",
    "output",
    r"looks\s+like",
    "replies",
    "reply",
    r"comes\s+back",
)
_RESPONSE_WORDS = lazy_compile(r"\b(?:" + "|".join(RESPONSE_WORDS) + r")\b", re.IGNORECASE)


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

# vocabulary: nouns that make a backticked name a parameter ("the `amount` parameter")
PARAMETER_NOUNS = ("parameter", "argument", "arg")  # not "field": an output's fields are called that too
_PARAMETER = lazy_compile(
    r"`(?P<name>[A-Za-z_]\w*)`\s+(?:" + "|".join(PARAMETER_NOUNS) + r")\b"
    r"|\b(?:parameter|argument)\s+`(?P<name2>[A-Za-z_]\w*)`",
    re.IGNORECASE,
)


def unknown_parameter_reference(prompt: Prompt, ctx: RuleContext) -> Iterator[Violation]:
    tools = _tools(ctx)
    if not tools:
        return
    mentions = parts(prompt).mentions
    references = parts(prompt).references
    for start, end, sentence in parts(prompt).sentences:
        named = [tools[m.name] for m in mentions if start <= m.start < end and m.name in tools]
        others = [r for r in references if start <= r.start < end and r.name not in tools]
        if len({t.name for t in named}) != 1 or others:
            continue  # which tool is meant is clear only when the sentence names exactly one tool, and no other
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

# vocabulary: the three parts of a prompt-only safety rule: a prohibition, a destructive act, an approval
SAFETY_PROHIBITIONS = ("never", r"do\s+not", r"don'?t", r"must\s+not", "only")
DESTRUCTIVE_WORDS = (
    r"delet\w*",
    r"remov\w*",
    r"drop\w*",
    r"destroy\w*",
    "destructive",
    "irreversible",
    r"wip\w*",
    r"purg\w*",
)
APPROVAL_WORDS = (r"approv\w*", r"confirm\w*", "permission", "consent")
_SAFETY_RULE = lazy_compile(
    r"\b(?:" + "|".join(SAFETY_PROHIBITIONS) + r")\b[^.\n]{0,80}\b(?:" + "|".join(DESTRUCTIVE_WORDS) + r")"
    r"[^.\n]{0,80}\b(?:without|unless|until|after|before)\b[^.\n]{0,40}\b(?:" + "|".join(APPROVAL_WORDS) + r")",
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
