"""Forked: a computation run in a child process, its answer the same as if run in the caller."""

import os
import sys
import threading
import time

import pytest

from commonweal.budgeting.engine.forked import Forked, can_fork


@pytest.fixture
def forking():
    """This test process as the search finds it: one thread, two processors or more."""
    if sys.platform != "linux" or len(os.sched_getaffinity(0)) < 2:
        pytest.skip("no second processor to fork onto")
    assert can_fork(), f"{threading.active_count()} threads are running"


def test_the_answer_comes_from_a_child_process(forking):
    with Forked(os.getpid) as child:
        assert child.pid is not None and child.pid != os.getpid()
        assert child.result() not in (None, os.getpid())
    assert child.pid is None


def test_a_child_that_fails_leaves_the_computation_to_the_caller(forking):
    caller = os.getpid()

    def only_here() -> int:
        if os.getpid() != caller:
            raise RuntimeError("fails in the child")
        return caller

    with Forked(only_here) as child:
        assert child.result() == caller


def test_an_error_is_raised_in_the_caller(forking):
    def broken() -> int:
        raise ValueError("no answer")

    with Forked(broken) as child, pytest.raises(ValueError, match="no answer"):
        child.result()


def test_leaving_without_asking_ends_the_child(forking):
    with Forked(lambda: time.sleep(60)) as child:
        pid = child.pid
    assert pid is not None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_threaded_process_computes_in_the_caller():
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert not can_fork()
        with Forked(os.getpid) as child:
            assert child.pid is None
            assert child.result() == os.getpid()
    finally:
        release.set()
        other.join()
