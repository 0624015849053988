"""Ctrl-C, SIGTERM, SIGKILL and a stopped worker during a real `-j2` run; stdout closed, full or gone.

Each run is the real CLI on a generated input large enough to fork workers. The process group of the run is
read from /proc afterwards: no worker may be left running.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from toollint.engine.run import PARALLEL_MIN_TOOLS

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc (Linux)")


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A few thousand tools with several findings each: enough for `-j2` to fork and to work a while."""
    folder = tmp_path_factory.mktemp("large")
    count = 3 * PARALLEL_MIN_TOOLS
    tools = [
        {
            "name": f"send_invoice_{i}",
            "description": "Sends it.",
            "input_schema": {
                "type": "object",
                "properties": {"amount": {"type": "integer"}, "query": {"type": "dict"}},
                "required": ["amount", "missing"],
            },
        }
        for i in range(count)
    ]
    for part in range(4):
        (folder / f"tools_{part}.json").write_text(json.dumps(tools[part::4]))
    return folder


def start(folder: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "toollint", "check", ".", "-j2", "-q", "--output-format", "concise", *args],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, which its workers inherit: found again in /proc
        env={**os.environ, "NO_COLOR": "1"},
    )


def group(leader: int) -> dict[int, str]:
    """Process id → state of every process in the group `leader` started."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == leader:
                found[int(entry.name)] = fields[0]
    return found


def worker_of(run: subprocess.Popen[str]) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        workers = [pid for pid, state in group(run.pid).items() if pid != run.pid and state not in ("Z", "X")]
        if workers:
            return workers[0]
        assert run.poll() is None, run.communicate()
        time.sleep(0.005)
    raise AssertionError("no worker was started")


def left_running(leader: int, after: float = 0.3) -> dict[int, str]:
    """What is left of the group shortly after the parent ended; a zombie has ended too (its exit status waits
    for a reaper: init, which in some containers never comes)."""
    time.sleep(after)
    return {pid: state for pid, state in group(leader).items() if state not in ("Z", "X")}


@pytest.mark.parametrize(
    ("sent", "to_group", "code", "line"),
    [
        (signal.SIGINT, True, 130, "toollint: interrupted"),  # Ctrl-C in a terminal signals the whole group
        (signal.SIGINT, False, 130, "toollint: interrupted"),
        (signal.SIGTERM, False, 143, "toollint: terminated"),  # a CI runner cancelling the job
    ],
)
def test_interrupt_exits_with_the_shell_code_and_leaves_no_worker(
    large: Path, sent: signal.Signals, to_group: bool, code: int, line: str
) -> None:
    run = start(large)
    worker_of(run)
    signalled = time.monotonic()
    if to_group:
        os.killpg(run.pid, sent)
    else:
        os.kill(run.pid, sent)
    _, stderr = run.communicate(timeout=30)
    assert time.monotonic() - signalled < 5
    assert run.returncode == code, stderr
    assert stderr.strip().splitlines()[-1] == line
    assert "Aborted!" not in stderr and "Traceback" not in stderr, stderr
    assert left_running(run.pid) == {}


def test_a_killed_parent_takes_its_workers_along(large: Path) -> None:
    run = start(large)
    worker = worker_of(run)
    os.kill(run.pid, signal.SIGKILL)
    assert left_running(run.pid, after=0.1) == {}, f"worker {worker} outlived its parent"
    run.communicate(timeout=30)


def test_a_stopped_worker_does_not_hang_the_run(large: Path) -> None:
    expected = subprocess.run(
        [sys.executable, "-m", "toollint", "check", ".", "-j1", "-q", "--output-format", "concise"],
        cwd=large,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    ).stdout
    for _ in range(3):  # a worker that finished before it could be stopped is not the case under test: again
        run = start(large)
        try:
            os.kill(worker_of(run), signal.SIGSTOP)
            break
        except ProcessLookupError:
            run.communicate(timeout=60)
    stdout, stderr = run.communicate(timeout=60)
    assert run.returncode == 1 and "Traceback" not in stderr, stderr
    assert stdout == expected  # the stopped worker's pieces were done again by the parent
    assert left_running(run.pid) == {}


# --- stdout that cannot take the report ----------------------------------------------------------------


def test_a_reader_that_goes_away_ends_the_run_quietly(large: Path) -> None:
    run = subprocess.run(
        f"{sys.executable} -m toollint check . -j1 -q --output-format concise | head -1",
        shell=True,
        cwd=large,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.stdout.count("\n") == 1
    assert run.stderr == "", run.stderr


def test_a_closed_stdout_is_a_one_line_error(large: Path) -> None:
    run = subprocess.run(
        f"{sys.executable} -m toollint check tools_0.json -q >&-",
        shell=True,
        cwd=large,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 2
    assert run.stderr == "toollint: error: cannot write the report to standard output: standard output is closed\n"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
@pytest.mark.parametrize("command", [("check", "tools_0.json"), ("rules",), ("inventory", "tools_0.json")])
def test_a_full_disk_is_a_one_line_error(large: Path, command: tuple[str, ...]) -> None:
    with open("/dev/full", "w") as full:
        run = subprocess.run(
            [sys.executable, "-m", "toollint", *command],
            cwd=large,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    assert run.returncode == 2
    assert run.stderr == "toollint: error: cannot write the report to standard output: No space left on device\n"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_help_on_a_full_disk_is_a_one_line_error() -> None:
    with open("/dev/full", "w") as full:
        run = subprocess.run(
            [sys.executable, "-m", "toollint", "--help"], stdout=full, stderr=subprocess.PIPE, text=True, timeout=60
        )
    assert run.returncode == 2
    assert run.stderr == "toollint: error: No space left on device\n"
