"""The catalog's data types. Every element keeps the file and JSON pointer it came from."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, NamedTuple

from toollint.catalog.schema_walk import MAX_SCHEMA_DEPTH, walk
from toollint.diagnostics import Pointer
from toollint.tool_shapes import ToolFormat

# one encoder for all tools: `json.dumps` with options builds a new one on every call
_encode = json.JSONEncoder(ensure_ascii=False).encode


class Parameter(NamedTuple):
    """A property of a tool's input schema, at any depth (`address.city` is nested under `address`)."""

    name: str
    qualified_name: str
    schema: Any
    pointer: Pointer
    required: bool
    depth: int


@dataclass(frozen=True)
class Tool:
    name: Any
    path: str
    pointer: Pointer  # the tool object as found in the document
    spec_pointer: Pointer  # the object that holds name/description (OpenAI chat nests it under `function`)
    format: ToolFormat
    spec: dict[str, Any]
    input_key: str | None
    output_key: tuple[str, ...] | None
    # the judgement vocabulary its risk is read with when config or a rule pack extends the built-in one; set
    # where the catalog is built (`with_vocabulary`), so every reader of `risk` agrees with the rules
    vocabulary: Any = field(default=None, compare=False, repr=False)

    @property
    def display_name(self) -> str:
        """The name for messages: shortened, since a hostile or generated name may be thousands of characters."""
        name = self.name if isinstance(self.name, str) else repr(self.name)
        return name if len(name) <= 80 else name[:77] + "..."

    @property
    def description(self) -> Any:
        return self.spec.get("description")

    @property
    def input_schema(self) -> Any:
        return self.spec.get(self.input_key) if self.input_key else None

    @property
    def input_pointer(self) -> Pointer:
        return self.spec_pointer + ((self.input_key,) if self.input_key else ())

    @cached_property
    def text(self) -> str:
        """The whole definition as one lower-cased string, for cheap substring tests before any per-field scan."""
        try:
            return _encode(self.spec).lower()
        except (TypeError, ValueError):  # YAML may hold dates or non-string keys
            return repr(self.spec).lower()

    @cached_property
    def risk(self) -> Any:
        """The tool's `RiskProfile` (risk class, approval, idempotency), computed once."""
        from toollint.catalog.risk import profile

        return profile(self, self.vocabulary)

    @cached_property
    def parameters(self) -> tuple[Parameter, ...]:
        """Properties of the input schema at any depth, through nested objects and array items."""
        return parameters_of(self.input_schema, self.input_pointer) if self.input_key else ()

    @cached_property
    def input_nodes(self) -> list[tuple[Any, Pointer]]:
        """The input schema and every subschema in it, with pointers (empty without an input schema)."""
        schema = self.input_schema
        return walk(schema, self.input_pointer) if schema is not None else []

    @cached_property
    def output_nodes(self) -> list[tuple[Any, Pointer]]:
        """The output schema and every subschema in it, with pointers (empty without an output schema)."""
        schema, pointer = self.output_schema, self.output_pointer
        return walk(schema, pointer) if schema is not None and pointer is not None else []

    @property
    def output_schema(self) -> Any:
        value: Any = self.spec
        for key in self.output_key or ():
            value = value.get(key) if isinstance(value, dict) else None
        return value if self.output_key else None

    @property
    def output_pointer(self) -> Pointer | None:
        return self.spec_pointer + self.output_key if self.output_key else None

    @property
    def meta(self) -> dict[str, Any]:
        value = self.spec.get("x-toollint")
        return value if isinstance(value, dict) else {}

    @property
    def annotations(self) -> dict[str, Any] | None:
        value = self.spec.get("annotations")
        return value if isinstance(value, dict) else None

    def at(self, *segments: str | int) -> Pointer:
        """A pointer below the tool's spec object."""
        return self.spec_pointer + segments


