"""Tools and prompts declared in Python: the rules run on them, with locations in the .py file."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import found, lint, run_cli
from toollint.loading.python.tools import extract

SOURCES = Path(__file__).parent / "python_sources"

SERVER = '''\
from typing import Annotated

from mcp.server.fastmcp import FastMCP
from pydantic import Field

mcp = FastMCP("billing")


@mcp.tool()
def refund_payment(
    payment_id: str,
    amount_cents: int,
) -> str:
    """Refund part or all of a card payment. Returns the refund id.

    Args:
        payment_id: The payment to refund, like pay_123.
    """
    return ""


@mcp.tool(annotations={"readOnlyHint": True})
def get_invoice(invoice_id: Annotated[str, Field(description="Invoice id, like inv_42", max_length=40)]) -> str:
    """Return one invoice with its lines and totals, as JSON. Use it to answer questions about a bill."""
    return ""
'''


def test_findings_point_at_the_def_the_parameter_and_the_docstring() -> None:
    result = lint({"server.py": SERVER}, select=("ALL",))
    by_code = {(d.code, d.span.line, d.span.column) for d in result.diagnostics}
    assert ("TR001", 10, 5) in by_code  # the function name of a non-idempotent write tool
    assert ("TR004", 10, 5) in by_code  # no annotations on a write tool
    assert ("TS008", 12, 5) in by_code  # `amount_cents` has no bounds: the parameter in the signature
    assert ("TD004", 12, 5) in by_code  # `amount_cents` is not documented; `payment_id` is, in `Args:`
    assert not [d for d in result.diagnostics if d.code == "TD004" and "payment_id" in d.message]
    assert not [d for d in result.diagnostics if "get_invoice" in d.message and d.severity.label != "info"]


def test_a_suppression_on_the_def_line_covers_the_whole_tool() -> None:
    source = SERVER.replace(
        "def refund_payment(", "def refund_payment(  # toollint: ignore[TS008, TR001] amounts are checked server-side"
    )
    result = lint({"server.py": source}, select=("ALL",))
    assert not found(result, "TS008") and not found(result, "TR001")
    assert not found(result, "TL003")


def test_an_unused_python_suppression_is_reported() -> None:
    comment = "# toollint: ignore[TR002] not destructive"
    source = SERVER.replace('"""Return one invoice', f'{comment}\n    """Return one invoice')
    line = source.split("\n").index(f"    {comment}") + 1
    assert found(lint({"server.py": source}), "TL003") == [(line, 5, "TL003")]


def test_unevaluated_types_are_info_and_their_findings_are_dropped() -> None:
    source = '''\
from mcp.server.fastmcp import FastMCP
from .models import Order

mcp = FastMCP("shop")


@mcp.tool(annotations={"readOnlyHint": True})
def get_order(order: Order) -> str:
    """Return the order as JSON, with its lines and status. Use it to answer order questions."""
    return ""
'''
    result = lint({"server.py": source})
    assert found(result) == [(8, 22, "TL006")]
    assert "`Order` is not defined in this file" in result.diagnostics[0].message


def test_module_constants_are_evaluated() -> None:
    source = """\
from mcp.server.fastmcp import FastMCP

mcp = FastMCP("shop")
DESCRIPTION = "Return the order as JSON, with its lines and status."
USAGE = "Use it to answer order questions."


@mcp.tool(description=f"{DESCRIPTION} {USAGE}", annotations={"readOnlyHint": True})
def get_order(order_id: str) -> str:
    return ""
"""
    extraction = extract(source)
    assert extraction.module.problems == []
    assert (
        extraction.tools[0]["description"]
        == "Return the order as JSON, with its lines and status. Use it to answer order questions."
    )


def test_low_level_servers_literal_tool_lists_and_prompt_constants() -> None:
    path = SOURCES / "lowlevel_server.py"
    result = lint({"lowlevel_server.py": path.read_text()})
    assert result.tools == 3 and result.prompts == 1
    codes = {(d.code, d.span.line, d.span.column) for d in result.diagnostics}
    assert ("TS003", 32, 38) in codes  # `required` names `force`, at the exact string in the literal
    assert ("TR002", 27, 18) in codes  # remove_file deletes without an approval gate: at its `name=`
    assert not [c for c in codes if c[0] == "TL006"]  # `types.ToolAnnotations(...)` is read like a dict
    # the prompt names a tool that does not exist; the finding is on its line inside the string constant
    assert ("TP001", 10, 63) in codes


def test_a_file_with_import_time_side_effects_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    done = run_cli("check", str(SOURCES / "side_effects.py"), env={"TOOLLINT_MARKER": str(marker)})
    assert not marker.exists() and not Path(f"{marker}.sh").exists()
    assert done.returncode == 0, done.stderr  # warnings on `wipe_disk`, not exit 3 from the module's sys.exit
    assert "wipe_disk" in done.stdout and "Traceback" not in done.stderr
    assert os.environ.get("TOOLLINT_MARKER") is None


def test_invalid_python_is_a_parse_error_with_a_position() -> None:
    result = lint({"server.py": "from mcp.server.fastmcp import FastMCP\n\ndef tool(:\n"})
    assert [(d.code, d.span.line) for d in result.diagnostics] == [("TL001", 3)]


def test_a_python_file_without_tools_is_skipped_unless_named(tmp_path: Path) -> None:
    (tmp_path / "util.py").write_text("import os\n\nSYSTEM_NAME = os.name\n")
    assert run_cli("check", str(tmp_path)).returncode == 0
    named = run_cli("check", str(tmp_path / "util.py"))
    assert named.returncode == 1 and "TL002" in named.stdout and "@mcp.tool" in named.stdout
