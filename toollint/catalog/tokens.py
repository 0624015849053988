"""What a toolset's definitions cost on every request: an offline estimate per provider, and exact counts from
Anthropic's token-counting endpoint.

The estimate is the length of the JSON each provider receives for the tools (compact, as SDKs send it) divided
by four characters a token, OpenAI's rule of thumb for English text. It is a size, not a tokenizer: JSON
punctuation and non-English text take more tokens per character, and each provider also renders the
definitions its own way before the model reads them, so the exact count can differ noticeably; `--exact-tokens`
asks Anthropic for the real number. The estimate leaves out the fixed system prompt a provider adds whenever
tools are given (Anthropic documents it per model and `tool_choice`); the exact count, the difference between
a request with and without the tools, includes it.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from typing import Any

from toollint.catalog.model import Tool

PROVIDERS = ("anthropic", "openai", "gemini")
CHARS_PER_TOKEN = 4.0
# the model asked when counting exactly; the count is the difference with and without the tools
DEFAULT_COUNT_MODEL = "claude-sonnet-4-5"
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode


def _clean(value: Any) -> Any:
    """The value without toollint's own `x-toollint` keys, which no provider is sent."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if k != "x-toollint"}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def provider_definition(tool: Tool, provider: str) -> dict[str, Any]:
    """The tool as `provider`'s API takes it, whatever format it was written in."""
    name = tool.name if isinstance(tool.name, str) else str(tool.name)
    schema = _clean(tool.input_schema) if isinstance(tool.input_schema, dict) else {"type": "object"}
    definition: dict[str, Any] = {"name": name}
    if isinstance(tool.description, str):
        definition["description"] = tool.description
    if provider == "anthropic":
        return {**definition, "input_schema": schema}
    if provider == "openai":
        return {"type": "function", "function": {**definition, "parameters": schema}}
    return {**definition, "parameters": schema}  # gemini `function_declarations`


def estimate(tools: Sequence[Tool], provider: str) -> int:
    """Approximate tokens the definitions of `tools` add to every request to `provider`."""
    if not tools:
        return 0
    text = _encode([provider_definition(t, provider) for t in tools])
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def estimates(tools: Sequence[Tool]) -> dict[str, int]:
    return {provider: estimate(tools, provider) for provider in PROVIDERS}


class TokenCountError(Exception):
    """Exact counting is not possible: no key, no SDK, or the API refused; the message says which."""


def exact_counter(model: str = DEFAULT_COUNT_MODEL) -> Any:
    """A function counting, through Anthropic's `messages.count_tokens`, the tokens tools add to a request.

    The SDK is imported here only: a check or an estimate never loads it. `ANTHROPIC_BASE_URL` is honoured
    by the SDK itself."""
    if not os.environ.get("ANTHROPIC_API_KEY"):
        raise TokenCountError("`--exact-tokens` needs `ANTHROPIC_API_KEY`; set it, or leave the option out")
    try:
        import anthropic
    except ImportError:
        raise TokenCountError(
            "`--exact-tokens` needs the `anthropic` package; install it with `pip install anthropic`"
        ) from None
    client = anthropic.Anthropic(max_retries=1, timeout=60)
    messages: Any = [{"role": "user", "content": "Hello"}]  # plain dicts: the SDK's TypedDicts are for callers' code
    baseline: list[int] = []

    def count(tools: Sequence[Tool]) -> int:
        try:
            if not baseline:
                baseline.append(client.messages.count_tokens(model=model, messages=messages).input_tokens)
            if not tools:
                return 0
            definitions: Any = [provider_definition(t, "anthropic") for t in tools]
            counted = client.messages.count_tokens(model=model, messages=messages, tools=definitions)
        except anthropic.APIError as exc:
            raise TokenCountError(f"Anthropic's token counting failed: {_reason(exc)}") from None
        return int(counted.input_tokens) - baseline[0]

    return count


def _reason(exc: Exception) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("message") or exc)
    return str(exc)


def growth(old: Sequence[Tool], new: Sequence[Tool]) -> dict[str, tuple[int, int]]:
    """Per provider, the estimated tokens of the old and of the new tool definitions."""
    return {provider: (estimate(old, provider), estimate(new, provider)) for provider in PROVIDERS}
