"""Baselines: record today's findings, then fail only on new ones, whatever moves around them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import run_cli, settings
from toollint.engine.baseline import Fingerprinter, normalise_message
from toollint.engine.run import check_paths

TOOLS = {
    "tools": [
        {"name": "lookup_order", "description": "Look up an order by its id.", "input_schema": {"type": "object"}},
        {
            "name": "refund_order",
            "description": "Refund an order.",
            "input_schema": {"type": "object", "properties": {"order_id": {"type": "string"}}},
        },
    ]
}
PROMPT = "You are a support agent. Use the `get_customer` tool to find the customer.\n"


def project(tmp_path: Path, prompt: str = PROMPT) -> Path:
    (tmp_path / "tools.json").write_text(json.dumps(TOOLS, indent=2))
    (tmp_path / "system.md").write_text(prompt)
    return tmp_path


def check(tmp_path: Path, *args: str) -> tuple[int, list[dict[str, object]], str]:
    done = run_cli("check", ".", "--output-format", "json", *args, cwd=tmp_path)
    return done.returncode, json.loads(done.stdout or "[]"), done.stderr


def test_new_findings_only_and_line_shifts_do_not_resurrect_old_ones(tmp_path: Path) -> None:
    project(tmp_path)
    written = run_cli("check", ".", "--write-baseline", "baseline.json", cwd=tmp_path)
    assert written.returncode == 0 and written.stdout == ""
    assert "wrote baseline.json: " in written.stderr
    assert check(tmp_path, "--baseline", "baseline.json")[:2] == (0, [])

    # the file moves down, its tools swap places, and the description of a tool grows: nothing is new
    data = json.loads(json.dumps(TOOLS))
    data["tools"].reverse()
    data["tools"][0]["description"] = "Refund an order now."
    (tmp_path / "tools.json").write_text("\n\n" + json.dumps(data, indent=4))
    (tmp_path / "system.md").write_text("\n" + PROMPT)
    assert check(tmp_path, "--baseline", "baseline.json")[:2] == (0, [])

    # one defect: exactly it is reported
    data["tools"][1]["input_schema"]["required"] = ["order_number"]
    (tmp_path / "tools.json").write_text(json.dumps(data, indent=4))
    code, items, _ = check(tmp_path, "--baseline", "baseline.json")
    assert code == 1
    assert [(i["code"], i["pointer"]) for i in items] == [("TS003", "/tools/1/input_schema/required/0")]


def test_identical_fingerprints_are_counted(tmp_path: Path) -> None:
    # the same unknown tool named twice in a prompt: two findings with one fingerprint
    twice = PROMPT + "Use the `get_customer` tool again if that fails.\n"
    project(tmp_path, twice)
    run_cli("check", ".", "--write-baseline", "baseline.json", cwd=tmp_path)
    entry = next(e for e in json.loads((tmp_path / "baseline.json").read_text())["findings"] if e["code"] == "TP001")
    assert entry["count"] == 2 and entry["path"] == "system.md"

    (tmp_path / "system.md").write_text(twice + "Use the `get_customer` tool, never guess.\n")
    code, items, _ = check(tmp_path, "--baseline", "baseline.json")
    assert code == 1 and [(i["code"], i["line"]) for i in items] == [("TP001", 3)]


def test_entries_that_no_longer_occur_are_listed_and_do_not_fail(tmp_path: Path) -> None:
    project(tmp_path)
    run_cli("check", ".", "--write-baseline", "baseline.json", cwd=tmp_path)
    (tmp_path / "system.md").write_text("You are a support agent. Use the `lookup_order` tool.\n")
    code, items, stderr = check(tmp_path, "--baseline", "baseline.json")
    assert code == 0 and items == []
    assert "1 finding is in baseline `baseline.json` but no longer occurs" in stderr
    assert "system.md: TP001 `get_customer`" in stderr
    assert "--write-baseline baseline.json" in stderr


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "baseline `missing.json` does not exist"),
        ("{not json", "baseline `missing.json` is not valid JSON"),
        ('{"version": 7, "findings": []}', "`missing.json` is not a version 1 toollint baseline"),
        ('{"version": 1, "findings": [{"count": 2}]}', "entry 0 has no valid `fingerprint`"),
    ],
)
def test_missing_or_corrupt_baseline_is_a_clean_error(tmp_path: Path, content: str | None, expected: str) -> None:
    project(tmp_path)
    if content is not None:
        (tmp_path / "missing.json").write_text(content)
    done = run_cli("check", ".", "--baseline", "missing.json", cwd=tmp_path)
    assert done.returncode == 2 and expected in done.stderr and "Traceback" not in done.stderr


def test_baseline_from_config(tmp_path: Path) -> None:
    project(tmp_path)
    (tmp_path / ".toollint.yaml").write_text("baseline: known/toollint-baseline.json\n")
    (tmp_path / "known").mkdir()
    assert run_cli("check", ".", "--write-baseline", "known/toollint-baseline.json", cwd=tmp_path).returncode == 0
    # run from a sub-folder: the baseline is found next to the config, and paths are the project's
    (tmp_path / "sub").mkdir()
    done = run_cli("check", "..", cwd=tmp_path / "sub")
    assert done.returncode == 0, done.stdout
    (tmp_path / ".toollint.yaml").write_text("baseline: [a]\n")
    done = run_cli("check", ".", cwd=tmp_path)
    assert done.returncode == 2 and "`baseline` must be the path of a baseline file" in done.stderr


def test_sarif_carries_the_baseline_fingerprint(tmp_path: Path) -> None:
    project(tmp_path)
    run_cli("check", ".", "--write-baseline", "baseline.json", cwd=tmp_path)
    recorded = {e["fingerprint"] for e in json.loads((tmp_path / "baseline.json").read_text())["findings"]}
    log = json.loads(run_cli("check", ".", "--output-format", "sarif", cwd=tmp_path).stdout)
    printed = {r["partialFingerprints"]["toollint/v1"] for r in log["runs"][0]["results"]}
    assert printed == recorded


def test_fingerprint_is_relative_to_the_tool_and_free_of_numbers(tmp_path: Path) -> None:
    project(tmp_path)
    result = check_paths([tmp_path], settings(tmp_path))
    printer = Fingerprinter(result.documents, tmp_path)
    logical = {printer.logical(d) for d in result.diagnostics}
    assert ("tools.json", "refund_order", "/input_schema/properties/order_id", "TD004") in {x[:4] for x in logical}
    assert (
        normalise_message("has 24 characters (at least 40); see a.json:12:3")
        == "has # characters (at least #); see a.json:#:#"
    )


def test_corpora_baseline_survives_a_blank_line_in_every_file(corpora: Path, tmp_path: Path) -> None:
    # a subset keeps the test short: every source kind (MCP, OpenAI, BFCL arrays, prompts); the full corpora
    # were checked the same way when this was written
    copy = tmp_path / "corpora"
    for part in ("github-mcp-server", "toolbench", "bfcl/prompts"):
        shutil.copytree(corpora / part, copy / part)
    for name in sorted(p.name for p in (corpora / "bfcl").glob("*.tools.json"))[:3]:
        shutil.copy(corpora / "bfcl" / name, copy / "bfcl" / name)

    written = run_cli("check", ".", "--write-baseline", str(tmp_path / "baseline.json"), cwd=copy)
    assert written.returncode == 0
    assert json.loads((tmp_path / "baseline.json").read_text())["findings"]
    assert check(copy, "--baseline", str(tmp_path / "baseline.json"))[:2] == (0, [])

    for path in copy.rglob("*"):
        if path.is_file():
            path.write_bytes(b"\n" + path.read_bytes())
    assert check(copy, "--baseline", str(tmp_path / "baseline.json"))[:2] == (0, [])

    target = copy / "github-mcp-server" / "actions_get.json"
    tool = json.loads(target.read_text())
    tool["inputSchema"]["required"].append("workflow_name")
    target.write_text(json.dumps(tool, indent=2))
    code, items, _ = check(copy, "--baseline", str(tmp_path / "baseline.json"))
    assert code == 1
    assert [(i["path"], i["code"], i["pointer"]) for i in items] == [
        ("github-mcp-server/actions_get.json", "TS003", "/inputSchema/required/4")
    ]
