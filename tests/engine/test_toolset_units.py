"""Which tools form one toolset for the cross-tool rules (TN004 duplicate-tool-name here), from the precision review."""

from __future__ import annotations

from pathlib import Path

from conftest import settings
from toollint.engine.run import check_paths

AGENT_SCRIPT = '''
from agents import Agent, function_tool


@function_tool
def get_weather(city: str) -> str:
    """Return the weather for a city."""
    return "sunny"


agent = Agent(name="{name}", instructions="Answer weather questions.", tools=[get_weather])
'''


def duplicates(folder: Path) -> list[tuple[str, int]]:
    result = check_paths([folder], settings(folder, select=("TN004",)))
    return [(Path(d.path).name, d.span.line) for d in result.diagnostics]


def test_agent_scripts_side_by_side_are_separate_toolsets(tmp_path: Path) -> None:
    # two example scripts in one folder, each with its own `get_weather`: no toolset holds both
    (tmp_path / "basic.py").write_text(AGENT_SCRIPT.format(name="basic"))
    (tmp_path / "streaming.py").write_text(AGENT_SCRIPT.format(name="streaming"))
    assert duplicates(tmp_path) == []


VERSIONED = '''
from fastmcp import FastMCP

mcp = FastMCP("calc")


@mcp.tool(version="{first}")
def calculate(x: int, y: int) -> int:
    """Add two numbers."""
    return x + y


@mcp.tool(version="{second}")
def calculate(x: int, y: int, z: int = 0) -> int:  # noqa: F811
    """Add two or three numbers."""
    return x + y + z
'''


def test_versions_of_one_tool_are_no_duplicates(tmp_path: Path) -> None:
    (tmp_path / "server.py").write_text(VERSIONED.format(first="1.0", second="2.0"))
    assert duplicates(tmp_path) == []
    (tmp_path / "server.py").write_text(VERSIONED.format(first="1.0", second="1.0"))
    assert duplicates(tmp_path) == [("server.py", 14)]


def test_json_tool_files_of_one_folder_still_form_one_toolset(tmp_path: Path) -> None:
    tool = '[{"name": "get_weather", "description": "Weather for a city.", "input_schema": {"type": "object"}}]'
    (tmp_path / "a.json").write_text(tool)
    (tmp_path / "b.json").write_text(tool)
    assert duplicates(tmp_path) == [("b.json", 1)]
