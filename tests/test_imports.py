"""Heavy dependencies stay off the startup path: checking JSON/YAML imports none of anthropic, libcst or deepdiff."""

from __future__ import annotations

import json
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


def imported(*args: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=REPO, check=False)
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def test_checking_json_and_yaml_imports_no_heavy_dependency() -> None:
    modules = imported("check", "examples/support-agent", "examples/postmortems")
    assert not modules & set(HEAVY), modules & set(HEAVY)


def test_version_imports_not_even_click() -> None:
    modules = imported("--version")
    assert "click" not in modules and "yaml" not in modules


def test_rule_docs_import_no_heavy_dependency() -> None:
    assert not imported("rule", "TS001") & {*HEAVY, "jsonschema"}
