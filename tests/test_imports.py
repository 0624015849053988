"""Heavy dependencies stay off the startup path: checking JSON/YAML imports none of anthropic, libcst or deepdiff."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import REPO

HEAVY = ("anthropic", "libcst", "deepdiff")
PROBE = """
import json, sys
from toollint.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
sys.stderr.write(json.dumps(sorted(m.split('.')[0] for m in sys.modules)) + "\\n")
"""


def imported(*args: str, env: dict[str, str] | None = None) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
        env={**os.environ, **(env or {})},
    )
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def test_checking_json_and_yaml_imports_no_heavy_dependency() -> None:
    modules = imported("check", "examples/support-agent", "examples/postmortems")
    assert not modules & set(HEAVY), modules & set(HEAVY)


def test_the_token_estimate_imports_no_sdk_and_exact_counting_does() -> None:
    assert "anthropic" not in imported("inventory", "examples/support-agent")
    assert "anthropic" in imported(
        "inventory",
        "examples/support-agent",
        "--exact-tokens",
        env={"ANTHROPIC_API_KEY": "k", "ANTHROPIC_BASE_URL": "http://127.0.0.1:9"},
    )


def test_yaml_config_and_front_matter_import_no_yaml_once_cached(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # a .toollint.yaml configures the run, and the prompt opens with YAML front matter; the toolset is one JSON
    # file, since named files are checked in their context and a YAML tool file beside them would be read
    project = tmp_path / "project"
    (project / "tools").mkdir(parents=True)
    (project / "prompts").mkdir()
    (project / ".toollint.yaml").write_text("agents:\n  support: {tools: ['tools/*'], prompts: ['prompts/*']}\n")
    for name in ("tools/orders.json", "prompts/system.md"):
        (project / name).write_text((REPO / "examples" / "support-agent" / name).read_text())
    files = (str(project / "tools" / "orders.json"), str(project / "prompts" / "system.md"))
    cache = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    assert "yaml" in imported("check", *files, env=cache)
    assert "yaml" not in imported("check", *files, env=cache)


def test_version_imports_not_even_click() -> None:
    modules = imported("--version")
    assert "click" not in modules and "yaml" not in modules


def test_rule_docs_import_no_heavy_dependency() -> None:
    assert not imported("rule", "TS001") & {*HEAVY, "jsonschema"}


def test_python_files_import_libcst_only_when_they_can_declare_tools(tmp_path) -> None:  # type: ignore[no-untyped-def]
    plain = tmp_path / "util.py"
    plain.write_text("def add(a: int, b: int) -> int:\n    return a + b\n")
    assert "libcst" not in imported("check", str(plain))
    server = imported("check", "tests/python_sources/fastmcp_server.py")
    assert "libcst" in server and not server & {"anthropic", "deepdiff"}


def test_check_of_eval_suites_and_version_import_neither_sdk(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.eval.conftest import write_suite

    write_suite(tmp_path / "evals", '- {id: a, user: "hi", expect: {calls: [{name: lookup_order}]}}\n')
    sdks = {"anthropic", "openai"}
    assert not imported("check", str(tmp_path / "evals")) & sdks
    assert not imported("--version") & sdks
    assert not imported("eval", "--help") & sdks
