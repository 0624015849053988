"""TC findings carry the change as data in json / jsonl / sarif: kind, level, tool, field, old and new value."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import SHARED, run_cli

OLD = {
    "tools": [
        {
            "name": "get_order",
            "description": "Get an order by id.",
            "input_schema": {
                "type": "object",
                "properties": {
                    "order_id": {"type": "string"},
                    "filter": {"$ref": "#/$defs/Filter"},
                },
                "required": ["order_id"],
                "$defs": {"Filter": {"type": "object", "properties": {"status": {"enum": ["open", "closed"]}}}},
            },
        },
        {"name": "drop_me", "description": "Drop it.", "input_schema": {"type": "object"}},
        {"name": "list_items", "description": "List items.", "input_schema": {"type": "object"}},
    ]
}


def new_version() -> dict[str, Any]:
    new = json.loads(json.dumps(OLD))
    get_order = new["tools"][0]
    get_order["description"] = "Get one order by its id."
    get_order["input_schema"]["properties"]["order_id"] = {"type": "integer"}
    get_order["input_schema"]["$defs"]["Filter"]["properties"]["status"]["enum"] = ["open"]
    new["tools"][1:] = [{"name": "find_items", "description": "List items.", "input_schema": {"type": "object"}}]
    return new


def changes(tmp_path: Path, fmt: str = "json") -> list[dict[str, Any]]:
    for side, data in (("old", OLD), ("new", new_version())):
        (tmp_path / side).mkdir()
        (tmp_path / side / "tools.json").write_text(json.dumps(data, indent=2))
    done = run_cli("diff", "old", "new", "--output-format", fmt, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    if fmt == "jsonl":
        return [json.loads(line) for line in done.stdout.splitlines()]
    return json.loads(done.stdout)


def test_each_change_carries_its_facts(tmp_path: Path) -> None:
    found = {item["change"]["kind"]: item for item in changes(tmp_path)}
    assert found["input-type-changed"]["change"] == {
        "kind": "input-type-changed",
        "level": "breaking",
        "tool": "get_order",
        "field": "order_id",
        "old": {"type": "string"},
        "new": {"type": "integer"},
    }
    # through a `$ref`, to the field's own schema
    enum = found["input-enum-value-removed"]["change"]
    assert (enum["field"], enum["old"], enum["new"]) == (
        "filter.status",
        {"enum": ["open", "closed"]},
        {"enum": ["open"]},
    )
    description = found["tool-description-changed"]["change"]
    assert (description["level"], description["old"], description["new"]) == (
        "safe",
        "Get an order by id.",
        "Get one order by its id.",
    )
    assert found["tool-renamed"]["change"]["old"] == "list_items"
    assert found["tool-renamed"]["change"]["new"] == "find_items"
    removed = found["tool-removed"]["change"]
    assert (removed["tool"], removed["level"], removed["old"], removed["new"]) == (
        "drop_me",
        "breaking",
        "drop_me",
        None,
    )
    assert found["tool-removed"]["severity"] == "error"  # the level decides the severity, as before


def test_jsonl_and_sarif_carry_it_too(tmp_path: Path) -> None:
    lines = changes(tmp_path, "jsonl")
    assert all(item["change"]["level"] in ("breaking", "risky", "safe") for item in lines)
    log = json.loads(run_cli("diff", "old", "new", "--output-format", "sarif", cwd=tmp_path).stdout)
    schema = SHARED / "schemas" / "sarif-schema-2.1.0.json"
    if schema.is_file():
        jsonschema = pytest.importorskip("jsonschema")
        jsonschema.validate(log, json.loads(schema.read_text()))
    kinds = {r["properties"]["change"]["kind"] for r in log["runs"][0]["results"]}
    assert {"input-type-changed", "tool-renamed", "tool-removed"} <= kinds


def test_other_findings_have_no_change_key(tmp_path: Path) -> None:
    (tmp_path / "tools.json").write_text(json.dumps(OLD))
    items = json.loads(run_cli("check", ".", "--output-format", "json", cwd=tmp_path).stdout)
    assert items and all("change" not in item for item in items)
