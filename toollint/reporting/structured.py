"""Machine formats: `json` (an array), `jsonl` (one object per line) and `github` (workflow commands)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from toollint.diagnostics import Diagnostic, Severity, to_json_pointer
from toollint.escape import github_data, github_property, json_safe, to_json

if TYPE_CHECKING:
    from toollint.engine.run import Result
    from toollint.reporting import ReportOptions


def as_dict(d: Diagnostic) -> dict[str, Any]:
    item = {
        "code": d.code,
        "name": d.name,
        "severity": d.severity.label,
        "message": d.message,
        "path": d.path,
        "line": d.span.line,
        "column": d.span.column,
        "end_line": d.span.end_line,
        "end_column": d.span.end_column,
        "pointer": to_json_pointer(d.pointer),
        "related": list(d.related),
    }
    if d.data:  # TC findings: the change's kind, level, tool, field, old and new value
        item["change"] = dict(d.data)
    return item


def render_json(result: Result, options: ReportOptions) -> str:
    # one finding per line: readable and greppable, and written by the C encoder (indent= makes json use Python's)
    if not result.diagnostics:
        return "[]\n"
    encode = json.JSONEncoder(ensure_ascii=False).encode
    return json_safe("[\n" + ",\n".join("  " + encode(as_dict(d)) for d in result.diagnostics) + "\n]\n")


def render_jsonl(result: Result, options: ReportOptions) -> str:
    encode = json.JSONEncoder(ensure_ascii=False).encode
    return json_safe("".join(encode(as_dict(d)) + "\n" for d in result.diagnostics))


def render_statistics_json(result: Result) -> str:
    """`--statistics --output-format json`: a count per rule, and what was loaded."""
    first: dict[str, Diagnostic] = {}
    for d in result.diagnostics:
        first.setdefault(d.code, d)
    rules = [
        {"code": code, "name": first[code].name, "severity": first[code].severity.label, "count": count}
        for code, count in sorted(result.counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    by_severity = {s.label: sum(1 for d in result.diagnostics if d.severity == s) for s in reversed(Severity)}
    summary = {"findings": len(result.diagnostics), **by_severity}
    loaded = {"files": result.files, "tools": result.tools, "prompts": result.prompts}
    return to_json({"rules": rules, "summary": summary, "checked": loaded}, indent=2) + "\n"


_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render_github(result: Result, options: ReportOptions) -> str:
    files: dict[str, str] = {}  # escaped once per file and per rule, not once per finding
    titles: dict[tuple[str, str], str] = {}
    lines = []
    for d in result.diagnostics:
        file = files.get(d.path) or files.setdefault(d.path, github_property(d.path))
        title = titles.get((d.code, d.name)) or titles.setdefault(
            (d.code, d.name), github_property(f"{d.code} {d.name}")
        )
        line, column, end_line, end_column = d.span
        lines.append(
            f"::{_GITHUB_LEVEL[d.severity]} file={file},line={line},col={column},endLine={end_line},"
            f"endColumn={end_column},title={title}::{github_data(d.message)}\n"
        )
    return "".join(lines)
