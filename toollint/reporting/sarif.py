"""SARIF 2.1.0 for code scanning: the rules that ran, each result with its region in code points."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from toollint.diagnostics import Severity, to_json_pointer
from toollint.engine.baseline import FINGERPRINT_KEY, Fingerprinter
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
    printer = Fingerprinter(result.documents, options.root or Path.cwd())
    # the repository of the checked files (the first one's), which may not be the current folder's
    first = next((Path(p).parent for p in result.documents if not p.startswith("mcp://")), None)
    base = repository_root(options.root, first)
    for d in result.diagnostics:
        item: dict[str, Any] = {
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": _LEVEL[d.severity],
            "message": {"text": d.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": _artifact(d.path, base),
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
        # the baseline's fingerprint: code scanning tracks a finding across edits that move its line
        item["partialFingerprints"] = {FINGERPRINT_KEY: printer.fingerprint(d)}
        if d.data:
            item["properties"] = {"change": dict(d.data)}
        if d.related:
            item["relatedLocations"] = [
                {"id": i, "message": {"text": r}, "physicalLocation": _related_location(r, base)}
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
                # code scanning resolves the artifact URIs against the checkout; %SRCROOT% is its root here
                "originalUriBaseIds": {SRCROOT: {"uri": base.as_uri() + "/"}},
                "invocations": [{"executionSuccessful": not result.internal_error}],
                "results": results,
            }
        ],
    }
    # no indentation: a large log is written by json's C encoder, ten times faster than its indenting one
    return json_safe(json.dumps(log, ensure_ascii=False)) + "\n"


SRCROOT = "%SRCROOT%"


def repository_root(root: Path | None, checked: Path | None = None) -> Path:
    """What artifact URIs are relative to: the top of the git work tree holding the checked files, else the
    config's folder, else the current folder (`root` is the config's folder or the current folder)."""
    import subprocess

    start = Path(os.path.realpath(root or Path.cwd()))
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=os.path.realpath(checked) if checked is not None and os.path.isdir(checked) else start,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return start
    found = top.stdout.strip()
    return Path(os.path.realpath(found)) if top.returncode == 0 and found else start


def _artifact(path: str, base: Path) -> dict[str, str]:
    """A file below the repository root by its relative URI (and `%SRCROOT%`), so that code scanning attaches
    the alert to the file in the checkout; others by absolute `file:` URI, a live server by its `mcp:` address."""
    if path.startswith("mcp://"):  # a URI already, its parts percent-encoded
        return {"uri": path}
    real = Path(os.path.realpath(path))
    if real.is_relative_to(base):
        # a file name that is not UTF-8 reaches us with its bytes as lone surrogates: the URI carries those bytes
        return {"uri": quote(real.relative_to(base).as_posix(), errors="surrogateescape"), "uriBaseId": SRCROOT}
    return {"uri": real.as_uri()}


def _related_location(text: str, base: Path) -> dict[str, Any]:
    head, _, column = text.rpartition(":")
    path, _, line = head.rpartition(":")
    if not (path and line.isdigit() and column.isdigit()):
        return {"artifactLocation": _artifact(text, base)}
    return {
        "artifactLocation": _artifact(path, base),
        "region": {"startLine": int(line), "startColumn": int(column)},
    }
