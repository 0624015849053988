"""The local Messages API the eval tests run against, exercised through the real `anthropic` and `openai` SDKs."""

from __future__ import annotations

import importlib.util
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import anthropic
import openai
import pytest

from conftest import REPO
from tests.eval.conftest import SDK_ENV
from tests.eval.local_api import Fault, LocalAPI, first_user_text, stop_reason, text, tool_use, turn_index

LOOKUP = {
    "name": "lookup_order",
    "description": "Look up an order by its ID",
    "input_schema": {"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]},
}
OPENAI_LOOKUP = {
    "type": "function",
    "function": {"name": "lookup_order", "description": LOOKUP["description"], "parameters": LOOKUP["input_schema"]},
}


@pytest.fixture(autouse=True)
def _no_sdk_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    for name in SDK_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no profile under ~/.config/anthropic is read


@pytest.fixture(scope="module")
def server() -> Iterator[LocalAPI]:
    with LocalAPI(timeout_sleep=3.0) as shared:
        yield shared


@pytest.fixture
def api(server: LocalAPI) -> LocalAPI:
    """The module's server, reset: one server and one connection pool keep the file fast."""
    server.reset()
    return server


_CLIENTS: dict[tuple[str, str], Any] = {}
# `with_options` (the SDKs' `copy`) does not carry `_strict_response_validation` over; pass it again.
STRICT = {"_extra_kwargs": {"_strict_response_validation": True}}


def claude(api: LocalAPI, **options: Any) -> anthropic.Anthropic:
    if ("anthropic", api.url) not in _CLIENTS:
        _CLIENTS["anthropic", api.url] = anthropic.Anthropic(
            api_key="test", base_url=api.url, _strict_response_validation=True
        )
    options.setdefault("max_retries", 0)
    options.setdefault("timeout", 5.0)
    return _CLIENTS["anthropic", api.url].with_options(**options, **STRICT)


def gpt(api: LocalAPI, **options: Any) -> openai.OpenAI:
    if ("openai", api.url) not in _CLIENTS:
        _CLIENTS["openai", api.url] = openai.OpenAI(
            api_key="test", base_url=api.url + "/v1", _strict_response_validation=True
        )
    options.setdefault("max_retries", 0)
    options.setdefault("timeout", 5.0)
    return _CLIENTS["openai", api.url].with_options(**options, **STRICT)


def ask(client: anthropic.Anthropic, content: Any, **params: Any) -> anthropic.types.Message:
    messages = content if isinstance(content, list) else [{"role": "user", "content": content}]
    params.setdefault("tools", [LOOKUP])
    return client.messages.create(model="claude-test", max_tokens=256, messages=messages, **params)


def post(api: LocalAPI, path: str, body: Any, headers: dict[str, str]) -> tuple[int, dict[str, str], Any]:
    """A raw request, for what the SDKs never send (a missing key, `x-api-key` instead of a bearer token)."""
    request = urllib.request.Request(
        api.url + path,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"content-type": "application/json", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


# -- the tool loop -------------------------------------------------------------------------------------------


def test_anthropic_tool_loop_runs_to_end_turn(api: LocalAPI) -> None:
    api.script("[order]", [[text("Checking."), tool_use("lookup_order", {"order_id": "A1"})], [text("It shipped.")]])
    client = claude(api)
    messages: list[Any] = [{"role": "user", "content": "[order] where is A1?"}]
    first = ask(client, messages)
    assert first.stop_reason == "tool_use"
    call = first.content[1]
    assert (call.type, call.name, call.input) == ("tool_use", "lookup_order", {"order_id": "A1"})
    assert call.id.startswith("toolu_") and first._request_id.startswith("req_")
    messages += [
        first.to_param(),
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call.id, "content": "shipped"}]},
    ]
    final = ask(client, messages)
    assert final.stop_reason == "end_turn"
    assert [b.text for b in final.content if b.type == "text"] == ["It shipped."]
    sent = api.model_requests()[-1]
    assert sent.headers["authorization"] == "Bearer test" and sent.headers["anthropic-version"]
    assert sent.body["messages"][1]["content"][1]["id"] == call.id  # the assistant turn went back verbatim


