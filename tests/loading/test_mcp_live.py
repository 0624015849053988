"""Live MCP servers: a real FastMCP server over stdio, streamable HTTP and SSE, checked like files.

Every test starts a real server (tests/loading/mcp_server.py) through the real CLI; nothing is mocked.
"""

from __future__ import annotations

import json
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import SHARED, run_cli

SERVER = Path(__file__).with_name("mcp_server.py")
pytestmark = pytest.mark.slow  # real servers, started for each test


def command(variant: str) -> str:
    return shlex.join([sys.executable, str(SERVER), variant])


def findings(output: str) -> list[dict[str, object]]:
    return json.loads(output)


def addresses(items: list[dict[str, object]]) -> set[tuple[object, object]]:
    return {(i["path"], i["code"]) for i in items}


EXPECTED = {
    ("mcp://orders/instructions", "TP001"),  # the instructions name `lookup_order`, which the server lacks
    ("mcp://orders/tools/get_order", "TD004"),
    ("mcp://orders/tools/refund_order", "TR001"),
}


def test_stdio_server_findings_at_mcp_addresses_in_json(tmp_path: Path) -> None:
    done = run_cli("check", "--output-format", "json", "--mcp-stdio", command("v1"), cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    items = findings(done.stdout)
    assert EXPECTED <= addresses(items)
    assert all(str(i["path"]).startswith("mcp://orders/") for i in items)  # no path given: the server only
    undocumented = {
        i["pointer"] for i in items if i["path"] == "mcp://orders/tools/refund_order" and i["code"] == "TD004"
    }
    assert undocumented == {"/inputSchema/properties/note", "/inputSchema/properties/order_id"}
    unknown = next(i for i in items if i["code"] == "TP001")
    assert "`lookup_order`" in str(unknown["message"]) and unknown["column"] == 29


def test_stdio_server_in_text_and_sarif(tmp_path: Path) -> None:
    text = run_cli("check", "--mcp-stdio", command("v1"), cwd=tmp_path)
    assert text.returncode == 1, text.stderr
    assert "mcp://orders/tools/refund_order\n" in text.stdout
    assert '"name": "refund_order"' in text.stdout  # the excerpt shows the tool as the server sent it

    sarif = run_cli("check", "--output-format", "sarif", "--mcp-stdio", command("v1"), cwd=tmp_path)
    log = json.loads(sarif.stdout)
    schema_path = SHARED / "schemas" / "sarif-schema-2.1.0.json"
    if schema_path.is_file():
        jsonschema = pytest.importorskip("jsonschema")
        jsonschema.validate(log, json.loads(schema_path.read_text()))
    results = log["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert {"mcp://orders/instructions", "mcp://orders/tools/get_order", "mcp://orders/tools/refund_order"} <= uris
    pointers = {
        r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] for r in results if r["ruleId"] == "TD004"
    }
    assert "/inputSchema/properties/note" in pointers


def test_live_server_checked_alongside_files_is_a_toolset_of_its_own(tmp_path: Path) -> None:
    # the server's own tools in a file, as in the server's repository, and a tool its instructions name
    tools = [
        {"name": "get_order", "description": "Return one order.", "input_schema": {"type": "object"}},
        {"name": "lookup_order", "description": "Look up an order.", "input_schema": {"type": "object"}},
    ]
    (tmp_path / "tools.json").write_text(json.dumps(tools))
    done = run_cli("check", ".", "--output-format", "json", "--mcp-stdio", command("v1"), cwd=tmp_path)
    items = findings(done.stdout)
    paths = {str(i["path"]) for i in items}
    assert "tools.json" in paths and "mcp://orders/tools/refund_order" in paths
    assert ("mcp://orders/instructions", "TP001") in addresses(items)  # checked against the server's tools only
    assert "TN004" not in {i["code"] for i in items}  # `get_order` twice, but in two toolsets

    # pinned side by side: the file's `get_order` and the server's are two entries
    assert run_cli("lock", ".", "--mcp-stdio", command("v1"), cwd=tmp_path).returncode == 0
    pinned = json.loads((tmp_path / "toollint.lock").read_text())["tools"]
    assert {"get_order", "mcp://orders/tools/get_order"} <= set(pinned)
    again = run_cli("check", ".", "--locked", "--select", "TC021", "--mcp-stdio", command("v1"), cwd=tmp_path)
    assert again.returncode == 0, again.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(params=["streamable-http", "sse"])
def http_server(request: pytest.FixtureRequest) -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, str(SERVER), "v1", request.param, str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the test MCP server did not start listening within 30 s")
        yield f"http://127.0.0.1:{port}/{'mcp' if request.param == 'streamable-http' else 'sse'}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_http_server_findings_at_mcp_addresses(http_server: str, tmp_path: Path) -> None:
    done = run_cli("check", "--output-format", "json", "--mcp-url", http_server, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert EXPECTED <= addresses(findings(done.stdout))


def test_server_that_never_answers_is_a_clean_error_within_the_timeout(tmp_path: Path) -> None:
    started = time.monotonic()
    done = run_cli("check", "--mcp-timeout", "2", "--mcp-stdio", command("hang"), cwd=tmp_path, timeout=60)
    elapsed = time.monotonic() - started
    assert done.returncode == 2
    assert "hang` did not answer within 2 s" in done.stderr and "--mcp-timeout" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert elapsed < 15  # 2 s, start-up, and the SDK's 2 s grace before it kills the server


@pytest.mark.parametrize(
    ("variant", "expected"),
    [
        ("exit", "closed the connection before listing its tools"),
        ("malformed", "answered with a malformed result (tools.0.name"),
    ],
)
def test_broken_servers_are_clean_errors_naming_the_server(variant: str, expected: str, tmp_path: Path) -> None:
    done = run_cli("check", "--mcp-timeout", "20", "--mcp-stdio", command(variant), cwd=tmp_path, timeout=60)
    assert done.returncode == 2
    assert f"MCP server `{command(variant)}` {expected}" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_server_that_talks_on_stdout_is_told_so(tmp_path: Path) -> None:
    done = run_cli("check", "--mcp-timeout", "2", "--mcp-stdio", command("chatty"), cwd=tmp_path, timeout=60)
    assert done.returncode == 2
    assert "sent what is not MCP (`Orders server starting on stdio...`)" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_server_stderr_is_quoted_when_it_fails(tmp_path: Path) -> None:
    done = run_cli("check", "--mcp-stdio", command("exit"), cwd=tmp_path, timeout=60)
    assert "cannot open the orders database" in done.stderr


def test_command_not_found_and_unreachable_url(tmp_path: Path) -> None:
    missing = run_cli("check", "--mcp-stdio", "no-such-server-command --stdio", cwd=tmp_path)
    assert missing.returncode == 2 and "`no-such-server-command --stdio` could not be started" in missing.stderr
    port = _free_port()  # nothing listens there
    url = f"http://127.0.0.1:{port}/mcp"
    unreachable = run_cli("check", "--mcp-timeout", "10", "--mcp-url", url, cwd=tmp_path, timeout=60)
    assert unreachable.returncode == 2 and f"MCP server at `{url}`" in unreachable.stderr
    assert "Traceback" not in unreachable.stderr + missing.stderr


def test_lock_then_a_changed_server_is_tc021(tmp_path: Path) -> None:
    pinned = run_cli("lock", "--mcp-stdio", command("v1"), cwd=tmp_path)
    assert pinned.returncode == 0, pinned.stderr
    lock = json.loads((tmp_path / "toollint.lock").read_text())
    assert lock["tools"]["mcp://orders/tools/refund_order"]["source"] == "mcp://orders/tools/refund_order"

    same = run_cli("check", "--locked", "--select", "TC021", "--mcp-stdio", command("v1"), cwd=tmp_path)
    assert same.returncode == 0, same.stdout + same.stderr

    changed = run_cli("check", "--locked", "--output-format", "json", "--mcp-stdio", command("v2"), cwd=tmp_path)
    assert changed.returncode == 1
    tc021 = [i for i in findings(changed.stdout) if i["code"] == "TC021"]
    assert [(i["path"], i["pointer"]) for i in tc021] == [("mcp://orders/tools/refund_order", "/name")]


def test_missing_sdk_names_the_extra(tmp_path: Path) -> None:
    # a `mcp` package that cannot be imported, first on the path: as if the extra were not installed
    fake = tmp_path / "site" / "mcp"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('No module named mcp')\n")
    import os

    path = os.pathsep.join([str(fake.parent), os.environ.get("PYTHONPATH", "")])
    done = run_cli("check", "--mcp-stdio", command("v1"), cwd=tmp_path, env={"PYTHONPATH": path})
    assert done.returncode == 2
    assert "pip install 'toollint[mcp]'" in done.stderr and "Traceback" not in done.stderr


def test_mcp_is_not_imported_without_a_live_server() -> None:
    from test_imports import imported

    assert "mcp" not in imported("check", "examples/support-agent")
