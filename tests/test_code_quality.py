"""The package type-checks and lints clean: mypy and ruff run as part of the suite."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from conftest import REPO


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("mypy", ["toollint"]),
        ("ruff", ["check", "toollint", "tests", "bench"]),
        ("ruff", ["format", "--check", "toollint", "tests", "bench"]),
    ],
)
def test_tool_is_clean(tool: str, arguments: list[str]) -> None:
    if importlib.util.find_spec(tool) is None:
        pytest.skip(f"{tool} is not installed (it is in the test extra)")
    done = subprocess.run(
        [sys.executable, "-m", tool, *arguments], cwd=REPO, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
