"""GitLab Code Quality reports, SARIF fingerprints and `--statistics` as JSON, from real runs."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import REPO, lint, run_cli, settings
from toollint.reporting import ReportOptions, renderer

TOOLS = json.dumps(
    [
        {"name": "a.b", "input_schema": {"type": "object", "properties": {"q": {"type": "dict"}}}},
        {"name": "a.b", "description": "Look things up.", "input_schema": {"type": "object"}},
    ],
    indent=2,
)
# one unknown tool named twice: two findings with one baseline fingerprint
PROMPT = "You are a helper. Use the `search` tool.\nUse the `search` tool again if it fails.\n"


def render(name: str) -> tuple[list[dict[str, object]], object]:
    result = lint({"tools.json": TOOLS, "system.md": PROMPT})
    text = renderer(name)(result, ReportOptions(settings().rulebook, version="0.1.0", root=Path("/")))
    return json.loads(text), result


def test_gitlab_code_quality_report() -> None:
    issues, result = render("gitlab")
    assert len(issues) == len(result.diagnostics)  # type: ignore[attr-defined]
    for issue in issues:
        assert {"description", "check_name", "fingerprint", "severity", "location"} <= set(issue)
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        location = issue["location"]
        assert isinstance(location, dict) and isinstance(location["lines"]["begin"], int)
    # GitLab shows one issue per fingerprint: identical findings still get distinct ones
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    duplicate = next(i for i in issues if i["check_name"] == "TN004")
    assert duplicate["severity"] == "major" and duplicate["location"] == {
        "path": "tools.json",
        "lines": {"begin": 14, "end": 14},
    }
    assert [i["location"]["lines"]["begin"] for i in issues if i["check_name"] == "TP001"] == [1, 2]


def test_gitlab_fingerprints_survive_a_shifted_file(tmp_path: Path) -> None:
    (tmp_path / "tools.json").write_text(TOOLS)
    before = json.loads(run_cli("check", ".", "--output-format", "gitlab", cwd=tmp_path).stdout)
    (tmp_path / "tools.json").write_text("\n\n\n" + TOOLS)
    after = json.loads(run_cli("check", ".", "--output-format", "gitlab", cwd=tmp_path).stdout)
    assert [i["fingerprint"] for i in before] == [i["fingerprint"] for i in after]
    assert [i["location"]["lines"]["begin"] + 3 for i in before] == [i["location"]["lines"]["begin"] for i in after]


def test_sarif_partial_fingerprints() -> None:
    log, result = render("sarif")
    results = log["runs"][0]["results"]  # type: ignore[index]
    prints = [r["partialFingerprints"]["toollint/v1"] for r in results]
    assert len(prints) == len(result.diagnostics) and all(len(p) == 32 for p in prints)  # type: ignore[attr-defined]
    unknown = [r["partialFingerprints"]["toollint/v1"] for r in results if r["ruleId"] == "TP001"]
    assert len(unknown) == 2 and len(set(unknown)) == 1  # same logical place, same fingerprint


def test_statistics_honour_json() -> None:
    done = run_cli("check", "examples/postmortems", "--statistics", "--output-format", "json", cwd=REPO)
    data = json.loads(done.stdout)
    text = run_cli("check", "examples/postmortems", "--statistics", cwd=REPO).stdout
    assert data["summary"]["findings"] == sum(r["count"] for r in data["rules"]) > 0
    assert (
        data["summary"]["findings"] == data["summary"]["error"] + data["summary"]["warning"] + data["summary"]["info"]
    )
    for rule in data["rules"]:
        assert f"{rule['count']:>7}  {rule['code']:<6} {rule['name']}" in text
    assert set(data["checked"]) == {"files", "tools", "prompts"} and data["checked"]["tools"] > 0
    assert done.returncode == 1
