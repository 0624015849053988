"""Human formats: `text` (grouped by file, the source line with a caret, a summary) and `concise` (one line each)."""

from __future__ import annotations

from itertools import groupby
from operator import attrgetter
from typing import TYPE_CHECKING

from toollint.diagnostics import Diagnostic, Severity
from toollint.escape import escape, visible

if TYPE_CHECKING:
    from toollint.engine.run import Result
    from toollint.loading.document import Document
    from toollint.reporting import ReportOptions

_COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}
_WINDOW = 100  # characters of a long source line shown around the finding


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(result: Result) -> str:
    checked = f"checked {_plural(result.tools, 'tool')} and {_plural(result.prompts, 'prompt')} in {_plural(result.files, 'file')}"
    if not result.diagnostics:
        return f"No problems found; {checked}."
    by = {s: sum(1 for d in result.diagnostics if d.severity == s) for s in Severity}
    parts = [
        _plural(by[Severity.ERROR], "error"),
        _plural(by[Severity.WARNING], "warning"),
        f"{by[Severity.INFO]} info",
    ]
    files = len({d.path for d in result.diagnostics})
    return f"Found {_plural(len(result.diagnostics), 'problem')} ({', '.join(parts)}) in {_plural(files, 'file')}; {checked}."


def _excerpt(document: Document | None, d: Diagnostic, color: bool) -> list[str]:
    line_number, column, end_line, end_column = d.span
    if document is None or document.kind == "text" and line_number == 1 and column == 1 and not d.pointer:
        return []
    line = document.source_line(line_number)
    if not line or line.isspace():
        return []
    start = column - 1
    end = end_column - 1 if end_line == line_number else len(line)
    if end <= start:
        end = start + 1
    if len(line) > _WINDOW:
        offset = max(0, min(start - 20, len(line) - _WINDOW))
        line = ("…" if offset else "") + line[offset : offset + _WINDOW] + ("…" if offset + _WINDOW < len(line) else "")
        shift = 1 if offset else 0
        start, end = start - offset + shift, min(end - offset + shift, len(line))
    number = str(line_number)
    if "\t" in line:
        line = line.replace("\t", " ")
    if not line.isprintable() or "##[" in line:  # escapes widen what they replace: place the caret on the result
        start, end, line = len(escape(line[:start])), len(escape(line[:end])), escape(line)
    marker = " " * start + "^" * max(1, end - start)
    if not color:
        return [f"    {number} | {line}", f"    {' ' * len(number)} | {marker}"]
    return [
        _paint(f"    {number} | ", "2", color) + line,
        _paint(f"    {' ' * len(number)} | ", "2", color) + _paint(marker, _COLORS[d.severity], color),
    ]


def render_text(result: Result, options: ReportOptions) -> str:
    color = options.color
    levels = {s: _paint(f"{s.label:<7}", _COLORS[s], color) for s in Severity}
    out: list[str] = []
    for path, group in groupby(result.diagnostics, key=attrgetter("path")):
        document = result.documents.get(path)
        out.append(_paint(visible(path), "1", color))
        for d in group:
            where = f"{d.span.line}:{d.span.column}"
            code, name = visible(d.code), visible(d.name)  # a rule pack's code and name are user text too
            if color:
                code, name = _paint(code, "1", color), _paint(name, "2", color)
            out.append(f"  {where:<8} {levels[d.severity]} {code}  {visible(d.message)}  {name}")
            out += _excerpt(document, d, color)
            if d.related:
                out += [f"    = note: see {visible(r)}" for r in d.related]
        out.append("")
    if not options.quiet:
        out.append(summary(result))
    return "\n".join(out) + ("\n" if out else "")


def render_concise(result: Result, options: ReportOptions) -> str:
    paths: dict[str, str] = {}  # escaped once per file
    lines = [
        f"{paths.get(d.path) or paths.setdefault(d.path, visible(d.path))}:{d.span.line}:{d.span.column}: "
        f"{visible(d.code)} [{d.severity.label}] {visible(d.message)}"
        for d in result.diagnostics
    ]
    if not options.quiet:
        lines.append(summary(result))
    return "\n".join(lines) + "\n"


def render_statistics(result: Result) -> str:
    first: dict[str, Diagnostic] = {}
    for d in result.diagnostics:
        first.setdefault(d.code, d)
    rows = [f"{'count':>7}  {'code':<6} {'name':<34} severity"]
    for code, count in sorted(result.counts.items(), key=lambda kv: (-kv[1], kv[0])):
        d = first[code]
        rows.append(f"{count:>7}  {visible(code):<6} {visible(d.name):<34} {d.severity.label}")
    rows.append(summary(result))
    return "\n".join(rows) + "\n"
