"""A local Anthropic Messages API, with its Message Batches and an OpenAI chat-completions twin, for tests.

The real `anthropic` and `openai` SDKs talk to it over HTTP on 127.0.0.1, so toollint's eval code is tested
with no mocking library (evals.md §8). Stdlib only. The model is scripted per case, keyed by a marker in the
first user message; the turn index is read from the conversation itself (how many assistant messages it
holds), so repeats and concurrent runs of one case never interleave.

    with LocalAPI() as api:
        api.script("[case-7]", [[tool_use("lookup_order", {"order_id": "A1"})], [text("It shipped")]])
        client = anthropic.Anthropic(api_key="test", base_url=api.url)            # no /v1 for anthropic
        openai_client = openai.OpenAI(api_key="test", base_url=api.url + "/v1")    # /v1 for openai

Faithful where toollint's own bugs would otherwise hide: requests are validated like the real API (400
`invalid_request_error` with the real wording where known), errors carry the real body shape and a
`request-id` header, 429 and 529 carry `retry-after-ms` and `retry-after`, usage carries the prompt-cache
fields, and a repeated prefix up to a `cache_control` breakpoint is a cache read.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import random
import re
import socket
import struct
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Block = dict[str, Any]
Turn = Sequence[Block]
Responder = Callable[[dict[str, Any]], "Sequence[Block] | Fault"]

FAULT_KINDS = ("429", "529", "500", "timeout", "reset", "truncated", "malformed", "no_usage")
TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
CUSTOM_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
# The real API limits a Messages request to 32 MB; a larger body is refused before it is read.
MAX_BODY_BYTES = 32 * 1024 * 1024
# Tool use adds a system prompt of its own, billed as input and part of the cached prefix: 346 tokens with
# tool_choice auto/none and 313 with any/tool for the Claude 4 models (Anthropic pricing page, "Tool use").
TOOL_PROMPT_TOKENS = {"auto": 346, "none": 346, "any": 313, "tool": 313}
ANTHROPIC_STATUS_ERRORS = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}
OPENAI_STATUS_ERRORS = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    404: ("invalid_request_error", "model_not_found"),
    429: ("requests", "rate_limit_exceeded"),
    500: ("server_error", None),
    529: ("server_error", None),
}


def tool_use(name: str, input: Any, id: str | None = None) -> Block:
    """A `tool_use` block of a scripted assistant turn; the server assigns an id when none is given."""
    return {"type": "tool_use", "id": id, "name": name, "input": input}


def text(s: str) -> Block:
    """A `text` block of a scripted assistant turn."""
    return {"type": "text", "text": s}


def stop_reason(reason: str) -> Block:
    """Not a content block: makes the turn end with this `stop_reason` (e.g. `max_tokens`, `refusal`)."""
    return {"type": "_stop_reason", "stop_reason": reason}


@dataclass(frozen=True)
class Fault:
    """A failure the server answers with instead of a model turn.

    kind is one of FAULT_KINDS or "status" (any status with `error_type`/`error_code`). `retry_after` (seconds)
    becomes `retry-after-ms` and `retry-after` on 429 and 529 (and on any status when set explicitly);
    `should_retry` becomes `x-should-retry`.
    """

    kind: str
    status: int = 0
    error_type: str = ""
    error_code: str | None = None
    message: str = ""
    retry_after: float | None = None
    should_retry: bool | None = None

    @classmethod
    def of(
        cls,
        status: int,
        error_type: str | None = None,
        error_code: str | None = None,
        message: str = "",
        retry_after: float | None = None,
        should_retry: bool | None = None,
    ) -> Fault:
        kind = str(status) if str(status) in FAULT_KINDS else "status"
        return cls(
            kind,
            status,
            error_type or ANTHROPIC_STATUS_ERRORS.get(status, "api_error"),
            error_code,
            message,
            retry_after,
            should_retry,
        )

    def resolved(self, default_retry_after: float) -> Fault:
        """The fault with status and error type filled in for the shorthand kinds, and a retry delay on 429/529."""
        status = self.status or (int(self.kind) if self.kind in ("429", "529", "500") else 0)
        retry_after = self.retry_after
        if retry_after is None and status in (429, 529):
            retry_after = default_retry_after
        error_type = self.error_type or (ANTHROPIC_STATUS_ERRORS.get(status, "api_error") if status else "")
        return replace(self, status=status, error_type=error_type, retry_after=retry_after)


@dataclass(frozen=True)
class Recorded:
    """One request as the server saw it: path (with prefix and query), lower-case headers, parsed JSON body
    (the raw text when it is not JSON), and when it arrived."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    at: float = 0.0  # time.monotonic() on arrival, to check retry timing


@dataclass
class _Batch:
    id: str
    requests: list[dict[str, Any]]
    results: list[dict[str, Any]]
    created_at: datetime
    polls_left: int
    status: str = "in_progress"
    cancel_initiated_at: datetime | None = None
    ended_at: datetime | None = None
    results_order: list[int] = field(default_factory=list)


class _Stop(Exception):
    """Raised inside a handler when the connection was dropped on purpose (a `reset` or `truncated` fault)."""


