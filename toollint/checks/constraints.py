"""Constraint checks (TS005-TS013): parameters the model can fill with anything, and schemas that contradict themselves."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from toollint.catalog.model import Parameter, Tool
from toollint.catalog.risk import words
from toollint.catalog.schema_walk import MISSING, local_ref_target
from toollint.diagnostics import Violation
from toollint.lazy_pattern import lazy_compile

if TYPE_CHECKING:
    from toollint.checks.rule import RuleContext

_COMPOSITION = ("$ref", "anyOf", "oneOf", "allOf", "not")
# TS009's default; TS006 uses it too so that a parameter gets one finding, not two
CLOSED_SET_NAMES = (
    "status",
    "priority",
    "mode",
    "unit",
    "units",
    "severity",
    "level",
    "direction",
    "visibility",
    "sort",
    "order",
    "orientation",
    "gender",
    "currency",
    "tier",
)


def list_at(schema: dict[str, Any], key: str) -> list[Any]:
    value = schema.get(key)
    return value if isinstance(value, list) else []


def dict_at(schema: dict[str, Any], key: str) -> dict[str, Any]:
    value = schema.get(key)
    return value if isinstance(value, dict) else {}


_NO_TYPES: frozenset[str] = frozenset()
_ONE_TYPE: dict[str, frozenset[str]] = {}


def types_of(schema: dict[str, Any]) -> frozenset[str]:
    kind = schema.get("type")
    if type(kind) is str:
        found = _ONE_TYPE.get(kind)
        if found is None:
            found = frozenset((kind.lower() if kind.isupper() else kind,))  # Gemini writes STRING, OBJECT
            if len(_ONE_TYPE) < 64:  # the JSON types and a few misspellings; not every string a hostile file holds
                _ONE_TYPE[kind] = found
        return found
    if isinstance(kind, list):
        return frozenset(k for k in kind if isinstance(k, str))
    return _NO_TYPES


def is_instance(value: Any, kind: str) -> bool:
    """JSON Schema's notion of type, on a Python value from json/yaml."""
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool) or isinstance(value, float) and value.is_integer()
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "null":
        return value is None
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    return True  # unknown type names are TS001's business


_CONSTRAINING = frozenset(("enum", "const", *_COMPOSITION))
_BOUNDS = frozenset(("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"))


def _constrained(schema: dict[str, Any]) -> bool:
    return not _CONSTRAINING.isdisjoint(schema)


def open_ended_object(parameter: Parameter, ctx: RuleContext) -> Iterator[Violation]:
    schema = parameter.schema
    if not isinstance(schema, dict) or types_of(schema) != {"object"} or _constrained(schema):
        return
    if schema.get("properties") or schema.get("patternProperties"):
        return
    extra = schema.get("additionalProperties")
    if extra is False or (isinstance(extra, dict) and extra):
        return  # closed, or a map whose values are typed
    if _binds_a_query(parameter, ctx.tool):
        return
    # `additionalProperties: true` is what `dict[str, Any]` compiles to as well, so it is no sign of a deliberate
    # choice; the message names it so that the author who did choose it knows what is asked
    declared = " (`additionalProperties: true`)" if extra is True else ""
    yield Violation(
        parameter.pointer,
        f"object parameter `{parameter.qualified_name}` declares no `properties`{declared}, so the model may send any "
        "keys; list the properties or set `additionalProperties` to a schema",
        anchor="key",
    )


# The values bound to the placeholders of a query or template given in another parameter: the query names the
# keys, so the schema cannot list them (`run_query(query, params)`)
_BINDING_NAMES = frozenset({"params", "parameters", "variables", "vars", "bindings", "binds", "args", "arguments"})
_QUERY_WORDS = frozenset({"query", "cypher", "sql", "statement", "template", "gql", "graphql", "expression"})


def _binds_a_query(parameter: Parameter, tool: Tool | None) -> bool:
    if tool is None or parameter.depth != 0 or parameter.name.lower() not in _BINDING_NAMES:
        return False
    return any(
        p.depth == 0
        and p.name != parameter.name
        and isinstance(p.schema, dict)
        and "string" in types_of(p.schema)
        and bool(set(words(p.name)) & _QUERY_WORDS)
        for p in tool.parameters
    )


