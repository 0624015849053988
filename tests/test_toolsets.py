"""Toolsets and named-file context (DESIGN §1, issue 12 items 1–2): one toolset per server object or folder,
prompts checked against their own tools, named files judged in their project's context, `.gitignore` honoured,
and text written for people not read as prompts."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import run_cli
from toollint.engine.config import ConfigError, Overrides, load_settings
from toollint.engine.run import Result, check_paths

ECHO_SERVER = """\
from mcp.server.fastmcp import FastMCP

mcp = FastMCP("{name}")


@mcp.tool()
def echo(text: str) -> str:
    \"\"\"Return the text unchanged, for connection tests.\"\"\"
    return text
"""

TWO_SERVERS = """\
from fastmcp import FastMCP

jira = FastMCP("jira")
wiki = FastMCP("wiki")


@jira.tool()
def search(query: str) -> list[str]:
    \"\"\"Search issues by a JQL query and return their keys.\"\"\"
    return []


@wiki.tool()
def search(query: str) -> list[str]:  # noqa: F811
    \"\"\"Search pages by a CQL query and return their ids.\"\"\"
    return []
"""

ORDERS = (
    "- name: get_order\n  description: Return one order by its id, with status and items.\n"
    "  input_schema: {type: object, properties: {order_id: {type: string, description: The order id.}}}\n"
)
BILLING = ORDERS.replace("get_order", "refund_payment").replace("Return one order", "Refund one payment")


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def check(*paths: Path, root: Path | None = None) -> Result:
    settings = load_settings(Overrides(), root or paths[0])
    return check_paths(list(paths), settings)


def codes(result: Result) -> list[tuple[str, str]]:
    return sorted((Path(d.path).name, d.code) for d in result.diagnostics)


def git_init(folder: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    subprocess.run(["git", "init", "-q"], cwd=folder, check=True)


def test_two_servers_in_two_folders_are_two_toolsets(tmp_path: Path) -> None:
    write(tmp_path, {"a/server.py": ECHO_SERVER.format(name="a"), "b/server.py": ECHO_SERVER.format(name="b")})
    assert "TN004" not in {c for _, c in codes(check(tmp_path))}


def test_tools_on_two_server_objects_in_one_module_are_two_toolsets(tmp_path: Path) -> None:
    write(tmp_path, {"servers.py": TWO_SERVERS})
    assert "TN004" not in {c for _, c in codes(check(tmp_path))}
    write(tmp_path, {"servers.py": TWO_SERVERS.replace("@wiki.tool()", "@jira.tool()")})
    assert ("servers.py", "TN004") in codes(check(tmp_path))


def test_a_prompt_is_checked_against_its_own_products_tools(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "orders/tools.yaml": ORDERS,
            "orders/prompt.md": "You are the orders agent. Call the `refund_payment` tool for refunds.\n",
            "billing/tools.yaml": BILLING,
        },
    )
    found = [d for d in check(tmp_path).diagnostics if d.code == "TP001"]
    assert [(Path(d.path).parent.name, d.span.line) for d in found] == [("orders", 1)]


def test_a_prompt_named_alone_is_checked_against_its_projects_tools(tmp_path: Path) -> None:
    git_init(tmp_path)
    write(
        tmp_path,
        {
            "tools/orders.yaml": ORDERS + "- name: x\n  input_schema: {type: object}\n",  # findings of its own
            "prompts/system.md": "You are a support agent. Call the `cancel_order` tool when asked.\n",
        },
    )
    result = check(tmp_path / "prompts" / "system.md", root=tmp_path)
    assert codes(result) == [("system.md", "TP001")]  # the tool file is context: its own findings are not reported
    assert "name one of its tools" in result.diagnostics[0].message


def test_folder_walks_honour_gitignore(tmp_path: Path) -> None:
    git_init(tmp_path)
    write(tmp_path, {".gitignore": "generated/\n", "generated/tools.yaml": ORDERS, "tools.yaml": BILLING})
    result = check(tmp_path)
    assert result.tools == 1 and all("generated" not in d.path for d in result.diagnostics)


def test_front_matter_naming_an_unknown_agent_is_an_error(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            ".toollint.yaml": "agents:\n  support: {tools: ['tools/*'], prompts: ['prompts/*']}\n",
            "tools/orders.yaml": ORDERS,
            "prompts/system.md": "---\nagent: sales\n---\nYou are a sales agent.\n",
        },
    )
    with pytest.raises(ConfigError, match="agent `sales`, which is not in the config's `agents`"):
        check(tmp_path)


def test_text_for_people_is_not_a_prompt_in_walks_but_is_when_named(tmp_path: Path) -> None:
    call = "Call the `make_invoice` tool to bill the customer.\n"
    write(
        tmp_path,
        {
            "tools.yaml": ORDERS,
            "docs/guide.md": "You are reading the guide. " + call,
            "README.md": "You are welcome here. " + call,
            "templates/model.py.j2": "class {{ to_pascal_case(name) }}:\n    {{ to_snake_case(name) }}()\n",
            "notes.md": "These release notes list changes: the `make_invoice` tool was added.\n",
            "planner.md": "You are the planner. " + call,
        },
    )
    result = check(tmp_path)
    assert codes(result) == [("planner.md", "TP001")]
    why = dict((Path(p).name, reason) for p, reason in result.skipped)
    assert set(why) == {"guide.md", "README.md", "model.py.j2", "notes.md"}
    assert "documentation" in why["guide.md"] and "does not address the model" in why["model.py.j2"]
    assert ("guide.md", "TP001") in codes(check(tmp_path / "docs" / "guide.md", tmp_path / "tools.yaml"))


def test_verbose_says_why_each_text_file_was_skipped(tmp_path: Path) -> None:
    write(tmp_path, {"tools.yaml": ORDERS, "docs/api.md": "# API\n\nThe `get_order` endpoint.\n"})
    done = run_cli("check", "-v", str(tmp_path))
    assert "skipped" in done.stderr and "api.md" in done.stderr and "documentation (under `docs/`)" in done.stderr


def test_versions_of_one_tool_are_not_duplicates(tmp_path: Path) -> None:
    versioned = (
        "from fastmcp import FastMCP\n\nmcp = FastMCP('pay')\n\n\n"
        '@mcp.tool(version="1.0")\ndef charge(amount: int) -> dict:\n    """Charge an amount in cents."""\n    return {}\n\n\n'
        '@mcp.tool(version="2.0")\ndef charge(amount: int, key: str) -> dict:  # noqa: F811\n'
        '    """Charge an amount in cents, once per key."""\n    return {}\n'
    )
    write(tmp_path, {"server.py": versioned})
    assert "TN004" not in {c for _, c in codes(check(tmp_path))}
    write(tmp_path, {"server.py": versioned.replace('version="2.0"', "")})
    assert ("server.py", "TN004") in codes(check(tmp_path))


def test_tools_far_above_a_prompt_are_judged_only_if_the_prompt_names_one(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pkg/mcp/tools.yaml": ORDERS,
            "pkg/agent/prompts/system.md": "You are a browser agent. You must call the `AgentReply` tool.\n",
        },
    )
    assert codes(check(tmp_path)) == []  # the prompt may be written for other tools
    write(
        tmp_path,
        {"pkg/agent/prompts/system.md": "You are an agent. Call `get_order`, then call the `AgentReply` tool.\n"},
    )
    assert codes(check(tmp_path)) == [("system.md", "TP001")]


def test_text_full_of_links_and_install_commands_is_documentation(tmp_path: Path) -> None:
    page = (
        "# Research kit\n\nYou can run it locally; you choose the model and your own keys.\n\n"
        "Install with `pip install research-kit`, see [the guide](https://example.org/guide) and "
        "[the API](https://example.org/api). Call the `make_plan` tool to plan.\n"
    )
    write(tmp_path, {"tools.yaml": ORDERS, "kit/overview.md": page})
    result = check(tmp_path)
    assert codes(result) == [] and "reads like documentation" in dict(result.skipped)[result.skipped[0][0]]


def test_function_tools_of_two_example_scripts_in_one_folder_are_two_toolsets(tmp_path: Path) -> None:
    script = (
        "from langchain_core.tools import tool\n\n\n@tool\ndef search(query: str) -> str:\n"
        '    """Search the web for a query and return the top result."""\n    return query\n'
    )
    write(tmp_path, {"examples/one.py": script, "examples/two.py": script})
    assert "TN004" not in {c for _, c in codes(check(tmp_path))}


def test_names_of_tools_toollint_could_not_read_are_judged_only_when_close(tmp_path: Path) -> None:
    unreadable = (
        "from mcp.server.fastmcp import FastMCP\nfrom names import TRACKER\n\nmcp = FastMCP('x')\n\n\n"
        '@mcp.tool(name=TRACKER)\ndef track(task: str) -> str:\n    """Track a task."""\n    return task\n'
    )
    write(
        tmp_path,
        {
            "agent/tools/orders.yaml": ORDERS,
            "agent/tools/tracking.py": unreadable,
            "agent/system.md": "You are an agent. Call the `task_board` tool, then the `get_ordr` tool.\n",
        },
    )
    found = [d.message for d in check(tmp_path).diagnostics if d.code == "TP001"]
    assert len(found) == 1 and "`get_ordr`" in found[0]  # `task_board` may be the tool that was not read


def test_a_tool_file_named_alone_is_checked_against_the_tool_files_beside_it(tmp_path: Path) -> None:
    git_init(tmp_path)
    write(tmp_path, {"tools/orders.yaml": ORDERS, "tools/more.yaml": ORDERS, "tools/far/other.yaml": ORDERS})
    result = check(tmp_path / "tools" / "orders.yaml", root=tmp_path)
    assert [(Path(d.path).name, d.code) for d in result.diagnostics if d.code == "TN004"] == [("orders.yaml", "TN004")]
