"""`--batch`: runs through the Message Batches API (half price, results within 24 h), for nightly suites.

Each round sends the next turn of every unfinished run as one batch; a run that calls tools continues in the next
round with its scripted results. The state (batch id, each run's conversation) is saved after every step, so an
interrupted invocation resumes polling the same batch instead of paying for a new one."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

from toollint.eval.matching import Call, Step, Transcript, score
from toollint.eval.providers import ProviderError, Usage, classify
from toollint.eval.runner import CaseResult, RunResult, Script, respond

STATE_VERSION = 1


class BatchError(Exception):
    def __init__(self, message: str, fatal: bool) -> None:
        super().__init__(message)
        self.message = message
        self.fatal = fatal


def _key(results: list[CaseResult], model: str) -> str:
    parts = [model, *(f"{r.case.suite}/{r.case.id}/{r.case.spec_hash}/{r.case.repeats}" for r in results)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def _fresh(provider: Any, results: list[CaseResult]) -> dict[str, Any]:
    runs: dict[str, Any] = {}
    for number, result in enumerate(results):
        if result.skipped is not None:
            continue
        for index in range(result.case.repeats):
            runs[f"c{number}-r{index}"] = {
                "case": number,
                "index": index,
                "messages": provider.start(result.case),
                "turns": [],
                "used": [0] * len(result.case.tool_results),
                "done": False,
                "error": None,
                "turn_cap": False,
                "stopped_on": None,
            }
    return {"version": STATE_VERSION, "batch_id": None, "round": 0, "runs": runs}


def _save(path: Path, state: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(state), encoding="utf-8")
    temporary.replace(path)  # never a half-written state file, even when interrupted here


def run_batch(provider: Any, results: list[CaseResult], settings: Any, root: Path, progress: Any) -> None:
    if getattr(provider, "name", "") != "anthropic":
        raise BatchError("`--batch` needs the Anthropic provider (the Message Batches API)", True)
    path = settings.batch_state or root / ".toollint" / "eval-batch.json"
    key = _key(results, provider.connection.model)
    state = None
    if path.is_file():
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            state = None
        if not isinstance(state, dict) or state.get("key") != key:
            state = None
        elif state.get("batch_id"):
            progress.note(f"resuming batch {state['batch_id']} (state in {path})")
    if state is None:
        state = {**_fresh(provider, results), "key": key}
        if settings.batch_id:  # the state is lost but the batch is not: its first round is rebuilt from the cases
            state["batch_id"] = settings.batch_id
            progress.note(f"resuming batch {settings.batch_id} (from --batch-id)")
    client = provider.client.messages.batches
    try:
        while True:
            if not state["batch_id"]:
                pending = {cid: run for cid, run in state["runs"].items() if not run["done"]}
                if not pending:
                    break
                requests = [
                    {"custom_id": cid, "params": provider.params(results[run["case"]].case, run["messages"])}
                    for cid, run in pending.items()
                ]
                batch = client.create(requests=requests, timeout=provider.connection.timeout)
                state["batch_id"] = batch.id
                _save(path, state)
                progress.note(f"batch {batch.id}: {len(requests)} requests (round {state['round'] + 1})")
            _wait(client, state["batch_id"], settings.poll_interval, progress, provider.connection.timeout)
            for item in client.results(state["batch_id"], timeout=provider.connection.timeout):
                run = state["runs"].get(item.custom_id)
                if run is not None and not run["done"]:
                    _advance(provider, results[run["case"]].case, run, item.result)
            state["batch_id"] = None
            state["round"] += 1
            _save(path, state)
    except provider.anthropic.APIError as exc:
        error = classify(exc)
        raise BatchError(f"batch failed: {error.message}; run again to resume", error.fatal) from None
    for result in results:
        result.planned = result.case.repeats if result.skipped is None else 0
    for run in state["runs"].values():
        result = results[run["case"]]
        result.runs.append(_result(result, run))
    for result in results:
        result.runs.sort(key=lambda r: r.index)
    path.unlink(missing_ok=True)


def _wait(client: Any, batch_id: str, interval: float, progress: Any, timeout: float) -> None:
    while True:
        batch = client.retrieve(batch_id, timeout=timeout)
        counts = batch.request_counts
        done = counts.succeeded + counts.errored + counts.canceled + counts.expired
        progress.note(f"batch {batch_id}: {batch.processing_status}, {done}/{done + counts.processing} done")
        if batch.processing_status == "ended":
            return
        time.sleep(interval)


def _advance(provider: Any, case: Any, run: dict[str, Any], outcome: Any) -> None:
    """Apply one batch result to its run: score-ready when the model stopped, else the next turn's messages."""
    if outcome.type != "succeeded":
        detail = getattr(getattr(outcome, "error", None), "error", None)
        message = getattr(detail, "message", "") if detail is not None else ""
        run["error"] = f"batch request {outcome.type}" + (f": {message}" if message else "")
        run["done"] = True
        return
    turn = provider.turn(outcome.message)
    number = len(run["turns"])
    run["turns"].append(turn.record())
    step = turn.step
    if step.stop_reason != "tool_use" or not step.calls:
        run["done"] = True
        return
    if number == case.max_turns - 1:
        run["turn_cap"] = run["done"] = True
        return
    script = Script(case.tool_results, run["used"])
    answers, stopped_on, stop = respond(case, script, step)
    if stop:
        run["stopped_on"] = stopped_on
        run["done"] = True
        return
    provider.extend(run["messages"], turn, answers)


def _result(result: CaseResult, run: dict[str, Any]) -> RunResult:
    out = RunResult(run["index"], error=run["error"], turns=run["turns"], requests=len(run["turns"]))
    steps = []
    for number, data in enumerate(run["turns"]):
        calls = tuple(Call(c["id"], c["name"], c["args"], number) for c in data["calls"])
        steps.append(Step(data["text"], calls, data["stop_reason"]))
        out.usage.add(Usage.of(data["usage"]))
    if out.error is None:
        out.transcript = Transcript(tuple(steps), run["turn_cap"], run["stopped_on"])
        out.checks = score(result.case, out.transcript)
    return out


__all__ = ["BatchError", "ProviderError", "run_batch"]
