"""Reporting: diagnostics rendered as text, concise, json, jsonl, sarif, github, gitlab, junit or markdown, chosen by name."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from toollint.engine.rulebook import Rulebook
    from toollint.engine.run import Result


class ReportOptions(NamedTuple):
    rulebook: Rulebook
    color: bool = False
    quiet: bool = False
    version: str = ""
    root: Path | None = None  # the project root, for fingerprints (baseline, SARIF); None: the current folder


Renderer = Callable[["Result", ReportOptions], str]


def renderer(name: str) -> Renderer:
    """Import only the reporter that was asked for."""
    if name in ("text", "concise"):
        from toollint.reporting import text

        return text.render_text if name == "text" else text.render_concise
    if name in ("json", "jsonl"):
        from toollint.reporting import structured

        return structured.render_json if name == "json" else structured.render_jsonl
    if name == "sarif":
        from toollint.reporting.sarif import render_sarif

        return render_sarif
    if name == "github":
        from toollint.reporting.structured import render_github

        return render_github
    if name == "gitlab":
        from toollint.reporting.gitlab import render_gitlab

        return render_gitlab
    if name == "markdown":
        from toollint.reporting.markdown import render_markdown

        return render_markdown
    if name == "junit":
        from toollint.reporting.junit import render_junit

        return render_junit
    raise KeyError(name)
