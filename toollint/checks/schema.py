"""Schema checks (TS): is each input schema a valid JSON Schema, an object at the root, and fully typed.

TS001 checks keywords structurally against the dialect's meta-schema rules instead of running a
meta-schema validator: it is two orders of magnitude faster on thousands of tools, and its messages can
say what the author probably meant (`"dict"` → `"object"`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from toollint.catalog.model import Parameter, Tool
from toollint.catalog.schema_walk import SCHEMA_LISTS, SCHEMA_MAPS, SCHEMA_VALUES
from toollint.diagnostics import Pointer, Violation
from toollint.lazy_pattern import lazy_compile

if TYPE_CHECKING:
    from toollint.checks.rule import RuleContext

JSON_TYPES = frozenset({"array", "boolean", "integer", "null", "number", "object", "string"})
_TYPE_HINTS = {
    "dict": "object",
    "map": "object",
    "hashmap": "object",
    "object": "object",
    "json": "object",
    "float": "number",
    "double": "number",
    "decimal": "number",
    "number": "number",
    "int": "integer",
    "long": "integer",
    "integer": "integer",
    "short": "integer",
    "str": "string",
    "string": "string",
    "char": "string",
    "text": "string",
    "bool": "boolean",
    "boolean": "boolean",
    "list": "array",
    "tuple": "array",
    "array": "array",
    "arraylist": "array",
    "none": "null",
    "null": "null",
    "nil": "null",
}
_NON_NEGATIVE = (
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
    "minContains",
    "maxContains",
)
_NUMBERS = ("minimum", "maximum")
_STRINGS = (
    "$ref",
    "$id",
    "$schema",
    "$anchor",
    "$comment",
    "title",
    "description",
    "format",
    "contentMediaType",
    "contentEncoding",
)
_BOOLEANS = ("uniqueItems", "readOnly", "writeOnly", "deprecated")
_COMPOSITION = ("$ref", "anyOf", "oneOf", "allOf", "not", "$dynamicRef")
_ECMA_NAMED_GROUP = lazy_compile(r"\(\?<(?![=!])")


def dialect_of(schema: Any) -> str:
    uri = schema.get("$schema") if isinstance(schema, dict) else None
    if isinstance(uri, str):
        for marker in ("draft-04", "draft-06", "draft-07", "2019-09"):
            if marker in uri:
                return marker
    return "2020-12"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _kind(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number" if _is_number(value) else type(value).__name__
    )


def _type_problem(value: Any) -> str | None:
    names = value if isinstance(value, list) else [value]
    if isinstance(value, list) and not value:
        return "`type` is an empty list; name at least one type"
    for name in names:
        if not isinstance(name, str):
            return f"`type` must be a type name or a list of them, not {_kind(name)}"
        if name in JSON_TYPES:
            continue
        if not name.strip():
            return "`type` is empty; give a JSON Schema type such as `string` or `object`"
        hint = _TYPE_HINTS.get(name.strip().lower())
        suggestion = f"; use `{hint}`" if hint else f"; use one of {', '.join(sorted(JSON_TYPES))}"
        return f"`type` `{name}` is not a JSON Schema type{suggestion}"
    if isinstance(value, list) and len(set(value)) != len(value):
        return "`type` lists the same type twice"
    return None


def _pattern_problem(pattern: str) -> str | None:
    if "\\p" in pattern or "\\u{" in pattern:
        return None  # Unicode property escapes are valid ECMA-262 but unknown to Python's `re`
    try:
        re.compile(_ECMA_NAMED_GROUP.sub("(?P<", pattern))
    except (re.error, OverflowError) as exc:  # OverflowError: a repetition count such as `a{4294967295}`
        return f"`pattern` is not a valid regular expression: {exc}"
    except RecursionError:
        return None
    return None


def _check_type(key: str, value: Any, dialect: str) -> str | None:
    if dialect == "gemini" and isinstance(value, str) and value.isupper() and value.lower() in JSON_TYPES:
        return None  # Gemini's own `Type` names: OBJECT, STRING, INTEGER ...
    return _type_problem(value)


def _check_required(key: str, value: Any, dialect: str) -> str | None:
    if isinstance(value, bool):
        return "`required` must list property names on the parent object; `required: true` is draft-03 syntax"
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return "`required` must be an array of property names"
    if len(set(value)) != len(value):
        return "`required` names the same property twice"
    return None


def _check_enum(key: str, value: Any, dialect: str) -> str | None:
    if not isinstance(value, list):
        return f"`enum` must be an array of allowed values, not {_kind(value)}"
    if dialect == "draft-04" and not value:
        return "`enum` must not be empty"
    return None


def _check_count(key: str, value: Any, dialect: str) -> str | None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        return f"`{key}` must be a non-negative integer"
    return None


def _check_number(key: str, value: Any, dialect: str) -> str | None:
    if not _is_number(value):
        return f"`{key}` must be a number"
    if key == "multipleOf" and value <= 0:
        return "`multipleOf` must be a positive number"
    return None


def _check_exclusive(key: str, value: Any, dialect: str) -> str | None:
    if dialect == "draft-04":
        return None if isinstance(value, bool) else f"`{key}` must be a boolean in draft-04"
    if isinstance(value, bool):
        return f"`{key}` must be a number (the boolean form is draft-04); give the bound itself"
    return None if _is_number(value) else f"`{key}` must be a number"


def _check_string(key: str, value: Any, dialect: str) -> str | None:
    return None if isinstance(value, str) else f"`{key}` must be a string, not {_kind(value)}"


def _check_boolean(key: str, value: Any, dialect: str) -> str | None:
    return None if isinstance(value, bool) else f"`{key}` must be a boolean, not {_kind(value)}"


def _check_pattern(key: str, value: Any, dialect: str) -> str | None:
    return _pattern_problem(value) if isinstance(value, str) else f"`pattern` must be a string, not {_kind(value)}"


def _check_schema_map(key: str, value: Any, dialect: str) -> str | None:
    return (
        None if isinstance(value, dict) else f"`{key}` must be an object mapping names to schemas, not {_kind(value)}"
    )


def _check_schema_list(key: str, value: Any, dialect: str) -> str | None:
    return None if isinstance(value, list) and value else f"`{key}` must be a non-empty array of schemas"


def _check_items(key: str, value: Any, dialect: str) -> str | None:
    if isinstance(value, list):
        if dialect == "2020-12":
            return "`items` must be a single schema in JSON Schema 2020-12; use `prefixItems` for tuples"
        return None
    return None if isinstance(value, (dict, bool)) else f"`items` must be a schema, not {_kind(value)}"


def _check_schema(key: str, value: Any, dialect: str) -> str | None:
    return None if isinstance(value, (dict, bool)) else f"`{key}` must be a schema, not {_kind(value)}"


def _check_dependent_required(key: str, value: Any, dialect: str) -> str | None:
    if isinstance(value, dict) and all(
        isinstance(v, list) and all(isinstance(s, str) for s in v) for v in value.values()
    ):
        return None
    return "`dependentRequired` must map property names to arrays of property names"


_KEYWORD_CHECKS: dict[str, Any] = {
    "type": _check_type,
    "required": _check_required,
    "enum": _check_enum,
    "pattern": _check_pattern,
    "items": _check_items,
    "dependentRequired": _check_dependent_required,
    "exclusiveMinimum": _check_exclusive,
    "exclusiveMaximum": _check_exclusive,
    "multipleOf": _check_number,
    **{k: _check_count for k in _NON_NEGATIVE},
    **{k: _check_number for k in _NUMBERS},
    **{k: _check_string for k in _STRINGS},
    **{k: _check_boolean for k in _BOOLEANS},
    **{k: _check_schema_map for k in SCHEMA_MAPS},
    **{k: _check_schema_list for k in SCHEMA_LISTS},
    **{k: _check_schema for k in SCHEMA_VALUES},
}


# Keywords whose value is fine when it has exactly this Python type, checked before any function call.
_FAST_OK: dict[str, type] = {
    **{k: str for k in _STRINGS},
    **{k: dict for k in SCHEMA_MAPS},
    **{k: bool for k in _BOOLEANS},
    "items": dict,
    "additionalProperties": bool,
}


def schema_problems(schema: Any, at: Pointer, dialect: str) -> Iterator[tuple[Pointer, str]]:
    """Structural meta-schema problems of one schema object (not of its subschemas)."""
    if isinstance(schema, bool):
        if dialect == "draft-04":
            yield at, "boolean schemas need draft-06 or later"
        return
    if not isinstance(schema, dict):
        yield at, f"a schema must be an object, not {_kind(schema)}"
        return
    for key, value in schema.items():
        if _FAST_OK.get(key) is type(value) or (key == "type" and type(value) is str and value in JSON_TYPES):
            continue
        check = _KEYWORD_CHECKS.get(key)
        if check is not None:
            problem = check(key, value, dialect)
            if problem:
                yield at + (key,), problem


def for_gemini(tool: Tool, ctx: RuleContext) -> bool:
    """Gemini declarations, or any tool when Gemini is the only target: their schemas may use Gemini's upper-case
    type names."""
    return tool.format == "gemini" or (bool(ctx.targets) and set(ctx.targets) == {"gemini"})


def invalid_input_schema(tool: Tool, ctx: RuleContext) -> Iterator[Violation]:
    yield from schema_violations(
        tool.input_schema,
        tool.input_pointer,
        tool.input_nodes,
        f"input schema of `{tool.display_name}`",
        gemini=for_gemini(tool, ctx),
    )


def schema_violations(
    schema: Any, pointer: Pointer, nodes: list[tuple[Any, Pointer]], what: str, gemini: bool = False
) -> Iterator[Violation]:
    """TS001 and TS016: every keyword of every subschema against its dialect's rules."""
    if schema is None:
        return
    if not isinstance(schema, dict):
        yield Violation(pointer, f"{what} must be an object, not {_kind(schema)}")
        return
    dialect = "gemini" if gemini else dialect_of(schema)
    for node, at in nodes:
        for problem_at, message in schema_problems(node, at, dialect):
            yield Violation(problem_at, message)


