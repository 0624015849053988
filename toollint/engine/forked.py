"""Numbered pieces of work shared between forked children and the parent, which may do other work first.

Children are forked from the parent as it is, so they see every loaded document copy-on-write and send back
only their results, pickled, through a pipe. The numbers of the pieces wait in another pipe; each process
reads one byte at a time (a one-byte read from a pipe is atomic), so the work balances itself. A piece whose
result never arrives, because a child died or stayed stopped (SIGSTOP) too long and was killed, is done again
in the parent. Without `os.fork`, or with one job, the parent does everything, in order.

No child outlives the parent: on Linux the kernel kills a child when its parent dies, however it dies
(`PR_SET_PDEATHSIG`); elsewhere a child stops taking pieces once its parent is gone. A parent interrupted while
it waits (Ctrl-C, SIGTERM) kills and reaps its children before the interruption goes on; interrupted while it
does other work, the command line calls `stop_all` on its way out.
"""

from __future__ import annotations

import os
import signal
import sys
import time
import weakref
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

Result = TypeVar("Result")

MAX_PIECES = 255  # numbers travel as single bytes
STOPPED_LIMIT = 2.0  # seconds a stopped child may hold its pieces before the parent kills it and does them
_POLL = 0.2  # seconds between looks at the children's state while their results are awaited
_PR_SET_PDEATHSIG = 1
_STOPPING = {signal.SIGINT, signal.SIGTERM}
_MASKABLE = hasattr(signal, "pthread_sigmask")
# the process's own children still at work, so that an interruption anywhere can stop them (weak: a finished
# Forked is forgotten with its last reference)
_RUNNING: weakref.WeakSet[Forked[Any]] = weakref.WeakSet()


def stop_all() -> None:
    """Kill and reap every child still working: the parent is leaving (Ctrl-C, SIGTERM) and nobody will read them."""
    for forked in list(_RUNNING):
        forked._kill_children()


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
        self.statuses: dict[int, int] = {}  # exit statuses already collected while watching for stops
        self.parent = os.getpid()
        if jobs > 1 and count > 1 and hasattr(os, "fork"):
            _RUNNING.add(self)
            try:
                self._fork(min(jobs, count) - 1, encode)
            except BaseException:
                self._kill_children()
                raise

    def _fork(self, children: int, encode: Callable[[Result], Any]) -> None:
        read_queue, write_queue = os.pipe()
        os.write(write_queue, bytes(range(self.count)))
        os.close(write_queue)
        self.queue = read_queue
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
        for _ in range(children):
            read_end, write_end = os.pipe()
            # Ctrl-C or SIGTERM during the fork waits until the child has its default handlers (and until the
            # parent's at-fork hooks, such as `random`'s reseeding, are done): no child reports an exception then
            blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _STOPPING) if _MASKABLE else None
            try:
                pid = os.fork()
            except BaseException:
                if blocked is not None:
                    signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
                raise
            if pid != 0 and blocked is not None:
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
            if pid == 0:  # the child: compute, send, and leave without running the parent's exit handlers
                code = 1
                try:
                    os.close(read_end)
                    _tie_to_parent(self.parent)
                    if blocked is not None:
                        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
                    import pickle

                    payload = pickle.dumps([(i, encode(result)) for i, result in self._drain()])
                    with os.fdopen(write_end, "wb") as out:
                        out.write(payload)
                    code = 0
                except BaseException:
                    pass
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
            if os.getppid() != self.parent and os.getpid() != self.parent:
                return  # an orphaned child: nobody will read what it computes
            taken = os.read(self.queue, 1)
            if not taken:
                return
            yield taken[0], self.work(taken[0])

    def results(self) -> list[Result]:
        """Every piece's result, in order: the parent works on what is left, then collects the children's."""
        try:
            done = dict(self._drain())
            if self.children:
                import pickle

                for payload in self._collect():
                    done.update((i, self.decode(encoded)) for i, encoded in pickle.loads(payload))
        except BaseException:
            self._kill_children()
            raise
        finally:
            if self.queue is not None:
                os.close(self.queue)
                self.queue = None
        return [done[index] if index in done else self.work(index) for index in range(self.count)]

    def _collect(self) -> list[bytes]:
        """The payload of each child that finished well; a child stopped for too long is killed instead."""
        import selectors

        chunks: dict[int, list[bytes]] = {pid: [] for pid, _ in self.children}
        payloads: list[bytes] = []
        stopped: dict[int, float] = {}
        with selectors.DefaultSelector() as selector:
            for pid, read_end in self.children:
                selector.register(read_end, selectors.EVENT_READ, pid)
            while selector.get_map():
                for key, _ in selector.select(_POLL):
                    pid = key.data
                    data = os.read(key.fd, 1 << 16)
                    if data:
                        chunks[pid].append(data)
                        continue
                    selector.unregister(key.fd)
                    os.close(key.fd)
                    if self._exit_status(pid) == 0:
                        payloads.append(b"".join(chunks[pid]))
                    self.children = [(p, fd) for p, fd in self.children if p != pid]
                for pid, read_end in list(self.children):
                    if self._still_stopped(pid, stopped) and time.monotonic() - stopped[pid] > STOPPED_LIMIT:
                        selector.unregister(read_end)
                        self._kill_children(only=pid)
        return payloads

    def _exit_status(self, pid: int) -> int:
        """The child's exit status, once its pipe is closed (it exits right after)."""
        if pid in self.statuses:
            return self.statuses.pop(pid)
        try:
            _, status = os.waitpid(pid, 0)
        except ChildProcessError:
            return -1
        return status

    def _still_stopped(self, pid: int, stopped: dict[int, float]) -> bool:
        """Track SIGSTOP and SIGCONT of a child; true while it is stopped, with the time it was first seen so."""
        while pid not in self.statuses:
            try:
                found, status = os.waitpid(pid, os.WNOHANG | os.WUNTRACED | os.WCONTINUED)
            except ChildProcessError:
                return False
            if found == 0:
                return pid in stopped
            if os.WIFSTOPPED(status):
                stopped.setdefault(pid, time.monotonic())
            elif os.WIFCONTINUED(status):
                stopped.pop(pid, None)
            else:
                self.statuses[pid] = status  # it exited; the closed pipe will tell
        return False

    def _kill_children(self, only: int | None = None) -> None:
        for pid, read_end in list(self.children):
            if only is not None and pid != only:
                continue
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            if pid not in self.statuses:
                try:
                    os.waitpid(pid, 0)
                except ChildProcessError:
                    pass
            self.statuses.pop(pid, None)
            os.close(read_end)
            self.children.remove((pid, read_end))


def _tie_to_parent(parent: int) -> None:
    """In a child: die with the parent (Linux), take the default action on Ctrl-C and SIGTERM, leave if orphaned."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the orphan check between pieces still stops the child
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)