class LocalAPI:
    """A threaded HTTP server on 127.0.0.1:0 speaking the Messages API; use it as a context manager."""

    def __init__(
        self,
        latency: float = 0.0,
        *,
        min_cacheable_tokens: int = 1024,
        timeout_sleep: float = 2.0,
        retry_after: float = 0.001,
        batch_polls: int = 2,
        api_key: str | None = None,
        max_recorded: int = 100_000,
    ) -> None:
        self.latency = latency
        self.min_cacheable_tokens = min_cacheable_tokens
        self.timeout_sleep = timeout_sleep
        self.retry_after = retry_after
        self.batch_polls = batch_polls
        self.api_key = api_key
        self.responder: Responder | None = None
        self.errors: list[str] = []  # exceptions raised by a responder or by the server itself
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._scripts: dict[str, list[list[Block]]] = {}
        self._recorded: deque[Recorded] = deque(maxlen=max_recorded)
        self._queued: deque[Fault] = deque()
        self._sticky: Fault | None = None
        self._fault_rate = 0.0
        self._fault_rng = random.Random(0)
        self._fault_kinds: tuple[str, ...] = FAULT_KINDS
        self._cache: OrderedDict[str, float] = OrderedDict()  # prefix digest -> when it becomes readable
        self._batches: dict[str, _Batch] = {}
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    # -- lifecycle ---------------------------------------------------------------------------------------

    def __enter__(self) -> LocalAPI:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        self._closing.clear()
        server = _Server(("127.0.0.1", 0), _handler_for(self))
        self._server = server
        self.url = f"http://127.0.0.1:{server.server_port}"
        self._thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="local-api", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._closing.set()  # wakes handlers sleeping in a `timeout` fault
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # -- programming the model ---------------------------------------------------------------------------

    def script(self, marker: str, turns: Iterable[Turn]) -> None:
        """Scripted assistant turns for the conversations whose first user message contains `marker`."""
        with self._lock:
            self._scripts[marker] = [list(turn) for turn in turns]

    def faults(self, rate: float = 0.2, seed: int = 1, kinds: Iterable[str] = FAULT_KINDS) -> None:
        """Inject a random fault into a share of model requests; the sequence of draws is fixed by `seed`."""
        chosen = tuple(kinds)
        unknown = set(chosen) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {FAULT_KINDS}")
        with self._lock:
            self._fault_rate = rate
            self._fault_rng = random.Random(seed)
            self._fault_kinds = chosen

    def fail_next(
        self,
        status: int = 401,
        error_type: str | None = None,
        error_code: str | None = None,
        times: int | None = 1,
        *,
        message: str = "",
        retry_after: float | None = None,
        should_retry: bool | None = None,
    ) -> None:
        """Answer the next `times` requests with this error; `times=None` keeps failing until `clear()`.

        Queued faults hit model requests and the batch endpoints (not count_tokens); random ones (`faults`) hit
        model requests and individual batch requests (as `errored` results).

        A spend limit is `fail_next(429, "rate_limit_error", "enforced_spend_limit_reached", times=None)`:
        the real API answers 429 with `error.details.error_code`, which the SDK turns into
        `EnforcedSpendLimitReachedError` (a `RateLimitError`). The SDK still retries it like any 429 unless the
        server sends `x-should-retry: false`, and the limit does not lift between retries, hence `times=None`.
        """
        fault = Fault.of(status, error_type, error_code, message, retry_after, should_retry)
        with self._lock:
            if times is None:
                self._sticky = fault
            else:
                self._queued.extend([fault] * times)

    def fail_with(self, *faults: Fault | str) -> None:
        """Answer the next model requests with these faults, in order (`"529"`, `"reset"`, `Fault.of(...)`)."""
        with self._lock:
            self._queued.extend(Fault(f) if isinstance(f, str) else f for f in faults)

    def spend_limit(self) -> None:
        """Every model request from now on hits the organisation's spend limit."""
        self.fail_next(
            429,
            "rate_limit_error",
            "enforced_spend_limit_reached",
            times=None,
            message="You have reached your specified API usage limits.",
        )

    def clear(self) -> None:
        """Forget queued and sticky faults, random faults, scripts, the responder and the prompt cache."""
        with self._lock:
            self._queued.clear()
            self._sticky = None
            self._fault_rate = 0.0
            self._scripts.clear()
            self._cache.clear()
        self.responder = None

    def reset(self) -> None:
        """`clear()`, and forget the recorded requests, errors and batches too: a server as good as new."""
        self.clear()
        with self._lock:
            self._recorded.clear()
            self._batches.clear()
        self.errors.clear()

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()

    @property
    def requests(self) -> list[Recorded]:
        with self._lock:
            return list(self._recorded)

    def model_requests(self) -> list[Recorded]:
        """The requests that asked the model for a turn (Messages and chat completions, not batches)."""
        return [r for r in self.requests if r.method == "POST" and _route(r.path)[0] in ("messages", "chat")]

    # -- internals used by the handler -------------------------------------------------------------------

    def _record(self, recorded: Recorded) -> None:
        with self._lock:
            self._recorded.append(recorded)

    def _next_id(self, prefix: str) -> str:
        with self._lock:
            n = next(self._ids)
        return f"{prefix}{n:024d}"

    def _take_fault(self, random_draw: bool = True, queued: bool = True) -> Fault | None:
        with self._lock:
            if queued and self._queued:
                return self._queued.popleft().resolved(self.retry_after)
            if queued and self._sticky is not None:
                return self._sticky.resolved(self.retry_after)
            if random_draw and self._fault_rate > 0 and self._fault_rng.random() < self._fault_rate:
                return Fault(self._fault_rng.choice(self._fault_kinds)).resolved(self.retry_after)
        return None

    def _scripted_turn(self, body: dict[str, Any]) -> Sequence[Block] | Fault:
        """The assistant turn for this conversation: the responder's, else the script's, else a notice."""
        responder = self.responder
        if responder is not None:
            return responder(body)
        first = first_user_text(body)
        with self._lock:
            matches = [m for m in self._scripts if m in first]
            marker = max(matches, key=len) if matches else None
            turns = self._scripts.get(marker, []) if marker is not None else []
        index = turn_index(body)
        if marker is None:
            return [text("local_api: no script matches this conversation's first user message")]
        if index >= len(turns):
            return [text(f"local_api: the script for {marker!r} has no turn {index}")]
        return turns[index]

    def _cache_usage(self, body: dict[str, Any]) -> dict[str, int]:
        """Split the request's input tokens into cache reads, cache writes and uncached input."""
        segments = _prompt_segments(body)
        total = sum(tokens for tokens, _, _ in segments)
        breakpoints = [i for i, (_, _, marked) in enumerate(segments) if marked]
        if body.get("cache_control") and segments:  # automatic caching: a breakpoint on the last block
            breakpoints.append(len(segments) - 1)
        prefix_tokens = list(itertools.accumulate(tokens for tokens, _, _ in segments))
        digests = list(itertools.accumulate((digest for _, digest, _ in segments), _chain))
        model = str(body.get("model", ""))
        now = time.monotonic()
        read = write = 0
        with self._lock:
            # an entry is readable once the response that wrote it has begun: requests sent in parallel before
            # that all write, as on the real API
            cached = [b for b in breakpoints if self._cache.get(f"{model}:{digests[b]}", math.inf) <= now]
            hit = max(cached, default=-1)
            read = prefix_tokens[hit] if hit >= 0 else 0
            last = max(breakpoints, default=-1)
            if last > hit and prefix_tokens[last] >= self.min_cacheable_tokens:
                write = prefix_tokens[last] - read
            for b in breakpoints:
                key = f"{model}:{digests[b]}"
                if prefix_tokens[b] >= self.min_cacheable_tokens:
                    self._cache.setdefault(key, now + self.latency)
                    self._cache.move_to_end(key)
            while len(self._cache) > 100_000:
                self._cache.popitem(last=False)
        return {
            "input_tokens": total - read - write,
            "cache_creation_input_tokens": write,
            "cache_read_input_tokens": read,
        }

    def _openai_cache(self, body: dict[str, Any]) -> tuple[int, int]:
        """(prompt tokens, cached tokens) as OpenAI counts them: caching is automatic, on the longest prefix seen
        before (tools, then each message) once it reaches 1 024 tokens, in steps of 128; and unlike Anthropic's
        `input_tokens`, `prompt_tokens` includes the cached ones."""
        parts = [body.get("tools") or []] + list(body.get("messages") or [])
        sizes = list(itertools.accumulate(_tokens(part) for part in parts))
        digests = list(itertools.accumulate((_digest(part) for part in parts), _chain))
        model = str(body.get("model", ""))
        now = time.monotonic()
        cached = 0
        with self._lock:
            for size, digest in zip(sizes, digests, strict=True):
                key = f"openai:{model}:{digest}"
                if size >= 1024:
                    if self._cache.get(key, math.inf) <= now:
                        cached = size // 128 * 128
                    self._cache.setdefault(key, now + self.latency)
        return sizes[-1] if sizes else 0, cached

    def _message(self, body: dict[str, Any], turn: Sequence[Block], tier: str = "standard") -> dict[str, Any]:
        content: list[Block] = []
        reason = None
        for block in turn:
            if block.get("type") == "_stop_reason":
                reason = block["stop_reason"]
            elif block.get("type") == "tool_use":
                content.append({**block, "id": block.get("id") or self._next_id("toolu_")})
            else:
                content.append(dict(block))
        if reason is None:
            reason = "tool_use" if any(b.get("type") == "tool_use" for b in content) else "end_turn"
        usage = self._cache_usage(body)
        return {
            "id": self._next_id("msg_"),
            "type": "message",
            "role": "assistant",
            "model": body.get("model"),
            "content": content,
            "stop_reason": reason,
            "stop_sequence": None,
            "usage": {
                **usage,
                "cache_creation": {
                    "ephemeral_5m_input_tokens": usage["cache_creation_input_tokens"],
                    "ephemeral_1h_input_tokens": 0,
                },
                "output_tokens": max(1, _tokens(content)),
                "service_tier": tier,
            },
        }

    def _chat_completion(self, body: dict[str, Any], turn: Sequence[Block]) -> dict[str, Any]:
        texts = [b["text"] for b in turn if b.get("type") == "text"]
        calls = [
            {
                "id": b.get("id") or self._next_id("call_"),
                "type": "function",
                "function": {
                    "name": b["name"],
                    # a str input is sent as it is, to script arguments that are not valid JSON
                    "arguments": b["input"] if isinstance(b["input"], str) else json.dumps(b["input"]),
                },
            }
            for b in turn
            if b.get("type") == "tool_use"
        ]
        stops = [b["stop_reason"] for b in turn if b.get("type") == "_stop_reason"]
        finish = {"max_tokens": "length", "refusal": "content_filter"}.get(stops[0], "stop") if stops else None
        message: dict[str, Any] = {"role": "assistant", "content": "".join(texts) or None, "refusal": None}
        if calls:
            message["tool_calls"] = calls
        prompt, cached = self._openai_cache(body)
        completion = max(1, _tokens(message))
        return {
            "id": self._next_id("chatcmpl-"),
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model"),
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": finish or ("tool_calls" if calls else "stop"),
                    "logprobs": None,
                }
            ],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
                "prompt_tokens_details": {"cached_tokens": cached},
            },
        }

    # -- batches -----------------------------------------------------------------------------------------

    def _create_batch(self, body: Any) -> tuple[int, dict[str, Any]]:
        requests = body.get("requests") if isinstance(body, dict) else None
        if not isinstance(requests, list) or not requests:
            return 400, _anthropic_error("invalid_request_error", "requests: List should have at least 1 item")
        seen: set[str] = set()
        for i, request in enumerate(requests):
            custom_id = request.get("custom_id") if isinstance(request, dict) else None
            if not isinstance(custom_id, str) or not CUSTOM_ID.match(custom_id):
                return 400, _anthropic_error(
                    "invalid_request_error",
                    f"requests.{i}.custom_id: String should match pattern '^[a-zA-Z0-9_-]{{1,64}}$'",
                )
            if custom_id in seen:
                return 400, _anthropic_error(
                    "invalid_request_error", f"requests.{i}.custom_id: Duplicate custom_id `{custom_id}`"
                )
            seen.add(custom_id)
            if not isinstance(request.get("params"), dict):
                return 400, _anthropic_error("invalid_request_error", f"requests.{i}.params: Field required")
        batch_id = self._next_id("msgbatch_")
        results = [self._batch_result(r["custom_id"], r["params"]) for r in requests]
        order = list(range(len(results)))
        random.Random(batch_id).shuffle(order)  # results are not in request order on the real API either
        batch = _Batch(batch_id, requests, results, _now(), self.batch_polls, results_order=order)
        with self._lock:
            self._batches[batch_id] = batch
        return 200, self._batch_json(batch)

    def _batch_result(self, custom_id: str, params: dict[str, Any]) -> dict[str, Any]:
        problem = validate_messages(params) or ("max_tokens: must be at least 1" if params.get("stream") else None)
        if problem:
            error = _anthropic_error("invalid_request_error", problem)
            return {"custom_id": custom_id, "result": {"type": "errored", "error": error}}
        fault = self._take_fault(queued=False)  # an errored result; transport faults have no batch form
        if fault is not None and fault.status:
            error = _anthropic_error(
                fault.error_type, fault.message or _default_message(fault.status), fault.error_code
            )
            return {"custom_id": custom_id, "result": {"type": "errored", "error": error}}
        try:
            turn = self._scripted_turn(params)
        except Exception as exc:  # a broken responder must show in the test, not kill the server thread
            self.errors.append(f"responder raised {exc!r}")
            turn = Fault.of(500)
        if isinstance(turn, Fault):
            turn = turn.resolved(self.retry_after)
            error = _anthropic_error(turn.error_type or "api_error", turn.message or "Internal server error")
            return {"custom_id": custom_id, "result": {"type": "errored", "error": error}}
        message = self._message(params, turn, tier="batch")
        return {"custom_id": custom_id, "result": {"type": "succeeded", "message": message}}

    def _poll_batch(self, batch_id: str) -> _Batch | None:
        with self._lock:
            batch = self._batches.get(batch_id)
            if batch is None:
                return None
            if batch.status == "canceling":
                batch.status, batch.ended_at = "ended", _now()
            elif batch.status == "in_progress":
                if batch.polls_left <= 0:
                    batch.status, batch.ended_at = "ended", _now()
                batch.polls_left -= 1
            return batch

    def _cancel_batch(self, batch_id: str) -> _Batch | None:
        with self._lock:
            batch = self._batches.get(batch_id)
            if batch is not None and batch.status == "in_progress":
                batch.status, batch.cancel_initiated_at = "canceling", _now()
                # nothing had finished yet: every request of a batch canceled in progress is canceled
                batch.results = [{"custom_id": r["custom_id"], "result": {"type": "canceled"}} for r in batch.requests]
            return batch

    def _batch_json(self, batch: _Batch) -> dict[str, Any]:
        ended = batch.status == "ended"
        counts = {
            "processing": 0 if ended else len(batch.requests),
            "succeeded": 0,
            "errored": 0,
            "canceled": 0,
            "expired": 0,
        }
        if ended:
            for r in batch.results:
                counts[r["result"]["type"]] += 1
        return {
            "id": batch.id,
            "type": "message_batch",
            "processing_status": batch.status,
            "request_counts": counts,
            "created_at": _iso(batch.created_at),
            "expires_at": _iso(batch.created_at + timedelta(hours=24)),
            "ended_at": _iso(batch.ended_at) if batch.ended_at else None,
            "cancel_initiated_at": _iso(batch.cancel_initiated_at) if batch.cancel_initiated_at else None,
            "archived_at": None,
            "results_url": f"{self.url}/v1/messages/batches/{batch.id}/results" if ended else None,
        }

    def _batch_results(self, batch: _Batch) -> bytes:
        lines = [json.dumps(batch.results[i]) for i in batch.results_order]
        return ("\n".join(lines) + "\n").encode()