def test_a_script_that_runs_out_says_so_instead_of_repeating(api: LocalAPI) -> None:
    api.script("[short]", [[tool_use("lookup_order", {"order_id": "A1"})]])
    client = claude(api)
    first = ask(client, "[short] go")
    result = {"type": "tool_result", "tool_use_id": first.content[0].id, "content": "ok"}
    messages = [{"role": "user", "content": "[short] go"}, first.to_param(), {"role": "user", "content": [result]}]
    assert "has no turn 1" in ask(client, messages).content[0].text
    assert "no script matches" in ask(client, "unscripted").content[0].text


def test_the_longest_marker_wins_and_stop_reason_can_be_scripted(api: LocalAPI) -> None:
    api.script("[case-1]", [[text("one")]])
    api.script("[case-1][long]", [[text("cut off"), stop_reason("max_tokens")]])
    answer = ask(claude(api), "[case-1][long] hello")
    assert (answer.content[0].text, answer.stop_reason) == ("cut off", "max_tokens")


def test_a_responder_overrides_scripts_and_can_return_a_fault(api: LocalAPI) -> None:
    seen: list[tuple[str, int]] = []

    def respond(body: dict[str, Any]) -> Any:
        seen.append((first_user_text(body), turn_index(body)))
        return Fault("529") if "fail" in first_user_text(body) else [text("from responder")]

    api.script("[x]", [[text("from script")]])
    api.responder = respond
    assert ask(claude(api), "[x] hi").content[0].text == "from responder"
    with pytest.raises(anthropic.OverloadedError):
        ask(claude(api), "[x] fail")
    assert seen == [("[x] hi", 0), ("[x] fail", 0)]


def test_a_responder_that_raises_is_a_500_and_is_recorded(api: LocalAPI) -> None:
    api.responder = lambda body: 1 / 0
    with pytest.raises(anthropic.InternalServerError):
        ask(claude(api), "hi")
    assert "ZeroDivisionError" in api.errors[0]


# -- auth ----------------------------------------------------------------------------------------------------


def test_both_auth_headers_are_accepted_and_none_is_401(api: LocalAPI) -> None:
    body = {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}
    status, headers, _ = post(api, "/v1/messages", body, {"x-api-key": "test"})
    assert status == 200 and headers["request-id"].startswith("req_")
    assert post(api, "/v1/messages", body, {"authorization": "Bearer test"})[0] == 200
    status, headers, error = post(api, "/v1/messages", body, {})
    assert status == 401 and headers["request-id"]
    assert error["type"] == "error" and error["error"]["type"] == "authentication_error"


def test_a_wrong_key_is_an_authentication_error_through_both_sdks() -> None:
    with LocalAPI(api_key="right") as api:
        with pytest.raises(anthropic.AuthenticationError) as raised:
            ask(claude(api), "hi")
        assert raised.value.request_id and raised.value.body["error"]["type"] == "authentication_error"
        with pytest.raises(openai.AuthenticationError) as wrong:
            gpt(api).chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
        assert wrong.value.code == "invalid_api_key"


# -- faults --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("429", anthropic.RateLimitError),
        ("529", anthropic.OverloadedError),
        ("500", anthropic.InternalServerError),
        ("timeout", anthropic.APITimeoutError),
        ("reset", anthropic.APIConnectionError),
        ("truncated", anthropic.APIConnectionError),
        ("no_usage", anthropic.APIResponseValidationError),  # caught only with strict validation
        # a complete response with a body that is not JSON escapes the SDK's own exceptions
        ("malformed", json.JSONDecodeError),
    ],
)
def test_each_fault_surfaces_as_its_sdk_exception(api: LocalAPI, kind: str, error: type[Exception]) -> None:
    api.fail_with(kind)
    with pytest.raises(error):
        ask(claude(api, timeout=1.0), "hi")
    assert ask(claude(api), "hi").stop_reason == "end_turn"  # one fault, then the server answers again