def input_schema_not_object(tool: Tool, ctx: RuleContext) -> Iterator[Violation]:
    schema = tool.input_schema
    if tool.input_key is None:
        if tool.format in ("anthropic", "mcp"):
            yield Violation(tool.at("name"), f"tool `{tool.display_name}` has no input schema", anchor="key")
        return
    if not isinstance(schema, dict):
        return  # TS001 reports it
    kind = schema.get("type")
    if kind == "object" or (kind == "OBJECT" and for_gemini(tool, ctx)):
        return
    if kind is None:
        yield Violation(tool.input_pointer, "the input schema has no `type: object` at its root", anchor="key")
    elif isinstance(kind, str) and kind in JSON_TYPES or isinstance(kind, list):
        yield Violation(
            tool.input_pointer + ("type",), f"the input schema's root is `{kind}`; tool inputs must be `type: object`"
        )


def _declared_names(schema: dict[str, Any]) -> set[str] | None:
    """Property names declared on this object and its composition branches; None if any name is allowed."""
    names: set[str] = set()
    for node in [schema, *[b for k in ("allOf", "anyOf", "oneOf") for b in schema.get(k) or () if isinstance(b, dict)]]:
        props = node.get("properties")
        if isinstance(props, dict):
            names |= set(props)
        if node.get("patternProperties") or "$ref" in node:
            return None
    return names


