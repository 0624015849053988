"""Where subschemas live inside a JSON Schema, and a bounded walk over all of them."""

from __future__ import annotations

from typing import Any

from toollint.diagnostics import Pointer

MAX_SCHEMA_DEPTH = 64

SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})
SCHEMA_VALUES = frozenset(
    {
        "additionalProperties",
        "additionalItems",
        "contains",
        "not",
        "if",
        "then",
        "else",
        "propertyNames",
        "unevaluatedItems",
        "unevaluatedProperties",
        "contentSchema",
    }
)
SCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})


def walk(schema: Any, at: Pointer) -> list[tuple[Any, Pointer]]:
    """The schema and all its subschemas with their pointers, at most MAX_SCHEMA_DEPTH deep (in no particular order)."""
    found: list[tuple[Any, Pointer]] = []
    stack: list[tuple[Any, Pointer, int]] = [(schema, at, 0)]
    pop, push, add = stack.pop, stack.append, found.append
    while stack:
        node, here, depth = pop()
        add((node, here))
        if depth >= MAX_SCHEMA_DEPTH or type(node) is not dict:
            continue
        depth += 1
        for key, value in node.items():
            if key in SCHEMA_MAPS:
                if type(value) is dict:
                    for name, sub in value.items():
                        push((sub, here + (key, name), depth))
            elif key in SCHEMA_VALUES:
                push((value, here + (key,), depth))
            elif key in SCHEMA_LISTS or key == "items":
                if type(value) is list:
                    for i, sub in enumerate(value):
                        push((sub, here + (key, i), depth))
                elif key == "items":
                    push((value, here + (key,), depth))
    return found


MISSING: Any = object()  # what `local_ref_target` returns for a reference that leads nowhere


def local_ref_target(root: Any, ref: str) -> Any:
    """The node a local JSON-pointer `$ref` (`#/$defs/Address`) names inside `root`, or `MISSING`."""
    if ref == "#":
        return root
    if not ref.startswith("#/"):
        return MISSING
    node = root
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return MISSING
    return node