def unbounded_array(parameter: Parameter, ctx: RuleContext) -> Iterator[Violation]:
    schema = parameter.schema
    if not isinstance(schema, dict) or "array" not in types_of(schema) or _constrained(schema):
        return
    items = schema.get("items", schema.get("prefixItems"))
    if items is None or items is True or items == {}:
        yield Violation(
            parameter.pointer,
            f"array parameter `{parameter.qualified_name}` does not say what its items are; add `items`",
            anchor="key",
        )
    elif "maxItems" not in schema:
        yield Violation(
            parameter.pointer,
            f"array parameter `{parameter.qualified_name}` has no `maxItems`; the model may send any number of items",
            anchor="key",
        )


def unbounded_number(parameter: Parameter, ctx: RuleContext) -> Iterator[Violation]:
    schema = parameter.schema
    if not isinstance(schema, dict) or not types_of(schema) & {"integer", "number"} or _constrained(schema):
        return
    if not _BOUNDS.isdisjoint(schema):
        return
    name_words = words(parameter.name)
    if not set(name_words) & set(ctx.options["quantity-words"]):
        return
    if len(name_words) == 2 and name_words[1].isdigit():
        return  # num1, num2: operands of a calculation, where any value may be valid
    yield Violation(
        parameter.pointer,
        f"quantity `{parameter.qualified_name}` has no `minimum` or `maximum`; a negative or absurd value goes straight through",
        anchor="key",
    )


# "one of: a, b, c", "must be open, pending or closed", "either `asc` or `desc`", "Possible values are ..."
_LISTS = lazy_compile(
    r"\b(?:(?:is\s+|be\s+)?one\s+of|either|must\s+be|can\s+be|allowed\s+values?|possible\s+values?|valid\s+values?|"
    r"accepted\s+values?|supported\s+values?|options?\s+(?:are|is)|values?\s+(?:are|is))\b\s*[:(\[]?\s*"
    r"(?P<list>[^.;\n]{3,200})",
    re.IGNORECASE,
)
_QUOTED = lazy_compile(r"""[`'"]([^`'"\s][^`'"]{0,30})[`'"]""")
_BARE = lazy_compile(r"^[A-Za-z0-9_\-/]{1,24}$")
# "other" and "none" are real values ("early, late or other"), so they are not stop words
_STOP = frozenset({"a", "an", "the", "any", "value", "values", "string", "number", "one", "more", "such"})
# "(asc | desc)", "`draft|final`": alternatives written as a grammar, with no words around them
_PIPED = lazy_compile(r"[(`]\s*((?:[A-Za-z0-9_\-/]{1,24}\s*\|\s*)+[A-Za-z0-9_\-/]{1,24})\s*[)`]")


_LIST_MARKERS = (
    "one of",
    "either",
    "must be",
    "can be",
    "allowed",
    "possible",
    "valid",
    "accepted",
    "supported",
    "option",
    "value",
)


def _listed_values(description: str) -> list[str] | None:
    """The allowed values a description enumerates, or None when it does not clearly list any."""
    if "|" in description:
        piped = _PIPED.search(description)
        if piped:
            return [p.strip() for p in piped.group(1).split("|")]
    lowered = description.lower()
    if not any(marker in lowered for marker in _LIST_MARKERS):
        return None
    for match in _LISTS.finditer(description):
        text = match.group("list")
        quoted = _QUOTED.findall(text)
        if len(quoted) >= 2:
            return quoted
        parts = [p.strip(" `'\"()[]") for p in re.split(r",|\bor\b|\|", text)]
        parts = [p for p in parts if p]
        if len(parts) >= 2 and all(_BARE.match(p) for p in parts) and not any(p.lower() in _STOP for p in parts):
            return parts
    return None


def _enum_hint(parameter: Parameter, ctx: RuleContext) -> Violation | None:
    schema = parameter.schema
    if not isinstance(schema, dict) or _constrained(schema) or "pattern" in schema or "format" in schema:
        return None
    kinds = types_of(schema)
    if kinds and "string" not in kinds:
        return None
    description = schema.get("description")
    values = _listed_values(description) if isinstance(description, str) else None
    if values:
        shown = ", ".join(f"`{v}`" for v in values[:6])
        return Violation(
            parameter.pointer + ("description",),
            f"the description of `{parameter.qualified_name}` lists its values ({shown}) but the schema has no `enum`",
        )
    tokens = words(parameter.name)
    if tokens and tokens[-1] in ctx.options.get("closed-set-names", CLOSED_SET_NAMES):
        return Violation(
            parameter.pointer,
            f"`{parameter.qualified_name}` names a closed set of values but is a free string; declare them with `enum` "
            "(or a `pattern` for codes such as currencies)",
            anchor="key",
        )
    return None


