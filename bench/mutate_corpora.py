"""Copy a folder of tool files and mutate a share of its tools, recording what each mutation must be reported as.

Used by tests/test_diff_corpora.py and by bench/budgets.py (the diff timing): `toollint diff ORIGINAL COPY`
must report every mutation, at its level, and nothing else.

    python bench/mutate_corpora.py ../shared/corpora /tmp/mutated   # prints the expected findings as JSON
"""

from __future__ import annotations

import json
import random
import shutil
import sys
from pathlib import Path
from typing import Any

# mutation -> (rule, severity) it must be reported as
EXPECTED = {
    "add-required-parameter": ("TC002", "error"),
    "add-optional-parameter": ("TC007", "info"),
    "retype-parameter": ("TC004", "error"),
    "remove-parameter": ("TC003", "warning"),  # an open schema: calls that still send it are ignored
    "change-description": ("TC022", "info"),
    "remove-tool": ("TC001", "error"),  # breaking, as a rename is
}


def _tool_lists(data: Any) -> list[list[Any]]:
    if isinstance(data, list):
        return [data]
    if isinstance(data, dict) and isinstance(data.get("tools"), list):
        return [data["tools"]]
    return []


def _spec(item: Any) -> dict[str, Any] | None:
    if not isinstance(item, dict):
        return None
    if item.get("type") == "function" and isinstance(item.get("function"), dict):
        item = item["function"]
    return item if isinstance(item.get("name"), str) else None


def _schema(spec: dict[str, Any]) -> dict[str, Any] | None:
    for key in ("input_schema", "inputSchema", "parameters"):
        schema = spec.get(key)
        if isinstance(schema, dict) and isinstance(schema.get("properties"), dict):
            return schema
    return None


def mutate(source: Path, target: Path, count: int | None = None, seed: int = 7) -> list[dict[str, str]]:
    """Copy `source` to `target` and mutate `count` tools (default 5% of them); return [{tool, mutation, code, severity}]."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target)
    files = sorted(target.rglob("*.json"))
    prompts = " ".join(p.read_text(errors="replace") for p in target.rglob("*.md"))
    loaded = {path: json.loads(path.read_text()) for path in files}
    names: dict[str, int] = {}
    candidates: list[tuple[Path, list[Any], int, dict[str, Any], dict[str, Any]]] = []
    for path, data in loaded.items():
        for items in _tool_lists(data):
            for index, item in enumerate(items):
                spec = _spec(item)
                if spec is not None:
                    names[spec["name"]] = names.get(spec["name"], 0) + 1
                    schema = _schema(spec)
                    if schema is not None:
                        candidates.append((path, items, index, spec, schema))
    total = sum(names.values())
    usable = [
        c
        for c in candidates
        if names[c[3]["name"]] == 1  # tools are matched by name: a duplicated name is ambiguous
        and c[3]["name"] not in prompts
        and c[4].get("additionalProperties") is not False
        and c[3].get("strict") is not True
        and any(isinstance(p, dict) and p.get("type") == "string" for p in c[4]["properties"].values())
    ]
    chosen = random.Random(seed).sample(usable, count if count is not None else round(total * 0.05))
    kinds = list(EXPECTED)
    expected: list[dict[str, str]] = []
    removals: list[tuple[list[Any], int]] = []
    for number, (_, items, index, spec, schema) in enumerate(chosen):
        kind = kinds[number % len(kinds)]
        properties = schema["properties"]
        text_param = next(n for n, p in properties.items() if isinstance(p, dict) and p.get("type") == "string")
        if kind == "add-required-parameter":
            properties["tenant_id"] = {"type": "string", "description": "Tenant that owns the data."}
            required = schema.get("required") if isinstance(schema.get("required"), list) else []
            schema["required"] = [*required, "tenant_id"]
        elif kind == "add-optional-parameter":
            properties["locale"] = {"type": "string", "description": "Language of the answer."}
        elif kind == "retype-parameter":
            properties[text_param] = {**properties[text_param], "type": "integer"}
        elif kind == "remove-parameter":
            del properties[text_param]
            if isinstance(schema.get("required"), list) and text_param in schema["required"]:
                schema["required"] = [r for r in schema["required"] if r != text_param]
        elif kind == "change-description":
            spec["description"] = f"{spec.get('description') or ''} Results are cached for an hour.".strip()
        else:
            removals.append((items, index))
        code, severity = EXPECTED[kind]
        expected.append({"tool": spec["name"], "mutation": kind, "code": code, "severity": severity})
    for items, index in sorted(removals, key=lambda r: -r[1]):
        del items[index]
    for path, data in loaded.items():
        path.write_text(json.dumps(data, indent=1) + "\n")
    return expected


if __name__ == "__main__":
    print(json.dumps(mutate(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else None)))
