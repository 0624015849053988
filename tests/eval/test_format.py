"""Eval files: a good suite loads into cases; a bad one is exit 2 with path:line:col and what to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_cli
from tests.eval.conftest import write_suite
from toollint.eval.format import EvalFormatError, load_suite


def test_a_suite_loads_with_defaults_file_references_and_case_overrides(tmp_path: Path) -> None:
    path = write_suite(
        tmp_path,
        """
        - id: order-status
          tags: [orders]
          user: "Where is A1?"
          tool_results:
            - when: {name: lookup_order, args: {order_id: A1}}
              results: [{status: shipped}, {status: delivered}]
          expect:
            calls: [{name: lookup_order, args: {order_id: A1}}]
            critical: true
            repeats: 5
            min_passes: 5
        """,
        defaults="repeats: 3\n",
    )
    suite = load_suite(path)
    case = suite.cases[0]
    assert suite.name == "demo" and suite.target.model == "claude-sonnet-4-6"
    assert case.tool_names == {"lookup_order", "cancel_order", "escalate_to_human"}
    assert case.system is not None and case.system.startswith("You are the support assistant")
    assert (case.repeats, case.min_passes, case.critical, case.line) == (5, 5, True, 9)
    assert case.tool_results[0].results == ({"status": "shipped"}, {"status": "delivered"})


@pytest.mark.parametrize(
    ("cases", "where", "message"),
    [
        ("- {id: a, user: x, expct: {}}\n", (7, 22), "unknown key `expct` in a case; did you mean `expect`?"),
        (
            "- {id: a, user: x, expect: {calls: [{name: t, args: {q: {$regx: a}}}]}}\n",
            (7, 60),
            "unknown matcher `$regx`; did you mean `$regex`?",
        ),
        ("- {id: a, user: x, expect: {final: {regex: '('}}}\n", (7, 46), "invalid regular expression"),
        ("- {id: a, user: x, repeats: 2, min_passes: 3}\n", (7, 46), "`min_passes` (3) is more than `repeats` (2)"),
        ("- {id: a, user: x, tools: file://missing.json}\n", (7, 29), "tools file `missing.json` not found"),
        ("- {id: a, user: x}\n- {id: a, user: y}\n", (8, 10), "duplicate case id `a` (first at line 7)"),
        ("- {id: a}\n", (7, 5), "each case needs a `user` message"),
        ("- {id: a, user: x, expect: {order: sorted}}\n", (7, 38), "`order` must be one of any, in_order, exact"),
        ("- id: a\n  user: [unclosed\n", (9, 1), "invalid YAML"),
    ],
)
def test_bad_files_say_where_and_what_to_fix(tmp_path: Path, cases: str, where: tuple[int, int], message: str) -> None:
    path = write_suite(tmp_path, cases)
    with pytest.raises(EvalFormatError) as caught:
        load_suite(path)
    assert (caught.value.line, caught.value.column) == where, caught.value
    assert message in caught.value.message


def test_the_cli_exits_2_with_the_location_and_no_traceback(tmp_path: Path) -> None:
    path = write_suite(tmp_path, "- {id: a, user: x, expect: {calls: [{nme: lookup_order}]}}\n")
    done = run_cli("eval", str(path), cwd=tmp_path, env={"ANTHROPIC_API_KEY": ""})
    assert done.returncode == 2
    assert "demo.eval.yaml:7:40: unknown key `nme` in an expected call; did you mean `name`?" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    missing = run_cli("eval", cwd=tmp_path)  # no evals/ folder under the project
    assert missing.returncode == 2 and "evals" in missing.stderr and "Traceback" not in missing.stderr
