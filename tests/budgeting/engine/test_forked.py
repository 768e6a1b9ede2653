"""Forked: a computation run in a child process, its answer the same as if run in the caller.

A process forks only while it runs a single thread, so the forking cases run in a fresh one
(see the ``alone`` fixture).
"""

import os
import textwrap
import threading

import pytest

from commonweal.budgeting.engine.forked import Forked, can_fork

PRELUDE = """
import os, time
from commonweal.budgeting.engine.forked import Forked, can_fork
assert can_fork()
"""


@pytest.fixture
def forking(alone):
    """Runs code in a fresh process that may fork, with Forked at hand; gives what it prints."""
    return lambda code: alone(PRELUDE + textwrap.dedent(code))


def test_the_answer_comes_from_a_child_process(forking):
    printed = forking("""
        with Forked(os.getpid) as child:
            print(os.getpid(), child.pid, child.result(), child.pid)
    """)
    parent, child, answer, after = printed.split()
    assert child == answer != parent
    assert after == "None"  # reaped once it answered


def test_a_child_that_fails_leaves_the_computation_to_the_caller(forking):
    printed = forking("""
        caller = os.getpid()
        def only_here():
            if os.getpid() != caller:
                raise RuntimeError("fails in the child")
            return caller
        with Forked(only_here) as child:
            print(child.result() == caller, child.pid)
    """)
    assert printed == "True None"


def test_an_error_is_raised_in_the_caller(forking):
    printed = forking("""
        def broken():
            raise ValueError("no answer")
        with Forked(broken) as child:
            try:
                child.result()
            except ValueError as error:
                print(error)
    """)
    assert printed == "no answer"


def test_leaving_without_asking_ends_the_child(forking):
    printed = forking("""
        with Forked(lambda: time.sleep(60)) as child:
            pid = child.pid
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            print("gone")
    """)
    assert printed == "gone"


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