def missing_enum(parameter: Parameter, ctx: RuleContext) -> Iterator[Violation]:
    hint = _enum_hint(parameter, ctx)
    if hint is not None:
        yield hint


# label: (names that suffice, names that need the description to confirm, confirmation)
_DANGER: dict[str, tuple[frozenset[str], frozenset[str], re.Pattern[str] | None]] = {
    "SQL": (
        frozenset({"sql"}),
        frozenset({"query", "statement"}),
        lazy_compile(r"\bsql\b|\bselect\b.+\bfrom\b", re.IGNORECASE),
    ),
    "shell command": (
        frozenset({"shell", "bash", "powershell"}),
        frozenset({"command", "cmd", "script"}),
        lazy_compile(r"\b(shell|bash|terminal|command line|execute|run)\b", re.IGNORECASE),
    ),
    "piece of code": (
        frozenset(),
        frozenset({"code", "expression", "snippet"}),  # country_code and zip_code are not code to run
        lazy_compile(r"\b(execute|evaluate|eval|run|interpret)\b", re.IGNORECASE),
    ),
    "URL": (frozenset({"url", "uri", "endpoint", "webhook", "href"}), frozenset(), None),
    "file path": (frozenset({"path", "filepath", "filename", "directory", "dir", "folder"}), frozenset(), None),
}
# A URL or a path is what the parameter holds only when the name ends with it: `url_name` is a slug and
# `path_filter` a glob.
_NAME_MUST_END = frozenset({"URL", "file path"})


# A `uri` is often an identifier ("AT URI of the post to like", an MCP resource URI); it is a URL to reach only
# when the description says something fetches or calls it.
_REACHED = lazy_compile(
    r"\b(?:fetch(?:es|ed)?|download(?:s|ed)?|requests?|crawl|scrape|visit|webhook|callback|http|https|web\s*page|"
    r"website)\b",
    re.IGNORECASE,
)


def _tool_text(tool: Tool | None) -> str:
    if tool is None:
        return ""
    description = tool.description if isinstance(tool.description, str) else ""
    return " ".join(words(tool.name)) + " " + description if isinstance(tool.name, str) else description


def danger_label(parameter: Parameter, tool: Tool | None = None) -> str | None:
    """What dangerous kind of string an unconstrained parameter takes (SQL, a URL, ...), or None."""
    found = danger(parameter, tool)
    return found[0] if found else None


def danger(parameter: Parameter, tool: Tool | None = None) -> tuple[str, str] | None:
    """What dangerous kind of string an unconstrained parameter takes (SQL, a URL, ...) and what that was inferred
    from, or None. A code or command parameter is confirmed by its own description or by its tool's
    (`execute_code`: "Execute arbitrary Python")."""
    schema = parameter.schema
    if not isinstance(schema, dict) or _constrained(schema) or "pattern" in schema:
        return None
    kinds = types_of(schema)
    if kinds and "string" not in kinds:
        return None
    name_words = words(parameter.name)
    tokens = set(name_words)
    description = str(schema["description"]) if isinstance(schema.get("description"), str) else ""
    for label, (strong, weak, confirm) in _DANGER.items():
        if label in _NAME_MUST_END:
            if name_words and name_words[-1] in strong:
                if name_words[-1] == "uri" and not _REACHED.search(description):
                    continue
                return label, f"the word `{name_words[-1]}` in its name"
        elif tokens & strong:
            return label, f"the word `{sorted(tokens & strong)[0]}` in its name"
        elif tokens & weak and confirm is not None:
            word = sorted(tokens & weak)[0]
            if confirm.search(description):
                return label, f"the word `{word}` in its name and its description"
            if parameter.depth == 0 and set(name_words) <= weak and confirm.search(_tool_text(tool)):
                return label, f"the word `{word}` in its name and the tool's description"
    return None


