"""Diffing the corpora against a copy with 5 % of its tools mutated finds every mutation at its level, and nothing else."""

from __future__ import annotations

import importlib.util
import json
from collections import Counter
from pathlib import Path

from conftest import REPO, run_cli

CORPORA_TOOLS = 3699  # what `toollint check ../shared/corpora --statistics` loads (tests/test_corpora.py)


def _mutate_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("mutate_corpora", REPO / "bench" / "mutate_corpora.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_mutation_is_found_at_its_level(corpora: Path, tmp_path: Path) -> None:
    count = round(CORPORA_TOOLS * 0.05)
    expected = _mutate_module().mutate(corpora, tmp_path / "mutated", count)
    assert len(expected) == count
    done = run_cli("diff", str(corpora), str(tmp_path / "mutated"), "--output-format", "json")
    assert "Traceback" not in done.stderr and done.returncode == 1
    found = Counter((f["message"].split("`")[1], f["code"], f["severity"]) for f in json.loads(done.stdout))
    wanted = Counter((m["tool"], m["code"], m["severity"]) for m in expected)
    assert found == wanted