# -- request helpers, usable by responders -------------------------------------------------------------------


def first_user_text(body: dict[str, Any]) -> str:
    """The text of the first user message, in the Anthropic or the OpenAI shape."""
    for message in body.get("messages") or []:
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, str):
                return content
            if isinstance(content, list):
                return "\n".join(
                    str(b.get("text", "")) for b in content if isinstance(b, dict) and b.get("type") == "text"
                )
            return ""
    return ""


def turn_index(body: dict[str, Any]) -> int:
    """How many assistant turns the conversation already holds: the index of the turn being asked for."""
    return sum(1 for m in body.get("messages") or [] if isinstance(m, dict) and m.get("role") == "assistant")


def validate_messages(body: Any) -> str | None:
    """The first reason the real Messages API would refuse this body with 400, or None."""
    if not isinstance(body, dict):
        return "Request body must be a JSON object"
    if not isinstance(body.get("model"), str) or not body["model"]:
        return "model: Field required"
    max_tokens = body.get("max_tokens")
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int):
        return "max_tokens: Field required"
    if max_tokens < 1:
        return "max_tokens: Input should be greater than or equal to 1"
    return validate_prompt(body)


def validate_prompt(body: dict[str, Any]) -> str | None:
    """The checks shared by /v1/messages and /v1/messages/count_tokens."""
    return _check_system(body.get("system")) or _check_tools(body) or _check_messages(body.get("messages"))


