"""The `eval` command as users run it: the README's replay, the reports, and the optional OpenAI extra."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from conftest import REPO, run_cli

OFFLINE = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC", "OPENAI"))}


def test_the_readme_replay_works_with_no_key_and_no_network(tmp_path: Path) -> None:
    done = run_cli(
        "eval",
        "examples/evals",
        "--replay",
        "examples/evals/recorded",
        "--baseline",
        str(tmp_path / "none.json"),
        env={**OFFLINE, "PYTHONPATH": str(REPO), "ANTHROPIC_BASE_URL": "http://127.0.0.1:9"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for case in (
        "order-status",
        "split-shipment-follow-up",
        "two-orders-parallel",
        "thanks-no-tools",
        "status-without-order-id",
        "lookup-error-no-retry",
        "refund-needs-confirmation",
    ):
        assert f"support-agent/{case}" in done.stdout
    assert "2/3 flaky" in done.stdout and "exit 0" in done.stdout


def test_json_junit_and_markdown_reports(tmp_path: Path) -> None:
    common = ["eval", "examples/evals", "--replay", "examples/evals/recorded", "--baseline", str(tmp_path / "b.json")]
    env = {**OFFLINE, "PYTHONPATH": str(REPO)}
    report = tmp_path / "r.json"
    assert run_cli(*common, "--output-format", "json", "--output-file", str(report), env=env).returncode == 0
    data = json.loads(report.read_text())
    assert data["totals"]["cases"] == 7 and data["exit_code"] == 0
    flaky = next(c for c in data["cases"] if c["id"] == "split-shipment-follow-up")
    assert (flaky["passes"], flaky["runs"], flaky["status"]) == (2, 3, "new")
    junit = run_cli(*common, "--output-format", "junit", env=env)
    root = ET.fromstring(junit.stdout)
    assert root.get("tests") == "7" and root.get("failures") == "0"
    markdown = run_cli(*common, "--output-format", "markdown", "--case", "order-status", env=env)
    assert markdown.stdout.startswith("### toollint eval passed")
    assert "| `order-status` | - | 3/3 | new |" in markdown.stdout


def test_the_openai_provider_names_the_extra_when_the_package_is_missing(tmp_path: Path) -> None:
    probe = "import sys; sys.modules['openai'] = None\nfrom toollint.cli import main\nmain(sys.argv[1:])"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            probe,
            "eval",
            "examples/evals",
            "--provider",
            "openai",
            "--model",
            "m",
            "--base-url",
            "http://127.0.0.1:9/v1",
            "--baseline",
            str(tmp_path / "b.json"),
        ],
        cwd=REPO,
        env={**OFFLINE, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "pip install 'toollint[openai]'" in done.stderr and "Traceback" not in done.stderr


def test_a_failing_case_is_a_junit_failure_and_a_bold_markdown_row(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(REPO / "examples" / "support-agent", tmp_path / "support-agent")
    suite = (REPO / "examples" / "evals" / "support.eval.yaml").read_text()
    (tmp_path / "evals").mkdir()
    (tmp_path / "evals" / "support.eval.yaml").write_text(suite.replace("contains_all: [UPS]", "contains_all: [FedEx]"))
    common = ["eval", "evals", "--replay", str(REPO / "examples" / "evals" / "recorded"), "--baseline", "b.json"]
    env = {**OFFLINE, "PYTHONPATH": str(REPO)}
    junit = run_cli(*common, "--output-format", "junit", cwd=tmp_path, env=env)
    assert junit.returncode == 1
    root = ET.fromstring(junit.stdout)
    failures = root.findall(".//failure")
    assert root.get("failures") == "1" and len(failures) == 1
    assert "does not contain" in (failures[0].get("message") or "") and "FedEx" in (failures[0].get("message") or "")
    markdown = run_cli(*common, "--output-format", "markdown", cwd=tmp_path, env=env)
    assert markdown.stdout.startswith("### toollint eval failed")
    assert "| `order-status` | - | 0/3 | **new-failure** |" in markdown.stdout
