"""YAML: one parse with the libyaml loader gives both the data and node marks for exact positions.

Hostile input is stopped before it can hurt: nesting is measured on the event stream first (the
libyaml composer recurses in C and crashes on very deep documents), and alias expansion is counted
on the node graph before any rule walks the constructed data.
"""

from __future__ import annotations

from typing import Any

import yaml

from toollint.diagnostics import Anchor, Pointer, Span
from toollint.loading.positions import DuplicateKey, LineIndex

MAX_DEPTH = 500
# What aliases may expand a document to, counted as the characters of its scalars plus a few per node: a rule's
# work grows with the expanded text, not with the node count (100k aliases of one 1 MB string are 4 nodes a
# piece). An alias-free document costs at most 2.5 characters per character of text, far below the limit.
MIN_EXPANDED_SIZE = 2 << 20
EXPANSION_PER_CHARACTER = 4
NODE_COST = 4

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SCALAR_TAGS = ("null", "bool", "int", "float", "binary", "timestamp")
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _Loader(_BaseLoader):  # type: ignore[misc]
    """The safe loader, plus: every key given twice in a mapping is recorded, and a scalar that its tag's
    constructor cannot read (`2001-13-01`, `!!int abc`, an integer of 5,000 digits) is a YAML error at the
    scalar instead of a ValueError from deep inside PyYAML."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.duplicates: list[DuplicateKey] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Any:
        pairs = node.value
        if len(pairs) > 1:
            keys = [(k.tag, k.value) for k, _ in pairs if isinstance(k, yaml.ScalarNode) and k.tag != _MERGE_TAG]
            if len(set(keys)) != len(keys):
                self._record_duplicates(pairs)
        return super().construct_mapping(node, deep)

    def _record_duplicates(self, pairs: list[tuple[yaml.Node, yaml.Node]]) -> None:
        seen: dict[tuple[str, str], int] = {}
        for key, _ in pairs:
            if not isinstance(key, yaml.ScalarNode) or key.tag == _MERGE_TAG:
                continue
            offset = key.start_mark.index
            first = seen.get((key.tag, key.value))
            if first is not None:
                self.duplicates.append(DuplicateKey(key.value, offset, first))
            seen[(key.tag, key.value)] = offset


def _checked(constructor: Any, kind: str) -> Any:
    def construct(loader: Any, node: yaml.ScalarNode) -> Any:
        try:
            return constructor(loader, node)
        except (ValueError, KeyError, AttributeError, TypeError, OverflowError) as exc:
            value = str(node.value)
            if kind == "int" and sum(c.isdigit() for c in value) > 4000:
                problem = f"integer of {len(value):,} digits is too long to check; quote it if it is meant as text"
            else:
                shown = value if len(value) <= 40 else value[:40] + "…"
                detail = f" ({exc})" if type(exc) is ValueError else ""  # the others name PyYAML's internals
                problem = f"`{shown}` is not a valid {kind}{detail}; quote it if it is meant as text"
            raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark) from None

    return construct


for _kind in _SCALAR_TAGS:
    _tag = f"tag:yaml.org,2002:{_kind}"
    _Loader.add_constructor(_tag, _checked(_BaseLoader.yaml_constructors[_tag], _kind))
try:
    from yaml.cyaml import CParser as _CParser  # type: ignore[attr-defined]

    _Parser: Any = _CParser
except ImportError:  # PyYAML built without libyaml: the pure-Python composer has Python's recursion limit
    _Parser = None


class YamlParseError(Exception):
    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def _error_from(exc: yaml.YAMLError) -> YamlParseError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    message = f"{context}: {problem}" if context and problem else str(problem)
    if mark is not None:
        return YamlParseError(message, mark.line + 1, mark.column + 1)
    return YamlParseError(message)


def _check_depth(text: str) -> None:
    # Block nesting needs a new line per level and flow nesting needs a bracket per level, so
    # documents that cannot be deep skip the event scan.
    bound = text.count("\n") + text.count("[") + text.count("{") + text.count("- ")
    if bound < MAX_DEPTH or _Parser is None:
        return
    parser = _Parser(text)
    depth = 0
    try:
        while True:
            event = parser.get_event()
            if event is None or isinstance(event, yaml.StreamEndEvent):
                return
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
                    raise YamlParseError(f"nesting deeper than {MAX_DEPTH} levels is not supported", line, column)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    finally:
        parser.dispose()


def _check_expansion(roots: list[yaml.Node], text_length: int) -> None:
    """Reject alias cycles and alias bombs by measuring the documents as if every alias were expanded."""
    limit = max(MIN_EXPANDED_SIZE, EXPANSION_PER_CHARACTER * text_length)
    sizes: dict[int, int] = {}
    for root in roots:
        stack: list[tuple[yaml.Node, bool]] = [(root, False)]
        active: set[int] = set()
        while stack:
            node, children_done = stack.pop()
            key = id(node)
            if children_done:
                active.discard(key)
                own = len(node.value) if isinstance(node, yaml.ScalarNode) else 0
                size = NODE_COST + own + sum(sizes[id(c)] for c in _children(node))
                if size > limit:
                    mark = node.start_mark
                    raise YamlParseError(
                        f"aliases expand the document to more than {limit / 1_048_576:.0f} MB (an alias bomb?); "
                        "repeat less through anchors",
                        mark.line + 1,
                        mark.column + 1,
                    )
                sizes[key] = size
                continue
            if key in sizes:
                continue
            if key in active:
                mark = node.start_mark
                raise YamlParseError("an alias refers to the node that contains it", mark.line + 1, mark.column + 1)
            active.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node) if id(child) not in sizes)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def parse_yaml(text: str) -> tuple[Any, YamlLocator]:
    """Parse a YAML stream; several documents become a list, one pointer segment per document."""
    loader = _Loader(text)
    try:
        _check_depth(text)
        roots: list[yaml.Node] = []
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                roots.append(node)
        if "*" in text:
            _check_expansion(roots, len(text))
        documents = [loader.construct_document(node) for node in roots]
    except yaml.YAMLError as exc:
        raise _error_from(exc) from None
    except RecursionError:
        raise YamlParseError("nesting is too deep to parse") from None
    finally:
        loader.dispose()
    if len(roots) == 1:
        return documents[0], YamlLocator(text, roots[0], duplicates=loader.duplicates)
    return (documents or None), YamlLocator(text, None, roots, loader.duplicates)


class YamlLocator:
    def __init__(
        self,
        text: str,
        root: yaml.Node | None,
        stream: list[yaml.Node] | None = None,
        duplicates: list[DuplicateKey] | None = None,
    ) -> None:
        self.duplicates = duplicates or []  # keys given twice in a mapping; the last value is the one used
        self._root = root
        self._stream = stream or []
        self._text = text
        self._lines = LineIndex(text)

    def release(self) -> None:
        pass  # the node tree is the YAML source map itself; nothing is cached beside it

    def _span_of(self, node: yaml.Node) -> Span:
        start, end = node.start_mark, node.end_mark
        return Span(start.line + 1, start.column + 1, end.line + 1, end.column + 1)

    def _node(self, pointer: Pointer) -> yaml.Node | None:
        node = self._root
        segments = list(pointer)
        if node is None:
            if not self._stream or not segments or not isinstance(segments[0], int):
                return None
            node = self._stream[min(int(segments.pop(0)), len(self._stream) - 1)]
        for segment in segments:
            if isinstance(node, yaml.MappingNode):
                # the last of duplicate keys is the one whose value was kept
                node = next(
                    (v for k, v in reversed(node.value) if isinstance(k, yaml.ScalarNode) and k.value == str(segment)),
                    None,
                )
            elif isinstance(node, yaml.SequenceNode) and isinstance(segment, int) and 0 <= segment < len(node.value):
                node = node.value[segment]
            else:
                return None
            if node is None:
                return None
        return node

    def string_offsets(self, pointer: Pointer) -> list[int] | None:
        """For a literal block (`|`) or a one-line scalar: the text offset of each character of its value."""
        node = self._node(pointer)
        if not isinstance(node, yaml.ScalarNode):
            return None
        start, end = node.start_mark, node.end_mark
        if node.style == "|":
            offsets: list[int] = []
            lines = node.value.split("\n")
            first = start.line + 1
            raw_lines = self._text.split("\n")
            indent = next((len(r) - len(r.lstrip(" ")) for r in raw_lines[first : end.line + 1] if r.strip()), 0)
            for index, content in enumerate(lines):
                line_start = self._lines.line_start(first + index + 1) + indent
                offsets.extend(line_start + column for column in range(len(content) + 1))
            return offsets
        if (
            start.line == end.line
            and node.style in (None, "", "'", '"')
            and "\\" not in self._text[start.index : end.index]
        ):
            quote = 1 if node.style in ("'", '"') else 0
            if len(node.value) == end.index - start.index - 2 * quote:
                return [start.index + quote + i for i in range(len(node.value) + 1)]
        return None

    def span(self, pointer: Pointer, anchor: Anchor = "value") -> Span:
        node = self._root
        segments = list(pointer)
        if node is None:
            if not self._stream:
                return Span(1, 1, 1, 1)
            index = int(segments.pop(0)) if segments and isinstance(segments[0], int) else 0
            node = self._stream[min(index, len(self._stream) - 1)]
        key_node: yaml.Node | None = None
        for position, segment in enumerate(segments):
            child = key = None
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    if isinstance(k, yaml.ScalarNode) and k.value == str(segment):
                        key, child = k, v
            elif isinstance(node, yaml.SequenceNode) and isinstance(segment, int) and 0 <= segment < len(node.value):
                child = node.value[segment]
            if child is None:
                # closest existing ancestor: its key if it has one, else the first line of its value
                if key_node is not None:
                    return self._span_of(key_node)
                start = node.start_mark
                return Span(start.line + 1, start.column + 1, start.line + 1, start.column + 2)
            node, key_node = child, key
            if position == len(segments) - 1 and anchor == "key" and key is not None:
                return self._span_of(key)
        if isinstance(node, yaml.ScalarNode) or key_node is None:
            span = self._span_of(node)
            if span.end_line > span.line and isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
                return Span(span.line, span.column, span.line, span.column + 1)
            return span
        return self._span_of(node) if node.start_mark.line == node.end_mark.line else self._span_of(key_node)