def _check_system(system: Any) -> str | None:
    if system is None or isinstance(system, str):
        return None
    if not isinstance(system, list):
        return "system: Input should be a valid string or a list of text blocks"
    for i, block in enumerate(system):
        if not isinstance(block, dict) or block.get("type") != "text" or not isinstance(block.get("text"), str):
            return f"system.{i}: Input should be a text block"
        if not block["text"]:
            return f"system.{i}.text: text content blocks must be non-empty"
    return None


def _check_tools(body: dict[str, Any]) -> str | None:
    tools = body.get("tools")
    names: list[str] = []
    if tools is not None:
        if not isinstance(tools, list):
            return "tools: Input should be a valid list"
        for i, tool in enumerate(tools):
            if not isinstance(tool, dict):
                return f"tools.{i}: Input should be a valid dictionary"
            if tool.get("type") not in (None, "custom"):
                names.append(str(tool.get("name")))  # a server tool (web search, ...): its own schema
                continue
            name = tool.get("name")
            if not isinstance(name, str) or not TOOL_NAME.match(name):
                return f"tools.{i}.custom.name: String should match pattern '^[a-zA-Z0-9_-]{{1,64}}$'"
            schema = tool.get("input_schema")
            if not isinstance(schema, dict):
                return f"tools.{i}.custom.input_schema: Field required"
            if schema.get("type") != "object":
                return f"tools.{i}.custom.input_schema.type: Input should be 'object'"
            names.append(name)
        if len(set(names)) != len(names):
            return "tools: Tool names must be unique."
    choice = body.get("tool_choice")
    if choice is not None:
        if not isinstance(choice, dict) or choice.get("type") not in TOOL_PROMPT_TOKENS:
            return "tool_choice: Input tag does not match any of the expected tags: 'auto', 'any', 'tool', 'none'"
        if choice["type"] == "tool" and choice.get("name") not in names:
            return f"tool_choice.name: Tool `{choice.get('name')}` not found in the provided tools"
        if choice["type"] in ("any", "tool") and not names:
            return "tool_choice: may only be specified while providing tools."
    return None


