"""Shared helpers: lint in-memory files with the real engine, and run the real CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

from toollint.diagnostics import Diagnostic
from toollint.engine.config import Overrides, Settings, load_settings
from toollint.engine.run import Result, check_sources

REPO = Path(__file__).resolve().parent.parent
CORPORA = REPO.parent / "shared" / "corpora"
SHARED = REPO.parent / "shared"


def settings(tmp: Path | None = None, **overrides: object) -> Settings:
    """Settings as the CLI would build them, from a folder with no config file unless one is given."""
    start = tmp or Path("/")
    return load_settings(Overrides(**overrides), start)  # type: ignore[arg-type]


def lint(files: dict[str, str], **overrides: object) -> Result:
    return check_sources(files.items(), settings(**overrides))


def found(result: Result, code: str | None = None) -> list[tuple[int, int, str]]:
    """(line, column, code) of each diagnostic, optionally of one code only."""
    return [(d.span.line, d.span.column, d.code) for d in result.diagnostics if code is None or d.code == code]


def codes(diagnostics: Iterable[Diagnostic]) -> set[str]:
    return {d.code for d in diagnostics}


def run_cli(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "toollint", *args],
        cwd=cwd or REPO,
        env=full_env,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def corpora() -> Path:
    if not CORPORA.is_dir():
        pytest.skip("../shared/corpora is not present")
    return CORPORA