@pytest.mark.parametrize("kind", ["429", "529", "500", "timeout", "reset", "truncated"])
def test_the_sdk_retries_transient_faults_and_then_succeeds(api: LocalAPI, kind: str) -> None:
    api.fail_with(kind)
    assert ask(claude(api, max_retries=1, timeout=1.0), "hi").stop_reason == "end_turn"
    first, retry = api.model_requests()
    assert (first.headers["x-stainless-retry-count"], retry.headers["x-stainless-retry-count"]) == ("0", "1")
    if kind in ("429", "529"):
        assert retry.at - first.at < 0.3  # retry-after-ms: 1 is honoured, not the SDK's 0.375-0.5 s backoff


def test_rate_limits_carry_retry_after_in_ms_and_whole_seconds(api: LocalAPI) -> None:
    api.fail_next(429, retry_after=0.25)
    api.fail_next(529)
    with pytest.raises(anthropic.RateLimitError) as limited:
        ask(claude(api), "hi")
    assert limited.value.response.headers["retry-after-ms"] == "250"
    assert limited.value.response.headers["retry-after"] == "1"
    with pytest.raises(anthropic.OverloadedError) as overloaded:
        ask(claude(api), "hi")
    assert overloaded.value.response.headers["retry-after-ms"] == "1"


def test_x_should_retry_false_stops_the_sdk_retrying(api: LocalAPI) -> None:
    api.fail_next(529, should_retry=False)
    with pytest.raises(anthropic.OverloadedError):
        ask(claude(api, max_retries=3), "hi")
    assert len(api.model_requests()) == 1


def test_a_spend_limit_is_its_own_error_class_and_does_not_lift(api: LocalAPI) -> None:
    api.spend_limit()
    with pytest.raises(anthropic.EnforcedSpendLimitReachedError) as raised:
        ask(claude(api, max_retries=2), "hi")
    assert isinstance(raised.value, anthropic.RateLimitError)
    assert raised.value.error_code == "enforced_spend_limit_reached"
    assert len(api.model_requests()) == 3  # the SDK retried it like any 429; toollint must treat it as fatal
    api.clear()
    assert ask(claude(api), "hi").stop_reason == "end_turn"


def test_random_faults_are_fixed_by_the_seed() -> None:
    def outcomes() -> list[str]:
        with LocalAPI() as api:
            api.faults(rate=0.5, seed=7, kinds=("429", "529", "500"))
            seen = []
            for _ in range(12):
                try:
                    ask(claude(api), "hi")
                    seen.append("ok")
                except anthropic.APIStatusError as error:
                    seen.append(str(error.status_code))
            return seen

    first = outcomes()
    assert first == outcomes()
    assert "ok" in first and len(set(first)) > 2


def test_unknown_fault_kinds_are_refused(api: LocalAPI) -> None:
    with pytest.raises(ValueError, match="unknown fault kinds"):
        api.faults(kinds=("418",))


# -- validation ----------------------------------------------------------------------------------------------


def _tool_turn(call_id: str = "toolu_1") -> dict[str, Any]:
    return {"role": "assistant", "content": [tool_use("lookup_order", {"order_id": "A1"}, id=call_id)]}


def _result(call_id: str = "toolu_1") -> dict[str, Any]:
    return {"type": "tool_result", "tool_use_id": call_id, "content": "ok"}


