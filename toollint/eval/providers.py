"""Model providers: Anthropic through the `anthropic` SDK, OpenAI-compatible endpoints through the `openai` SDK, and
recorded transcripts. The SDKs are imported here only, and only when a provider is built."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Protocol

from toollint.eval.format import Case, Target
from toollint.eval.matching import Call, Step

STOP_FROM_OPENAI = {
    "stop": "end_turn",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "function_call": "tool_use",
    "content_filter": "refusal",
}
FATAL_STATUSES = frozenset({400, 401, 402, 403, 404, 413, 422})
SPEND_LIMITS = frozenset(
    {"enforced_spend_limit_reached", "contract_spend_limit_reached", "insufficient_quota", "billing_hard_limit_reached"}
)
ENV_KEYS = {"anthropic": "ANTHROPIC_API_KEY", "openai": "OPENAI_API_KEY"}


@dataclass
class Usage:
    input_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    output_tokens: int = 0

    def add(self, other: Usage) -> None:
        self.input_tokens += other.input_tokens
        self.cache_read_tokens += other.cache_read_tokens
        self.cache_write_tokens += other.cache_write_tokens
        self.output_tokens += other.output_tokens

    def as_dict(self) -> dict[str, int]:
        return {
            "input_tokens": self.input_tokens,
            "cache_read_tokens": self.cache_read_tokens,
            "cache_write_tokens": self.cache_write_tokens,
            "output_tokens": self.output_tokens,
        }

    @classmethod
    def of(cls, data: Any) -> Usage:
        data = data if isinstance(data, dict) else {}
        return cls(
            *(
                int(data.get(k) or 0)
                for k in ("input_tokens", "cache_read_tokens", "cache_write_tokens", "output_tokens")
            )
        )


@dataclass
class Turn:
    """One assistant message: the neutral step, what to send back verbatim, and what it cost."""

    step: Step
    echo: Any
    usage: Usage = field(default_factory=Usage)

    def record(self) -> dict[str, Any]:
        return {
            "text": self.step.text,
            "calls": [{"id": c.id, "name": c.name, "args": c.args} for c in self.step.calls],
            "stop_reason": self.step.stop_reason,
            "usage": self.usage.as_dict(),
        }


class ProviderError(Exception):
    """A request that failed. `fatal` errors (auth, bad request, unknown model, spend limit) stop the whole run."""

    def __init__(self, message: str, fatal: bool) -> None:
        super().__init__(message)
        self.message = message
        self.fatal = fatal


class Provider(Protocol):
    name: str

    def start(self, case: Case) -> list[Any]: ...

    def send(self, case: Case, messages: list[Any], run: int) -> Turn: ...

    def extend(self, messages: list[Any], turn: Turn, results: list[tuple[Call, str, bool]]) -> None: ...


@dataclass(frozen=True)
class Connection:
    provider: str
    model: str
    base_url: str | None
    max_retries: int
    timeout: float
    strict_responses: bool = False


def api_key(provider: str) -> str | None:
    return os.environ.get(ENV_KEYS[provider]) or None


def _redact(text: str) -> str:
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "OPENAI_API_KEY"):
        secret = os.environ.get(name)
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def classify(exc: Exception) -> ProviderError:
    """What an SDK exception means for the run: fatal (stop everything) or an infrastructure error of this run."""
    status = getattr(exc, "status_code", None)
    code = getattr(exc, "error_code", None) or getattr(exc, "code", None)
    body = getattr(exc, "body", None)
    if code is None and isinstance(body, dict):
        error: dict[str, Any] = body["error"] if isinstance(body.get("error"), dict) else body
        details: dict[str, Any] = error["details"] if isinstance(error.get("details"), dict) else {}
        code = details.get("error_code") or error.get("code")
    request_id = getattr(exc, "request_id", None)
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    where = f" (request-id {request_id})" if request_id else ""
    label = f"{type(exc).__name__}" + (f" {status}" if status else "")
    fatal = status in FATAL_STATUSES or code in SPEND_LIMITS
    hint = ""
    if status in (401, 403):
        hint = "; check the API key in the environment"
    elif status == 404:
        hint = "; check `--model` and `--base-url`"
    elif code in SPEND_LIMITS:
        hint = "; the spend limit is reached, retrying cannot help"
    return ProviderError(_redact(f"{label}: {message}{where}{hint}"), fatal)


def history_ids(history: tuple[dict[str, Any], ...], prefix: str) -> tuple[dict[int, list[str]], dict[int, str]]:
    """Ids for the calls of each assistant turn in a case's history, and for each tool result the id of the call it
    answers: written ones, else the calls of the last assistant turn in order."""
    calls: dict[int, list[str]] = {}
    answers: dict[int, str] = {}
    pending: list[str] = []
    for index, turn in enumerate(history):
        if turn["role"] == "assistant":
            ids = [c.get("id") or f"{prefix}_{index}_{n}" for n, c in enumerate(turn.get("tool_calls", []))]
            calls[index] = ids
            pending = list(ids)
        elif turn["role"] == "tool":
            answer = turn.get("tool_call_id") or (pending[0] if pending else f"{prefix}_unknown_{index}")
            if answer in pending:
                pending.remove(answer)
            answers[index] = answer
    return calls, answers


def _result_text(content: Any) -> str:
    return content if isinstance(content, str) else json.dumps(content, ensure_ascii=False, default=str)


def _user_content(user: Any) -> list[dict[str, Any]]:
    if isinstance(user, str):
        return [{"type": "text", "text": user}]
    return [b if isinstance(b, dict) else {"type": "text", "text": str(b)} for b in user]


class AnthropicProvider:
    name = "anthropic"

    def __init__(self, connection: Connection, target: Target) -> None:
        try:
            import anthropic
        except ImportError:  # pragma: no cover - a declared dependency
            raise ProviderError("the `anthropic` package is not installed; `pip install anthropic`", True) from None
        self.anthropic = anthropic
        self.connection = connection
        self.target = target
        try:
            self.client = anthropic.Anthropic(
                api_key=api_key("anthropic"),
                base_url=connection.base_url,
                timeout=connection.timeout,
                max_retries=connection.max_retries,
                _strict_response_validation=connection.strict_responses,
            )
        except anthropic.AnthropicError as exc:
            raise ProviderError(
                f"cannot create the Anthropic client: {_redact(str(exc))}; set ANTHROPIC_API_KEY", True
            ) from None

    def start(self, case: Case) -> list[Any]:
        messages: list[dict[str, Any]] = []
        call_ids, answer_ids = history_ids(case.history, "toolu_history")
        for index, turn in enumerate(case.history):
            role, content = turn["role"], turn.get("content")
            if role == "tool":
                block: dict[str, Any] = {
                    "type": "tool_result",
                    "tool_use_id": answer_ids[index],
                    "content": _result_text(content),
                }
                if turn.get("is_error"):
                    block["is_error"] = True
                _append(messages, "user", [block])
                continue
            blocks = _user_content(content) if content else []
            for number, call in enumerate(turn.get("tool_calls", [])):
                blocks.append(
                    {
                        "type": "tool_use",
                        "id": call_ids[index][number],
                        "name": call["name"],
                        "input": call.get("args", {}),
                    }
                )
            _append(messages, role, blocks)
        _append(messages, "user", _user_content(case.user))
        return messages

    def params(self, case: Case, messages: list[Any]) -> dict[str, Any]:
        """The `messages.create` arguments, with cache breakpoints on the last tool and on the system prompt."""
        caching = self.target.prompt_caching
        tools = [t.as_param() for t in case.tools]
        if caching and tools:
            tools[-1] = {**tools[-1], "cache_control": {"type": "ephemeral"}}
        params: dict[str, Any] = {
            "model": self.connection.model,
            "max_tokens": self.target.max_tokens,
            "messages": messages,
            "tools": tools,
        }
        if case.system:
            system: dict[str, Any] = {"type": "text", "text": case.system}
            if caching:
                system["cache_control"] = {"type": "ephemeral"}
            params["system"] = [system]
        if self.target.tool_choice:
            params["tool_choice"] = self.target.tool_choice
        return params

    def send(self, case: Case, messages: list[Any], run: int) -> Turn:
        params = self.params(case, messages)
        extra = {"extra_body": self.target.extra_body} if self.target.extra_body else {}
        try:
            create: Any = self.client.messages.create  # params are built as plain dicts, checked by the API
            message = create(**params, timeout=self.connection.timeout, **extra)
        except self.anthropic.APIError as exc:
            raise classify(exc) from None
        except (ValueError, OSError) as exc:  # a truncated or malformed body the SDK could not decode
            raise ProviderError(
                f"unreadable response: {type(exc).__name__}: {_redact(str(exc))[:200]}", False
            ) from None
        return self.turn(message)

    def turn(self, message: Any) -> Turn:
        texts: list[str] = []
        calls: list[Call] = []
        for block in message.content:
            kind = getattr(block, "type", None)  # dispatch on the type: unknown blocks are kept, not misread
            if kind == "text":
                texts.append(block.text or "")
            elif kind == "tool_use":
                calls.append(Call(block.id, block.name, block.input, 0))
        usage = message.usage
        counted = (
            Usage(
                usage.input_tokens or 0,
                getattr(usage, "cache_read_input_tokens", 0) or 0,
                getattr(usage, "cache_creation_input_tokens", 0) or 0,
                usage.output_tokens or 0,
            )
            if usage is not None
            else Usage()
        )
        # sent back verbatim: every block, thinking and ids included, as the JSON the API produced
        echo = {"role": "assistant", "content": message.model_dump(mode="json", exclude_none=True)["content"]}
        return Turn(Step("\n".join(texts), tuple(calls), message.stop_reason or "end_turn"), echo, counted)

    def extend(self, messages: list[Any], turn: Turn, results: list[tuple[Call, str, bool]]) -> None:
        messages.append(turn.echo)
        blocks = []
        for call, content, is_error in results:
            block: dict[str, Any] = {"type": "tool_result", "tool_use_id": call.id, "content": content}
            if is_error:
                block["is_error"] = True
            blocks.append(block)
        messages.append({"role": "user", "content": blocks})


def _append(messages: list[dict[str, Any]], role: str, blocks: list[dict[str, Any]]) -> None:
    """Consecutive turns of one role become one message, tool results first, as the API requires."""
    if messages and messages[-1]["role"] == role:
        merged = messages[-1]["content"] + blocks
        merged.sort(key=lambda b: b.get("type") != "tool_result")
        messages[-1]["content"] = merged
    else:
        messages.append({"role": role, "content": list(blocks)})


class OpenAIProvider:
    """Any OpenAI-compatible `/v1/chat/completions` endpoint: OpenAI, vLLM, Ollama, llama.cpp server."""

    name = "openai"

    def __init__(self, connection: Connection, target: Target) -> None:
        try:
            import openai
        except ImportError:
            raise ProviderError(
                "the OpenAI provider needs the `openai` package: `pip install 'toollint[openai]'`", True
            ) from None
        self.openai = openai
        self.connection = connection
        self.target = target
        self.client: Any = (
            openai.OpenAI(
                # local servers (vLLM, Ollama) take any key; the SDK refuses to start without one
                api_key=api_key("openai") or ("unused" if connection.base_url else None),
                base_url=connection.base_url,
                timeout=connection.timeout,
                max_retries=connection.max_retries,
                _strict_response_validation=connection.strict_responses,
            )
            if api_key("openai") or connection.base_url
            else None
        )
        if self.client is None:
            raise ProviderError("set OPENAI_API_KEY, or `--base-url` for a local OpenAI-compatible server", True)

    def start(self, case: Case) -> list[Any]:
        messages: list[dict[str, Any]] = []
        if case.system:
            messages.append({"role": "system", "content": case.system})
        call_ids, answer_ids = history_ids(case.history, "call_history")
        for index, turn in enumerate(case.history):
            role, content = turn["role"], turn.get("content")
            if role == "tool":
                text = _result_text(content)
                messages.append(
                    {
                        "role": "tool",
                        "tool_call_id": answer_ids[index],
                        "content": f"ERROR: {text}" if turn.get("is_error") else text,
                    }
                )
                continue
            message: dict[str, Any] = {"role": role, "content": content if isinstance(content, str) else _flat(content)}
            calls = turn.get("tool_calls", [])
            if calls:
                message["tool_calls"] = [
                    {
                        "id": call_ids[index][n],
                        "type": "function",
                        "function": {"name": call["name"], "arguments": json.dumps(call.get("args", {}))},
                    }
                    for n, call in enumerate(calls)
                ]
            messages.append(message)
        messages.append({"role": "user", "content": case.user if isinstance(case.user, str) else _flat(case.user)})
        return messages

    def params(self, case: Case, messages: list[Any]) -> dict[str, Any]:
        params: dict[str, Any] = {
            "model": self.connection.model,
            "messages": messages,
            # OpenAI itself wants `max_completion_tokens` (its reasoning models refuse `max_tokens`); the
            # compatible servers (vLLM, Ollama, llama.cpp) all read `max_tokens`
            ("max_tokens" if self.connection.base_url else "max_completion_tokens"): self.target.max_tokens,
            "tools": [
                {
                    "type": "function",
                    "function": {"name": t.name, "description": t.description, "parameters": t.input_schema},
                }
                for t in case.tools
            ],
        }
        choice = self.target.tool_choice
        if choice:
            kind = choice.get("type")
            params["tool_choice"] = (
                {"type": "function", "function": {"name": choice.get("name")}}
                if kind == "tool"
                else {"any": "required"}.get(kind, kind)
            )
        return params

    def send(self, case: Case, messages: list[Any], run: int) -> Turn:
        extra = {"extra_body": self.target.extra_body} if self.target.extra_body else {}
        try:
            create: Any = self.client.chat.completions.create
            completion = create(**self.params(case, messages), timeout=self.connection.timeout, **extra)
        except self.openai.APIError as exc:
            raise classify(exc) from None
        except (ValueError, OSError) as exc:
            raise ProviderError(
                f"unreadable response: {type(exc).__name__}: {_redact(str(exc))[:200]}", False
            ) from None
        if not completion.choices:
            raise ProviderError("the endpoint answered with no choices", False)
        choice = completion.choices[0]
        message = choice.message
        calls = []
        for call in message.tool_calls or []:
            function = getattr(call, "function", None)
            if function is None:
                continue
            try:
                args = json.loads(function.arguments or "{}")
            except ValueError:
                args = function.arguments  # invalid JSON is a failed call, never "no call"
            calls.append(Call(call.id, function.name, args, 0))
        stop = STOP_FROM_OPENAI.get(choice.finish_reason or "stop", choice.finish_reason or "end_turn")
        usage = completion.usage
        cached = 0
        if usage is not None and getattr(usage, "prompt_tokens_details", None) is not None:
            cached = getattr(usage.prompt_tokens_details, "cached_tokens", 0) or 0
        counted = (
            Usage((usage.prompt_tokens or 0) - cached, cached, 0, usage.completion_tokens or 0) if usage else Usage()
        )
        echo: dict[str, Any] = {"role": "assistant", "content": message.content}
        if message.tool_calls:
            echo["tool_calls"] = [
                {
                    "id": c.id,
                    "type": "function",
                    "function": {"name": c.function.name, "arguments": c.function.arguments},
                }
                for c in message.tool_calls
                if getattr(c, "function", None) is not None
            ]
        return Turn(Step(message.content or "", tuple(calls), stop), echo, counted)

    def extend(self, messages: list[Any], turn: Turn, results: list[tuple[Call, str, bool]]) -> None:
        messages.append(turn.echo)
        for call, content, is_error in results:
            # chat completions have no `is_error`; the marker is how the model learns the call failed
            messages.append(
                {"role": "tool", "tool_call_id": call.id, "content": f"ERROR: {content}" if is_error else content}
            )


def _flat(content: Any) -> str:
    if isinstance(content, list):
        return "\n".join(str(b.get("text", "")) if isinstance(b, dict) else str(b) for b in content)
    return "" if content is None else str(content)


class ReplayProvider:
    """Recorded turns, replayed in order per case and run: re-scores a transcript with no network."""

    name = "replay"

    def __init__(self, recordings: dict[tuple[str, str], list[list[dict[str, Any]]]]) -> None:
        self.recordings = recordings

    def runs(self, case: Case) -> int:
        return len(self.recordings.get((case.suite, case.id), []))

    def start(self, case: Case) -> list[Any]:
        return []

    def send(self, case: Case, messages: list[Any], run: int) -> Turn:
        runs = self.recordings.get((case.suite, case.id), [])
        if run >= len(runs):
            raise ProviderError(f"no recorded transcript for run {run + 1} of case `{case.id}`", False)
        turns = runs[run]
        if len(messages) >= len(turns):
            raise ProviderError(f"the recorded run {run + 1} of `{case.id}` has no turn {len(messages) + 1}", False)
        data = turns[len(messages)]
        calls = tuple(
            Call(str(c.get("id", "")), str(c.get("name", "")), c.get("args"), 0) for c in data.get("calls", [])
        )
        step = Step(str(data.get("text", "")), calls, str(data.get("stop_reason", "end_turn")))
        return Turn(step, None, Usage.of(data.get("usage")))

    def extend(self, messages: list[Any], turn: Turn, results: list[tuple[Call, str, bool]]) -> None:
        messages.append(None)  # only the number of turns matters when replaying


def build(connection: Connection, target: Target) -> Provider:
    if connection.provider == "openai":
        return OpenAIProvider(connection, target)
    return AnthropicProvider(connection, target)
