"""Eval reports: a terminal table, JSON, JUnit XML and Markdown for a pull-request comment, all from one outcome."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape, quoteattr

from toollint import __version__

if TYPE_CHECKING:
    from toollint.eval.runner import CaseResult
    from toollint.eval.session import Outcome

FORMATS = ("text", "json", "junit", "markdown")
# control characters, ANSI escapes and bidi overrides in model output must not drive a terminal or forge CI lines
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def sanitize(text: str) -> str:
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _current(result: CaseResult) -> str:
    if result.skipped is not None:
        return "-"
    shown = f"{result.passes}/{len(result.runs)}"
    if result.errors:
        shown += f" ({result.errors} err)"
    if 0 < result.passes < len(result.runs) - result.errors:
        shown += " flaky"
    return shown


def _detail(outcome: Outcome, result: CaseResult) -> str:
    state = outcome.status_of(result)
    if result.verdict in ("fail",) or state.label in ("regression", "critical", "new-failure", "failing"):
        failure = result.first_failure
        if failure is not None:
            run, check = failure
            diff = f" [{'; '.join(check.diff)}]" if check.diff else ""
            return f"{check.id}: {check.reason}{diff} (run {run.index + 1})"
    if state.label == "error":
        return result.first_error or state.note
    failure = result.first_failure
    if failure is not None and result.verdict == "pass":  # flaky: say what failed in the runs that did
        run, check = failure
        diff = f" [{'; '.join(check.diff)}]" if check.diff else ""
        return f"{state.note + '; ' if state.note else ''}run {run.index + 1} failed {check.id}: {check.reason}{diff}"
    return state.note


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for row in rows:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(lines)


def summary_line(outcome: Outcome) -> str:
    counts = Counter(outcome.status_of(r).label for r in outcome.results)
    parts = ", ".join(f"{n} {label}" for label, n in sorted(counts.items()))
    u = outcome.usage
    replay = outcome.provider == "replay"  # the figures are those of the recorded runs
    price = f", ~${outcome.cost:.4f}" if outcome.cost is not None else ""
    sent = f"{outcome.requests} recorded turns" if replay else f"{outcome.requests} requests"
    return (
        f"{len(outcome.results)} cases: {parts}. {sent}, tokens: {u.input_tokens} input, "
        f"{u.cache_read_tokens} cache read, {u.cache_write_tokens} cache write, {u.output_tokens} output{price}; "
        f"{outcome.seconds:.1f}s. exit {outcome.exit_code}"
    )


def render_text(outcome: Outcome) -> str:
    rows = [["case", "baseline", "current", "verdict", "detail"]]
    for result in outcome.results:
        state = outcome.status_of(result)
        rows.append(
            [
                sanitize(f"{result.case.suite}/{result.case.id}"),
                state.baseline,
                _current(result),
                state.label.upper() if state.gating else state.label,
                sanitize(_detail(outcome, result)),
            ]
        )
    head = f"toollint eval: {outcome.provider}" + (f" {outcome.model}" if outcome.model else "")
    return f"{head}\n\n{_table(rows)}\n\n{summary_line(outcome)}\n"


def as_dict(outcome: Outcome) -> dict[str, Any]:
    cases = []
    for result in outcome.results:
        state = outcome.status_of(result)
        cases.append(
            {
                "suite": result.case.suite,
                "id": result.case.id,
                "file": result.case.file,
                "line": result.case.line,
                "critical": result.case.critical,
                "verdict": result.verdict,
                "status": state.label,
                "gating": state.gating,
                "baseline": state.baseline,
                "passes": result.passes,
                "runs": len(result.runs),
                "errors": result.errors,
                "min_passes": result.threshold,
                "confirmed": result.confirmed,
                "detail": _detail(outcome, result),
                "usage": result.usage.as_dict(),
                "seconds": round(sum(r.seconds for r in result.runs), 3),
                "failed_checks": sorted({c.id for r in result.runs for c in r.checks if not c.passed}),
            }
        )
    return {
        "version": 1,
        "toollint_version": __version__,
        "provider": outcome.provider,
        "model": outcome.model,
        "exit_code": outcome.exit_code,
        "cases": cases,
        "totals": {
            "cases": len(outcome.results),
            "statuses": dict(Counter(outcome.status_of(r).label for r in outcome.results)),
            "requests": outcome.requests,
            "usage": outcome.usage.as_dict(),
            "cost_usd": outcome.cost,
            "seconds": round(outcome.seconds, 3),
        },
        "warnings": outcome.warnings,
    }


def render_json(outcome: Outcome) -> str:
    return json.dumps(as_dict(outcome), indent=2, ensure_ascii=False) + "\n"


def render_junit(outcome: Outcome) -> str:
    data = as_dict(outcome)
    failures = sum(1 for c in data["cases"] if c["gating"])
    errors = sum(1 for c in data["cases"] if c["status"] == "error")
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuites name="toollint eval" tests="{len(data["cases"])}" failures="{failures}" errors="{errors}">',
        f'  <testsuite name="toollint eval" tests="{len(data["cases"])}" failures="{failures}" errors="{errors}" '
        f'time="{data["totals"]["seconds"]}">',
    ]
    for case in data["cases"]:
        name = quoteattr(sanitize(case["id"]))
        head = f'    <testcase classname={quoteattr(case["suite"])} name={name} time="{case["seconds"]}"'
        summary = sanitize(f"{case['status']} {case['passes']}/{case['runs']}: {case['detail']}")
        if case["gating"]:
            lines += [
                head + ">",
                f"      <failure message={quoteattr(summary)}>{escape(summary)}</failure>",
                "    </testcase>",
            ]
        elif case["status"] == "error":
            lines += [
                head + ">",
                f"      <error message={quoteattr(summary)}>{escape(summary)}</error>",
                "    </testcase>",
            ]
        elif case["status"] in ("unchanged", "skipped", "quarantined"):
            lines += [head + ">", f"      <skipped message={quoteattr(summary)}/>", "    </testcase>"]
        else:
            lines.append(head + "/>")
    lines += ["  </testsuite>", "</testsuites>", ""]
    return "\n".join(lines)


def _md(text: str) -> str:
    return sanitize(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(outcome: Outcome) -> str:
    verdict = {0: "passed", 1: "failed", 2: "could not run", 3: "undecided (infrastructure errors)"}[outcome.exit_code]
    lines = [
        f"### toollint eval {verdict}",
        "",
        f"Model `{outcome.model or outcome.provider}`. " + _md(summary_line(outcome)),
        "",
        "| case | baseline | current | verdict | detail |",
        "|---|---|---|---|---|",
    ]
    for result in outcome.results:
        state = outcome.status_of(result)
        label = f"**{state.label}**" if state.gating else state.label
        lines.append(
            f"| `{_md(result.case.id)}` | {state.baseline} | {_current(result)} | {label} | {_md(_detail(outcome, result))} |"
        )
    return "\n".join(lines) + "\n"


def render(outcome: Outcome, output_format: str) -> str:
    return {"text": render_text, "json": render_json, "junit": render_junit, "markdown": render_markdown}[
        output_format
    ](outcome)
