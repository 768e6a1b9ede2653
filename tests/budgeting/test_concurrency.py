"""Races on PostgreSQL: one resident submitting twice at once, a ballot racing the close, voters in parallel.

Each thread has its own database connection (Django gives every thread one), and a Barrier starts
them together. SQLite cannot run these honestly: it takes one lock for the whole database, so two
writers never overlap and the races below cannot happen there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, transaction

from commonweal.budgeting.ballots import BallotError, cast_online, lock_open_for_voting
from commonweal.budgeting.models import Ballot, Process, VoterRoll

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite locks the whole database for each writer, so concurrent submissions cannot overlap; "
    "these races run on PostgreSQL (make test's second pass)",
)


def together(*jobs: Callable[[], object]) -> list[object]:
    """Run the jobs in threads started at the same instant; each result or the exception it raised."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(index: int, job: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = job()
        except Exception as error:  # the test inspects what each thread raised
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def choose(process: Process, *codes: str) -> dict[int, int]:
    return {process.proposals.get(code=code).pk: 1 for code in codes}


def close_voting(process: Process) -> int:
    """The officer's close, as services.advance_phase does it; returns the ballots it closed on."""
    with transaction.atomic():
        locked = Process.objects.select_for_update().get(pk=process.pk)
        locked.phase = Process.Phase.COUNTING
        locked.save(update_fields=["phase"])
        return Ballot.objects.filter(process=locked).count()


@pytest.mark.parametrize("attempt", range(5))
def test_two_concurrent_first_submissions_leave_exactly_one_ballot(
    transactional_db, voting, resident, attempt
) -> None:
    voter = resident(f"twice{attempt}@example.net")
    results = together(
        lambda: cast_online(voting, voter, choose(voting, "P1")),
        lambda: cast_online(voting, voter, choose(voting, "P2", "P3")),
    )
    assert sum(isinstance(r, Ballot) for r in results) == 1
    refused = [r for r in results if isinstance(r, BallotError)]
    assert len(refused) == 1 and "already voted" in str(refused[0])
    assert Ballot.objects.filter(process=voting).count() == 1
    assert VoterRoll.objects.filter(process=voting, voter=voter).count() == 1


def test_ballots_racing_the_close_are_stored_before_it_or_refused(transactional_db, voting, resident) -> None:
    voters = [resident(f"racer{n}@example.net", ("E02999001", "E02999002")[n % 2]) for n in range(8)]
    jobs = [lambda v=v: cast_online(voting, v, choose(voting, "P2", "P3")) for v in voters]
    results = together(*jobs, lambda: close_voting(voting))
    *ballots, closed_on = results
    assert isinstance(closed_on, int), closed_on
    stored = [r for r in ballots if isinstance(r, Ballot)]
    refused = [r for r in ballots if isinstance(r, BallotError)]
    assert len(stored) + len(refused) == len(voters)
    assert all("closed" in str(r) for r in refused)
    # Every ballot stored was already committed when the close took its lock: none came after.
    assert Ballot.objects.filter(process=voting).count() == len(stored) == closed_on
    assert VoterRoll.objects.filter(process=voting).count() == closed_on


def test_a_ballot_after_the_close_is_refused_and_nothing_is_stored(
    transactional_db, voting, resident
) -> None:
    close_voting(voting)
    with pytest.raises(BallotError, match="closed"):
        cast_online(voting, resident("late@example.net"), choose(voting, "P1"))
    assert not Ballot.objects.exists() and not VoterRoll.objects.exists()


def test_voters_do_not_wait_for_one_another(transactional_db, voting, resident) -> None:
    """A ballot in flight holds the process open but does not make the next voter queue behind it."""
    first, second = resident("first@example.net"), resident("second@example.net")
    holding, release = threading.Event(), threading.Event()

    def in_flight() -> None:
        try:
            with transaction.atomic():
                lock_open_for_voting(voting)
                holding.set()
                release.wait(timeout=10)
                cast_online(voting, first, choose(voting, "P1"))
        finally:
            connection.close()

    thread = threading.Thread(target=in_flight)
    thread.start()
    try:
        assert holding.wait(timeout=10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")  # a queued voter fails here instead of waiting
        cast_online(voting, second, choose(voting, "P2"))
    finally:
        release.set()
        thread.join(timeout=10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
    assert Ballot.objects.filter(process=voting).count() == 2


def test_the_close_waits_for_a_ballot_in_flight(transactional_db, voting, resident) -> None:
    voter = resident("inflight@example.net")
    holding = threading.Event()
    outcome: list[object] = []

    def in_flight() -> None:
        try:
            with transaction.atomic():
                lock_open_for_voting(voting)
                holding.set()
                threading.Event().wait(0.5)  # the officer's close arrives meanwhile
                outcome.append(cast_online(voting, voter, choose(voting, "P1")))
        finally:
            connection.close()

    thread = threading.Thread(target=in_flight)
    thread.start()
    assert holding.wait(timeout=10)
    closed_on = close_voting(voting)
    thread.join(timeout=10)
    assert isinstance(outcome[0], Ballot) and closed_on == 1