@pytest.mark.parametrize(
    ("messages", "params", "says"),
    [
        (
            [{"role": "user", "content": "hi"}, _tool_turn(), {"role": "user", "content": "no result"}],
            {},
            "`tool_use` ids were found without `tool_result` blocks immediately after: toolu_1",
        ),
        ([{"role": "user", "content": "hi"}, _tool_turn()], {}, "without `tool_result` blocks"),
        (
            [
                {"role": "user", "content": "hi"},
                _tool_turn(),
                {"role": "user", "content": [{"type": "text", "text": "first"}, _result()]},
            ],
            {},
            "`tool_result` blocks must come first",
        ),
        (
            [{"role": "user", "content": "hi"}, _tool_turn(), {"role": "user", "content": [_result("toolu_9")]}],
            {},
            "unexpected `tool_use_id` found in `tool_result` blocks: toolu_9",
        ),
        ([{"role": "user", "content": "hi"}], {"tools": [{**LOOKUP, "name": "look up"}]}, "String should match"),
        ([{"role": "user", "content": "hi"}], {"tools": [LOOKUP, LOOKUP]}, "Tool names must be unique"),
        (
            [{"role": "user", "content": "hi"}],
            {"tools": [{**LOOKUP, "input_schema": {"type": "array"}}]},
            "input_schema.type",
        ),
        ([{"role": "user", "content": "hi"}], {"tool_choice": {"type": "tool", "name": "nope"}}, "`nope` not found"),
        ([{"role": "user", "content": ""}], {}, "non-empty content"),
        ([{"role": "system", "content": "hi"}], {}, "Input should be 'user' or 'assistant'"),
        ([], {}, "at least one message"),
    ],
)
def test_invalid_requests_are_400_with_the_apis_wording(
    api: LocalAPI, messages: list[Any], params: dict[str, Any], says: str
) -> None:
    with pytest.raises(anthropic.BadRequestError) as raised:
        ask(claude(api), messages, **params)
    assert raised.value.body["error"]["type"] == "invalid_request_error"
    assert says in raised.value.body["error"]["message"]


def test_max_tokens_below_one_and_unknown_paths_are_refused(api: LocalAPI) -> None:
    with pytest.raises(anthropic.BadRequestError, match="greater than or equal to 1"):
        claude(api).messages.create(model="m", max_tokens=0, messages=[{"role": "user", "content": "hi"}])
    with pytest.raises(anthropic.NotFoundError):
        claude(api).models.retrieve("claude-test")


# -- token counts and prompt caching -------------------------------------------------------------------------

BIG_SYSTEM = [
    {"type": "text", "text": "Answer as a careful support agent. " * 150, "cache_control": {"type": "ephemeral"}}
]


def _usage(message: anthropic.types.Message) -> tuple[int, int, int]:
    usage = message.usage
    return usage.input_tokens, usage.cache_creation_input_tokens or 0, usage.cache_read_input_tokens or 0


def test_a_repeated_prefix_is_written_once_then_read(api: LocalAPI) -> None:
    client = claude(api)
    write = _usage(ask(client, "[a] first question", system=BIG_SYSTEM))
    read = _usage(ask(client, "[b] another question", system=BIG_SYSTEM))
    assert write[1] > 1024 and write[2] == 0
    assert read[1] == 0 and read[2] == write[1]  # the same tools + system prefix, now read from the cache
    assert 0 < read[0] < 20  # only the user message is uncached input
    counted = client.messages.count_tokens(
        model="claude-test",
        system=BIG_SYSTEM,
        tools=[LOOKUP],
        messages=[{"role": "user", "content": "[b] another question"}],
    )
    assert counted.input_tokens == sum(read)  # cached tokens are part of the total, not of input_tokens
    other_model = client.messages.create(
        model="other", max_tokens=5, system=BIG_SYSTEM, tools=[LOOKUP], messages=[{"role": "user", "content": "x"}]
    )
    assert _usage(other_model)[1] == write[1]  # the cache is per model


def test_a_prefix_below_the_minimum_is_not_cached() -> None:
    small = [{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}}]
    with LocalAPI() as api:
        for _ in range(2):
            assert _usage(ask(claude(api), "hi", system=small))[1:] == (0, 0)
    with LocalAPI(min_cacheable_tokens=10) as api:
        assert _usage(ask(claude(api), "hi", system=small))[1] > 0
        assert _usage(ask(claude(api), "hi", system=small))[2] > 0