def _check_messages(messages: Any) -> str | None:
    if not isinstance(messages, list) or not messages:
        return "messages: Field required" if messages is None else "messages: at least one message is required"
    pending: list[str] = []  # tool_use ids of the previous assistant message, waiting for their results
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
            return f"messages.{i}.role: Input should be 'user' or 'assistant'"
        content = message.get("content")
        if isinstance(content, str):
            blocks: list[Any] = [{"type": "text", "text": content}] if content else []
            if not content and not (message["role"] == "assistant" and i == len(messages) - 1):
                return f"messages.{i}: all messages must have non-empty content except for the optional final assistant message"
        elif isinstance(content, list):
            blocks = content
        else:
            return f"messages.{i}.content: Input should be a valid string or list of content blocks"
        problem = _check_blocks(i, message["role"], blocks, pending)
        if problem:
            return problem
        pending = [b["id"] for b in blocks if b.get("type") == "tool_use"] if message["role"] == "assistant" else []
    if pending:
        return _unanswered(len(messages) - 1, pending)
    return None


def _check_blocks(i: int, role: str, blocks: list[Any], pending: list[str]) -> str | None:
    for j, block in enumerate(blocks):
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            return f"messages.{i}.content.{j}: Input should be a valid content block"
        kind = block["type"]
        if kind == "text" and (not isinstance(block.get("text"), str) or not block["text"]):
            return f"messages.{i}.content.{j}.text: text content blocks must be non-empty"
        if kind == "tool_use":
            if role != "assistant":
                return f"messages.{i}.content.{j}: `tool_use` blocks can only be in `assistant` messages"
            if not isinstance(block.get("id"), str) or not isinstance(block.get("name"), str):
                return f"messages.{i}.content.{j}.tool_use: `id` and `name` are required"
            if not isinstance(block.get("input"), dict):
                return f"messages.{i}.content.{j}.tool_use.input: Input should be a valid dictionary"
        if kind == "tool_result":
            if role != "user":
                return f"messages.{i}.content.{j}: `tool_result` blocks can only be in `user` messages"
            if block.get("tool_use_id") not in pending:
                return (
                    f"messages.{i}.content.{j}: unexpected `tool_use_id` found in `tool_result` blocks: "
                    f"{block.get('tool_use_id')}. Each `tool_result` block must have a corresponding `tool_use` "
                    "block in the previous message."
                )
            if j > 0 and blocks[j - 1].get("type") != "tool_result":
                return (
                    f"messages.{i}.content.{j}: `tool_result` blocks must come first in the user message, "
                    "before any other content"
                )
    if pending:
        answered = {b.get("tool_use_id") for b in blocks if isinstance(b, dict) and b.get("type") == "tool_result"}
        missing = [p for p in pending if p not in answered]
        if missing or role != "user":
            return _unanswered(i - 1, missing or pending)
    return None


