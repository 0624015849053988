"""The built-in catalog: read from rules/, cached as JSON keyed by the files' bytes, never stale."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from toollint.engine.rulebook import builtin_rules_dir, load_builtin


@pytest.fixture
def rules_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    copy = tmp_path / "rules"
    shutil.copytree(builtin_rules_dir(), copy)
    return copy


def test_cache_is_written_and_used(rules_copy: Path, tmp_path: Path) -> None:
    first = load_builtin(rules_copy)
    (cached,) = (tmp_path / "cache" / "toollint").glob("rules-*.json")
    assert first.by_code["TS003"].name == "unknown-required-property"
    load_builtin.cache_clear()
    assert load_builtin(rules_copy).by_code.keys() == first.by_code.keys()
    assert list((tmp_path / "cache" / "toollint").glob("rules-*.json")) == [cached]


def test_editing_a_rule_file_invalidates_the_cache(rules_copy: Path) -> None:
    load_builtin(rules_copy)
    path = rules_copy / "TS.yaml"
    path.write_text(path.read_text().replace("summary: The input schema is not a valid JSON Schema", "summary: Edited"))
    load_builtin.cache_clear()
    assert load_builtin(rules_copy).by_code["TS001"].summary == "Edited"


def test_unwritable_cache_falls_back_to_parsing(
    rules_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    load_builtin.cache_clear()
    assert "TS001" in load_builtin(rules_copy).by_code
