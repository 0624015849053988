"""The tool loop, repeats, errors and budgets, through the real SDKs against the local Messages API."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.eval.conftest import SECRET, write_suite
from tests.eval.local_api import LocalAPI, first_user_text, text, tool_use, turn_index
from toollint.eval import EvalSettings, evaluate

CASES = """
- id: status
  user: "[status] Where is order A1?"
  tool_results:
    - when: {name: lookup_order, args: {order_id: A1}}
      result: {status: shipped, carrier: UPS}
  expect:
    calls: [{name: lookup_order, args: {order_id: A1}}]
    not_called: [cancel_order]
    final: {contains: UPS}
- id: smalltalk
  user: "[smalltalk] Thanks, bye!"
  expect: {no_tool_calls: true}
"""


def script_good(api: LocalAPI) -> None:
    api.script(
        "[status]", [[text("Let me check."), tool_use("lookup_order", {"order_id": "A1"})], [text("Shipped with UPS.")]]
    )
    api.script("[smalltalk]", [[text("You're welcome!")]])


def settings(api: LocalAPI, path: Path, **more: Any) -> EvalSettings:
    base: dict[str, Any] = dict(
        paths=(path,),
        base_url=api.url,
        strict_responses=True,
        max_retries=0,
        baseline=path.parent / "baseline.json",
        quiet=True,
        root=path.parent,
    )
    return EvalSettings(**{**base, **more})


def test_the_tool_loop_answers_every_call_and_sends_the_assistant_turn_back(
    local_api: LocalAPI, tmp_path: Path
) -> None:
    script_good(local_api)
    outcome = evaluate(settings(local_api, write_suite(tmp_path, CASES)))
    assert outcome.exit_code == 0, outcome.error
    assert [(r.case.id, r.verdict, r.passes, len(r.runs)) for r in outcome.results] == [
        ("status", "pass", 3, 3),
        ("smalltalk", "pass", 3, 3),
    ]
    second = next(
        r.body for r in local_api.model_requests() if "[status]" in first_user_text(r.body) and turn_index(r.body) == 1
    )
    assistant, results = second["messages"][1], second["messages"][2]
    assert [b["type"] for b in assistant["content"]] == ["text", "tool_use"]
    assert results["content"][0]["type"] == "tool_result"
    assert results["content"][0]["tool_use_id"] == assistant["content"][1]["id"]
    assert json.loads(results["content"][0]["content"]) == {"status": "shipped", "carrier": "UPS"}
    # prompt caching: breakpoints on the last tool and on the system prompt; an explicit timeout
    assert second["tools"][-1]["cache_control"] == {"type": "ephemeral"}
    assert second["system"][0]["cache_control"] == {"type": "ephemeral"}
    headers = local_api.model_requests()[0].headers
    assert headers.get("x-stainless-read-timeout") == "60.0"
    assert outcome.usage.input_tokens > 0 and outcome.requests == 9


def test_openai_compatible_endpoint_runs_the_same_suite(local_api: LocalAPI, tmp_path: Path) -> None:
    script_good(local_api)
    outcome = evaluate(
        settings(local_api, write_suite(tmp_path, CASES), provider="openai", base_url=local_api.url + "/v1")
    )
    assert outcome.exit_code == 0, (outcome.error, [(r.case.id, r.first_failure) for r in outcome.results])
    chat = [r for r in local_api.requests if r.path.endswith("/chat/completions")]
    assert len(chat) == 9
    loop = next(r.body for r in chat if any(m.get("role") == "tool" for m in r.body["messages"]))
    assert loop["messages"][0]["role"] == "system" and loop["tools"][0]["type"] == "function"
    assert loop["max_tokens"] == 1024  # compatible servers read `max_tokens`; OpenAI itself gets the newer name


def test_an_unscripted_tool_gets_an_error_result_and_a_hallucinated_tool_fails(
    local_api: LocalAPI, tmp_path: Path
) -> None:
    local_api.script("[halluc]", [[tool_use("refund_everything", {"all": True})], [text("Done.")]])
    path = write_suite(tmp_path, '- {id: h, user: "[halluc] refund", repeats: 1, min_passes: 1}\n')
    outcome = evaluate(settings(local_api, path))
    result = outcome.results[0]
    assert result.verdict == "fail" and outcome.exit_code == 1
    assert "hallucinated tool" in result.runs[0].checks[0].reason
    sent = local_api.model_requests()[1].body["messages"][2]["content"][0]
    assert sent["is_error"] is True and "tool unavailable" in sent["content"]


def test_fatal_errors_stop_at_once_with_exit_2(local_api: LocalAPI, tmp_path: Path) -> None:
    script_good(local_api)
    local_api.fail_next(401, "authentication_error", times=None)
    outcome = evaluate(settings(local_api, write_suite(tmp_path, CASES), concurrency=1))
    assert outcome.exit_code == 2 and "AuthenticationError 401" in (outcome.error or "")
    assert "API key" in (outcome.error or "") and SECRET not in (outcome.error or "")
    assert len(local_api.model_requests()) == 1
    local_api.clear()
    script_good(local_api)
    local_api.spend_limit()
    outcome = evaluate(settings(local_api, write_suite(tmp_path, CASES), concurrency=1))
    assert outcome.exit_code == 2 and "spend limit" in (outcome.error or "")


def test_the_request_budget_stops_before_it_is_exceeded(local_api: LocalAPI, tmp_path: Path) -> None:
    script_good(local_api)
    outcome = evaluate(settings(local_api, write_suite(tmp_path, CASES), max_requests=4, concurrency=2))
    assert len(local_api.model_requests()) <= 4
    assert outcome.exit_code == 3
    assert any("--max-requests 4" in w for w in outcome.warnings)
    assert any(r.verdict in ("error", "skipped") for r in outcome.results)


@pytest.mark.parametrize("concurrency", [1, 6])
def test_the_cost_budget_stops_cleanly(local_api: LocalAPI, tmp_path: Path, concurrency: int) -> None:
    script_good(local_api)
    local_api.latency = 0.05  # requests overlap when concurrent
    outcome = evaluate(settings(local_api, write_suite(tmp_path, CASES), max_cost=0.005, concurrency=concurrency))
    spent = outcome.cost or 0.0
    assert outcome.exit_code == 3 and spent <= 0.005
    assert any("--max-cost" in w for w in outcome.warnings)


def test_twenty_percent_faults_complete_as_errors_never_regressions(local_api: LocalAPI, tmp_path: Path) -> None:
    script_good(local_api)
    path = write_suite(tmp_path, CASES)
    assert evaluate(settings(local_api, path, update_baseline=True)).exit_code == 0
    local_api.faults(rate=0.2, seed=7)
    outcome = evaluate(settings(local_api, path, repeats=5, timeout=1.0, concurrency=4))
    labels = {outcome.status_of(r).label for r in outcome.results}
    assert outcome.exit_code in (0, 3) and not labels & {"regression", "critical", "new-failure"}
    assert (
        sum(r.errors for r in outcome.results) + sum(1 for r in outcome.results for run in r.runs if run.passed) >= 10
    )
    # when the errors leave cases undecided, the verdict is error and the exit code 3, still never a regression
    local_api.faults(rate=1.0, kinds=("500", "529", "malformed", "reset"))
    down = evaluate(settings(local_api, path, timeout=1.0))
    assert down.exit_code == 3
    assert {down.status_of(r).label for r in down.results} == {"error"}


def _flaky_responder(wrong_every: dict[str, int]) -> Any:
    """Answers right, except every n-th run of a marked case, which calls `cancel_order` instead."""
    counts: dict[str, int] = {}
    lock = threading.Lock()

    def respond(body: dict[str, Any]) -> list[dict[str, Any]]:
        first = first_user_text(body)
        marker = next((m for m in wrong_every if m in first), None)
        step = turn_index(body)
        if step == 0:
            with lock:
                counts[first] = counts.get(first, 0) + 1
                wrong = marker is not None and counts[first] % wrong_every[marker] == 0
            if wrong:
                return [tool_use("cancel_order", {"order_id": "A1"})]
            return [tool_use("lookup_order", {"order_id": "A1"})] if "[status]" in first else [text("You're welcome!")]
        return [text("Shipped with UPS.")]

    return respond


def test_regression_policy(local_api: LocalAPI, tmp_path: Path) -> None:
    path = write_suite(tmp_path, CASES)
    baseline = tmp_path / "baseline.json"
    script_good(local_api)
    first = evaluate(settings(local_api, path))
    assert first.exit_code == 0 and not baseline.exists()  # only --update-baseline writes the baseline
    assert evaluate(settings(local_api, path, update_baseline=True)).exit_code == 0 and baseline.exists()
    blessed = baseline.read_bytes()

    # flaky 2/3 within the threshold (min_passes 2 of 3) passes
    local_api.responder = _flaky_responder({"[status]": 3})
    flaky = evaluate(settings(local_api, path, concurrency=1))
    status = next(r for r in flaky.results if r.case.id == "status")
    assert (status.passes, len(status.runs), flaky.exit_code) == (2, 3, 0)

    # a flip pass -> fail: confirmation runs, then exit 1 naming the case
    local_api.responder = _flaky_responder({"[status]": 1})
    local_api.clear_cache()
    before = len(local_api.model_requests())
    flipped = evaluate(settings(local_api, path, concurrency=1))
    status = next(r for r in flipped.results if r.case.id == "status")
    assert flipped.exit_code == 1 and flipped.status_of(status).label == "regression"
    assert status.confirmed and len(status.runs) == 9  # 3 runs + 6 confirmation runs, pooled
    assert len(local_api.model_requests()) - before == 9 * 2 + 3
    from toollint.eval.report import render

    assert "demo/status" in render(flipped, "text") and "REGRESSION" in render(flipped, "text")
    assert baseline.read_bytes() == blessed


def test_a_failing_critical_case_fails_without_a_baseline(local_api: LocalAPI, tmp_path: Path) -> None:
    local_api.responder = _flaky_responder({"[status]": 1})
    path = write_suite(
        tmp_path, CASES.replace("    final: {contains: UPS}", "    final: {contains: UPS}\n  critical: true")
    )
    outcome = evaluate(settings(local_api, path, allow_new_failures=True))
    status = next(r for r in outcome.results if r.case.id == "status")
    assert outcome.exit_code == 1 and outcome.status_of(status).label == "critical"


def test_sdk_retries_honour_retry_after_and_count_as_nothing(local_api: LocalAPI, tmp_path: Path) -> None:
    script_good(local_api)
    local_api.fail_with("429", "529", "500")
    path = write_suite(tmp_path, CASES)
    outcome = evaluate(settings(local_api, path, max_retries=3, concurrency=1, repeats=1))
    assert outcome.exit_code == 0 and all(r.verdict == "pass" for r in outcome.results)
    counts = [r.headers.get("x-stainless-retry-count") for r in local_api.model_requests()[:4]]
    assert counts == ["0", "1", "2", "3"]


def test_history_with_tool_calls_is_sent_in_each_provider_shape(local_api: LocalAPI, tmp_path: Path) -> None:
    cases = """
    - id: refund
      history:
        - {role: user, content: "[refund] My order A777 arrived smashed."}
        - role: assistant
          content: "Let me look."
          tool_calls: [{name: lookup_order, args: {order_id: A777}}, {name: lookup_order, args: {order_id: A778}}]
        - {role: tool, content: {status: delivered, total_cents: 4200}}
        - {role: tool, content: "no such order", is_error: true}
        - {role: assistant, content: "Sorry! Shall I escalate this to a human?"}
      user: "Yes please."
      tool_results: [{when: {name: escalate_to_human}, result: {ticket: T-1}}]
      expect:
        calls: [{name: escalate_to_human, args: {summary: {$icontains: a777}}}]
        repeats: 1
        min_passes: 1
    """
    local_api.script(
        "[refund]", [[], [], [tool_use("escalate_to_human", {"summary": "A777 smashed"})], [text("Done.")]]
    )
    path = write_suite(tmp_path, cases)
    for provider, url in (("anthropic", local_api.url), ("openai", local_api.url + "/v1")):
        outcome = evaluate(settings(local_api, path, provider=provider, base_url=url))
        assert outcome.exit_code == 0, (provider, outcome.error, outcome.results[0].first_failure)


def test_progress_is_a_bar_on_a_terminal_and_a_line_per_case_otherwise(
    local_api: LocalAPI, tmp_path: Path, capsys: Any
) -> None:
    script_good(local_api)
    path = write_suite(tmp_path, CASES)
    evaluate(settings(local_api, path, quiet=False, progress=False, concurrency=1))
    lines = capsys.readouterr().err.splitlines()
    assert lines == ["status: pass 3/3", "smalltalk: pass 3/3"]
    evaluate(settings(local_api, path, quiet=False, progress=True, concurrency=1))
    err = capsys.readouterr().err
    assert "\r  eval [" in err and "6/6 runs" in err and "status: pass" not in err


def test_strict_rate_drops_target_changes_and_cost_drift(local_api: LocalAPI, tmp_path: Path) -> None:
    path = write_suite(tmp_path, CASES)
    script_good(local_api)
    assert evaluate(settings(local_api, path, update_baseline=True, repeats=12)).exit_code == 0
    # 12/12 -> 8/12 still meets 8 of 12; a note by default, a failure with --strict (Fisher p = 0.05 < 0.10)
    local_api.responder = _flaky_responder({"[status]": 3})
    drop = evaluate(settings(local_api, path, repeats=12, concurrency=1))
    status = next(r for r in drop.results if r.case.id == "status")
    assert (status.passes, drop.exit_code) == (8, 0) and "pass rate dropped (p=0.05)" in drop.status_of(status).note
    local_api.responder = _flaky_responder({"[status]": 3})
    strict = evaluate(settings(local_api, path, repeats=12, concurrency=1, strict=True))
    status = next(r for r in strict.results if r.case.id == "status")
    assert strict.exit_code == 1 and strict.status_of(status).label == "rate-drop"
    other = evaluate(settings(local_api, path, model="claude-opus-4-1", require_same_target=True))
    assert other.exit_code == 2 and "claude-sonnet-4-6" in (other.error or "")
    # a case that now makes twice the tool calls: a warning, not a failure
    local_api.responder = None
    local_api.script(
        "[status]",
        [[tool_use("lookup_order", {"order_id": "A1"})], [tool_use("lookup_order", {"order_id": "A1"})], [text("UPS")]],
    )
    local_api.script("[smalltalk]", [[text("You're welcome!")]])
    drifted = evaluate(settings(local_api, path, repeats=12))
    assert drifted.exit_code == 0
    assert any("case `status`: tool calls per run up 100% (1 -> 2)" in w for w in drifted.warnings)


def test_a_budget_cut_never_lowers_the_threshold(local_api: LocalAPI, tmp_path: Path) -> None:
    script_good(local_api)
    path = write_suite(tmp_path, '- {id: one, user: "[smalltalk] hi", expect: {no_tool_calls: true}}\n')
    outcome = evaluate(settings(local_api, path, max_requests=1, concurrency=1))
    result = outcome.results[0]
    assert (result.passes, len(result.runs), result.threshold) == (1, 3, 2)  # 1 pass, 2 runs stopped by the budget
    assert result.verdict == "error" and outcome.exit_code == 3


def test_an_api_that_is_down_ends_the_run_quickly_with_exit_3(local_api: LocalAPI, tmp_path: Path) -> None:
    cases = "".join(f'- {{id: c{i}, user: "[smalltalk] {i}", expect: {{no_tool_calls: true}}}}\n' for i in range(10))
    path = write_suite(tmp_path, cases)
    local_api.faults(rate=1.0, kinds=("500",))
    outcome = evaluate(settings(local_api, path, concurrency=1))
    assert outcome.exit_code == 3 and {r.verdict for r in outcome.results} == {"error"}
    assert len(local_api.model_requests()) == 5 * 3  # 5 runs, each tried 3 times; the other 25 not sent
    assert "5 runs in a row failed (InternalServerError 500" in (outcome.results[-1].first_error or "")
