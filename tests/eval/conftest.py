"""Fixtures for the eval tests: the local Messages API, an environment without a developer's real keys, suites."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.eval.local_api import LocalAPI

# Every variable through which a developer's real configuration could reach the SDKs (evals.md §8.4).
SDK_ENV = (
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_AUTH_TOKEN",
    "ANTHROPIC_BASE_URL",
    "ANTHROPIC_PROFILE",
    "ANTHROPIC_CONFIG_DIR",
    "ANTHROPIC_CUSTOM_HEADERS",
    "ANTHROPIC_IDENTITY_TOKEN",
    "ANTHROPIC_IDENTITY_TOKEN_FILE",
    "ANTHROPIC_FEDERATION_RULE_ID",
    "ANTHROPIC_ORGANIZATION_ID",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
)
SECRET = "sk-ant-test-0123456789-secret"

TOOLS = [
    {
        "name": "lookup_order",
        "description": "Look up an order by its id.",
        "input_schema": {
            "type": "object",
            "properties": {"order_id": {"type": "string"}, "include_items": {"type": "boolean"}},
            "required": ["order_id"],
            "additionalProperties": False,
        },
        "output_schema": {"type": "object", "properties": {"status": {"type": "string"}}, "required": ["status"]},
    },
    {
        "name": "cancel_order",
        "description": "Cancel an order that has not shipped.",
        "input_schema": {"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]},
    },
    {
        "name": "escalate_to_human",
        "description": "Hand the conversation to a human agent.",
        "input_schema": {"type": "object", "properties": {"summary": {"type": "string"}}, "required": ["summary"]},
    },
]


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No real key, profile or base URL of the developer reaches the SDKs; the test key is a known secret."""
    for name in SDK_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ANTHROPIC_CONFIG_DIR", str(tmp_path / "no-anthropic-config"))
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)


@pytest.fixture
def local_api(clean_env: None) -> Iterator[LocalAPI]:
    with LocalAPI(latency=0.0) as api:
        yield api


def write_suite(
    folder: Path, cases: str, defaults: str = "", tools: list[dict] | None = None, name: str = "demo"
) -> Path:
    """A suite file over TOOLS (or `tools`) with a short system prompt, in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tools.json").write_text(json.dumps(tools or TOOLS, indent=1))
    (folder / "system.md").write_text("You are the support assistant. Use `lookup_order` for order questions.\n")
    path = folder / f"{name}.eval.yaml"
    path.write_text(
        f"suite: {name}\ntarget: {{model: claude-sonnet-4-6}}\ndefaults:\n  system: file://system.md\n"
        f"  tools: file://tools.json\n{textwrap.indent(textwrap.dedent(defaults), '  ')}"
        f"cases:\n{textwrap.indent(textwrap.dedent(cases), '  ')}"
    )
    return path
