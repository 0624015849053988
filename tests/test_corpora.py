"""Smoke test on 3,700 real tool definitions: no traceback, exit 1, and every tool loaded."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_cli


def count_tools(corpora: Path) -> int:
    """Independent of toollint: BFCL and ToolBench files are arrays of tools, github-mcp-server one tool per file."""
    total = 0
    for path in corpora.rglob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        total += len(data) if isinstance(data, list) else 1
    return total


def test_corpora_statistics_count_every_tool(corpora: Path) -> None:
    done = run_cli("check", str(corpora), "--statistics")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    expected = count_tools(corpora)
    assert f"checked {expected} tools" in done.stdout, done.stdout[-300:]


def test_corpora_oddities_are_findings(corpora: Path) -> None:
    done = run_cli("check", str(corpora), "--output-format", "json")
    findings = json.loads(done.stdout)
    by_code: dict[str, int] = {}
    for d in findings:
        by_code[d["code"]] = by_code.get(d["code"], 0) + 1
    assert by_code["TN001"] == 1335  # the dotted BFCL names the corpus README counts
    assert any(d["code"] == "TS001" and "`dict`" in d["message"] for d in findings)
    assert "TL005" not in by_code and "TL001" not in by_code


def test_corpora_every_output_format(corpora: Path) -> None:
    for fmt in ("text", "concise", "jsonl", "sarif", "github", "junit"):
        done = run_cli("check", str(corpora / "github-mcp-server"), "--output-format", fmt, "--exit-zero")
        assert done.returncode == 0 and "Traceback" not in done.stderr, (fmt, done.stderr)
