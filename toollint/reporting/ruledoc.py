"""Rule documentation rendered from the YAML catalog: what / why / example / use instead / options."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from toollint.checks.rule import Example, RuleSpec
from toollint.engine.rulebook import Rulebook
from toollint.escape import visible, visible_lines

_FENCE = {".json": "json", ".jsonl": "json", ".yaml": "yaml", ".yml": "yaml", ".md": "markdown"}


def _example(example: Example) -> list[str]:
    lines: list[str] = []
    for name, source in example.files():
        language = _FENCE.get(Path(name).suffix, "")
        fence = "`" * max([3, *(len(run) + 1 for run in re.findall("`+", source))])  # longer than any run inside
        lines += [f"`{visible(name)}`:", f"{fence}{language}", visible_lines(source.rstrip()), fence]
    return lines


def render_rule(rule: RuleSpec, book: Rulebook) -> str:
    presets = [
        name
        for name, preset in sorted(book.presets.items())
        if rule.code in _expand_all(book, preset.select) - _expand_all(book, preset.ignore)
    ]
    lines = [
        f"# {visible(rule.name)} ({visible(rule.code)})",
        "",
        f"Default severity: {rule.severity.label}"
        + (f" ({rule.write_severity.label} on write tools)" if rule.write_severity else "")
        + f" · Checks each: {visible(rule.target)} · "
        f"Presets: {visible(', '.join(presets)) or 'none'}",
        "",
        visible(rule.summary) + ".",
        "",
        "## What it does",
        visible_lines(rule.what),
        "",
        "## Why is this bad?",
        visible_lines(rule.why),
    ]
    if rule.bad:
        lines += ["", "## Example", *_example(rule.bad[0])]
    if rule.good:
        lines += ["", "Use instead:", *_example(rule.good[0])]
    lines += ["", "## Options"]
    if rule.options:
        lines += ["| option | type | default | description |", "|---|---|---|---|"]
        lines += [
            f"| `{visible(o.name)}` | {visible(o.type)} | `{visible(json.dumps(o.default))}` | {visible(o.description)} |"
            for o in rule.options
        ]
    else:
        lines.append("None.")
    if rule.known_problems:
        lines += ["", "## Known problems", visible_lines(rule.known_problems)]
    lines += [
        "",
        "## Suppression",
        f"`# toollint: ignore[{rule.code}] reason` (YAML), `<!-- toollint: ignore[{rule.code}] reason -->` (Markdown), "
        f"`x-toollint: {{ignore: [{{code: {rule.code}, reason: ...}}]}}` (JSON), or `per-file-ignores` in the config.",
    ]
    return "\n".join(lines) + "\n"


def _expand_all(book: Rulebook, selectors: Any) -> set[str]:
    codes: set[str] = set()
    for selector in selectors:
        codes |= book.expand(selector)
    return codes


def rule_as_dict(rule: RuleSpec) -> dict[str, Any]:
    return {
        "code": rule.code,
        "name": rule.name,
        "severity": rule.severity.label,
        "target": rule.target,
        "summary": rule.summary,
        "what": rule.what,
        "why": rule.why,
        "options": [
            {"name": o.name, "type": o.type, "default": o.default, "description": o.description} for o in rule.options
        ],
        "examples": {
            "bad": [{"file": e.file, "source": e.source} for e in rule.bad],
            "good": [{"file": e.file, "source": e.source} for e in rule.good],
        },
    }


def render_rule_list(book: Rulebook) -> str:
    rows = [f"{'code':<6} {'name':<34} {'severity':<8} summary"]
    for code in sorted(book.by_code):
        rule = book.by_code[code]
        rows.append(f"{visible(code):<6} {visible(rule.name):<34} {rule.severity.label:<8} {visible(rule.summary)}")
    return "\n".join(rows) + "\n"
