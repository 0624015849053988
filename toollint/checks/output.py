"""Output-schema checks (TS014-TS017): response shapes the model reads, and whether they are declared at all."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from toollint.catalog.model import Tool
from toollint.catalog.risk import words
from toollint.checks.constraints import types_of
from toollint.checks.schema import schema_violations
from toollint.diagnostics import Pointer, Violation
from toollint.lazy_pattern import lazy_compile

if TYPE_CHECKING:
    from toollint.checks.rule import RuleContext

_POSITIONAL = lazy_compile(
    r"\b(first|second|third|last)\b[^.]{0,40}\b(is|are|then|followed)\b|\bindex\s*[0-9]\b|\b(in|by)\s+(billing|ranking|the same|positional)\s+order\b"
    r"|\bordered\s+by\b|\bposition\s+(\d|of)\b",
    re.IGNORECASE,
)


def invalid_output_schema(tool: Tool, ctx: RuleContext) -> Iterator[Violation]:
    pointer = tool.output_pointer
    if pointer is not None:
        yield from schema_violations(
            tool.output_schema, pointer, tool.output_nodes, f"output schema of `{tool.display_name}`"
        )


def missing_output_schema(tool: Tool, ctx: RuleContext) -> Iterator[Violation]:
    if tool.output_key is None:
        yield Violation(
            tool.at("name"),
            f"`{tool.display_name}` declares no response shape (`outputSchema`, `output_schema` or "
            "`x-toollint.output_schema`), so examples of its responses in prompts cannot be checked",
            anchor="key",
        )


def _scalar_items(schema: dict[str, Any]) -> bool:
    items = schema.get("items")
    return not isinstance(items, dict) or not ({"object", "array"} & types_of(items)) and "properties" not in items


def positional_output_array(tool: Tool, ctx: RuleContext) -> Iterator[Violation]:
    for node, at in tool.output_nodes:
        if not isinstance(node, dict):
            continue
        if "prefixItems" in node or isinstance(node.get("items"), list):
            key = "prefixItems" if "prefixItems" in node else "items"
            yield Violation(
                at + (key,),
                "the output is a tuple: the meaning of each element depends on its position; return an object with named fields",
            )
            continue
        if "array" not in types_of(node) or not _scalar_items(node):
            continue
        texts = [
            node.get("description"),
            node.get("items", {}).get("description") if isinstance(node.get("items"), dict) else None,
        ]
        if any(isinstance(t, str) and _POSITIONAL.search(t) for t in texts):
            yield Violation(
                at,
                "the output array carries meaning by position (its description says what each position is); "
                'return objects with named fields such as `{"role": "host", "name": ...}`',
                anchor="key",
            )


def _id_parameter(tool: Tool) -> str | None:
    for parameter in tool.parameters:
        if parameter.depth != 0 or not isinstance(parameter.schema, dict) or "array" not in types_of(parameter.schema):
            continue
        tokens = words(parameter.name)
        if tokens and tokens[-1] in ("ids", "keys", "identifiers", "skus", "urls", "emails"):
            return parameter.name
    return None


def _record_arrays(schema: Any, at: Pointer) -> Iterator[tuple[dict[str, Any], Pointer]]:
    """Arrays of objects at the root of the output or one property down."""
    candidates: list[tuple[Any, Pointer]] = [(schema, at)]
    if isinstance(schema, dict) and isinstance(schema.get("properties"), dict):
        candidates += [(sub, at + ("properties", name)) for name, sub in schema["properties"].items()]
    for node, here in candidates:
        if isinstance(node, dict) and "array" in types_of(node):
            items = node.get("items")
            if isinstance(items, dict) and isinstance(items.get("properties"), dict):
                yield items, here + ("items",)


def _identifies(name: str, id_parameter: str) -> bool:
    tokens = words(name)
    singular = words(id_parameter)[:-1]
    return bool(tokens) and (
        tokens[-1] in ("id", "key", "identifier", "sku", "url", "email") or tokens == (*singular, "id")
    )


def uncorrelated_batch_output(tool: Tool, ctx: RuleContext) -> Iterator[Violation]:
    id_parameter = _id_parameter(tool)
    pointer = tool.output_pointer
    if id_parameter is None or pointer is None:
        return
    for items, at in _record_arrays(tool.output_schema, pointer):
        if not any(_identifies(str(name), id_parameter) for name in items["properties"]):
            singular = "_".join((*words(id_parameter)[:-1], "id"))
            yield Violation(
                at,
                f"`{tool.display_name}` takes a list of `{id_parameter}` and returns a list of records with no field that "
                f"says which id each record answers; add `{singular}` to each record, since results may not come back in order",
                anchor="key",
            )
