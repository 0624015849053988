"""`--batch`: a suite through the local server's Message Batches endpoints, and resuming an interrupted run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO
from tests.eval.conftest import SECRET, write_suite
from tests.eval.local_api import LocalAPI, text, tool_use
from tests.eval.test_runner import CASES, script_good
from toollint.eval import EvalSettings, evaluate


def test_a_suite_completes_through_batches_with_one_round_per_tool_turn(local_api: LocalAPI, tmp_path: Path) -> None:
    script_good(local_api)
    path = write_suite(tmp_path, CASES)
    outcome = evaluate(
        EvalSettings(
            paths=(path,),
            base_url=local_api.url,
            batch=True,
            poll_interval=0.0,
            max_retries=0,
            strict_responses=True,
            quiet=True,
            root=tmp_path,
            baseline=tmp_path / "b.json",
        )
    )
    assert outcome.exit_code == 0, outcome.error
    assert [(r.case.id, r.passes, len(r.runs)) for r in outcome.results] == [("status", 3, 3), ("smalltalk", 3, 3)]
    creates = [r for r in local_api.requests if r.method == "POST" and r.path.endswith("/v1/messages/batches")]
    assert [len(r.body["requests"]) for r in creates] == [6, 3]  # round 2: the runs that called a tool
    assert not (tmp_path / ".toollint" / "eval-batch.json").exists()
    assert outcome.cost is not None and outcome.usage.output_tokens > 0


@pytest.mark.parametrize("lost_state", [False, True])
def test_an_interrupted_batch_run_resumes_the_same_batch(local_api: LocalAPI, tmp_path: Path, lost_state: bool) -> None:
    local_api.batch_polls = 6
    local_api.script("[one]", [[text("Hello!")]])
    local_api.script("[two]", [[tool_use("lookup_order", {"order_id": "A1"})], [text("Shipped.")]])
    path = write_suite(
        tmp_path,
        """
        - {id: one, user: "[one] hi", expect: {no_tool_calls: true}}
        - id: two
          user: "[two] where is A1"
          tool_results: [{when: {name: lookup_order}, result: {status: shipped}}]
          expect: {calls: [{name: lookup_order}]}
        """,
    )
    state = tmp_path / "state.json"
    args = [
        sys.executable,
        "-m",
        "toollint",
        "eval",
        str(path),
        "--batch",
        "--batch-state",
        str(state),
        "--poll-interval",
        "0.5",
        "--base-url",
        local_api.url,
        "--baseline",
        str(tmp_path / "b.json"),
        "--max-retries",
        "0",
    ]
    env = {**os.environ, "PYTHONPATH": str(REPO), "ANTHROPIC_API_KEY": SECRET}
    first = subprocess.Popen(args, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not (state.exists() and json.loads(state.read_text()).get("batch_id")):
        assert time.monotonic() < deadline and first.poll() is None
        time.sleep(0.05)
    first.kill()  # interrupted while the batch is in progress
    first.wait()
    batch_id = json.loads(state.read_text())["batch_id"]
    if lost_state:
        state.unlink()
        args += ["--batch-id", batch_id]
    done = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"resuming batch {batch_id}" in done.stderr
    creates = [r for r in local_api.requests if r.method == "POST" and r.path.endswith("/v1/messages/batches")]
    assert len(creates) == 2  # round 1 once (not again after the interruption), round 2 for the tool turn
    assert "demo/two" in done.stdout and not state.exists()
    assert SECRET not in done.stdout + done.stderr
