"""Token cost of toolsets: the offline estimate, `inventory`'s toolset section, and `--exact-tokens` against a
local stand-in for Anthropic's token-counting endpoint (the real `anthropic` SDK over HTTP)."""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, run_cli
from toollint.catalog.extract import tools_of
from toollint.catalog.tokens import estimate, provider_definition
from toollint.engine.run import parse_sources

TOOL = {
    "name": "get_order",
    "description": "Return the order with this number, with its items and status.",
    "input_schema": {
        "type": "object",
        "properties": {"order_id": {"type": "string", "description": "The order number, e.g. ORD-1."}},
        "required": ["order_id"],
    },
    "x-toollint": {"risk": "read"},
}


def _tools(*tools: dict[str, Any]) -> list[Any]:
    return list(tools_of(parse_sources([("tools.json", json.dumps(list(tools)))]))[0])


def test_the_estimate_is_the_providers_json_at_four_characters_a_token() -> None:
    tools = _tools(TOOL)
    sent = {k: v for k, v in TOOL.items() if k != "x-toollint"}  # toollint's own key is never sent
    compact = json.dumps([sent], separators=(",", ":"), ensure_ascii=False)
    assert estimate(tools, "anthropic") == math.ceil(len(compact) / 4)
    assert provider_definition(tools[0], "openai")["function"]["parameters"] == TOOL["input_schema"]
    assert estimate(tools, "openai") > estimate(tools, "anthropic")  # the `type`/`function` wrapper
    assert estimate([], "anthropic") == 0


def test_the_estimate_grows_with_the_definitions() -> None:
    longer = {**TOOL, "name": "get_refund", "description": TOOL["description"] * 5}
    assert estimate(_tools(TOOL, longer), "gemini") > estimate(_tools(TOOL), "gemini") * 2


def test_inventory_shows_each_toolset_with_its_tokens_in_every_format(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "tools.json").write_text(json.dumps([TOOL]), encoding="utf-8")
    (tmp_path / "b" / "tools.json").write_text(json.dumps([TOOL, {**TOOL, "name": "get_user"}]), encoding="utf-8")

    data = json.loads(run_cli("inventory", ".", "--output-format", "json", cwd=tmp_path).stdout)

    assert len(data["tools"]) == 3
    by_name = {t["toolset"]: t for t in data["toolsets"]}
    assert by_name.keys() == {"a", "b"} and by_name["a"]["tools"] == 1 and by_name["b"]["tools"] == 2
    assert by_name["a"]["tokens"]["anthropic"] == estimate(_tools(TOOL), "anthropic")
    assert set(by_name["b"]["tokens"]) == {"anthropic", "openai", "gemini"}
    text = run_cli("inventory", ".", cwd=tmp_path).stdout
    assert "toolset  tools  anthropic tokens  openai tokens  gemini tokens" in text
    assert f"b        2      ~{by_name['b']['tokens']['anthropic']}" in text
    markdown = run_cli("inventory", ".", "--output-format", "markdown", cwd=tmp_path).stdout
    assert "| toolset | tools | anthropic tokens | openai tokens | gemini tokens |" in markdown


def test_exact_tokens_without_a_key_is_a_clean_error() -> None:
    run = run_cli("inventory", "examples/support-agent", "--exact-tokens", env={"ANTHROPIC_API_KEY": ""})
    assert run.returncode == 2 and run.stdout == ""
    assert "`--exact-tokens` needs `ANTHROPIC_API_KEY`" in run.stderr and "Traceback" not in run.stderr


SYSTEM_PROMPT_TOKENS = 300  # the stand-in's tool-use system prompt, so the difference includes it as Anthropic's