def with_vocabulary(tools: list[Tool], vocabulary: Any) -> list[Tool]:
    """`tools` whose risk is read with `vocabulary` (the settings' extended one); as they are when it is None."""
    if vocabulary is None:
        return tools
    return [replace(tool, vocabulary=vocabulary) for tool in tools]


class Prompt(NamedTuple):
    path: str
    pointer: Pointer  # () for a whole prompt file, else the string inside a structured document
    text: str
    role: str = "system"
    agent: str | None = None


@dataclass(frozen=True, eq=False)
class Agent:
    """A toolset and the prompts that are checked against it."""

    name: str
    tools: tuple[Tool, ...]
    prompts: tuple[Prompt, ...]
    # False for the tools a prompt sees when they span several toolsets (the prompt sits above them all):
    # cross-tool rules run once per toolset, not again on such a union
    toolset: bool = True
    # True when the tools were found two folders or more above the prompt: it may be written for other tools
    # (another part of a monorepo), so names it gets wrong are judged only if it names one of these
    assumed: bool = False
    # names the project's Python code defines (functions, classes, `name="..."` strings): a reference to one
    # may be a tool the loader could not read, so it is not judged unknown
    code_names: frozenset[str] = frozenset()
    # True when Python code in the toolset's scope declares tools toollint could not read (TL006): a name
    # missing from the toolset may be one of those, so only names close to a loaded tool's are judged
    incomplete: bool = False

    @cached_property
    def tools_by_name(self) -> dict[str, Tool]:
        return {t.name: t for t in self.tools if isinstance(t.name, str)}

    @cached_property
    def names_by_word(self) -> dict[str, list[str]]:
        """Tool names indexed by the words in them, to find close names without comparing against every tool."""
        from toollint.catalog.risk import words

        index: dict[str, list[str]] = {}
        for name in self.tools_by_name:
            for word in set(words(name)):
                index.setdefault(word.rstrip("s"), []).append(name)
        return index

    @cached_property
    def vocabulary(self) -> frozenset[str]:
        """Words a prompt may put in backticks besides tool names: parameters, output fields, enum values."""
        words: set[str] = set()
        for tool in self.tools:
            for parameter in tool.parameters:
                words.add(parameter.name)
                enum = parameter.schema.get("enum") if isinstance(parameter.schema, dict) else None
                if isinstance(enum, list):
                    words.update(v for v in enum if isinstance(v, str))
            for _, at in tool.output_nodes:
                if len(at) >= 2 and at[-2] == "properties":
                    words.add(str(at[-1]))
        return frozenset(words)


class Catalog(NamedTuple):
    tools: tuple[Tool, ...]
    prompts: tuple[Prompt, ...]
    agents: tuple[Agent, ...] = ()
    evals: tuple[Any, ...] = ()  # `catalog.evals.EvalCase`: the cases of eval suites, with their tools


def parameters_of(schema: Any, pointer: Pointer) -> tuple[Parameter, ...]:
    """Every property below an input schema, with a dotted name (`address.city`, `tags[].key`)."""
    found: list[Parameter] = []
    stack: list[tuple[Any, Pointer, str, int]] = [(schema, pointer, "", 0)]
    while stack:
        node, at, prefix, depth = stack.pop()
        if not isinstance(node, dict) or depth > MAX_SCHEMA_DEPTH:
            continue
        props = node.get("properties")
        if type(props) is dict:
            required = node.get("required")
            names = required if type(required) is list else ()
            for key, sub in props.items():
                name = key if type(key) is str else str(key)  # YAML allows `200:` as a key
                qualified = prefix + name if prefix else name
                sub_at = at + ("properties", key)
                found.append(Parameter(name, qualified, sub, sub_at, key in names, depth))
                if type(sub) is dict and ("properties" in sub or "items" in sub):
                    stack.append((sub, sub_at, qualified + ".", depth + 1))
        items = node.get("items")
        if isinstance(items, dict):
            stack.append((items, at + ("items",), prefix.rstrip(".") + "[]." if prefix else "[].", depth + 1))
    return tuple(found)
