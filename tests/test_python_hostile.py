"""Hostile Python inputs: each ends in a clean finding within 5 s and 300 MB, in a subprocess that measures itself."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

_MEASURE = """\
import json, resource, sys
from toollint.cli import main
code = 0
try:
    main(["check", sys.argv[1], "--select", "ALL", "--output-format", "json", "--exit-zero"])
except SystemExit as exc:
    code = exc.code
usage = resource.getrusage(resource.RUSAGE_SELF)
children = resource.getrusage(resource.RUSAGE_CHILDREN)
# CPU seconds of the process and its workers, start-up included: bounded whatever else shares the machine
seconds = usage.ru_utime + usage.ru_stime + children.ru_utime + children.ru_stime
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking parent (pytest, hundreds of MB)
with open("/proc/self/status") as status:
    kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
sys.stderr.write(json.dumps({"code": code, "seconds": seconds, "kb": kb}) + "\\n")
"""


def _check(path: Path) -> tuple[list[dict[str, object]], dict[str, float]]:
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert "Traceback" not in done.stderr, done.stderr
    figures = json.loads(done.stderr.strip().splitlines()[-1])
    assert figures["code"] == 0, done.stdout
    assert figures["seconds"] < 5, figures
    assert figures["kb"] < 300 * 1024, figures
    return json.loads(done.stdout), figures


_HEADER = """\
from mcp.server.fastmcp import FastMCP

mcp = FastMCP("hostile")
"""

_OTHER_TOOL = '''

@mcp.tool(annotations={"readOnlyHint": True})
def list_shelves(room: str) -> str:
    """List the shelves in one room, as JSON. Use it before asking about a shelf."""
    return ""
'''


def _doubling(kind: str, depth: int, fanout: int) -> str:
    """`N0 = N1 + N1`, `N1 = N2 + N2`, ...: fanout**depth characters (or elements) from a few hundred bytes."""
    lines = [_HEADER, f'N{depth} = "ab"' if kind == "text" else f'N{depth} = ["ab"]']
    for level in range(depth - 1, -1, -1):
        uses = [f"N{level + 1}"] * fanout
        lines.append(f"N{level} = " + (" + ".join(uses) if kind == "text" else "[" + ", ".join(uses) + "]"))
    if kind == "text":
        lines.append('\n\n@mcp.tool(description=N0)\ndef grow() -> str:\n    return ""\n')
    else:
        lines.append('\n\nTOOLS = [{"name": "grow", "description": "Grow.", "input_schema": {"enum": N0}}]\n')
    return "\n".join(lines) + _OTHER_TOOL


@pytest.mark.parametrize("kind", ["text", "list"])
@pytest.mark.parametrize(("depth", "fanout", "why"), [(40, 2, "more than 16 other constants"), (12, 8, "too large")])
def test_doubling_constants_stop_with_a_tl006(tmp_path: Path, kind: str, depth: int, fanout: int, why: str) -> None:
    path = tmp_path / "server.py"
    path.write_text(_doubling(kind, depth, fanout))
    findings, _ = _check(path)
    tl006 = [f for f in findings if f["code"] == "TL006"]
    assert tl006 and any(why in str(f["message"]) for f in tl006), tl006
    assert len(tl006) <= 100  # at most one per expression of the file, not one per pointer it is reached by


def test_shared_constants_used_many_times_are_evaluated_once(tmp_path: Path) -> None:
    # a description constant used by hundreds of tools is ordinary, not hostile: every tool keeps it
    tools = "".join(
        f'\n\n@mcp.tool(description=SHARED)\ndef tool_{i}(shelf: str) -> str:\n    return ""\n' for i in range(300)
    )
    path = tmp_path / "server.py"
    path.write_text(_HEADER + 'SHARED = "Count the boxes on one shelf. Use it before moving boxes."\n' + tools)
    findings, _ = _check(path)
    assert not [f for f in findings if f["code"] == "TL006"]


def test_an_integer_over_4300_digits_is_a_finding_and_the_other_tools_load(tmp_path: Path) -> None:
    huge = "9" * 5000
    source = _HEADER + f'\n\n@mcp.tool()\ndef weigh(grams: int = {huge}) -> str:\n    """Weigh a parcel."""\n'
    source += '    return ""\n' + _OTHER_TOOL
    path = tmp_path / "server.py"
    path.write_text(source)
    findings, _ = _check(path)
    codes = {str(f["code"]) for f in findings}
    assert "TL001" not in codes  # not "invalid Python"
    tl006 = [f for f in findings if f["code"] == "TL006"]
    assert len(tl006) == 1 and "5000 digits" in str(tl006[0]["message"]) and tl006[0]["line"] == 7
    done = subprocess.run(
        [sys.executable, "-m", "toollint", "inventory", str(path)], capture_output=True, text=True, check=False
    )
    assert "weigh" in done.stdout and "list_shelves" in done.stdout


def test_a_long_prompt_constant_used_by_many_tools_is_not_too_large(tmp_path: Path) -> None:
    # reading a constant again shares its text: a 20 kB guide in 200 descriptions is 4 MB of reading, not hostile
    tools = "".join(
        f'\n\n@mcp.tool(description="Tool {i}. " + GUIDE)\ndef tool_{i}(shelf: str) -> str:\n    return ""\n'
        for i in range(200)
    )
    guide = "Use it before moving boxes; " * 700
    path = tmp_path / "server.py"
    path.write_text(_HEADER + f'GUIDE = "{guide}"\n' + tools)
    findings, _ = _check(path)
    assert not [f for f in findings if f["code"] == "TL006"]


def test_a_python_file_too_large_to_read_with_libcst_is_a_clean_tl001(tmp_path: Path) -> None:
    # a generated server of 5,000 tools (about 0.6 MB): read whole, libcst's tree would take gigabytes at 5 MB
    body = "".join(
        f'\n\n@mcp.tool()\ndef tool_{i}(shelf: str) -> str:\n    """Return the books on a shelf."""\n    return ""\n'
        for i in range(5000)
    )
    path = tmp_path / "generated.py"
    path.write_text(_HEADER + body)
    findings, figures = _check(tmp_path)
    assert [f["code"] for f in findings] == ["TL001"] and "KB" in findings[0]["message"], findings
    assert figures["seconds"] < 5


def test_a_large_python_module_that_declares_nothing_is_passed_over(tmp_path: Path) -> None:
    # a vendored 400 KB module that only mentions tools and the system: no finding, no gigabytes
    body = "".join(
        f"\n\ndef helper_{i}(system_tool: str) -> str:\n    return system_tool.strip()\n" for i in range(6000)
    )
    (tmp_path / "vendored.py").write_text("import os\n" + body)
    findings, _ = _check(tmp_path)
    assert findings == []