def test_parallel_first_requests_all_write_and_later_ones_read() -> None:
    with LocalAPI(latency=0.6) as api:  # long enough for all four to be sent before the first answer
        client = claude(api)
        usages: list[tuple[int, int, int]] = []
        threads = [
            threading.Thread(target=lambda: usages.append(_usage(ask(client, "hi", system=BIG_SYSTEM))))
            for _ in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=5)
        later = _usage(ask(client, "hi", system=BIG_SYSTEM))
    assert [u[1] > 0 for u in usages] == [True] * 4  # the entry is readable only once a response has begun
    assert later[1] == 0 and later[2] == usages[0][1]


def test_a_changed_tool_is_a_cache_miss_and_a_later_breakpoint_reads_the_earlier_one(api: LocalAPI) -> None:
    tools = [{**LOOKUP, "description": "Look up an order. " * 300, "cache_control": {"type": "ephemeral"}}]
    client = claude(api)
    tools_only = _usage(ask(client, "hi", tools=tools))
    assert tools_only[1] > 1024
    both = _usage(ask(client, "hi", tools=tools, system=BIG_SYSTEM))
    assert both[2] == tools_only[1] and both[1] > 0  # read up to the tool breakpoint, write the system
    changed = [{**tools[0], "description": "Find an order. " * 300}]
    assert _usage(ask(client, "hi", tools=changed, system=BIG_SYSTEM))[2] == 0


# -- batches -------------------------------------------------------------------------------------------------


def _batch_request(custom_id: str, content: str, **params: Any) -> dict[str, Any]:
    return {
        "custom_id": custom_id,
        "params": {
            "model": "claude-test",
            "max_tokens": 64,
            "messages": [{"role": "user", "content": content}],
            **params,
        },
    }


def test_a_batch_is_created_polled_and_its_results_come_back_unordered(api: LocalAPI) -> None:
    for i in range(8):
        api.script(f"[case-{i}]", [[tool_use("lookup_order", {"order_id": f"A{i}"})]])
    client = claude(api)
    requests = [_batch_request(f"case-{i}", f"[case-{i}] hi", tools=[LOOKUP]) for i in range(8)]
    requests.append(_batch_request("broken", "hi", tools=[LOOKUP, LOOKUP]))
    batch = client.messages.batches.create(requests=requests)
    assert batch.processing_status == "in_progress" and batch.request_counts.processing == 9
    statuses = []
    while batch.processing_status != "ended" and len(statuses) < 10:
        batch = client.messages.batches.retrieve(batch.id)
        statuses.append(batch.processing_status)
    assert statuses == ["in_progress", "in_progress", "ended"]
    assert (batch.request_counts.succeeded, batch.request_counts.errored) == (8, 1) and batch.results_url
    results = list(client.messages.batches.results(batch.id))
    ids = [r.custom_id for r in results]
    assert sorted(ids) == sorted(r["custom_id"] for r in requests) and ids != [r["custom_id"] for r in requests]
    by_id = {r.custom_id: r.result for r in results}
    assert by_id["case-3"].message.content[0].input == {"order_id": "A3"}
    assert by_id["case-3"].message.usage.service_tier == "batch"
    assert by_id["broken"].error.error.type == "invalid_request_error"
    assert [b.id for b in client.messages.batches.list()] == [batch.id]


def test_a_canceled_batch_ends_with_every_request_canceled(api: LocalAPI) -> None:
    client = claude(api)
    batch = client.messages.batches.create(requests=[_batch_request("one", "hi"), _batch_request("two", "hi")])
    with pytest.raises(anthropic.AnthropicError, match="results_url"):
        client.messages.batches.results(batch.id)  # no results_url while in progress: the SDK refuses
    canceled = client.messages.batches.cancel(batch.id)
    assert canceled.processing_status == "canceling" and canceled.cancel_initiated_at is not None
    ended = client.messages.batches.retrieve(batch.id)
    assert ended.processing_status == "ended" and ended.request_counts.canceled == 2
    assert {r.result.type for r in client.messages.batches.results(batch.id)} == {"canceled"}
    with pytest.raises(anthropic.NotFoundError):
        client.messages.batches.retrieve("msgbatch_missing")


