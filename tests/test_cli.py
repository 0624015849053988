"""The real command line: exit codes, one-line errors, output files, statistics, rule docs, colour."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import REPO, run_cli

EXAMPLE = REPO / "examples" / "support-agent"


def test_findings_exit_1_with_exact_locations() -> None:
    done = run_cli("check", "examples/support-agent")
    assert done.returncode == 1, done.stderr
    assert "examples/support-agent/tools/orders.json\n" in done.stdout
    assert (
        "  41:34    error   TS003  `required` names `amount`, which is not a property; did you mean `amount_cents`?"
        in done.stdout
    )
    assert "  24:11    error   TN001" in done.stdout
    assert done.stderr == ""


def test_exit_zero_and_fail_on() -> None:
    assert run_cli("check", "examples/support-agent", "--exit-zero").returncode == 0
    assert run_cli("check", "examples/support-agent", "--select", "TD004").returncode == 0  # warnings only
    assert run_cli("check", "examples/support-agent", "--select", "TD004", "--fail-on", "warning").returncode == 1


def test_clean_input_exits_0(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(
        "- name: ok\n  description: Look up the record by its id and return it.\n  input_schema: {type: object}\n"
    )
    done = run_cli("check", str(tmp_path))
    assert done.returncode == 0 and done.stdout.startswith("No problems found; checked 1 tool")


def test_nothing_to_check_is_said_on_stderr(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"name": "web"}')  # in a folder, an unrecognised file is skipped
    done = run_cli("check", str(tmp_path))
    assert done.returncode == 0 and done.stdout.startswith("No problems found; checked 0 tools")
    assert done.stderr == (
        f"toollint: warning: no tool definitions or prompts found under `{tmp_path}` (1 file read); check the paths\n"
    )
    assert run_cli("check", "-q", str(tmp_path)).stderr == ""
    assert run_cli("check", "--skip-unrecognized", str(tmp_path)).stderr == ""  # pre-commit names files freely
    assert run_cli("check", "examples/support-agent", "--exit-zero").stderr == ""


def test_missing_path_is_a_one_line_usage_error() -> None:
    done = run_cli("check", "no/such/folder")
    assert done.returncode == 2
    assert done.stderr == "toollint: error: path `no/such/folder` does not exist\n" and done.stdout == ""


def test_bad_config_is_a_one_line_error_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / ".toollint.yaml").write_text("select: [TS]\nfail_on: error\n")
    done = run_cli("check", str(tmp_path))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert done.stderr.endswith(".toollint.yaml:2:1: unknown key `fail_on` (did you mean `fail-on`?)\n")


def test_unknown_option_value_is_a_usage_error() -> None:
    done = run_cli("check", "--output-format", "xml", "examples")
    assert done.returncode == 2 and "Invalid value for '--output-format'" in done.stderr


def test_output_file_and_format(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    done = run_cli("check", "examples/support-agent", "--output-format", "json", "--output-file", str(out))
    assert done.returncode == 1 and done.stdout == ""
    assert {d["code"] for d in json.loads(out.read_text())} == {"TS003", "TN001", "TD004", "TP005"}


def test_unparsable_file_is_never_a_silent_pass(tmp_path: Path) -> None:
    (tmp_path / "tools.json").write_text('[{"name": "a",}]')
    done = run_cli("check", str(tmp_path), "--output-format", "concise")
    assert done.returncode == 1 and "tools.json:1:15: TL001 [error] invalid JSON" in done.stdout


def test_statistics() -> None:
    done = run_cli("check", "examples/support-agent", "--statistics")
    assert done.returncode == 1
    assert "      2  TD004  missing-parameter-description      warning" in done.stdout
    assert "checked 4 tools and 1 prompt in 3 files." in done.stdout


def test_selectors_accept_commas_and_repeats() -> None:
    done = run_cli(
        "check", "examples/support-agent", "--select", "TS003,TN", "--ignore", "TN004", "--output-format", "json"
    )
    assert {d["code"] for d in json.loads(done.stdout)} == {"TS003", "TN001"}


def test_skip_unrecognized_for_pre_commit(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"name": "web", "version": "1.0.0"}')
    assert run_cli("check", str(tmp_path / "package.json")).returncode == 1
    assert run_cli("check", "--skip-unrecognized", str(tmp_path / "package.json")).returncode == 0


def test_color_always_and_no_color() -> None:
    assert "\x1b[31m" in run_cli("check", "examples/support-agent", "--color", "always").stdout
    assert "\x1b[" not in run_cli("check", "examples/support-agent").stdout  # not a terminal, NO_COLOR set


def test_rule_doc_by_code_and_name() -> None:
    done = run_cli("rule", "TS003")
    assert done.returncode == 0
    for heading in (
        "# unknown-required-property (TS003)",
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "Use instead:",
        "## Options",
        '"required": ["cty"]',
    ):
        assert heading in done.stdout
    assert run_cli("rule", "unknown-required-property").stdout == done.stdout
    assert json.loads(run_cli("rule", "TS003", "--output-format", "json").stdout)["name"] == "unknown-required-property"


def test_unknown_rule_suggests() -> None:
    done = run_cli("rule", "TS03")
    assert done.returncode == 2 and "did you mean" in done.stderr


def test_rules_lists_all() -> None:
    done = run_cli("rules")
    assert done.returncode == 0 and "TS003  unknown-required-property" in done.stdout
    assert len(json.loads(run_cli("rules", "--output-format", "json").stdout)) == done.stdout.count("\n") - 1


def test_version_and_module_entry_point() -> None:
    assert run_cli("--version").stdout == "toollint 0.1.0\n"
    assert run_cli("--help").returncode == 0


def test_a_crashing_rule_is_tl005_and_exit_2(tmp_path: Path) -> None:
    """Run in a subprocess with one check patched to raise: the other findings survive, the run exits 2."""
    (tmp_path / "t.yaml").write_text("- name: a.b\n  input_schema: {type: object, properties: {q: {type: string}}}\n")
    script = (
        "import sys, toollint.checks.naming as n\n"
        "def boom(tool, ctx):\n    raise ValueError('synthetic failure')\n    yield\n"
        "n.invalid_tool_name = boom\n"
        "from toollint.cli import main\nmain(sys.argv[1:])\n"
    )
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", script, "check", str(tmp_path), "--output-format", "concise"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "TL005 [error] rule TN001 (invalid-tool-name) failed on `a.b`: ValueError: synthetic failure" in done.stdout
    assert "TD001" in done.stdout and "Traceback" not in done.stderr