class _CountTokens(BaseHTTPRequestHandler):
    """`POST /v1/messages/count_tokens`: a deterministic count (characters / 3, plus a tool-use system prompt)."""

    requests: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802 (the http.server API)
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        # the key, as `x-api-key` or (newer SDKs) a bearer token
        key = self.headers.get("x-api-key") or (self.headers.get("authorization") or "").removeprefix("Bearer ")
        type(self).requests.append({"path": self.path, "key": key, **body})
        names = [t["name"] for t in body.get("tools", [])]
        if any("." in n for n in names):
            self._send(
                400, {"type": "error", "error": {"type": "invalid_request_error", "message": "tools.0.name: bad"}}
            )
            return
        tokens = len(json.dumps(body["messages"])) // 3
        if body.get("tools"):
            tokens += SYSTEM_PROMPT_TOKENS + len(json.dumps(body["tools"])) // 3
        self._send(200, {"input_tokens": tokens})

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def count_tokens_api() -> Iterator[str]:
    _CountTokens.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _CountTokens)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_exact_tokens_are_the_difference_with_and_without_the_tools(tmp_path: Path, count_tokens_api: str) -> None:
    (tmp_path / "tools.json").write_text(json.dumps([TOOL]), encoding="utf-8")
    env = {"ANTHROPIC_API_KEY": "test-key", "ANTHROPIC_BASE_URL": count_tokens_api}

    run = run_cli("inventory", ".", "--exact-tokens", "--output-format", "json", cwd=tmp_path, env=env)

    assert run.returncode == 0, run.stderr
    sent = [provider_definition(t, "anthropic") for t in _tools(TOOL)]
    (toolset,) = json.loads(run.stdout)["toolsets"]
    assert toolset["exact_tokens"] == {"anthropic": SYSTEM_PROMPT_TOKENS + len(json.dumps(sent)) // 3}
    assert {r["path"] for r in _CountTokens.requests} == {"/v1/messages/count_tokens"}
    assert {r["key"] for r in _CountTokens.requests} == {"test-key"}
    assert [r.get("tools") for r in _CountTokens.requests] == [None, sent]
    assert _CountTokens.requests[0]["model"] == "claude-sonnet-4-5"
    text = run_cli("inventory", ".", "--exact-tokens", "--token-model", "claude-x", cwd=tmp_path, env=env).stdout
    assert "anthropic exact" in text and str(toolset["exact_tokens"]["anthropic"]) in text
    assert _CountTokens.requests[-1]["model"] == "claude-x"


def test_a_refused_count_is_a_clean_error_with_the_apis_reason(count_tokens_api: str) -> None:
    env = {"ANTHROPIC_API_KEY": "test-key", "ANTHROPIC_BASE_URL": count_tokens_api}
    run = run_cli("inventory", str(REPO / "examples" / "support-agent"), "--exact-tokens", env=env)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "Anthropic's token counting failed: tools.0.name: bad" in run.stderr


def test_diff_reports_the_growth_per_provider_in_text_and_markdown(tmp_path: Path) -> None:
    added = {**TOOL, "name": "cancel_order", "description": "Cancel an order that has not shipped yet."}
    (tmp_path / "old.json").write_text(json.dumps([TOOL]), encoding="utf-8")
    (tmp_path / "new.json").write_text(json.dumps([TOOL, added]), encoding="utf-8")
    before, after = _tools(TOOL), _tools(TOOL, added)

    text = run_cli("diff", "old.json", "new.json", cwd=tmp_path).stdout

    old, new = estimate(before, "anthropic"), estimate(after, "anthropic")
    assert f"Tool definitions per request: anthropic ~{old} → ~{new} ({new - old:+d})" in text
    assert f"openai ~{estimate(before, 'openai')} → ~{estimate(after, 'openai')}" in text
    markdown = run_cli("diff", "old.json", "new.json", "--output-format", "markdown", cwd=tmp_path).stdout
    assert "## Token cost" in markdown and f"| anthropic | ~{old} | ~{new} | {new - old:+d} |" in markdown
    assert "Token" not in run_cli("diff", "old.json", "new.json", "-q", cwd=tmp_path).stdout
    assert json.loads(run_cli("diff", "old.json", "new.json", "--output-format", "json", cwd=tmp_path).stdout)
