"""Numbered pieces of work shared between forked children and the parent, which may do other work first.

Children are forked from the parent as it is, so they see every loaded document copy-on-write and send back
only their results, pickled, through a pipe. The numbers of the pieces wait in another pipe; each process
reads one byte at a time (a one-byte read from a pipe is atomic), so the work balances itself. A piece whose
result never arrives, because a child died, is done again in the parent. Without `os.fork`, or with one job,
the parent does everything, in order.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

Result = TypeVar("Result")

MAX_PIECES = 255  # numbers travel as single bytes


class Forked(Generic[Result]):
    def __init__(
        self,
        work: Callable[[int], Result],
        count: int,
        jobs: int,
        encode: Callable[[Result], Any] = lambda r: r,
        decode: Callable[[Any], Result] = lambda r: r,
    ) -> None:
        """Start `jobs - 1` children on `work(0)` … `work(count - 1)`; `encode`/`decode` make results cheap to pickle."""
        if count > MAX_PIECES:
            raise ValueError(f"at most {MAX_PIECES} pieces, not {count}")
        self.work = work
        self.count = count
        self.decode = decode
        self.queue: int | None = None
        self.children: list[tuple[int, int]] = []
        if jobs > 1 and count > 1 and hasattr(os, "fork"):
            self._fork(min(jobs, count) - 1, encode)

    def _fork(self, children: int, encode: Callable[[Result], Any]) -> None:
        read_queue, write_queue = os.pipe()
        os.write(write_queue, bytes(range(self.count)))
        os.close(write_queue)
        self.queue = read_queue
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        for _ in range(children):
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: compute, send, and leave without running the parent's exit handlers
                os.close(read_end)
                code = 0
                try:
                    import pickle

                    payload = pickle.dumps([(i, encode(result)) for i, result in self._drain()])
                    with os.fdopen(write_end, "wb") as out:
                        out.write(payload)
                except BaseException:
                    code = 1
                os._exit(code)
            os.close(write_end)
            self.children.append((pid, read_end))

    def _drain(self) -> Iterator[tuple[int, Result]]:
        """Do pieces until none is left: from the queue when there are children, else all of them in order."""
        if self.queue is None:
            for index in range(self.count):
                yield index, self.work(index)
            return
        while True:
            taken = os.read(self.queue, 1)
            if not taken:
                return
            yield taken[0], self.work(taken[0])

    def results(self) -> list[Result]:
        """Every piece's result, in order: the parent works on what is left, then collects the children's."""
        done = dict(self._drain())
        if self.children:
            import pickle

            for pid, read_end in self.children:
                with os.fdopen(read_end, "rb") as pipe:
                    payload = pipe.read()
                _, status = os.waitpid(pid, 0)
                if status == 0 and payload:
                    done.update((i, self.decode(encoded)) for i, encoded in pickle.loads(payload))
            os.close(self.queue)  # type: ignore[arg-type]
        return [done[index] if index in done else self.work(index) for index in range(self.count)]
