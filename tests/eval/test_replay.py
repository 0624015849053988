"""`--record` and `--replay`, and the API key, which must never reach any output, report or recorded file."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import REPO, run_cli
from tests.eval.conftest import SECRET, write_suite
from tests.eval.local_api import LocalAPI
from tests.eval.test_runner import CASES, script_good


def _files_text(folder: Path) -> str:
    return "".join(p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file())


def test_record_then_replay_with_no_key_and_no_network(local_api: LocalAPI, tmp_path: Path) -> None:
    script_good(local_api)
    local_api.faults(rate=0.2, seed=3)
    path = write_suite(tmp_path / "suite", CASES)
    env = {"PYTHONPATH": str(REPO), "ANTHROPIC_API_KEY": SECRET}
    recorded = run_cli(
        "eval",
        str(path),
        "--base-url",
        local_api.url,
        "--record",
        "rec",
        "--output-format",
        "json",
        "--output-file",
        "out/report.json",
        "--baseline",
        "out/baseline.json",
        "--update-baseline",
        cwd=tmp_path,
        env=env,
    )
    assert recorded.returncode in (0, 3), recorded.stderr
    assert (tmp_path / "rec" / "demo" / "status.json").exists()
    everything = recorded.stdout + recorded.stderr + _files_text(tmp_path)
    assert SECRET not in everything

    before = len(local_api.requests)
    offline = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC", "OPENAI"))}
    replayed = run_cli(
        "eval",
        str(path),
        "--replay",
        "rec",
        "--base-url",
        "http://127.0.0.1:9",
        "--baseline",
        "out/baseline.json",
        cwd=tmp_path,
        env={**offline, "PYTHONPATH": str(REPO), "ANTHROPIC_API_KEY": ""},
    )
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert "demo/status" in replayed.stdout and "pass" in replayed.stdout
    assert len(local_api.requests) == before  # nothing reached the server while replaying


def test_replay_rescoring_finds_what_a_changed_expectation_rejects(local_api: LocalAPI, tmp_path: Path) -> None:
    script_good(local_api)
    path = write_suite(tmp_path, CASES)
    run_cli(
        "eval",
        str(path),
        "--base-url",
        local_api.url,
        "--record",
        "rec",
        "--baseline",
        "b.json",
        cwd=tmp_path,
        env={"PYTHONPATH": str(REPO), "ANTHROPIC_API_KEY": SECRET},
    )
    path.write_text(path.read_text().replace("final: {contains: UPS}", "final: {contains: FedEx}"))
    replayed = run_cli(
        "eval", str(path), "--replay", "rec", "--baseline", "b.json", cwd=tmp_path, env={"PYTHONPATH": str(REPO)}
    )
    assert replayed.returncode == 1
    assert 'final.contains: the answer does not contain "FedEx"' in replayed.stdout