def test_queued_faults_interrupt_the_batch_endpoints_and_the_batch_survives(api: LocalAPI) -> None:
    client = claude(api)
    batch = client.messages.batches.create(requests=[_batch_request("one", "hi")])
    api.fail_with("500", "reset")
    with pytest.raises(anthropic.InternalServerError):
        client.messages.batches.retrieve(batch.id)
    with pytest.raises(anthropic.APIConnectionError):
        client.messages.batches.retrieve(batch.id)
    while batch.processing_status != "ended":  # resumed from the batch id alone
        batch = client.messages.batches.retrieve(batch.id)
    assert [r.result.type for r in client.messages.batches.results(batch.id)] == ["succeeded"]


def test_a_batch_with_bad_custom_ids_is_refused_whole(api: LocalAPI) -> None:
    with pytest.raises(anthropic.BadRequestError, match="Duplicate custom_id"):
        claude(api).messages.batches.create(requests=[_batch_request("a", "hi"), _batch_request("a", "hi")])
    with pytest.raises(anthropic.BadRequestError, match="custom_id"):
        claude(api).messages.batches.create(requests=[_batch_request("has space", "hi")])


def test_random_faults_make_batch_requests_errored_not_the_batch(api: LocalAPI) -> None:
    api.faults(rate=1.0, seed=3, kinds=("529",))
    client = claude(api)
    batch = client.messages.batches.create(requests=[_batch_request("one", "hi")])
    while batch.processing_status != "ended":
        batch = client.messages.batches.retrieve(batch.id)
    (result,) = client.messages.batches.results(batch.id)
    assert result.result.type == "errored" and result.result.error.error.type == "overloaded_error"


# -- OpenAI-compatible twin ----------------------------------------------------------------------------------


def test_openai_tool_loop_with_json_string_arguments(api: LocalAPI) -> None:
    api.script("[order]", [[tool_use("lookup_order", {"order_id": "A1"})], [text("It shipped.")]])
    client = gpt(api)
    messages: list[Any] = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "[order] where?"}]
    first = client.chat.completions.create(model="gpt-test", messages=messages, tools=[OPENAI_LOOKUP])
    choice = first.choices[0]
    assert choice.finish_reason == "tool_calls" and choice.message.content is None
    call = choice.message.tool_calls[0]
    assert (call.function.name, json.loads(call.function.arguments)) == ("lookup_order", {"order_id": "A1"})
    assert (
        first.usage.prompt_tokens > 0
        and first.usage.total_tokens == first.usage.prompt_tokens + first.usage.completion_tokens
    )
    messages += [
        choice.message.model_dump(exclude_none=True),
        {"role": "tool", "tool_call_id": call.id, "content": "shipped"},
    ]
    final = client.chat.completions.create(model="gpt-test", messages=messages, tools=[OPENAI_LOOKUP])
    assert (final.choices[0].finish_reason, final.choices[0].message.content) == ("stop", "It shipped.")
    assert api.model_requests()[-1].headers["authorization"] == "Bearer test"


def test_openai_caches_long_prefixes_by_itself_and_counts_them_in_prompt_tokens(api: LocalAPI) -> None:
    system = {"role": "system", "content": "Answer as a careful support agent. " * 150}
    client = gpt(api)
    first, second = (
        client.chat.completions.create(model="m", messages=[system, {"role": "user", "content": question}]).usage
        for question in ("one", "two")
    )
    assert first.prompt_tokens_details.cached_tokens == 0
    cached = second.prompt_tokens_details.cached_tokens
    assert cached >= 1024 and cached % 128 == 0 and second.prompt_tokens > cached


def test_openai_invalid_arguments_are_passed_through_as_scripted(api: LocalAPI) -> None:
    api.script("[bad]", [[tool_use("lookup_order", '{"order_id": ')]])
    answer = gpt(api).chat.completions.create(model="m", messages=[{"role": "user", "content": "[bad]"}])
    assert answer.choices[0].message.tool_calls[0].function.arguments == '{"order_id": '