def _unanswered(index: int, ids: list[str]) -> str:
    return (
        f"messages.{index}: `tool_use` ids were found without `tool_result` blocks immediately after: "
        f"{', '.join(ids)}. Each `tool_use` block must have a corresponding `tool_result` block in the next message."
    )


def validate_chat(body: Any) -> str | None:
    """The first reason an OpenAI chat-completions endpoint would refuse this body with 400, or None."""
    if not isinstance(body, dict):
        return "We could not parse the JSON body of your request."
    if not isinstance(body.get("model"), str) or not body["model"]:
        return "you must provide a model parameter"
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "[] is too short - 'messages'" if messages == [] else "Missing required parameter: 'messages'."
    for i, tool in enumerate(body.get("tools") or []):
        name = (tool.get("function") or {}).get("name") if isinstance(tool, dict) else None
        if not isinstance(name, str) or not TOOL_NAME.match(name):
            return f"Invalid 'tools[{i}].function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'."
    pending: list[str] = []
    for message in messages:
        role = message.get("role") if isinstance(message, dict) else None
        if role not in ("system", "developer", "user", "assistant", "tool"):
            return f"Invalid value: '{role}'. Supported values are: 'system', 'assistant', 'user', 'tool', and 'developer'."
        if role == "tool":
            if message.get("tool_call_id") not in pending:
                return (
                    "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with "
                    "'tool_calls'."
                )
            pending.remove(message["tool_call_id"])
            continue
        if pending:
            return (
                "An assistant message with 'tool_calls' must be followed by tool messages responding to each "
                f"'tool_call_id'. The following tool_call_ids did not have response messages: {', '.join(pending)}"
            )
        if role == "assistant":
            pending = [str(c.get("id")) for c in message.get("tool_calls") or [] if isinstance(c, dict)]
    if pending:
        return (
            "An assistant message with 'tool_calls' must be followed by tool messages responding to each "
            f"'tool_call_id'. The following tool_call_ids did not have response messages: {', '.join(pending)}"
        )
    return None


# -- token accounting ----------------------------------------------------------------------------------------


def _tokens(value: Any) -> int:
    """A deterministic stand-in for a tokenizer: a quarter of the compact JSON, rounded up."""
    if isinstance(value, str):
        return math.ceil(len(value) / 4)
    return math.ceil(len(json.dumps(value, sort_keys=True, separators=(",", ":"))) / 4)


def _without_cache_control(block: Any) -> Any:
    return {k: v for k, v in block.items() if k != "cache_control"} if isinstance(block, dict) else block


def _prompt_segments(body: dict[str, Any]) -> list[tuple[int, str, bool]]:
    """(tokens, digest, carries cache_control) of each block in the API's cache order: tools, system, messages.

    The tool-use system prompt the API adds comes first and is part of every prefix that holds tools.
    """
    segments: list[tuple[int, str, bool]] = []

    def add(value: Any, marked: bool, tokens: int | None = None) -> None:
        canonical = json.dumps(_without_cache_control(value), sort_keys=True, separators=(",", ":"))
        digest = hashlib.sha256(canonical.encode()).hexdigest()
        segments.append((tokens if tokens is not None else max(1, _tokens(canonical)), digest, marked))

    tools = body.get("tools") or []
    if tools:
        choice = (body.get("tool_choice") or {}).get("type", "auto")
        add({"tool_prompt": choice}, False, TOOL_PROMPT_TOKENS.get(choice, 346))
    for tool in tools:
        add(tool, isinstance(tool, dict) and bool(tool.get("cache_control")))
    system = body.get("system")
    if isinstance(system, str) and system:
        add({"type": "text", "text": system}, False)
    elif isinstance(system, list):
        for block in system:
            add(block, isinstance(block, dict) and bool(block.get("cache_control")))
    for message in body.get("messages") or []:
        content = message.get("content") if isinstance(message, dict) else None
        role = message.get("role") if isinstance(message, dict) else None
        if isinstance(content, str):
            add({"role": role, "text": content}, False)
        elif isinstance(content, list):
            for block in content:
                add(
                    {"role": role, **_without_cache_control(block)},
                    isinstance(block, dict) and bool(block.get("cache_control")),
                )
    return segments


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _chain(left: str, right: str) -> str:
    return hashlib.sha256(f"{left}|{right}".encode()).hexdigest()


