"""Reading a Python file without running it: libcst's tree, import names, literal values and their positions.

A Python file becomes a Document whose data is what the frameworks would send to a model (`{"tools": [...],
"prompts": {...}}`), built by `tools`; this module supplies the pieces that need no framework knowledge:
resolving names, evaluating literals, and the source map from JSON pointers back to nodes of the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from toollint.diagnostics import Anchor, Pointer, Span
from toollint.loading.positions import LineIndex


class Unresolved(NamedTuple):
    """An expression toollint cannot evaluate without running the code."""

    node: cst.CSTNode
    why: str


class Problem(NamedTuple):
    pointer: Pointer
    node: cst.CSTNode
    message: str


_MAX_NAME_DEPTH = 16
# calls whose keyword arguments are the value: `dict(...)`, MCP's annotations, litellm's OpenAI tool params
_KEYWORD_CALLS = ("dict", "ToolAnnotations", "ChatCompletionToolParam", "ChatCompletionToolParamFunctionChunk")
# Evaluation work a module may spend: nodes visited, linear in the file's size, and characters joined by `+` and
# f-strings. Constants that double each other (`A = B + B`, `B = C + C`, ...) stop with a TL006 instead of
# exhausting memory; reading a constant again costs nothing for its text, which is shared, not copied
_BUDGET_BASE = 50_000
_BUDGET_PER_CHARACTER = 8
_TEXT_BUDGET = 10_000_000


class Module:
    """One parsed module: its imports, classes and constants, positions, and the source map being built."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tree = cst.parse_module(text)
        self._positions: Any = None  # resolved on first use: it costs more than parsing
        self.lines = LineIndex(text)
        self.imports: dict[str, str] = {}  # local name -> dotted origin
        self.classes: dict[str, cst.ClassDef] = {}
        self.constants: dict[str, cst.BaseExpression] = {}
        self.problems: list[Problem] = []
        # pointer -> (key, value): the nodes a finding at the pointer points at, or a span inside a docstring
        self.nodes: dict[Pointer, tuple[cst.CSTNode | None, cst.CSTNode | Span]] = {}
        self.opaque: set[Pointer] = set()
        self.self_class: cst.ClassDef | None = None  # the class whose method is being read, for `self.name`
        self._memo: dict[tuple[str, Pointer], Any] = {}  # (constant, pointer) -> value: each evaluated once
        self._literals: dict[int, str | bytes] = {}  # id of a string node -> its value
        self._budget = _BUDGET_BASE + _BUDGET_PER_CHARACTER * len(text)
        self._text_budget = _TEXT_BUDGET + len(text)
        self._index()

    # -- module index --------------------------------------------------------------------------------------

    def _index(self) -> None:
        assigned: dict[str, int] = {}
        for statement in self.tree.body:
            if isinstance(statement, cst.ClassDef):
                self.classes[statement.name.value] = statement
            elif isinstance(statement, (cst.Try, cst.If)):
                self._index_guarded_imports(statement)
            elif isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, (cst.Import, cst.ImportFrom)):
                        self._index_import(small)
                    elif isinstance(small, (cst.Assign, cst.AnnAssign)):
                        targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
                        for target in targets:
                            if isinstance(target, cst.Name) and small.value is not None:
                                assigned[target.value] = assigned.get(target.value, 0) + 1
                                self.constants[target.value] = small.value
        for name, count in assigned.items():
            if count > 1:  # reassigned: which value holds depends on execution
                del self.constants[name]

    def _index_guarded_imports(self, statement: cst.Try | cst.If) -> None:
        """Imports under `try:` (optional dependencies) and `if TYPE_CHECKING:` name what they name at top level.

        The first binding wins: a fallback in `except ImportError:` usually stubs out what `try:` imported."""
        blocks: list[cst.BaseSuite] = [statement.body]
        if isinstance(statement, cst.Try):
            blocks += [handler.body for handler in statement.handlers]
        elif isinstance(statement.orelse, cst.Else):
            blocks.append(statement.orelse.body)
        for block in blocks:
            if not isinstance(block, cst.IndentedBlock):
                continue
            for line in block.body:
                if isinstance(line, cst.SimpleStatementLine):
                    for small in line.body:
                        if isinstance(small, (cst.Import, cst.ImportFrom)):
                            self._index_import(small, keep_first=True)

    def _index_import(self, small: cst.Import | cst.ImportFrom, keep_first: bool = False) -> None:
        found: dict[str, str] = {}
        if isinstance(small, cst.Import):
            for alias in small.names:
                dotted = _dotted(alias.name) or ""
                local = _alias_name(alias) or dotted.split(".")[0]
                found[local] = dotted if alias.asname else dotted.split(".")[0]
        elif not isinstance(small.names, cst.ImportStar):
            base = ("." * len(small.relative)) + (_dotted(small.module) or "") if small.module or small.relative else ""
            for alias in small.names:
                name = _dotted(alias.name) or ""
                found[_alias_name(alias) or name] = f"{base}.{name}" if base else name
        for local, origin in found.items():
            if not keep_first or local not in self.imports:
                self.imports[local] = origin

    def qualified(self, node: cst.BaseExpression) -> str | None:
        """`Optional` -> `typing.Optional`, `t.List` -> `typing.List`, `str` -> `str`; None when not a name."""
        dotted = _dotted(node)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        origin = self.imports.get(head)
        if origin is None:
            return dotted
        return f"{origin}.{rest}" if rest else origin

    # -- positions -----------------------------------------------------------------------------------------

    def code_range(self, node: cst.CSTNode) -> CodeRange | None:
        if self._positions is None:
            self._positions = MetadataWrapper(self.tree, unsafe_skip_copy=True).resolve(PositionProvider)
        return self._positions.get(node)  # type: ignore[no-any-return]

    def node_span(self, node: cst.CSTNode) -> Span:
        found = self.code_range(node)
        if found is None:
            return Span(1, 1, 1, 1)
        return Span(found.start.line, found.start.column + 1, found.end.line, found.end.column + 1)

    def offset(self, line: int, column: int) -> int:
        return self.lines.line_start(line) + column

    def source(self, node: cst.CSTNode) -> str:
        text = self.tree.code_for_node(node).strip()
        return text if len(text) <= 60 else text[:57] + "..."

    def place(self, pointer: Pointer, value: cst.CSTNode, key: cst.CSTNode | None = None) -> None:
        if pointer:  # () is where scratch evaluations go; it stands for no place in the file
            self.nodes.setdefault(pointer, (key, value))

    def forget(self, prefix: Pointer, problems_before: int) -> None:
        """Undo what an evaluation that turned out not to declare tools recorded under `prefix`."""
        size = len(prefix)
        for pointer in [p for p in self.nodes if p[:size] == prefix]:
            del self.nodes[pointer]
        self.opaque = {p for p in self.opaque if p[:size] != prefix}
        self._memo = {k: v for k, v in self._memo.items() if k[1][:size] != prefix or not prefix}
        del self.problems[problems_before:]

    def unresolved(self, pointer: Pointer, found: Unresolved) -> None:
        self.opaque.add(pointer)
        self.problems.append(Problem(pointer, found.node, found.why))

    # -- literal evaluation --------------------------------------------------------------------------------

    def evaluate(self, node: cst.BaseExpression, pointer: Pointer = (), depth: int = 0) -> Any:
        """The value of a literal expression, recording each element's node under its pointer.

        Names of module constants assigned once, class attributes and enum members are followed; anything
        else comes back as `Unresolved`, and inside containers the unresolved element is left out and reported.
        """
        self._budget -= 1
        if self._budget < 0:
            return Unresolved(node, f"`{self.source(node)}` is too large to evaluate")
        self.place(pointer, node)
        return self._evaluate(node, pointer, depth)

    def _evaluate(self, node: cst.BaseExpression, pointer: Pointer, depth: int) -> Any:
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            return self.string(node, depth)
        if isinstance(node, (cst.Integer, cst.Float)):
            return _number(node)
        if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
            inner = self.evaluate(node.expression, pointer, depth)
            return -inner if isinstance(inner, (int, float)) and not isinstance(inner, bool) else inner
        if isinstance(node, cst.Name):
            if node.value in ("True", "False", "None"):
                return {"True": True, "False": False, "None": None}[node.value]
            return self.constant(node, pointer, depth)
        if isinstance(node, cst.Attribute):
            return self.attribute(node, pointer, depth)
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            return self._sequence(node, pointer, depth)
        if isinstance(node, cst.Dict):
            return self._mapping(node, pointer, depth)
        if isinstance(node, cst.Call) and (self.qualified(node.func) or "").rsplit(".", 1)[-1] in _KEYWORD_CALLS:
            if all(a.keyword is not None and not a.star for a in node.args):
                return self.keywords(node, pointer, depth)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            left = self.evaluate(node.left, pointer, depth)
            if isinstance(left, Unresolved):
                return left
            right = self.evaluate(node.right, pointer, depth)
            if isinstance(right, Unresolved):
                return right
            if isinstance(left, str) and isinstance(right, str):
                return self._joined(node, [left, right])
        return Unresolved(node, f"`{self.source(node)}` is not a literal")

    def _joined(self, node: cst.BaseExpression, parts: list[str]) -> str | Unresolved:
        """Text made by `+` or an f-string, paid for by its length out of the module's budget."""
        self._text_budget -= sum(len(part) for part in parts)
        if self._text_budget < 0:
            return Unresolved(node, f"`{self.source(node)}` is too large to evaluate")
        return "".join(parts)

    def attribute(self, node: cst.Attribute, pointer: Pointer, depth: int) -> Any:
        """`Color.RED` and `Color.RED.value` (a str/int enum member is its value on the wire), a literal class
        attribute `Config.NAME`, and `self.name` inside a method of a class that assigns `name` literally."""
        owner: cst.BaseExpression = node.value
        attr = node.attr.value
        if attr == "value" and isinstance(owner, cst.Attribute):
            attr = owner.attr.value
            owner = owner.value
        cls: cst.ClassDef | None = None
        if isinstance(owner, cst.Name) and owner.value in ("self", "cls"):
            cls = self.self_class
        elif isinstance(owner, cst.Name):
            cls = self.classes.get(owner.value)
        if cls is None or depth >= _MAX_NAME_DEPTH:
            return Unresolved(node, f"`{self.source(node)}` is not a literal of this module")
        value = class_attributes(cls).get(attr)
        if value is None:
            return Unresolved(node, f"`{self.source(node)}` is not assigned a literal in class `{cls.name.value}`")
        return self.evaluate(value, pointer, depth + 1)

    def keywords(self, call: cst.Call, pointer: Pointer = (), depth: int = 0) -> dict[str, Any]:
        """`dict(a=1)` or `ToolAnnotations(readOnlyHint=True)` as a dict; unevaluable arguments are reported."""
        result: dict[str, Any] = {}
        for arg in call.args:
            if arg.keyword is None:
                continue
            key = arg.keyword.value
            self.place(pointer + (key,), arg.value, arg.keyword)
            value = self.evaluate(arg.value, pointer + (key,), depth)
            if isinstance(value, Unresolved):
                self.unresolved(pointer + (key,), value)
                if key == "description":
                    result[key] = ""  # present but unknown: the findings it causes are dropped as opaque
            else:
                result[key] = value
        return result

    def constant(self, node: cst.Name, pointer: Pointer, depth: int) -> Any:
        value = self.constants.get(node.value)
        if value is not None and depth >= _MAX_NAME_DEPTH:
            return Unresolved(node, f"`{node.value}` is defined through more than {_MAX_NAME_DEPTH} other constants")
        if value is None:
            origin = self.imports.get(node.value)
            if origin is not None:
                module = origin.removesuffix(f".{node.value}") or origin
                return Unresolved(node, f"`{node.value}` is imported from `{module}`, which toollint does not read")
            return Unresolved(node, f"`{node.value}` is not a constant of this module")
        key = (node.value, pointer)
        if key not in self._memo:  # a constant used twice at one place is evaluated once, not 2^depth times
            self._memo[key] = self.evaluate(value, pointer, depth + 1)
        return self._memo[key]

    def string(self, node: cst.BaseExpression, depth: int = 0) -> str | Unresolved:
        if isinstance(node, cst.SimpleString):
            value = self._literals.get(id(node))
            if value is None:  # libcst compiles the literal on each call: a constant read often is read once
                value = self._literals[id(node)] = node.evaluated_value
            return value if isinstance(value, str) else Unresolved(node, "a bytes literal is not text")
        if isinstance(node, cst.ConcatenatedString):
            left, right = self.string(node.left, depth), self.string(node.right, depth)
            if isinstance(left, Unresolved):
                return left
            if isinstance(right, Unresolved):
                return right
            return left + right
        if isinstance(node, cst.FormattedString):
            parts: list[str] = []
            for part in node.parts:
                if isinstance(part, cst.FormattedStringText):
                    parts.append(part.value.replace("{{", "{").replace("}}", "}"))
                    continue
                assert isinstance(part, cst.FormattedStringExpression)
                found = self.evaluate(part.expression, (), depth + 1) if part.format_spec is None else None
                if not isinstance(found, (str, int, float)) or part.conversion is not None:
                    return Unresolved(node, f"the f-string `{self.source(node)}` depends on run-time values")
                parts.append(str(found))
            text = self._joined(node, parts)
            if isinstance(text, str) and "\\" in text:
                return Unresolved(node, "f-strings with escapes are not evaluated")
            return text
        if isinstance(node, cst.Name):
            value = self.constant(node, (), depth)
            return value if isinstance(value, (str, Unresolved)) else Unresolved(node, f"`{node.value}` is not text")
        value = self.evaluate(node, (), depth)
        if isinstance(value, (str, Unresolved)):
            return value
        return Unresolved(node, f"`{self.source(node)}` is not text")

    def _sequence(self, node: cst.List | cst.Tuple | cst.Set, pointer: Pointer, depth: int) -> Any:
        result: list[Any] = []
        for element in node.elements:
            if isinstance(element, cst.StarredElement):
                return Unresolved(element, "a starred element is not a literal")
            at = pointer + (len(result),)
            value = self.evaluate(element.value, at, depth)
            if isinstance(value, Unresolved):
                self.unresolved(at, value)
                continue
            result.append(value)
        return result

    def _mapping(self, node: cst.Dict, pointer: Pointer, depth: int) -> Any:
        result: dict[str, Any] = {}
        for element in node.elements:
            if not isinstance(element, cst.DictElement):
                self.unresolved(pointer, Unresolved(element, "`**` in a dict literal is not evaluated"))
                continue
            key = self.evaluate(element.key, (), depth)
            if not isinstance(key, (str, int, float, bool)) or key is None:
                self.unresolved(
                    pointer, Unresolved(element.key, f"the key `{self.source(element.key)}` is not a literal")
                )
                continue
            key = str(key) if not isinstance(key, str) else key
            at = pointer + (key,)
            self.place(at, element.value, element.key)
            value = self.evaluate(element.value, at, depth)
            if isinstance(value, Unresolved):
                self.unresolved(at, value)
                if key == "description":
                    result[key] = ""  # present but unknown: the findings it causes are dropped as opaque
                continue
            result[key] = value
        return result

    # -- string offsets ------------------------------------------------------------------------------------

    def string_offsets(self, node: cst.CSTNode) -> list[int] | None:
        """The file offset of every character of a string literal's value, for findings inside prompts."""
        if isinstance(node, cst.ConcatenatedString):
            left, right = self.string_offsets(node.left), self.string_offsets(node.right)
            return left + right if left is not None and right is not None else None
        if not isinstance(node, cst.SimpleString):
            return None
        found = self.code_range(node)
        if found is None:
            return None
        start = self.offset(found.start.line, found.start.column)
        prefix = node.prefix
        quote = node.quote
        body_start = start + len(prefix) + len(quote)
        raw = node.value[len(prefix) + len(quote) : len(node.value) - len(quote)]
        offsets = list(_escaped_offsets(raw, "r" in prefix.lower()))
        value = node.evaluated_value
        if not isinstance(value, str) or len(offsets) != len(value):
            return None
        return [body_start + o for o in offsets]