def test_openai_errors_have_the_openai_shape(api: LocalAPI) -> None:
    client = gpt(api)
    dangling = [
        {"role": "user", "content": "hi"},
        {
            "role": "assistant",
            "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
        },
        {"role": "user", "content": "no tool message"},
    ]
    with pytest.raises(openai.BadRequestError, match="call_1") as raised:
        client.chat.completions.create(model="m", messages=dangling)
    assert set(raised.value.body) >= {"message", "type", "param", "code"}
    api.fail_with("429")
    with pytest.raises(openai.RateLimitError) as limited:
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
    assert limited.value.code == "rate_limit_exceeded" and limited.value.response.headers["x-request-id"]
    api.fail_with("timeout")
    with pytest.raises(openai.APITimeoutError):
        client.with_options(timeout=1.0).chat.completions.create(
            model="m", messages=[{"role": "user", "content": "hi"}]
        )


# -- concurrency, latency and hygiene ------------------------------------------------------------------------


def test_concurrent_repeats_of_scripted_cases_never_interleave(api: LocalAPI) -> None:
    for case in range(8):
        api.script(f"[case-{case}]", [[tool_use("lookup_order", {"order_id": f"A{case}"})], [text(f"done {case}")]])
    client = claude(api)
    outcomes: dict[tuple[int, int], tuple[str, str]] = {}

    def run(case: int, repeat: int) -> None:
        messages: list[Any] = [{"role": "user", "content": f"[case-{case}] go"}]
        first = ask(client, messages)
        call = first.content[0]
        messages += [first.to_param(), {"role": "user", "content": [_result(call.id)]}]
        outcomes[(case, repeat)] = (call.input["order_id"], ask(client, messages).content[0].text)

    threads = [threading.Thread(target=run, args=(case, repeat)) for case in range(8) for repeat in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert outcomes == {(c, r): (f"A{c}", f"done {c}") for c in range(8) for r in range(3)}
    assert not api.errors


def test_latency_is_slept_per_model_request() -> None:
    with LocalAPI(latency=0.2) as api:
        client = claude(api)
        started = time.monotonic()
        threads = [threading.Thread(target=ask, args=(client, "hi")) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=5)
        elapsed = time.monotonic() - started
    assert 0.2 <= elapsed < 1.4  # slept in parallel: one after another would take 1.6 s


def test_the_server_binds_loopback_only_and_records_requests(api: LocalAPI) -> None:
    assert api.url.startswith("http://127.0.0.1:")
    ask(claude(api), "hi")
    (recorded,) = api.requests
    assert recorded.path == "/v1/messages" and recorded.method == "POST"
    assert recorded.body["messages"] == [{"role": "user", "content": "hi"}]
    assert float(recorded.headers["x-stainless-read-timeout"]) == 5.0


def test_the_benchmark_suite_runs_end_to_end_and_every_case_passes(
    api: LocalAPI, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """bench/eval_bench.py at a tenth of its size and no latency, so the benchmark cannot rot unnoticed."""
    spec = importlib.util.spec_from_file_location("eval_bench", REPO / "bench" / "eval_bench.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    from toollint.eval import EvalSettings, evaluate

    plan = bench.case_plan(10)
    for case in plan:
        turn = [text(case["answer"])] if case["tool"] is None else [tool_use(case["tool"], case["args"])]
        api.script(case["marker"], [turn])
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test")
    settings = EvalSettings(
        paths=(bench.write_suite(tmp_path, plan),),
        model=bench.MODEL,
        base_url=api.url,
        repeats=2,
        concurrency=4,
        strict_responses=True,
        baseline=tmp_path / "baseline.json",
        quiet=True,
        progress=False,
        root=tmp_path,
    )
    outcome = evaluate(settings)
    assert (outcome.error, [r.verdict for r in outcome.results]) == (None, ["pass"] * 10)
    assert outcome.requests == 20 and not api.errors
    assert outcome.usage.cache_read_tokens > 0  # tools + system are above the 1 024-token minimum
