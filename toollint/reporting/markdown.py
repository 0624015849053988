"""`markdown`: a report for pull-request comments — for diffs, a changelog of every change grouped by tool."""

from __future__ import annotations

import re
from itertools import groupby
from typing import TYPE_CHECKING

from toollint.diagnostics import Diagnostic, Severity
from toollint.escape import md_code, md_text

if TYPE_CHECKING:
    from toollint.engine.run import Result
    from toollint.reporting import ReportOptions

_LEVEL = {Severity.ERROR: "breaking", Severity.WARNING: "risky", Severity.INFO: "safe"}
_TOOL = re.compile(r"^`(?P<tool>[^`]+)`: (?P<rest>.*)$", re.DOTALL)


def render_markdown(result: Result, options: ReportOptions) -> str:
    changes = [d for d in result.diagnostics if d.code.startswith("TC") and _TOOL.match(d.message)]
    others = [d for d in result.diagnostics if d not in changes]
    out: list[str] = []
    if changes:
        out += _changelog(changes)
    if others:
        out += ["## Findings", "", "| severity | code | location | message |", "|---|---|---|---|"]
        out += [
            f"| {d.severity.label} | {md_text(f'{d.code} {d.name}', table=True)} "
            f"| {md_code(f'{d.path}:{d.span.line}:{d.span.column}', table=True)} | {md_text(d.message, table=True)} |"
            for d in others
        ]
        out.append("")
    if not out:
        out = ["No changes." if result.tools or result.files else "Nothing was checked.", ""]
    return "\n".join(out)


def _changelog(changes: list[Diagnostic]) -> list[str]:
    def tool(d: Diagnostic) -> str:
        match = _TOOL.match(d.message)
        return match.group("tool") if match else ""

    counts = {level: sum(1 for d in changes if _LEVEL[d.severity] == level) for level in ("breaking", "risky", "safe")}
    out = [
        "## Tool changes",
        "",
        f"{counts['breaking']} breaking, {counts['risky']} risky, {counts['safe']} safe.",
        "",
    ]
    for name, group in groupby(sorted(changes, key=lambda d: (tool(d), -d.severity, d.path, d.span.line)), key=tool):
        out += [f"### {md_code(name)}", "", "| level | change | where |", "|---|---|---|"]
        for d in group:
            match = _TOOL.match(d.message)
            text = match.group("rest") if match else d.message
            out.append(
                f"| {_LEVEL[d.severity]} | {md_text(text, table=True)} | {md_code(f'{d.path}:{d.span.line}', table=True)} |"
            )
        out.append("")
    return out