def dangerous_free_form_parameter(parameter: Parameter, ctx: RuleContext) -> Iterator[Violation]:
    found = danger(parameter, ctx.tool)
    if found is None:
        return
    label, evidence = found
    # code and commands cannot be listed in an `enum`: what limits them is where they run
    advice = (
        "run it in a sandbox and say so in the description, or replace it with narrower parameters"
        if label in _RUN_LABELS
        else "restrict it with `enum` or `pattern`, or replace it with narrower parameters"
    )
    yield Violation(
        parameter.pointer,
        f"`{parameter.qualified_name}` takes a {label} (inferred from {evidence}) as an unconstrained string; {advice}",
        anchor="key",
    )


_RUN_LABELS = frozenset({"shell command", "piece of code"})


_FREE_TEXT_BOUNDS = frozenset(("maxLength", "enum", "const", "pattern", "format", *_COMPOSITION))


def unbounded_string(parameter: Parameter, ctx: RuleContext) -> Iterator[Violation]:
    schema = parameter.schema
    if not isinstance(schema, dict) or types_of(schema) != {"string"} or not _FREE_TEXT_BOUNDS.isdisjoint(schema):
        return
    if danger_label(parameter, ctx.tool) is not None or _enum_hint(parameter, ctx) is not None:
        return  # TS010 or TS009 says it better
    yield Violation(
        parameter.pointer,
        f"string `{parameter.qualified_name}` has no `maxLength`, `enum`, `pattern` or `format`; the model may send "
        "text of any length",
        anchor="key",
    )


def _resolve_local(root: Any, ref: str) -> bool:
    if ref.startswith("#") and not ref.startswith("#/") and ref != "#":
        return _has_anchor(root, ref[1:])
    return local_ref_target(root, ref) is not MISSING


def _has_anchor(root: Any, name: str) -> bool:
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("$anchor") == name:
                return True
            stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, (dict, list)))
    return False


def unresolvable_ref(tool: Tool, ctx: RuleContext) -> Iterator[Violation]:
    for root, nodes in ((tool.input_schema, tool.input_nodes), (tool.output_schema, tool.output_nodes)):
        for node, at in nodes:
            ref = node.get("$ref") if isinstance(node, dict) else None
            if not isinstance(ref, str):
                continue
            if not ref.startswith("#"):
                yield Violation(
                    at + ("$ref",),
                    f"`$ref` `{ref}` points outside the schema; remote references are never fetched, and providers do not resolve them either",
                )
            elif not _resolve_local(root, ref):
                yield Violation(at + ("$ref",), f"`$ref` `{ref}` points at nothing in this schema")


def _type_problem(value: Any, schema: dict[str, Any]) -> str | None:
    kinds = types_of(schema)
    if kinds and not any(is_instance(value, k) for k in kinds):
        return f"is {_describe(value)}, not {' or '.join(sorted(kinds))}"
    enum = schema.get("enum")
    if isinstance(enum, list) and enum and value not in enum:
        return "is not one of the `enum` values"
    return None


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return f'the string "{value[:40]}"'
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return "an array" if isinstance(value, list) else "an object"


def default_type_mismatch(parameter: Parameter, ctx: RuleContext) -> Iterator[Violation]:
    schema = parameter.schema
    if not isinstance(schema, dict) or "default" not in schema:
        return
    problem = _type_problem(schema["default"], schema)
    if problem:
        yield Violation(parameter.pointer + ("default",), f"the default of `{parameter.qualified_name}` {problem}")


def enum_type_mismatch(parameter: Parameter, ctx: RuleContext) -> Iterator[Violation]:
    schema = parameter.schema
    if not isinstance(schema, dict) or not isinstance(schema.get("enum"), list):
        return
    kinds = types_of(schema)
    if not kinds:
        return
    hint = "; an `enum` of the items belongs under `items`" if kinds == {"array"} else ""
    for index, value in enumerate(schema["enum"]):
        if not any(is_instance(value, k) for k in kinds):
            yield Violation(
                parameter.pointer + ("enum", index),
                f"`enum` value {_describe(value)} of `{parameter.qualified_name}` is not {' or '.join(sorted(kinds))}{hint}",
            )
