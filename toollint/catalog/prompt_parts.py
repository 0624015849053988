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

PLACEHOLDER_MARK = "\u2063"  # invisible separator: no real example value contains it
# Jinja/Handlebars openers and their closers, longest first; `${x}` ends at the line's first `}`
_TEMPLATE_PAIRS = (("{{{", "}}}"), ("{{", "}}"), ("{%", "%}"), ("{#", "#}"))
_FENCE = lazy_compile(
    r"^(?P<indent>[ \t]*)(?P<fence>```+|~~~+)[ \t]*(?P<lang>[\w+-]*)[^\n]*\n(?P<body>.*?)^(?P=indent)(?P=fence)[ \t]*$",
    re.DOTALL | re.MULTILINE,
)
_CALL_SYNTAX = lazy_compile(r"^\s*(?P<name>[A-Za-z_][\w.-]*)\s*\((?P<args>.*)\)\s*;?\s*$", re.DOTALL)
# A backticked identifier, optionally with call parentheses: `get_order`, `get_order()`, `get_order(id)`.
# One quantifier per run of name characters, so a long run of `_` costs linear time.
_BACKTICKED = lazy_compile(r"`(?P<name>[A-Za-z_][\w.-]*)(?P<call>\([^`()\n]{0,200}\))?`")
_CALLED = lazy_compile(r"(?<![\w.`])(?P<name>[A-Za-z_][\w.]*)\((?!\))")
# "call HANDOVER function", "use the send_invoice tool": unquoted names that look like identifiers
_PHRASED = lazy_compile(
    r"\b(?:call|calls|calling|use|uses|using|invoke|invokes|run)\s+(?:the\s+)?(?P<name>[A-Za-z]\w*)\s+(?:function|tool)\b",
    re.IGNORECASE,
)
# A sentence ends at punctuation, a blank line or a list item; Markdown wraps lines inside sentences.
_SENTENCE = lazy_compile(r"(?:[^.!?\n]|\n(?![ \t]*(?:\n|[-*+][ \t]|\d+[.)][ \t])))+(?:[.!?]+|\n|$)")


def _template_spans(text: str) -> list[tuple[int, int]]:
    """Where template placeholders and control blocks are, found with `str.find` so that a long run of `{`
    without closers costs linear time: when a closer is missing after one opener it is missing after all later."""
    spans: list[tuple[int, int]] = []
    for opener, closer in _TEMPLATE_PAIRS:
        at = text.find(opener)
        while at >= 0:
            close = text.find(closer, at + len(opener))
            if close < 0:
                break
            spans.append((at, close + len(closer)))
            at = text.find(opener, close + len(closer))
    at, close, newline = text.find("${"), -1, -1
    while at >= 0:
        # the next `}` and line end are looked up again only once passed: a long run of `${` costs linear time
        if close < at + 2:
            close = text.find("}", at + 2)
            if close < 0:
                break
        if newline < at + 2:
            newline = text.find("\n", at + 2)
            if newline < 0:
                newline = len(text)
        if close < newline:
            spans.append((at, close + 1))
            at = text.find("${", close + 1)
        else:
            at = text.find("${", at + 2)
    spans.sort(key=lambda s: (s[0], -s[1]))  # overlapping openers (`{{{`): the longest wins
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            continue  # inside an earlier placeholder
        merged.append((start, end))
    return merged


def neutralise(text: str) -> str:
    """Template placeholders become same-length strings of a mark character, quoted where JSON needs a value."""
    if "{" not in text:
        return text
    pieces: list[str] = []
    last = 0
    for start, end in _template_spans(text):
        size = end - start
        pieces.append(text[last:start])
        pieces.append('"' + PLACEHOLDER_MARK * (size - 2) + '"' if size >= 2 else PLACEHOLDER_MARK * size)
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def is_placeholder(value: Any) -> bool:
    return isinstance(value, str) and PLACEHOLDER_MARK in value


