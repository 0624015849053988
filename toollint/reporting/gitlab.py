"""GitLab Code Quality: the JSON report a merge request widget reads (`artifacts: reports: codequality`)."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toollint.diagnostics import Severity
from toollint.engine.baseline import Fingerprinter
from toollint.escape import to_json

if TYPE_CHECKING:
    from toollint.engine.run import Result
    from toollint.reporting import ReportOptions

# GitLab's scale is info, minor, major, critical, blocker; toollint's errors fail the gate, as `major` does there
_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def render_gitlab(result: Result, options: ReportOptions) -> str:
    printer = Fingerprinter(result.documents, options.root or Path.cwd())
    seen: Counter[str] = Counter()
    issues: list[dict[str, Any]] = []
    for d in result.diagnostics:
        fingerprint = printer.fingerprint(d)
        seen[fingerprint] += 1
        if seen[fingerprint] > 1:
            # GitLab keeps one issue per fingerprint; the n-th of identical findings gets its own, stable one
            fingerprint = hashlib.sha256(f"{fingerprint}:{seen[fingerprint]}".encode()).hexdigest()[:32]
        issues.append(
            {
                "type": "issue",
                "description": d.message,
                "check_name": d.code,
                "categories": ["Style" if d.severity == Severity.INFO else "Bug Risk"],
                "fingerprint": fingerprint,
                "severity": _SEVERITY[d.severity],
                "location": {"path": d.path, "lines": {"begin": d.span.line, "end": d.span.end_line}},
            }
        )
    return to_json(issues, indent=2) + "\n"