def _number(node: cst.Integer | cst.Float) -> int | float | Unresolved:
    try:
        value = node.evaluated_value
    except (ValueError, SyntaxError):  # CPython refuses to convert integers of more than 4,300 digits
        return Unresolved(node, f"the number `{node.value[:20]}...` ({len(node.value)} digits) is too long to evaluate")
    return int(value) if isinstance(node, cst.Integer) else float(value)


def class_attributes(cls: cst.ClassDef) -> dict[str, cst.BaseExpression]:
    """The names a class body assigns once, with their values (`name = "x"`, `name: str = "x"`)."""
    found: dict[str, cst.BaseExpression] = {}
    seen: set[str] = set()
    body = cls.body.body if isinstance(cls.body, cst.IndentedBlock) else []
    for statement in body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            target: cst.BaseExpression | None = None
            value: cst.BaseExpression | None = None
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                target, value = small.targets[0].target, small.value
            elif isinstance(small, cst.AnnAssign):
                target, value = small.target, small.value
            if isinstance(target, cst.Name) and value is not None:
                if target.value in seen:
                    found.pop(target.value, None)
                else:
                    found[target.value] = value
                seen.add(target.value)
    return found


def _escaped_offsets(raw: str, is_raw: bool) -> Iterator[int]:
    """The offset in the literal's source of each character of its value."""
    i = 0
    while i < len(raw):
        if raw[i] != "\\" or is_raw:
            yield i
            i += 1
            continue
        following = raw[i + 1 : i + 2]
        if following == "\n":
            i += 2  # a line continuation adds no character
            continue
        width = {"x": 4, "u": 6, "U": 10}.get(following, 2)
        if following == "N":
            width = raw.find("}", i) - i + 1
        elif following in "01234567" and following:
            width = 2
            while width < 4 and i + width < len(raw) and raw[i + width] in "01234567":
                width += 1
        yield i
        i += max(width, 2)