class Mention(NamedTuple):
    """A name used in prose that may be a tool: `get_order`, get_order(...), "the get_order tool"."""

    name: str
    start: int
    end: int


class Reference(NamedTuple):
    """A mention the words around it make a tool reference: "call `x`", "the `x` tool", `x(...)`, a tool list.

    `evidence` is the text that says so, quoted in messages; `strong` is explicit wording (a tool noun, a call
    verb, a list introduced as tools), the rest is call syntax or "use `x`" with a tool-like name."""

    name: str
    start: int
    end: int
    evidence: str
    strong: bool
    guessed: bool = False  # only "use `x`" says so: judged only when `x` is close to a real tool's name


# vocabulary: tool-call verbs — a name they govern is a tool ("call `get_order`")
CALL_VERBS = ("call", "calls", "calling", "called", "invoke", "invokes", "invoking", "invoked")
# vocabulary: tool-use verbs — weaker, since "use `uv`" and "run `make`" name programs; only with tool-like names
USE_VERBS = ("use", "uses", "using", "run", "runs", "running")
# vocabulary: tool nouns — "the `x` tool", "the function `x`"
TOOL_NOUNS = ("tool", "tools", "function", "functions")
# vocabulary: nouns that say a name is not a tool ("the `id` parameter", "the `.env` file")
NON_TOOL_NOUNS = (
    "parameter",
    "argument",
    "arg",
    "field",
    "key",
    "value",
    "option",
    "flag",
    "file",
    "folder",
    "directory",
    "command",
    "variable",
    "property",
    "attribute",
    "column",
    "table",
    "method",
    "class",
    "module",
    "package",
    "library",
    "type",
    "header",
    "status",
    "error",
    "exception",
    "section",
    "tag",
    "setting",
    "event",
    "role",
)
# vocabulary: connectives that carry a reference over to the next name ("call `a`, then `b`")
CONNECTIVES = ("and", "or", "then", "and then", "or else", "followed by")

_NOUN = "(?:" + "|".join(TOOL_NOUNS) + ")"
_NOUN_AFTER = lazy_compile(r"\s+(?:the\s+)?" + _NOUN + r"\b", re.IGNORECASE)
_NOUN_BEFORE = lazy_compile(r"\b" + _NOUN + r"(?:\s+(?:named|called))?\s*:?\s*$", re.IGNORECASE)
_CALL_BEFORE = lazy_compile(r"\b(?:" + "|".join(CALL_VERBS) + r")\s+(?:the\s+|to\s+)?$", re.IGNORECASE)
_USE_BEFORE = lazy_compile(r"\b(?:" + "|".join(USE_VERBS) + r")\s+(?:the\s+)?$", re.IGNORECASE)
_CONNECTED = lazy_compile(
    r"(?:^|,|/|\b(?:" + "|".join(c.replace(" ", r"\s+") for c in CONNECTIVES) + r"))\s*"
    r"(?:(?:then\s+)?(?:" + "|".join(CALL_VERBS + USE_VERBS) + r")\s+)?(?:the\s+)?$",
    re.IGNORECASE,
)
_SENTENCE_END = lazy_compile(r"[.!?:;]\s|\n")
_OTHER_NOUN_AFTER = lazy_compile(r"\s+(?:" + "|".join(NON_TOOL_NOUNS) + r")s?\b", re.IGNORECASE)
_NOUN_WORD = lazy_compile(r"\b" + _NOUN + r"\b", re.IGNORECASE)
# "Tools: `a`, `b`", "Available tools: `a`" — a label that introduces tools, then names so far
_TOOLS_LABEL = lazy_compile(
    r"[ \t]*(?:[-*+][ \t]+)?(?:\*\*)?(?:[A-Za-z][\w ]{0,30}[ \t])?" + _NOUN + r"(?:\*\*)?[ \t]*:[ \t]*(?:\*\*)?[ \t]*",
    re.IGNORECASE,
)
# one name of such a list and what separates it from the next; unambiguous, so a long line is read once
_LISTED_NAME = lazy_compile(r"`[^`\n]{1,80}`[ \t]*(?:(?:,|/|and\b|or\b)[ \t]*)?")
_BULLET = lazy_compile(r"[ \t]*(?:[-*+]|\d+[.)])[ \t]+(?:\*\*)?$")  # used with `match(text, pos, endpos)`
_ITEM = lazy_compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]")
# the rest of a backticked name: call arguments and the closing backtick
_TOKEN_END = lazy_compile(r"(?:\([^()`\n]{0,200}\))?`?")
# snake_case, kebab-case or camelCase with two words at least: a name shaped like a tool, not `uv` or `make`
_TOOL_SHAPED = lazy_compile(
    r"^[A-Za-z][A-Za-z0-9]*(?:[_-][A-Za-z0-9]+)+$|^[a-z]+[A-Z][A-Za-z0-9]*$|^[A-Z][a-z0-9]+[A-Z][A-Za-z0-9]*$"
)


