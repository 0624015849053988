"""`toollint check` reads eval suites: a case that went stale after a schema change is reported at its line."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_cli
from tests.eval.conftest import TOOLS, write_suite

CASES = """
- id: status
  user: "Where is A1?"
  tool_results:
    - when: {name: lookup_order}
      result: {status: shipped}
  expect:
    calls: [{name: lookup_order, args: {order_id: A1, include_items: false}}]
    not_called: [cancel_order]
"""


def test_a_stale_case_is_reported_at_the_case_before_any_model_runs(tmp_path: Path) -> None:
    write_suite(tmp_path / "evals", CASES)
    clean = run_cli("check", "evals", "--select", "TE", cwd=tmp_path)
    assert clean.returncode == 0, clean.stdout
    assert "no tool definitions or prompts found" not in clean.stderr  # eval cases are something to check
    # the tool changes: `include_items` renamed, `status` now an enum, `cancel_order` removed
    tools = json.loads(json.dumps(TOOLS[:1]))
    props = tools[0]["input_schema"]["properties"]
    props["with_items"] = props.pop("include_items")
    tools[0]["output_schema"]["properties"]["status"]["enum"] = ["processing", "in_transit", "delivered"]
    (tmp_path / "evals" / "tools.json").write_text(json.dumps(tools, indent=1))
    done = run_cli("check", "evals", "--select", "TE", "--output-format", "concise", cwd=tmp_path)
    assert done.returncode == 1
    lines = sorted(line for line in done.stdout.splitlines() if line.startswith("evals/"))
    assert lines == [
        "evals/demo.eval.yaml:12:17: TE003 [error] case `status` scripts a `lookup_order` result that its output "
        "schema rejects (at `status`: 'shipped' is not one of ['processing', 'in_transit', 'delivered']); the model "
        "is tested on data the tool cannot return, update the result",
        "evals/demo.eval.yaml:14:57: TE002 [error] case `status` expects `include_items` in a call to `lookup_order`, "
        "which its input schema does not allow; `lookup_order` now has `with_items`; update the case",
        "evals/demo.eval.yaml:15:20: TE001 [error] case `status` names tool `cancel_order`, which is not among its "
        "tools; add the tool or fix the name",
    ], done.stdout


def test_an_eval_file_alone_still_finds_its_tools_and_is_never_unrecognised(tmp_path: Path) -> None:
    path = write_suite(tmp_path, CASES.replace("lookup_order, args", "lookup_ordr, args"))
    done = run_cli("check", str(path), cwd=tmp_path, env={"NO_COLOR": "1"})
    assert "TL002" not in done.stdout
    assert "TE001" in done.stdout and "did you mean `lookup_order`?" in done.stdout


def test_a_finding_in_an_eval_file_can_be_suppressed_with_a_reason(tmp_path: Path) -> None:
    cases = CASES.replace(
        "    not_called: [cancel_order]",
        "    not_called: [refund_order]  # toollint: ignore[TE001] guards a future tool",
    )
    write_suite(tmp_path / "evals", cases)
    done = run_cli("check", "evals", "--select", "TE,TL003", cwd=tmp_path)
    assert done.returncode == 0, done.stdout
