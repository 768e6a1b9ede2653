"""How many database queries casting a ballot takes, so a change that adds some fails here.

A vote is the request residents make most at once when voting opens, and every query is a round
trip to the database while the worker waits. The bounds are what the view reaches now: the
session and the user (Django's), the process with the voter's roll entry, the voter's roles (the
permission check, which also names their neighbourhood), the proposals the ballot names, once
(only what checking needs; a refused ballot's page reads every one whole), and the store. On PostgreSQL the
store is a single statement (its own transaction); elsewhere it is a transaction: the phase,
then the roll entry, the ballot and its choices.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from commonweal.budgeting.models import Ballot, BallotChoice, VoterRoll

VOTE = "/areas/E06000999/budgets/2026/vote/"
READS = 5  # session, user, process and roll entry, roles, proposals
STORE = 1 if connection.vendor == "postgresql" else 6  # begin, phase, roll, ballot, choices, commit

# Outside a test's wrapping transaction, as in production: there the PostgreSQL store needs no savepoint.
pytestmark = pytest.mark.django_db(transaction=True)


def chosen(process, *codes: str) -> list[int]:
    return list(process.proposals.filter(code__in=codes).values_list("pk", flat=True))


@pytest.fixture
def client(resident) -> Client:
    browser = Client()
    browser.force_login(resident("ann@example.net"))
    return browser


def test_casting_a_ballot_takes_a_fixed_small_number_of_queries(voting, client) -> None:
    projects = chosen(voting, "P1", "P3")
    with CaptureQueriesContext(connection) as queries:
        response = client.post(VOTE, {"project": projects})
    assert response.status_code == 302
    assert len(queries) <= READS + STORE, "\n".join(q["sql"] for q in queries.captured_queries)
    assert Ballot.objects.count() == VoterRoll.objects.count() == 1
    assert BallotChoice.objects.count() == 2


def test_the_count_does_not_grow_with_the_number_of_projects_chosen(voting, client) -> None:
    projects = chosen(voting, "P2", "P3", "P4")
    with CaptureQueriesContext(connection) as queries:
        client.post(VOTE, {"project": projects})
    assert len(queries) <= READS + STORE
    assert BallotChoice.objects.count() == 3


def test_a_refused_ballot_reads_the_proposals_to_check_and_once_more_to_show(voting, client) -> None:
    projects = chosen(voting, "P1", "P2", "P3")  # £110,000, over the £100,000 budget
    with CaptureQueriesContext(connection) as queries:
        response = client.post(VOTE, {"project": projects})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Abbey Fields" in page and "Library hours" in page, "the page shows each project's neighbourhood"
    proposal_reads = [q for q in queries.captured_queries if 'FROM "budgeting_proposal"' in q["sql"]]
    assert len(proposal_reads) == 2, "\n".join(q["sql"] for q in proposal_reads)
    assert not Ballot.objects.exists() and not VoterRoll.objects.exists()
