"""A computation run in a forked child process while the caller goes on with another.

The child shares the parent's memory as it was at the fork (copy on write), so nothing is
pickled on the way in; only the answer comes back, pickled, through a pipe. Where a second
process cannot help, or forking is unsafe, the computation simply runs in the caller when its
answer is asked for, which is also what happens if the child fails for any reason: the answer
is the same either way, only the time differs.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType

T = TypeVar("T")


def can_fork() -> bool:
    """Whether a child process would run beside this one: on Linux (elsewhere system libraries
    need not survive a fork, as on macOS), with more than one processor for this process, and
    a single thread (forking a threaded process, such as a threaded web server, copies locks
    that other threads may hold)."""
    return sys.platform == "linux" and len(os.sched_getaffinity(0)) > 1 and threading.active_count() == 1


class Forked(Generic[T]):
    """``compute()`` run in a child process from entering the ``with`` block; ``result`` waits for
    it. Leaving the block without asking kills the child.

    >>> with Forked(lambda: sum(range(10))) as ahead:
    ...     ahead.result()
    45
    """

    def __init__(self, compute: Callable[[], T]) -> None:
        self.compute = compute
        self.pid: int | None = None
        self.pipe: int | None = None

    def __enter__(self) -> Forked[T]:
        if not can_fork():
            return self
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: answer through the pipe and leave at once, running no cleanup
            try:
                os.close(read)
                payload = pickle.dumps(self.compute(), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write, "wb") as pipe:
                    pipe.write(payload)
            finally:
                os._exit(0)
        os.close(write)
        self.pid, self.pipe = pid, read
        return self

    def result(self) -> T:
        """The child's answer, or the computation run here if there is no child or it failed."""
        if self.pipe is not None:
            with os.fdopen(self.pipe, "rb") as pipe:
                payload = pipe.read()
            self.pipe = None
            self._reap()
            if payload:
                return pickle.loads(payload)
        return self.compute()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self.pipe is not None:
            os.close(self.pipe)
            self.pipe = None
        if self.pid is not None:
            os.kill(self.pid, signal.SIGKILL)
            self._reap()

    def _reap(self) -> None:
        assert self.pid is not None
        os.waitpid(self.pid, 0)
        self.pid = None
