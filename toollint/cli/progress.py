"""A progress line on stderr for a long `check` on a terminal: files loaded, then what is being checked.

Drawn only after a second (a short run shows nothing), redrawn in place, and erased before the report is
written; never drawn when stderr is not a terminal, with `-q`, or under CI (`CI` set), where it would only add
noise to a log.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import TextIO

# seconds before the line appears; TOOLLINT_PROGRESS_DELAY sets another (the tests use it, since how long a
# given input takes depends on the machine)
DELAY = 1.0
INTERVAL = 0.1  # seconds between redraws
_ERASE = "\r\x1b[K"  # back to the line's start, clear to its end


def wanted(quiet: bool, stream: TextIO | None = None) -> bool:
    stream = stream or sys.stderr
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        return False
    return tty and not quiet and not os.environ.get("CI")


def _delay() -> float:
    try:
        return max(0.0, float(os.environ.get("TOOLLINT_PROGRESS_DELAY", DELAY)))
    except ValueError:
        return DELAY


class Progress:
    """Counts set from the main thread; a daemon thread draws them."""

    def __init__(self, stream: TextIO | None = None, delay: float | None = None) -> None:
        self.stream = stream or sys.stderr
        self.delay = delay if delay is not None else _delay()
        self.files = 0
        self.tools = 0
        self.phase = "loading"
        self._done = threading.Event()
        self._drawn = False
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._draw_loop, name="toollint-progress", daemon=True)

    def __enter__(self) -> Progress:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()
        if self._drawn:
            self._write(_ERASE)

    def loaded(self, count: int) -> None:
        self.files = count

    def checking(self, tools: int = 0) -> None:
        self.phase, self.tools = "checking", tools

    def line(self) -> str:
        elapsed = time.monotonic() - self._started
        files = f"{self.files} file{'' if self.files == 1 else 's'}"
        if self.phase == "loading":
            return f"toollint: loading… {files} read ({elapsed:.0f}s)"
        tools = f" ({self.tools} tool{'' if self.tools == 1 else 's'})" if self.tools else ""
        return f"toollint: checking {files}{tools}… ({elapsed:.0f}s)"

    def _draw_loop(self) -> None:
        if self._done.wait(self.delay):
            return
        while not self._done.is_set():
            self._write(_ERASE + self.line())
            self._drawn = True
            self._done.wait(INTERVAL)

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # the terminal went away; the check goes on
            self._done.set()