def tool_shaped(name: str) -> bool:
    return bool(_TOOL_SHAPED.match(name))


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
        self._labels: dict[int, tuple[str, frozenset[int]]] = {}  # per line: a "Tools:" label and its names
        self._intros: dict[int, str] = {}  # per list item: the line that introduces its list

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
    def text(self) -> str:
        """The prompt with template placeholders and control blocks masked: they are never judged."""
        return neutralise(self.prompt.text)

    @cached_property
    def mentions(self) -> list[Mention]:
        """Names that may be tools, in prose: backticked identifiers, `name(` calls, "the name tool"."""
        return [Mention(name, start, end) for name, start, end, _ in self._candidates]

    @cached_property
    def _candidates(self) -> list[tuple[str, int, int, bool]]:
        """(name, start, end, written as a call) outside fenced blocks, in order."""
        text = self.text
        found: dict[int, tuple[str, int, int, bool]] = {}
        for match in _BACKTICKED.finditer(text):
            name = match.group("name").rstrip(".-")
            if name and not self.in_fence(match.start()):
                start = match.start("name")
                # `f()` cites a function; `f(sku)` shows a call
                found[start] = (name, start, start + len(name), len(match.group("call") or "") > 2)
        for match in _PHRASED.finditer(text):
            name = match.group("name")
            if tool_shaped(name) or name.isupper():
                found.setdefault(match.start("name"), (name, match.start("name"), match.end("name"), False))
        for match in _CALLED.finditer(text):
            name = match.group("name")
            if "_" in name and not self.in_fence(match.start()):
                found.setdefault(match.start("name"), (name, match.start("name"), match.end("name"), True))
        return sorted(found.values(), key=lambda m: m[1])

    @cached_property
    def references(self) -> list[Reference]:
        """The mentions that the words around them make tool references; everything else is not judged."""
        text = self.text
        found: list[Reference] = []
        candidates = self._candidates
        for index, (name, start, end, called) in enumerate(candidates):
            evidence = self._evidence(name, start, end, called)
            if (
                evidence is None
                and found
                and index
                and found[-1].start == candidates[index - 1][1]
                and not self._other(end)
            ):
                # "call `a` to find the order and `b` to refund it": the second name has the first one's reading
                between = text[found[-1].end : start].strip("`")
                if len(between) <= 80 and not _SENTENCE_END.search(between) and _CONNECTED.search(between):
                    evidence = (found[-1].evidence, found[-1].strong, found[-1].guessed)
            if evidence is None and index + 1 < len(candidates):
                # "the `a` and `b` tools": the tool noun after the last name covers the others
                following = candidates[index + 1]
                between = text[end : following[1]].strip("`")
                if len(between) <= 12 and _CONNECTED.fullmatch(between.strip()) and between.strip():
                    evidence = self._evidence(*following)
            if evidence is not None and "." not in name:
                found.append(Reference(name, start, end, *evidence))
        return found

    def _evidence(self, name: str, start: int, end: int, called: bool) -> tuple[str, bool, bool] | None:
        """The words that make this mention a tool reference, and whether they are explicit."""
        text = self.text
        line_start = text.rfind("\n", 0, start) + 1
        before = text[max(line_start, start - 40) : start].rstrip("`")
        rest = text[end : end + 240]
        closing = _TOKEN_END.match(rest)
        after_at = end + (closing.end() if closing else 0)
        noun = _NOUN_AFTER.match(text, after_at, after_at + 40)
        quote_from = _word_start(text, start, line_start)
        if self._other(end):
            return None
        if noun:
            return _quote(text, quote_from, noun.end()), True, False
        if _NOUN_BEFORE.search(before) or _CALL_BEFORE.search(before):
            return _quote(text, quote_from, after_at), True, False
        intro = self._list_intro(start, line_start)
        if intro:
            return f'listed under "{intro}"', True, False
        if called and tool_shaped(name):
            return f"`{name}(...)`", False, False
        if _USE_BEFORE.search(before) and tool_shaped(name):
            return _quote(text, quote_from, after_at), False, True
        return None

    def _other(self, end: int) -> bool:
        """Followed by a noun that says the name is something else: "`id` parameter", "`.env` file"."""
        closing = _TOKEN_END.match(self.text, end)
        at = closing.end() if closing else end
        return _OTHER_NOUN_AFTER.match(self.text, at, at + 40) is not None

    def _list_intro(self, start: int, line_start: int) -> str:
        """For a name on a "Tools: `a`, `b`" line or opening a list item under a line that introduces tools,
        that line (shortened); else ""."""
        text = self.text
        label, names = self._labelled(line_start)
        if start in names:
            return label
        if not _BULLET.match(text, line_start, start - 1 if text[start - 1 : start] == "`" else start):
            return ""
        if line_start not in self._intros:
            self._intros[line_start] = self._intro_above(line_start)
        return self._intros[line_start]

    def _intro_above(self, line_start: int) -> str:
        text = self.text
        at = line_start
        for _ in range(60):  # a list longer than that has lost its heading
            if at <= 0:
                return ""
            previous = text.rfind("\n", 0, at - 1) + 1
            if previous in self._intros:
                return self._intros[previous]  # an earlier item of the same list
            line = text[previous : at - 1]
            at = previous
            if not line.strip() or _ITEM.match(line) or line[:1] in " \t":
                continue  # blank lines, other items and their continuation lines
            heading = line.strip().strip("#*: ")
            return heading[:60] if _NOUN_WORD.search(heading) else ""
        return ""

    def _labelled(self, line_start: int) -> tuple[str, frozenset[int]]:
        """A "Tools:" label opening this line, and where each backticked name listed after it starts."""
        cached = self._labels.get(line_start)
        if cached is None:
            text = self.text
            label = _TOOLS_LABEL.match(text, line_start)
            starts: set[int] = set()
            at = label.end() if label else -1
            while label:
                token = _LISTED_NAME.match(text, at)
                if token is None:
                    break
                starts.add(at + 1)
                at = token.end()
            name = text[line_start : label.end()].split(":", 1)[0].strip(" \t-*+") if label else ""
            cached = self._labels[line_start] = (name[:60] if starts else "", frozenset(starts))
        return cached

    @cached_property
    def sentences(self) -> list[tuple[int, int, str]]:
        text = self.text
        return [
            (m.start(), m.end(), m.group(0))
            for m in _SENTENCE.finditer(text)
            if m.group(0).strip() and not self.in_fence(m.start())
        ]


def _word_start(text: str, start: int, line_start: int) -> int:
    """Where the quoted evidence begins: up to three words before the name, within its line."""
    at = start
    for _ in range(3):
        space = text.rfind(" ", line_start, max(line_start, at - 1))
        if space < 0:
            return line_start
        at = space + 1
    return at


def _quote(text: str, start: int, end: int) -> str:
    quoted = " ".join(text[start:end].split())
    return quoted if len(quoted) <= 60 else "..." + quoted[-57:]