# -- HTTP ----------------------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # 16+ clients connect at once in the benchmark; the default backlog of 5 would drop SYNs and cost a
    # one-second connect retry each
    request_queue_size = 128
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (timeouts, resets) is expected here; the handler records real failures


ROUTES = (
    ("count_tokens", re.compile(r"/v1/messages/count_tokens$")),
    ("batch_results", re.compile(r"/v1/messages/batches/(?P<id>[^/]+)/results$")),
    ("batch_cancel", re.compile(r"/v1/messages/batches/(?P<id>[^/]+)/cancel$")),
    ("batch", re.compile(r"/v1/messages/batches/(?P<id>[^/]+)$")),
    ("batches", re.compile(r"/v1/messages/batches$")),
    ("messages", re.compile(r"/v1/messages$")),
    ("chat", re.compile(r"/v1/chat/completions$")),
)


def _route(path: str) -> tuple[str, str]:
    bare = path.split("?", 1)[0]
    for name, pattern in ROUTES:
        found = pattern.search(bare)
        if found:
            return name, found.groupdict().get("id") or ""
    return "", ""


def _handler_for(api: LocalAPI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        _headers_buffer: list[bytes]  # BaseHTTPRequestHandler's, written in one piece with the body by _send

        def setup(self) -> None:
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def do_DELETE(self) -> None:
            self._serve("DELETE")

        def _serve(self, method: str) -> None:
            self.request_id = api._next_id("req_")
            self.dialect = "openai" if _route(self.path)[0] == "chat" else "anthropic"
            try:
                self._dispatch(method)
            except _Stop:
                self.close_connection = True
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up first (its timeout); nothing to answer
            except Exception as exc:
                api.errors.append(f"{method} {self.path}: {exc!r}")
                self._error(500, "api_error", f"local_api failed: {exc!r}")

        def _dispatch(self, method: str) -> None:
            length = int(self.headers.get("content-length") or 0)
            if length > MAX_BODY_BYTES:
                self.close_connection = True
                return self._error(413, "request_too_large", "Request exceeds the maximum allowed number of bytes.")
            raw = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                body = json.loads(raw) if raw else None
                bad_json = False
            except ValueError:
                body, bad_json = raw.decode("utf-8", "replace"), True
            api._record(Recorded(method, self.path, headers, body, time.monotonic()))
            route, ident = _route(self.path)
            if not self._authorized(headers):
                return
            if bad_json:
                return self._error(400, "invalid_request_error", "There was an error parsing the body of your request.")
            if method == "POST" and route in ("messages", "chat"):
                return self._model_call(body)
            if method == "POST" and route == "count_tokens":
                if not isinstance(body, dict):
                    return self._error(400, "invalid_request_error", "Request body must be a JSON object")
                problem = validate_prompt(body)
                if problem:
                    return self._error(400, "invalid_request_error", problem)
                return self._json(200, {"input_tokens": sum(segment[0] for segment in _prompt_segments(body))})
            if route.startswith("batch"):
                # queued faults hit the batch endpoints too, so a test can interrupt a batch run at any step
                fault = api._take_fault(random_draw=False)
                if fault is not None:
                    return self._fault(fault, body)
            if method == "POST" and route == "batches":
                return self._json(*api._create_batch(body))
            if method == "GET" and route == "batches":
                with api._lock:
                    batches = [api._batch_json(b) for b in reversed(list(api._batches.values()))]
                first = batches[0]["id"] if batches else None
                last = batches[-1]["id"] if batches else None
                return self._json(200, {"data": batches, "has_more": False, "first_id": first, "last_id": last})
            if route in ("batch", "batch_cancel", "batch_results"):
                return self._batch(method, route, ident)
            self._error(404, "not_found_error", f"Not found: {method} {self.path}")

        def _authorized(self, headers: dict[str, str]) -> bool:
            bearer = headers.get("authorization", "")
            key = headers.get("x-api-key") or (bearer[7:] if bearer.lower().startswith("bearer ") else "")
            if self.dialect == "openai":
                key = bearer[7:] if bearer.lower().startswith("bearer ") else ""
            if not key.strip():
                message = (
                    "You didn't provide an API key. You need to provide your API key in an Authorization header "
                    "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
                    if self.dialect == "openai"
                    else "x-api-key header is required"
                )
                self._error(401, "authentication_error", message)
                return False
            if api.api_key is not None and key != api.api_key:
                self._error(401, "authentication_error", "invalid x-api-key", code="invalid_api_key")
                return False
            return True

        def _model_call(self, body: Any) -> None:
            fault = api._take_fault(random_draw=False)
            if fault is not None:
                return self._fault(fault, body)
            problem = validate_chat(body) if self.dialect == "openai" else validate_messages(body)
            if problem:
                return self._error(400, "invalid_request_error", problem)
            if self.dialect == "anthropic" and body.get("stream"):
                return self._error(400, "invalid_request_error", "local_api does not stream; send stream=false")
            fault = api._take_fault()
            if fault is not None:
                return self._fault(fault, body)
            try:
                turn = api._scripted_turn(body)
            except Exception as exc:  # a broken responder must show in the test, not kill the server thread
                api.errors.append(f"responder raised {exc!r}")
                return self._error(500, "api_error", f"local_api responder raised {exc!r}")
            if isinstance(turn, Fault):
                return self._fault(turn.resolved(api.retry_after), body)
            if api.latency:
                api._closing.wait(api.latency)
            if self.dialect == "openai":
                return self._json(200, api._chat_completion(body, turn))
            self._json(200, api._message(body, turn))

        def _fault(self, fault: Fault, body: Any) -> None:
            if fault.status:
                headers: dict[str, str] = {}
                if fault.retry_after is not None:
                    headers["retry-after-ms"] = str(max(1, round(fault.retry_after * 1000)))
                    headers["retry-after"] = str(max(1, math.ceil(fault.retry_after)))  # whole seconds, as sent
                if fault.should_retry is not None:
                    headers["x-should-retry"] = "true" if fault.should_retry else "false"
                message = fault.message or _default_message(fault.status)
                return self._error(fault.status, fault.error_type, message, code=fault.error_code, headers=headers)
            if fault.kind == "timeout":  # a slow answer: longer than the client's timeout, bounded, ends on close
                api._closing.wait(api.timeout_sleep)
            if fault.kind == "reset":
                self._reset()
            ok = self._ok_body(body)
            if fault.kind == "no_usage":
                ok.pop("usage", None)
                return self._json(200, ok)
            data = json.dumps(ok).encode()
            if fault.kind == "truncated":  # the connection dies mid-body, as when a proxy drops it
                self._send(200, {"content-length": str(len(data))}, data[: len(data) // 2])
                self.connection.shutdown(socket.SHUT_RDWR)
                raise _Stop
            if fault.kind == "malformed":  # a complete response whose body is not JSON
                return self._raw(200, data[: len(data) // 2] + b"<!-- upstream: bad gateway -->", "application/json")
            raise ValueError(f"unknown fault kind {fault.kind!r}")

        def _ok_body(self, body: Any) -> dict[str, Any]:
            turn = [text("ok")]
            if self.dialect == "openai":
                return api._chat_completion(body if isinstance(body, dict) else {}, turn)
            return api._message(body if isinstance(body, dict) else {}, turn)

        def _reset(self) -> None:
            """Close the socket with a TCP reset and no (further) response."""
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            raise _Stop

        def _batch(self, method: str, route: str, batch_id: str) -> None:
            if route == "batch" and method == "GET":
                batch = api._poll_batch(batch_id)
            elif route == "batch_cancel" and method == "POST":
                batch = api._cancel_batch(batch_id)
            elif route == "batch_results" and method == "GET":
                with api._lock:
                    batch = api._batches.get(batch_id)
                if batch is not None and batch.status != "ended":
                    return self._error(
                        400, "invalid_request_error", f"Message Batch {batch_id} has not finished processing"
                    )
                if batch is not None:
                    return self._raw(200, api._batch_results(batch), "application/binary")
            elif route == "batch" and method == "DELETE":
                with api._lock:
                    batch = api._batches.get(batch_id)
                    if batch is not None and batch.status != "ended":
                        return self._error(400, "invalid_request_error", "Batch must be ended before deletion")
                    api._batches.pop(batch_id, None)
                if batch is not None:
                    return self._json(200, {"id": batch_id, "type": "message_batch_deleted"})
            else:
                return self._error(404, "not_found_error", f"Not found: {method} {self.path}")
            if batch is None:
                return self._error(404, "not_found_error", f"Message Batch {batch_id} not found")
            with api._lock:
                data = api._batch_json(batch)
            self._json(200, data)

        def _error(
            self,
            status: int,
            error_type: str,
            message: str,
            code: str | None = None,
            headers: dict[str, str] | None = None,
        ) -> None:
            if self.dialect == "openai":
                kind, default_code = OPENAI_STATUS_ERRORS.get(status, (error_type, None))
                body: dict[str, Any] = {
                    "error": {"message": message, "type": kind, "param": None, "code": code or default_code}
                }
            else:
                body = _anthropic_error(error_type, message, code, self.request_id)
            self._json(status, body, headers)

        def _json(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> None:
            self._raw(status, json.dumps(obj).encode(), "application/json", headers)

        def _raw(self, status: int, data: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
            self._send(
                status, {"content-type": content_type, "content-length": str(len(data)), **(headers or {})}, data
            )

        def _send(self, status: int, headers: dict[str, str], data: bytes) -> None:
            """Status line, headers and body in one write: two small writes would meet the client's delayed ACK
            (Nagle), adding 40 ms to every response."""
            self.send_response(status)
            id_header = "x-request-id" if self.dialect == "openai" else "request-id"
            for name, value in {id_header: self.request_id, **headers}.items():
                self.send_header(name, value)
            if self.close_connection:
                self.send_header("connection", "close")
            self._headers_buffer.append(b"\r\n")
            self.wfile.write(b"".join(self._headers_buffer) + data)
            self._headers_buffer = []

    return Handler


def _anthropic_error(
    error_type: str, message: str, code: str | None = None, request_id: str | None = None
) -> dict[str, Any]:
    error: dict[str, Any] = {"type": error_type, "message": message}
    if code:
        error["details"] = {"error_code": code}
    return {"type": "error", "error": error, "request_id": request_id or "req_local"}


def _default_message(status: int) -> str:
    return {
        401: "invalid x-api-key",
        403: "Your API key does not have permission to use the specified resource.",
        404: "The requested resource could not be found.",
        429: "Number of request tokens has exceeded your per-minute rate limit",
        500: "Internal server error",
        529: "Overloaded",
    }.get(status, "Error")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
