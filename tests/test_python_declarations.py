"""Every tool declared in Python is loaded, or a TL006 says what could not be read: nothing is dropped silently."""

from __future__ import annotations

from typing import Any

from conftest import found, lint
from toollint.loading.python.tools import extract


def _tools(source: str) -> dict[str, dict[str, Any]]:
    extraction = extract(source)
    loaded = list(extraction.tools)
    for literal in extraction.literals:
        loaded.extend(literal if isinstance(literal, list) else [literal])
    return {str(t.get("name") or t.get("function", {}).get("name")): t for t in loaded}


def _messages(source: str) -> list[str]:
    return [problem.message for problem in extract(source).module.problems]


LOWLEVEL_MODEL = """\
from enum import Enum

from mcp.server import Server
from mcp.types import Tool
from pydantic import BaseModel, Field


class ShelfTools(str, Enum):
    COUNT = "shelf_count"
    LABEL = "shelf_label"


class ShelfCount(BaseModel):
    shelf: str = Field(description="Shelf code, like A-3")
    depth: int = 2


server = Server("shelves")


@server.list_tools()
async def list_tools() -> list[Tool]:
    return [
        Tool(name=ShelfTools.COUNT, description="Count the boxes on one shelf", inputSchema=ShelfCount.model_json_schema()),
        Tool(name=ShelfTools.LABEL.value, description="Print a shelf label", inputSchema={"type": "object"}),
    ]
"""


def test_enum_member_names_and_model_json_schema_are_read() -> None:
    tools = _tools(LOWLEVEL_MODEL)
    assert sorted(tools) == ["shelf_count", "shelf_label"]
    assert tools["shelf_count"]["inputSchema"] == {
        "properties": {
            "shelf": {"description": "Shelf code, like A-3", "title": "Shelf", "type": "string"},
            "depth": {"default": 2, "title": "Depth", "type": "integer"},
        },
        "required": ["shelf"],
        "title": "ShelfCount",
        "type": "object",
    }
    assert _messages(LOWLEVEL_MODEL) == []


def test_a_parameter_finding_in_a_model_json_schema_points_at_the_model_field() -> None:
    result = lint({"server.py": LOWLEVEL_MODEL}, select=("TS008",))
    assert found(result) == [(15, 5, "TS008")]  # `depth: int = 2` has no bounds


def test_sdk2_snake_case_keywords_are_the_wire_names() -> None:
    source = """\
import mcp.types as types

OUTPUT = {"type": "object", "properties": {"total": {"type": "integer"}}}

TOOLS = [
    types.Tool(
        name="sum_lines",
        description="Add up the numbers in a list of invoice lines.",
        input_schema={"type": "object", "properties": {"lines": {"type": "array", "items": {"type": "number"}}}},
        output_schema=OUTPUT,
    )
]
"""
    tool = _tools(source)["sum_lines"]
    assert "inputSchema" in tool and tool["outputSchema"]["properties"] == {"total": {"type": "integer"}}
    assert "input_schema" not in tool


def test_imports_inside_try_name_the_mcp_types() -> None:
    source = """\
try:
    import mcp.types as types
    from mcp.server import Server
except ImportError:
    types = None

def tools():
    return [types.Tool(name="ping_host", description="Ping one host once.", inputSchema={"type": "object"})]
"""
    assert list(_tools(source)) == ["ping_host"]


def test_class_based_handler_names_come_from_the_class() -> None:
    source = """\
from mcp.types import Tool


class RotateKey:
    name = "rotate_key"
    summary = "Rotate one API key and return the new key id."

    def definition(self) -> Tool:
        return Tool(name=self.name, description=self.summary, inputSchema={"type": "object"})


class Dynamic:
    def __init__(self, name: str) -> None:
        self.name = name

    def definition(self) -> Tool:
        return Tool(name=self.name, description="Run a configured job.", inputSchema={"type": "object"})
"""
    assert list(_tools(source)) == ["rotate_key"]
    result = lint({"handlers.py": source})
    assert found(result, "TL006") == [(17, 26, "TL006")]
    assert "`self.name`" in result.diagnostics[-1].message and "not checked" in result.diagnostics[-1].message


def test_agents_decorators_tool_and_fastmcp_standalone_tool() -> None:
    agents = '''\
from agents.decorators import tool


@tool
def convert_units(value: float, unit: str) -> str:
    """Convert a length between metric and imperial units."""
    return ""
'''
    fastmcp = '''\
from fastmcp.tools import tool


@tool(name="mix-colors", description="Mix two paint colours and name the result.")
def mix(first: str, second: str) -> str:
    return ""


@tool
def dilute(color: str) -> str:
    """Dilute a paint colour with water."""
    return ""
'''
    converted = _tools(agents)["convert_units"]
    assert converted["strict"] is True and converted["parameters"]["required"] == ["value", "unit"]
    assert sorted(_tools(fastmcp)) == ["dilute", "mix-colors"]
    assert _tools(fastmcp)["dilute"]["description"] == "Dilute a paint colour with water."


