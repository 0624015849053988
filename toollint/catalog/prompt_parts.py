"""What a prompt says about tools: mentions of tool names, worked examples of calls and of responses, sentences.

Everything carries character offsets into the prompt text, so that findings point at the exact reference
or example value. Template placeholders (`{{ x }}`, `{% if %}`, `${x}`) are replaced by same-length
stand-ins before parsing, which keeps every offset valid; a value that was a placeholder is never judged.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Any, NamedTuple

from toollint.catalog.model import Prompt
from toollint.diagnostics import Pointer
from toollint.lazy_pattern import lazy_compile

TEMPLATE = lazy_compile(r"\{\{.*?\}\}|\{%.*?%\}|\$\{[^}\n]*\}|\{\{\{.*?\}\}\}", re.DOTALL)
PLACEHOLDER_MARK = "\u2063"  # invisible separator: no real example value contains it
_FENCE = lazy_compile(
    r"^(?P<indent>[ \t]*)(?P<fence>```+|~~~+)[ \t]*(?P<lang>[\w+-]*)[^\n]*\n(?P<body>.*?)^(?P=indent)(?P=fence)[ \t]*$",
    re.DOTALL | re.MULTILINE,
)
_CALL_SYNTAX = lazy_compile(r"^\s*(?P<name>[A-Za-z_][\w.-]*)\s*\((?P<args>.*)\)\s*;?\s*$", re.DOTALL)
_IDENTIFIER = r"[A-Za-z_][\w.-]*[A-Za-z0-9_]"
_BACKTICKED = lazy_compile(r"`(?P<name>" + _IDENTIFIER + r")(?:\(\))?`")
_CALLED = lazy_compile(r"(?<![\w.])(?P<name>[A-Za-z_][\w.]*_[\w.]*)\((?!\))")
# A sentence ends at punctuation, a blank line or a list item; Markdown wraps lines inside sentences.
# "call HANDOVER function", "use the send_invoice tool": unquoted names that look like identifiers
_PHRASED = lazy_compile(
    r"\b(?:call|calls|calling|use|uses|using|invoke|run)\s+(?:the\s+)?(?P<name>[A-Za-z]\w*(?:_\w+|[A-Z]\w*))\s+(?:function|tool)\b",
)
_SENTENCE = lazy_compile(r"(?:[^.!?\n]|\n(?![ \t]*(?:\n|[-*+][ \t]|\d+[.)][ \t])))+(?:[.!?]+|\n|$)")


def neutralise(text: str) -> str:
    """Template placeholders become same-length strings of a mark character, quoted where JSON needs a value."""

    def stand_in(match: re.Match[str]) -> str:
        size = len(match.group(0))
        return '"' + PLACEHOLDER_MARK * (size - 2) + '"' if size >= 2 else PLACEHOLDER_MARK * size

    return TEMPLATE.sub(stand_in, text)


def is_placeholder(value: Any) -> bool:
    return isinstance(value, str) and PLACEHOLDER_MARK in value


class Mention(NamedTuple):
    """A tool name used in prose: `get_order`, get_order(...), "the get_order tool"."""

    name: str
    start: int
    end: int


class Call(NamedTuple):
    """A worked example of a tool call."""

    name: str
    name_span: tuple[int, int]
    arguments: Any
    argument_spans: dict[Pointer, tuple[int, int]]  # pointer inside the arguments → offsets in the prompt
    whole: tuple[int, int]


class Block(NamedTuple):
    """A fenced code block of a prompt, parsed when it holds JSON, YAML or call syntax."""

    language: str
    start: int  # offset of the block's first character of content
    end: int
    data: Any
    spans: Mapping[Pointer, tuple[int, int]]


def _pointers(data: Any) -> Iterator[Pointer]:
    """Every position in parsed data, at most 32 levels deep."""
    stack: list[tuple[Any, Pointer]] = [(data, ())]
    while stack:
        node, at = stack.pop()
        yield at
        if len(at) < 32:
            if isinstance(node, dict):
                stack.extend((v, at + (k,)) for k, v in node.items())
            elif isinstance(node, list):
                stack.extend((v, at + (i,)) for i, v in enumerate(node))


def _json_spans(text: str, base: int, data: Any) -> dict[Pointer, tuple[int, int]]:
    """Offsets of every value (and, for object members, key) of parsed JSON text, shifted by `base`."""
    from toollint.loading.json_source import JsonLocator

    locator = JsonLocator(text)
    spans: dict[Pointer, tuple[int, int]] = {}
    for at in _pointers(data):
        (key_start, key_end, value_start, value_end), matched = locator.find(at)
        if matched == len(at):
            spans[at] = (base + value_start, base + value_end)
            if key_start >= 0:
                spans[at + ("#key",)] = (base + key_start, base + key_end)
    return spans


def _parse_block(language: str, body: str, base: int) -> Block | None:
    text = neutralise(body)
    stripped = text.strip()
    if not stripped:
        return None
    if stripped[0] in "{[":
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            data = None
        if data is not None:
            return Block("json", base, base + len(body), data, _json_spans(text, base, data))
    call = _CALL_SYNTAX.match(text)
    if call and language not in ("yaml", "yml"):
        parsed = _parse_call_syntax(call, base)
        if parsed is not None:
            return parsed
    if language in ("yaml", "yml"):
        from toollint.loading.yaml_source import YamlParseError, parse_yaml

        try:
            data, locator = parse_yaml(text)
        except YamlParseError:
            return None
        return Block("yaml", base, base + len(body), data, _yaml_spans(text, base, data, locator))
    return None


def _yaml_spans(text: str, base: int, data: Any, locator: Any) -> dict[Pointer, tuple[int, int]]:
    from toollint.loading.positions import LineIndex

    lines = LineIndex(text)
    spans: dict[Pointer, tuple[int, int]] = {}
    for at in _pointers(data):
        span = locator.span(at)
        start = lines.line_start(span.line) + span.column - 1
        end = lines.line_start(span.end_line) + span.end_column - 1
        spans[at] = (base + start, base + max(end, start + 1))
    return spans


def _parse_call_syntax(match: re.Match[str], base: int) -> Block | None:
    """`tool({"a": 1})` or `tool(a=1, b="x")`: keyword values are read with `ast.literal_eval`, never run."""
    name, args = match.group("name"), match.group("args")
    args_offset = match.start("args")
    name_span = (base + match.start("name"), base + match.end("name"))
    stripped = args.strip()
    if stripped.startswith("{"):
        try:
            arguments = json.loads(args)
        except ValueError:
            return None
        lead = len(args) - len(args.lstrip())
        spans = _json_spans(args[lead:], base + args_offset + lead, arguments)
    else:
        try:
            tree = ast.parse(f"f({args})", mode="eval")
        except SyntaxError:
            return None
        if not isinstance(tree.body, ast.Call) or tree.body.args:
            return None
        arguments, spans = {}, {}
        line_starts = [0] + [i + 1 for i, c in enumerate(args) if c == "\n"]
        for keyword in tree.body.keywords:
            if keyword.arg is None:
                return None
            try:
                arguments[keyword.arg] = ast.literal_eval(keyword.value)
            except ValueError:
                arguments[keyword.arg] = PLACEHOLDER_MARK  # a variable: not judged
            value = keyword.value

            def offset(line: int, column: int) -> int:
                # the parsed source is "f(" + args: the first line is shifted by two characters
                return line_starts[line - 1] + column - (2 if line == 1 else 0)

            start = offset(value.lineno, value.col_offset)
            end = offset(value.end_lineno or value.lineno, value.end_col_offset or value.col_offset)
            spans[(keyword.arg,)] = (base + args_offset + start, base + args_offset + end)
            spans[(keyword.arg, "#key")] = spans[(keyword.arg,)]
    data = {"name": name, "input": arguments}
    shifted = {("input", *k): v for k, v in spans.items()}
    shifted[("name",)] = name_span
    return Block("call", base, base + len(match.group(0)), data, shifted)


def _calls_in(block: Block) -> Iterator[Call]:
    """Anthropic `{name, input}`, `tool_use` blocks, OpenAI `{name, arguments}` and `tool_calls` entries."""
    candidates: list[tuple[Any, Pointer]] = [(block.data, ())]
    if isinstance(block.data, list):
        candidates = [(item, (i,)) for i, item in enumerate(block.data)]
    elif isinstance(block.data, dict) and isinstance(block.data.get("tool_calls"), list):
        candidates = [(item, ("tool_calls", i)) for i, item in enumerate(block.data["tool_calls"])]
    elif isinstance(block.data, dict) and isinstance(block.data.get("content"), list):
        candidates = [(item, ("content", i)) for i, item in enumerate(block.data["content"])]
    for item, at in candidates:
        if not isinstance(item, dict):
            continue
        if isinstance(item.get("function"), dict):
            item, at = item["function"], at + ("function",)
        name = item.get("name")
        key = "input" if "input" in item else "arguments" if "arguments" in item else None
        if not isinstance(name, str) or key is None:
            continue
        arguments = item[key]
        spans = {p[len(at) + 1 :]: v for p, v in block.spans.items() if p[: len(at) + 1] == at + (key,)}
        if isinstance(arguments, str):  # OpenAI sends arguments as a JSON-encoded string
            whole = block.spans.get(at + (key,), (block.start, block.end))
            try:
                arguments = json.loads(arguments)
            except ValueError:
                arguments = None
            spans = {(): whole}  # positions inside an encoded string point at the string
        default = (block.start, block.end)
        yield Call(
            name,
            block.spans.get(at + ("name",), default),
            arguments,
            spans,
            block.spans.get(at, default),
        )


class PromptParts:
    """The parts of one prompt the prompt rules share, each found once and on first use."""

    def __init__(self, prompt: Prompt) -> None:
        self.prompt = prompt

    @cached_property
    def blocks(self) -> list[Block]:
        found = []
        for match in _FENCE.finditer(self.prompt.text):
            block = _parse_block(match.group("lang").lower(), match.group("body"), match.start("body"))
            if block is not None:
                found.append(block)
        return found

    @cached_property
    def fenced(self) -> list[tuple[int, int]]:
        return [(m.start(), m.end()) for m in _FENCE.finditer(self.prompt.text)]

    def in_fence(self, offset: int) -> bool:
        return any(start <= offset < end for start, end in self.fenced)

    @cached_property
    def calls(self) -> list[tuple[Block, Call]]:
        return [(block, call) for block in self.blocks for call in _calls_in(block)]

    @cached_property
    def mentions(self) -> list[Mention]:
        """Tool names in prose: backticked identifiers and `name(` calls, outside fenced blocks."""
        text = self.prompt.text
        found: dict[int, Mention] = {}
        for match in _BACKTICKED.finditer(text):
            if not self.in_fence(match.start()):
                found[match.start("name")] = Mention(match.group("name"), match.start("name"), match.end("name"))
        for match in _PHRASED.finditer(text):
            if not self.in_fence(match.start()):
                found.setdefault(
                    match.start("name"), Mention(match.group("name"), match.start("name"), match.end("name"))
                )
        for match in _CALLED.finditer(text):
            if not self.in_fence(match.start()):
                found.setdefault(
                    match.start("name"), Mention(match.group("name"), match.start("name"), match.end("name"))
                )
        return sorted(found.values(), key=lambda m: m.start)

    @cached_property
    def sentences(self) -> list[tuple[int, int, str]]:
        text = self.prompt.text
        return [
            (m.start(), m.end(), m.group(0))
            for m in _SENTENCE.finditer(text)
            if m.group(0).strip() and not self.in_fence(m.start())
        ]