def unknown_required_property(tool: Tool, ctx: RuleContext) -> Iterator[Violation]:
    schema = tool.input_schema
    if not isinstance(schema, dict):
        return
    for node, at in tool.input_nodes:
        if not isinstance(node, dict):
            continue
        required = node.get("required")
        if not isinstance(required, list) or not required:
            continue
        names = _declared_names(node)
        if names is None:
            continue
        for index, name in enumerate(required):
            if isinstance(name, str) and name not in names:
                if names:
                    close = _closest(name, names)
                    hint = f"; did you mean `{close}`?" if close else ""
                    message = f"`required` names `{name}`, which is not a property{hint}"
                else:
                    message = f"`required` names `{name}`, but the schema defines no `properties`"
                yield Violation(at + ("required", index), message)


def _closest(word: str, choices: set[str]) -> str | None:
    import difflib

    close = difflib.get_close_matches(word, sorted(map(str, choices)), n=1, cutoff=0.6)
    return close[0] if close else None


def untyped_parameter(parameter: Parameter, ctx: RuleContext) -> Iterator[Violation]:
    schema = parameter.schema
    if schema is True or schema == {}:
        yield Violation(
            parameter.pointer,
            f"parameter `{parameter.qualified_name}` accepts any value; give it a `type`",
            anchor="key",
        )
        return
    if not isinstance(schema, dict):
        return  # TS001 reports non-schemas
    if "type" in schema or "enum" in schema or "const" in schema or any(k in schema for k in _COMPOSITION):
        return
    yield Violation(
        parameter.pointer,
        f"parameter `{parameter.qualified_name}` has no `type`, `enum`, `const`, `$ref` or composition",
        anchor="key",
    )