def test_mcpserver_is_a_server_class() -> None:
    source = '''\
from mcp.server.mcpserver import MCPServer

app = MCPServer("notes")


@app.tool()
def add_note(text: str) -> str:
    """Add a note."""
    return ""
'''
    assert list(_tools(source)) == ["add_note"]


def test_a_name_with_a_run_time_prefix_keeps_the_tool_under_its_literal_part() -> None:
    source = '''\
from mcp.server.fastmcp import FastMCP


def build(namespace: str) -> FastMCP:
    mcp = FastMCP("graph")
    prefix = namespace + "-" if namespace else ""

    @mcp.tool(name=prefix + "count_nodes", annotations={"readOnlyHint": True})
    def count_nodes(label: str) -> int:
        """Count the nodes with one label. Use it before a large read."""
        return 0

    return mcp
'''
    tools = _tools(source)
    assert list(tools) == ["count_nodes"]
    result = lint({"graph.py": source}, select=("ALL",))
    tl006 = [d for d in result.diagnostics if d.code == "TL006"]
    assert [(d.span.line, d.span.column) for d in tl006] == [(8, 20)]
    assert "checked as `count_nodes`" in tl006[0].message and "`prefix`" in tl006[0].message
    assert not [d for d in result.diagnostics if d.code.startswith("TN")]  # the name is not known: not judged
    assert found(result, "TS006") == [(9, 21, "TS006")]  # the rest of the tool is still checked


def test_a_name_that_cannot_be_read_at_all_is_one_tl006_not_a_silent_drop() -> None:
    source = """\
from mcp.types import Tool
from .names import PURGE_NAME

TOOLS = [Tool(name=PURGE_NAME, description=make_text(), inputSchema={"type": "object"})]
"""
    assert _tools(source) == {}
    result = lint({"server.py": source})
    assert found(result, "TL006") == [(4, 20, "TL006")]
    message = next(d.message for d in result.diagnostics if d.code == "TL006")
    assert "`PURGE_NAME`" in message and "`.names`" in message and "not checked" in message


def test_litellm_tool_params_are_read_and_factory_parts_reported() -> None:
    source = """\
from litellm import ChatCompletionToolParam, ChatCompletionToolParamFunctionChunk

from .names import STOP_NAME


def polish(text):
    return text


SLEEP = ChatCompletionToolParam(
    type="function",
    function=ChatCompletionToolParamFunctionChunk(
        name="sleep_seconds",
        description=polish("Pause the agent for a number of seconds."),
        parameters={"type": "object", "properties": {"seconds": {"type": "integer", "description": "How long"}}},
    ),
)


def stop_tool():
    return ChatCompletionToolParam(
        type="function",
        function=ChatCompletionToolParamFunctionChunk(name=STOP_NAME, description="Stop.", parameters={}),
    )
"""
    tools = _tools(source)
    assert list(tools) == ["sleep_seconds"]
    assert tools["sleep_seconds"]["function"]["parameters"]["properties"]["seconds"]["type"] == "integer"
    result = lint({"tools.py": source}, select=("ALL",))
    assert found(result, "TL006") == [(14, 21, "TL006"), (23, 60, "TL006")]
    assert not found(result, "TD001")  # the description is there, only not readable


def test_tool_tables_with_args_schema_name_what_they_import() -> None:
    source = """\
from pydantic import BaseModel

from .prompts import REFUND_PROMPT
from .schema import Refund


class ListDisputes(BaseModel):
    limit: int = 10


tools = [
    {"method": "create_refund", "name": "Create Refund", "description": REFUND_PROMPT, "args_schema": Refund},
    {"method": "list_disputes", "name": "List Disputes", "description": "List open disputes.", "args_schema": ListDisputes},
]
"""
    tools = _tools(source)
    assert sorted(tools) == ["create_refund", "list_disputes"]
    assert tools["list_disputes"]["parameters"]["properties"]["limit"]["default"] == 10
    messages = _messages(source)
    assert any("`REFUND_PROMPT` is imported from `.prompts`" in m for m in messages)
    assert any("`Refund` is imported from `.schema`" in m for m in messages)
    result = lint({"tools.py": source}, select=("ALL",))
    assert not [d for d in result.diagnostics if d.code in ("TN001", "TD001", "TD004") and "refund" in d.message]


