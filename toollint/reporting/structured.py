"""Machine formats: `json` (an array), `jsonl` (one object per line) and `github` (workflow commands)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from toollint.diagnostics import Diagnostic, Severity, to_json_pointer

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
    return "[\n" + ",\n".join("  " + encode(as_dict(d)) for d in result.diagnostics) + "\n]\n"


def render_jsonl(result: Result, options: ReportOptions) -> str:
    return "".join(json.dumps(as_dict(d), ensure_ascii=False) + "\n" for d in result.diagnostics)


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
    return json.dumps({"rules": rules, "summary": summary, "checked": loaded}, indent=2, ensure_ascii=False) + "\n"


_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(result: Result, options: ReportOptions) -> str:
    lines = []
    for d in result.diagnostics:
        props = ",".join(
            f"{k}={_escape_property(str(v))}"
            for k, v in (
                ("file", d.path),
                ("line", d.span.line),
                ("col", d.span.column),
                ("endLine", d.span.end_line),
                ("endColumn", d.span.end_column),
                ("title", f"{d.code} {d.name}"),
            )
        )
        lines.append(f"::{_GITHUB_LEVEL[d.severity]} {props}::{_escape_data(d.message)}")
    return "".join(line + "\n" for line in lines)
