"""The schemas toollint extracts from Python equal the ones the frameworks build at run time.

Each server file in tests/python_sources is read twice: statically by toollint, and by importing it and
asking the framework itself (FastMCP's `list_tools`, LangChain's `tool_call_schema`, the Agents SDK's
`params_json_schema`) what it would send to the model.
"""

from __future__ import annotations

import asyncio
import importlib.util
import inspect
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from toollint.loading.python.tools import extract

SOURCES = Path(__file__).parent / "python_sources"


def _import(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"toollint_test_{name}", SOURCES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # pydantic resolves forward references through sys.modules
    spec.loader.exec_module(module)
    return module


def _extracted(name: str) -> dict[str, dict[str, Any]]:
    extraction = extract((SOURCES / f"{name}.py").read_text())
    assert extraction.module.problems == []
    return {tool["name"]: tool for tool in extraction.tools}


def _same_text(ours: str | None, theirs: str | None) -> None:
    assert inspect.cleandoc(ours or "") == inspect.cleandoc(theirs or "")


def test_fastmcp_tools_match_list_tools() -> None:
    pytest.importorskip("mcp.server.fastmcp")
    module = _import("fastmcp_server")
    runtime = asyncio.run(module.mcp.list_tools())
    ours = _extracted("fastmcp_server")
    assert len(runtime) >= 5 and sorted(ours) == sorted(t.name for t in runtime)
    for tool in runtime:
        sent = tool.model_dump(exclude_none=True, by_alias=True)
        assert ours[tool.name]["inputSchema"] == sent["inputSchema"], tool.name
        assert ours[tool.name]["description"] == sent["description"], tool.name  # the raw __doc__, byte for byte
        assert ours[tool.name].get("annotations") == sent.get("annotations"), tool.name
        assert ours[tool.name].get("outputSchema") == sent.get("outputSchema"), tool.name


def test_lowlevel_tools_with_enum_names_and_models_match_mcp_types() -> None:
    pytest.importorskip("mcp.types")
    module = _import("lowlevel_models")
    runtime = asyncio.run(module.list_tools())
    extraction = extract((SOURCES / "lowlevel_models.py").read_text())
    assert extraction.module.problems == []
    ours = {tool["name"]: tool for tool in extraction.literals}
    assert len(runtime) == 3 and sorted(ours) == sorted(t.name for t in runtime)
    for tool in runtime:
        sent = tool.model_dump(exclude_none=True, by_alias=True, mode="json")
        assert ours[tool.name] == sent, tool.name


def test_langchain_tools_match_tool_call_schema() -> None:
    pytest.importorskip("langchain_core.tools")
    from langchain_core.tools import BaseTool

    module = _import("langchain_tools")
    runtime = [value for value in vars(module).values() if isinstance(value, BaseTool)]
    ours = _extracted("langchain_tools")
    assert len(runtime) >= 5 and sorted(ours) == sorted(t.name for t in runtime)
    for tool in runtime:
        schema = dict(tool.tool_call_schema.model_json_schema())
        schema.pop("description", None)  # LangChain repeats the tool description at the schema root
        assert ours[tool.name]["parameters"] == schema, tool.name
        assert ours[tool.name]["description"] == tool.description, tool.name


def test_agents_sdk_tools_match_params_json_schema() -> None:
    pytest.importorskip("agents")
    from agents import FunctionTool

    module = _import("agents_tools")
    runtime = [value for value in vars(module).values() if isinstance(value, FunctionTool)]
    ours = _extracted("agents_tools")
    assert len(runtime) >= 5 and sorted(ours) == sorted(t.name for t in runtime)
    for tool in runtime:
        assert ours[tool.name]["parameters"] == tool.params_json_schema, tool.name
        assert ours[tool.name]["strict"] is tool.strict_json_schema
        _same_text(ours[tool.name].get("description"), tool.description)