def test_a_field_held_in_a_module_constant_gives_the_description() -> None:
    source = '''\
from typing import Annotated

from mcp.server.fastmcp import FastMCP
from pydantic import Field

from .fields import OWNER_FIELD

mcp = FastMCP("kv")
KEY_FIELD = Field(description="Key to read, like user:42", max_length=64)


@mcp.tool(annotations={"readOnlyHint": True})
def read_key(key: Annotated[str, KEY_FIELD], owner: Annotated[str, OWNER_FIELD]) -> str:
    """Read one key from the store. Use it to look a value up before changing it."""
    return ""
'''
    schema = _tools(source)["read_key"]["inputSchema"]
    assert schema["properties"]["key"]["description"] == "Key to read, like user:42"
    assert schema["properties"]["key"]["maxLength"] == 64
    result = lint({"kv.py": source}, select=("ALL",))
    assert not found(result, "TD004")  # `owner`'s description is unknown, not missing
    assert found(result, "TL006") == [(13, 68, "TL006")]
    assert "`OWNER_FIELD` is imported from `.fields`" in result.diagnostics[0].message


def test_smolagents_tool_classes_are_read_from_their_class_attributes() -> None:
    source = """\
from smolagents import Tool

from .base import Tool as LocalTool
from .texts import WHISPER_TEXT


class ShoutTool(Tool):
    name = "shout"
    description = "Repeat the text in capitals."
    inputs = {
        "text": {"type": "string", "description": "What to shout"},
        "times": {"type": "any", "description": "How often", "nullable": True},
    }
    output_type = "string"


class WhisperTool(LocalTool):
    name = "whisper"
    description = WHISPER_TEXT
    inputs = {"text": {"type": "string", "description": "What to whisper"}}
    output_type = "string"


class Configured(Tool):
    inputs = {}
    output_type = "string"
"""
    tools = _tools(source)
    assert tools["shout"] == {
        "type": "function",
        "function": {
            "name": "shout",
            "description": "Repeat the text in capitals.",
            "parameters": {
                "type": "object",
                "properties": {
                    "text": {"type": "string", "description": "What to shout"},
                    "times": {"type": "string", "description": "How often", "nullable": True},
                },
                "required": ["text"],
            },
            "x-toollint": {"class": "ShoutTool"},  # the declaring class: alternatives of one module (TN004)
        },
    }
    assert "whisper" in tools
    result = lint({"tools.py": source}, select=("ALL",))
    assert found(result, "TL006") == [(19, 19, "TL006"), (24, 7, "TL006")]
    assert not found(result, "TD001")  # `WHISPER_TEXT` is unknown, not missing
    assert found(result, "TS006")[0][:2] == (11, 9)  # a finding on an input points into the `inputs` dict


def test_tools_of_frameworks_not_translated_yet_are_reported_not_dropped() -> None:
    source = '''\
from browser_use import Tools
from smolagents import tool

tools = Tools()


@tool
def count_words(text: str) -> int:
    """Count the words in a text."""
    return 0


@tools.action("Scroll the page down by one screen")
async def scroll_down() -> None:
    pass
'''
    result = lint({"agent.py": source})
    assert found(result, "TL006") == [(8, 5, "TL006"), (14, 11, "TL006")]
    messages = [d.message for d in result.diagnostics if d.code == "TL006"]
    assert "smolagents `@tool` function `count_words`" in messages[0] and "not checked" in messages[0]
    assert "browser-use action `scroll_down`" in messages[1]


def test_a_fastmcp_tool_subclass_made_at_run_time_is_reported() -> None:
    source = """\
from fastmcp.tools.tool import Tool


class FromDatabase(Tool):
    operation: str
"""
    result = lint({"provider.py": source})
    assert found(result, "TL006") == [(4, 7, "TL006")]
    assert "makes its tools at run time" in next(d.message for d in result.diagnostics if d.code == "TL006")


def test_an_agents_tool_that_needs_approval_has_an_approval_gate() -> None:
    source = '''\
from agents import function_tool


def risky(ctx, params, call_id):
    return True


@function_tool(needs_approval=True)
def delete_account(account_id: str) -> str:
    """Delete a customer account and all its data. This cannot be undone."""
    return ""


@function_tool(needs_approval=risky)
def delete_invoice(invoice_id: str) -> str:
    """Delete a draft invoice. This cannot be undone."""
    return ""


@function_tool
def delete_note(note_id: str) -> str:
    """Delete a note. This cannot be undone."""
    return ""
'''
    tools = _tools(source)
    assert tools["delete_account"]["x-toollint"] == {"approval": "human"}
    assert tools["delete_invoice"]["x-toollint"] == {"approval": "human"}
    assert "x-toollint" not in tools["delete_note"]
    result = lint({"agent.py": source}, select=("TR002",))
    assert [d.message.split("`")[1] for d in result.diagnostics] == ["delete_note"]
