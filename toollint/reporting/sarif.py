"""SARIF 2.1.0 for code scanning: the rules that ran, each result with its region in code points."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from toollint.diagnostics import Severity, to_json_pointer
from toollint.escape import json_safe

if TYPE_CHECKING:
    from toollint.engine.run import Result
    from toollint.reporting import ReportOptions

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
INFORMATION_URI = "https://github.com/toollint/toollint"


def render_sarif(result: Result, options: ReportOptions) -> str:
    book = options.rulebook
    used = sorted({d.code for d in result.diagnostics})
    index = {code: i for i, code in enumerate(used)}
    rules = []
    for code in used:
        rule = book.by_code[code]
        rules.append(
            {
                "id": code,
                "name": rule.name,
                "shortDescription": {"text": rule.summary},
                "fullDescription": {"text": rule.what},
                "help": {
                    "text": f"{rule.what}\n\n{rule.why}",
                    "markdown": f"**{rule.name} ({code})**\n\n{rule.what}\n\n{rule.why}",
                },
                "defaultConfiguration": {"level": _LEVEL[rule.severity]},
            }
        )
    results: list[dict[str, Any]] = []
    for d in result.diagnostics:
        item: dict[str, Any] = {
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": _LEVEL[d.severity],
            "message": {"text": d.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(d.path)},
                        "region": {
                            "startLine": d.span.line,
                            "startColumn": d.span.column,
                            "endLine": d.span.end_line,
                            "endColumn": d.span.end_column,
                        },
                    },
                    **({"logicalLocations": [{"fullyQualifiedName": to_json_pointer(d.pointer)}]} if d.pointer else {}),
                }
            ],
        }
        if d.related:
            item["relatedLocations"] = [
                {"id": i, "message": {"text": r}, "physicalLocation": _related_location(r)}
                for i, r in enumerate(d.related)
            ]
        results.append(item)
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "toollint",
                        "version": options.version,
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "invocations": [{"executionSuccessful": not result.internal_error}],
                "results": results,
            }
        ],
    }
    # no indentation: a large log is written by json's C encoder, ten times faster than its indenting one
    return json_safe(json.dumps(log, ensure_ascii=False)) + "\n"


def _related_location(text: str) -> dict[str, Any]:
    path, _, rest = text.partition(":")
    line, _, column = rest.partition(":")
    location: dict[str, Any] = {"artifactLocation": {"uri": _uri(path)}}
    if line.isdigit() and column.isdigit():
        location["region"] = {"startLine": int(line), "startColumn": int(column)}
    return location


def _uri(path: str) -> str:
    # a file name that is not UTF-8 reaches us with its bytes as lone surrogates: the URI carries those bytes
    return quote(path, errors="surrogateescape")
