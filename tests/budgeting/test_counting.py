"""Counting publishes the ballots as a .pb file and counts exactly that file."""

import hashlib
import tempfile

from pabutools.election import parse_pabulib
from pabutools.election.satisfaction import Cost_Sat
from pabutools.rules import completion_by_rule_combination, greedy_utilitarian_welfare, method_of_equal_shares

from commonweal.budgeting.ballots import cast_online
from commonweal.budgeting.counting import ballots_file, count
from commonweal.budgeting.models import Process

VOTES = [  # (neighbourhood, projects approved)
    ("E02999001", ("P1",)), ("E02999001", ("P1", "P3")), ("E02999001", ("P1", "P3")),
    ("E02999002", ("P2", "P4")), ("E02999002", ("P2",)), ("E02999002", ("P4", "P3")),
]


def vote_all(process: Process, resident) -> list[str]:
    receipts = []
    for n, (where, codes) in enumerate(VOTES):
        picks = {process.proposals.get(code=code).pk: 1 for code in codes}
        receipts.append(cast_online(process, resident(f"v{n}@example.net", where), picks).receipt_code)
    return receipts


def pabutools_mes(data: bytes) -> list[str]:
    with tempfile.NamedTemporaryFile(suffix=".pb") as handle:
        handle.write(data)
        handle.flush()
        instance, profile = parse_pabulib(handle.name)
    outcome = completion_by_rule_combination(
        instance, profile, [method_of_equal_shares, greedy_utilitarian_welfare],
        [{"sat_class": Cost_Sat, "voter_budget_increment": 1}, {"sat_class": Cost_Sat}],
    )
    return [p.name for p in outcome]


def test_published_file_holds_every_ballot_under_its_receipt_code_and_no_rejected_project(
    voting, resident
) -> None:
    receipts = vote_all(voting, resident)
    text = ballots_file(voting).decode()
    assert all(f"\n{code};" in text for code in receipts)
    assert "\nP5;" not in text and "num_votes;6" in text


def test_count_publishes_the_file_its_fingerprint_and_the_funded_projects(voting, resident) -> None:
    vote_all(voting, resident)
    Process.objects.filter(pk=voting.pk).update(phase=Process.Phase.COUNTING)
    voting.refresh_from_db()
    outcome = count(voting)
    voting.refresh_from_db()
    assert voting.phase == Process.Phase.PUBLISHED
    assert voting.ballots_sha256 == hashlib.sha256(bytes(voting.ballots_pb)).hexdigest()
    funded = list(voting.proposals.filter(funded_rank__isnull=False).order_by("funded_rank"))
    assert [p.code for p in funded] == outcome.funded
    assert sum(p.cost for p in funded) <= voting.budget


def test_anyone_recounting_the_published_file_with_pabutools_gets_the_same_projects(
    voting, resident
) -> None:
    vote_all(voting, resident)
    outcome = count(voting)
    voting.refresh_from_db()
    assert set(pabutools_mes(bytes(voting.ballots_pb))) == set(outcome.funded)


def test_ring_fenced_service_projects_are_funded_first(voting, resident) -> None:
    vote_all(voting, resident)
    voting.ring_fenced_services.set([voting.proposals.get(code="P3").service])
    outcome = count(voting)
    assert outcome.funded[0] == "P3" and outcome.mandatory == ("P3",)


def test_published_file_names_the_process_country(voting, resident) -> None:
    vote_all(voting, resident)
    assert "\ncountry;United Kingdom\n" in ballots_file(voting).decode()
    voting.country = "Poland"
    assert "\ncountry;Poland\n" in ballots_file(voting).decode()
