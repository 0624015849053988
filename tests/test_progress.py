"""The progress line of a long `check`: drawn in place on a terminal (a real pseudo-terminal here), erased before
the report, and absent on a pipe, with `-q`, under CI and for a short run."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

from conftest import REPO

ERASE = b"\r\x1b[K"
FILES, TOOLS_PER_FILE = 3000, 10


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough files that loading and checking them takes well over a second (with a cold parse cache: each
    run gets its own, and the descriptions are new to any other)."""
    root = tmp_path_factory.mktemp("large")
    salt = uuid.uuid4().hex
    tool = {"description": f"Return the item with this id ({salt}).", "input_schema": {"type": "object"}}
    for i in range(FILES):
        folder = root / f"part{i // 200}"
        folder.mkdir(exist_ok=True)
        tools = [{"name": f"get_item_{i}_{j}", **tool} for j in range(TOOLS_PER_FILE)]
        (folder / f"tools{i}.json").write_text(json.dumps(tools), encoding="utf-8")
    return root


def _on_a_terminal(*args: str, cwd: Path, env: dict[str, str] | None = None) -> tuple[bytes, bytes, int]:
    """Run `toollint ARGS` with stderr on a pseudo-terminal; its stdout goes to a file. (stderr, stdout, exit)."""
    master, slave = pty.openpty()
    out = cwd.parent / f"{cwd.name}.stdout"
    base = {k: v for k, v in os.environ.items() if k != "CI"}
    cache = tempfile.mkdtemp(prefix="cache", dir=cwd.parent)  # cold: a warm parse cache makes the run too short
    with out.open("wb") as stdout:
        process = subprocess.Popen(
            [sys.executable, "-m", "toollint", *args],
            cwd=cwd,
            stdout=stdout,
            stderr=slave,
            env={**base, "PYTHONPATH": os.environ.get("PYTHONPATH", str(REPO)), "XDG_CACHE_HOME": cache, **(env or {})},
        )
    os.close(slave)
    received = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        received += chunk
    os.close(master)
    return received, out.read_bytes(), process.wait(timeout=120)


def test_a_long_check_draws_a_progress_line_and_erases_it(large: Path) -> None:
    # a tenth of a second: how long the input takes depends on the machine, and the line must have time to show
    stderr, stdout, code = _on_a_terminal(
        "check", ".", "--exit-zero", cwd=large, env={"TOOLLINT_PROGRESS_DELAY": "0.1"}
    )

    assert code == 0
    assert ERASE + b"toollint: " in stderr
    drawn = [part for part in stderr.split(ERASE) if part]
    assert drawn and all(part.startswith(b"toollint: ") and b"\n" not in part for part in drawn), stderr[:300]
    assert any(b"files read" in part or f"checking {FILES} files".encode() in part for part in drawn)
    assert stderr.endswith(ERASE)  # erased at the end: nothing left on the terminal
    assert b"\x1b" not in stdout and f"checked {FILES * TOOLS_PER_FILE} tools".encode() in stdout


@pytest.mark.parametrize(("args", "env"), [(("-q",), {}), ((), {"CI": "true"})])
def test_no_progress_quietly_or_under_ci(large: Path, args: tuple[str, ...], env: dict[str, str]) -> None:
    stderr, _, code = _on_a_terminal("check", ".", "--exit-zero", *args, cwd=large, env=env)
    assert code == 0 and stderr == b""


def test_no_progress_on_a_pipe_or_for_a_short_run(large: Path) -> None:
    piped = subprocess.run(
        [sys.executable, "-m", "toollint", "check", ".", "--exit-zero"], cwd=large, capture_output=True, check=False
    )
    assert piped.returncode == 0 and piped.stderr == b""
    short, _, code = _on_a_terminal("check", "part0/tools0.json", cwd=large)
    assert code == 0 and short == b""