def _dotted(node: cst.CSTNode | None) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = _dotted(node.value)
        return f"{head}.{node.attr.value}" if head is not None else None
    return None


def _alias_name(alias: cst.ImportAlias) -> str | None:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return None


class PythonLocator:
    """Maps pointers into the extracted tools back to the decorator, `def`, parameter or keyword they came from."""

    def __init__(self, module: Module) -> None:
        self._module = module

    def release(self) -> None:
        pass

    def _entry(self, pointer: Pointer) -> tuple[cst.CSTNode | None, cst.CSTNode | Span] | None:
        nodes = self._module.nodes
        for end in range(len(pointer), -1, -1):
            found = nodes.get(pointer[:end])
            if found is not None:
                return found
        return None

    def span(self, pointer: Pointer, anchor: Anchor = "value") -> Span:
        entry = self._entry(pointer)
        if entry is None:
            return Span(1, 1, 1, 1)
        key, value = entry
        chosen = key if anchor == "key" and key is not None else value
        return chosen if isinstance(chosen, Span) else self._module.node_span(chosen)

    def string_offsets(self, pointer: Pointer) -> list[int] | None:
        found = self._module.nodes.get(pointer)
        if found is None or isinstance(found[1], Span):
            return None
        return self._module.string_offsets(found[1])
