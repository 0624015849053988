"""The change taxonomy, direction by direction: what each schema change is called and how bad it is."""

from __future__ import annotations

from typing import Any

import pytest

from toollint.diff.schemas import Comparer, Direction, normalise


def changes(direction: Direction, old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    comparer = Comparer(direction, "t")
    comparer.compare(normalise(old, ()), normalise(new, ()))
    return sorted((c.id, c.level, c.code, c.field) for c in comparer.changes)


def obj(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties, **extra}
    if required is not None:
        schema["required"] = required
    return schema


STRING = {"type": "string"}
ADDRESS = obj({"city": STRING}, ["city"])


@pytest.mark.parametrize(
    ("direction", "old", "new", "expected"),
    [
        # nested objects: the field path says where
        (
            "input",
            obj({"address": ADDRESS}),
            obj({"address": obj({"city": STRING, "zip": STRING}, ["city", "zip"])}),
            [("input-required-property-added", "breaking", "TC002", "address.zip")],
        ),
        # array items
        (
            "input",
            obj({"ids": {"type": "array", "items": {"type": "integer"}}}),
            obj({"ids": {"type": "array", "items": STRING}}),
            [("input-type-changed", "breaking", "TC004", "ids[]")],
        ),
        # mirrored: the same widening is safe for inputs and breaking for outputs
        (
            "input",
            obj({"n": {"type": "integer"}}),
            obj({"n": {"type": "number"}}),
            [("input-type-widened", "safe", "TC007", "n")],
        ),
        (
            "output",
            obj({"n": {"type": "integer"}}),
            obj({"n": {"type": "number"}}),
            [("output-type-changed", "breaking", "TC011", "n")],
        ),
        # three spellings of nullable are one
        ("input", obj({"n": {"type": ["string", "null"]}}), obj({"n": {"anyOf": [STRING, {"type": "null"}]}}), []),
        (
            "output",
            obj({"n": STRING}),
            obj({"n": {"type": ["string", "null"]}}),
            [("output-became-nullable", "breaking", "TC011", "n")],
        ),
        # composition
        (
            "input",
            obj({"v": {"anyOf": [STRING, {"type": "integer"}]}}),
            obj({"v": {"anyOf": [STRING]}}),
            [("input-branch-removed", "breaking", "TC004", "v")],
        ),
        (
            "output",
            obj({"v": {"oneOf": [ADDRESS, obj({"po_box": STRING})]}}),
            obj({"v": {"oneOf": [ADDRESS, obj({"po_box": STRING}), obj({"lat": {"type": "number"}})]}}),
            [("output-branch-added", "breaking", "TC011", "v")],
        ),
        (
            "input",
            {"allOf": [obj({"a": STRING}, ["a"]), obj({"b": STRING})]},
            obj({"a": STRING, "b": STRING}, ["a"]),
            [],
        ),
        # $ref is followed
        (
            "input",
            {"$defs": {"A": ADDRESS}, **obj({"address": {"$ref": "#/$defs/A"}})},
            {
                "$defs": {"A": obj({"city": STRING, "zip": STRING}, ["city", "zip"])},
                **obj({"address": {"$ref": "#/$defs/A"}}),
            },
            [("input-required-property-added", "breaking", "TC002", "address.zip")],
        ),
        # enums and constraints, by direction
        (
            "output",
            obj({"s": {"type": "string", "enum": ["a"]}}),
            obj({"s": {"type": "string", "enum": ["a", "b"]}}),
            [("output-enum-value-added", "risky", "TC013", "s")],
        ),
        (
            "input",
            obj({"s": {"type": "string"}}),
            obj({"s": {"type": "string", "maxLength": 10}}),
            [("input-constraint-set", "risky", "TC006", "s")],
        ),
        (
            "input",
            obj({"s": {"type": "string", "maxLength": 10}}),
            obj({"s": {"type": "string", "maxLength": 5}}),
            [("input-constraint-tightened", "breaking", "TC006", "s")],
        ),
        # removing a parameter: ignored by an open schema, rejected by a closed one
        (
            "input",
            obj({"a": STRING, "b": STRING}),
            obj({"a": STRING}),
            [("input-property-removed", "risky", "TC003", "b")],
        ),
        (
            "input",
            obj({"a": STRING, "b": STRING}, additionalProperties=False),
            obj({"a": STRING}, additionalProperties=False),
            [("input-property-removed", "breaking", "TC003", "b")],
        ),
        # declared and probable renames
        (
            "output",
            obj({"email_address": STRING}),
            obj({"email": STRING}),
            [("output-property-renamed", "breaking", "TC010", "email_address")],
        ),
        (
            "input",
            obj({"q": STRING}),
            obj({"search_text": {**STRING, "x-toollint": {"renamed_from": "q"}}}),
            [("input-property-renamed", "breaking", "TC003", "q")],
        ),
        # annotations only
        (
            "input",
            obj({"a": {**STRING, "description": "x"}}),
            obj({"a": {**STRING, "description": "y"}}),
            [("input-description-changed", "safe", "TC022", "a")],
        ),
    ],
)
def test_taxonomy(
    direction: Direction, old: dict[str, Any], new: dict[str, Any], expected: list[tuple[str, ...]]
) -> None:
    assert changes(direction, old, new) == sorted(expected)


def test_a_ref_cycle_terminates() -> None:
    cyclic = {"$defs": {"N": obj({"next": {"$ref": "#/$defs/N"}})}, **obj({"head": {"$ref": "#/$defs/N"}})}
    assert changes("input", cyclic, cyclic) == []
