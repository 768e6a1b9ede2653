"""Casting, changing and entering ballots: what is refused, and that nothing is half-stored."""

import pytest
from django.contrib.auth import get_user_model

from commonweal.budgeting.ballots import BallotError, cast_online, change_online, enter_paper_batch
from commonweal.budgeting.models import Ballot, BallotChoice, Process, VoterRoll
from commonweal.places.models import Area


def choices(process: Process, *codes: str) -> dict[int, int]:
    return {process.proposals.get(code=code).pk: 1 for code in codes}


def test_a_ballot_is_stored_with_a_receipt_and_the_roll_marked(voting, resident) -> None:
    ballot = cast_online(voting, resident("ann@example.net"), choices(voting, "P1", "P2"))
    assert sorted(ballot.choices.values_list("proposal__code", flat=True)) == ["P1", "P2"]
    assert len(ballot.receipt_code) == 14 and ballot.neighbourhood.code == "E02999001"
    assert VoterRoll.objects.filter(process=voting).count() == 1


def test_a_second_ballot_by_the_same_resident_is_refused_and_nothing_is_stored(voting, resident) -> None:
    ann = resident("ann@example.net")
    cast_online(voting, ann, choices(voting, "P1"))
    with pytest.raises(BallotError, match="already voted"):
        cast_online(voting, ann, choices(voting, "P2"))
    assert Ballot.objects.count() == 1 and BallotChoice.objects.count() == 1


def test_changing_a_ballot_replaces_its_choices_and_keeps_one_ballot(voting, resident) -> None:
    ann = resident("ann@example.net")
    ballot = cast_online(voting, ann, choices(voting, "P1"))
    change_online(voting, ann, ballot.receipt_code.lower(), choices(voting, "P2", "P3"))
    assert Ballot.objects.count() == 1
    assert sorted(ballot.choices.values_list("proposal__code", flat=True)) == ["P2", "P3"]


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        (("P1", "P4"), "Your choices cost £110,000, more than the £100,000 budget"),
        (("P5",), "is not on this ballot"),
        ((), "Choose at least one project"),
    ],
)
def test_bad_ballots_are_refused_and_nothing_is_stored(voting, resident, codes, message) -> None:
    with pytest.raises(BallotError, match=message):
        cast_online(voting, resident("ann@example.net"), choices(voting, *codes))
    assert not Ballot.objects.exists() and not VoterRoll.objects.exists()


def test_a_project_from_another_process_is_refused(voting, resident, borough) -> None:
    other = Process.objects.create(area=borough, slug="other", title="Other", budget=1, phase="voting")
    stray = voting.proposals.get(code="P2")
    stray.pk, stray.process = None, other
    stray.save()
    with pytest.raises(BallotError, match="is not on this ballot"):
        cast_online(voting, resident("ann@example.net"), {stray.pk: 1})
    assert not Ballot.objects.exists()


def test_a_ballot_after_voting_closed_is_refused_and_nothing_is_stored(voting, resident) -> None:
    ann = resident("ann@example.net")
    Process.objects.filter(pk=voting.pk).update(phase=Process.Phase.COUNTING)
    with pytest.raises(BallotError, match="closed"):
        cast_online(voting, ann, choices(voting, "P1"))
    assert not Ballot.objects.exists() and not VoterRoll.objects.exists()


@pytest.mark.parametrize(("verified", "neighbourhood"), [(False, "E02999001"), (True, None)])
def test_only_verified_residents_of_the_area_may_vote(voting, resident, verified, neighbourhood) -> None:
    if neighbourhood is None:
        Area.objects.create(code="E02888001", name="Elsewhere", kind="neighbourhood")
        neighbourhood = "E02888001"
    with pytest.raises(BallotError, match="Only verified residents"):
        cast_online(voting, resident("bo@example.net", neighbourhood, verified), choices(voting, "P1"))
    assert not Ballot.objects.exists()


def test_changing_with_a_receipt_code_that_does_not_exist_is_refused(voting, resident) -> None:
    ann = resident("ann@example.net")
    ballot = cast_online(voting, ann, choices(voting, "P1"))
    with pytest.raises(BallotError, match="Enter the receipt code"):
        change_online(voting, ann, "AAAA-BBBB-CCCC", choices(voting, "P2"))
    assert list(ballot.choices.values_list("proposal__code", flat=True)) == ["P1"]


def test_a_paper_batch_must_match_its_tally_sheet(voting, resident) -> None:
    officer = resident("officer@example.net")
    abbey = Area.objects.get(code="E02999001")
    with pytest.raises(BallotError, match="tally sheet says 3 ballots but 2 were entered"):
        enter_paper_batch(voting, officer, "Library box 1", 3, [(abbey, choices(voting, "P1"))] * 2)
    assert not Ballot.objects.exists()
    enter_paper_batch(voting, officer, "Library box 1", 2, [(abbey, choices(voting, "P1"))] * 2)
    assert Ballot.objects.filter(channel="paper").count() == 2


def concrete_fields(model) -> set[str]:
    return {field.name for field in model._meta.concrete_fields}


def test_ballots_and_the_roll_share_nothing_that_could_join_them() -> None:
    """Ballot secrecy is structural. Adding a field to either side must come past this test:
    a person, a time or a sequence on a ballot would let anyone join it to the roll."""
    assert concrete_fields(Ballot) == {"id", "process", "receipt_code", "neighbourhood", "channel", "batch"}
    assert concrete_fields(BallotChoice) == {"id", "ballot", "proposal", "points"}
    assert concrete_fields(VoterRoll) == {"id", "process", "voter", "neighbourhood", "channel"}
    assert Ballot._meta.pk.get_default().version == 4  # random ids, not a sequence in voting order
    relations = {f.related_model for f in Ballot._meta.get_fields() if f.is_relation}
    assert VoterRoll not in relations and get_user_model() not in relations


def test_a_ballot_over_budget_is_refused_in_the_process_currency(voting, resident) -> None:
    voting.currency = "EUR"
    voting.save(update_fields=["currency"])
    with pytest.raises(BallotError, match="Your choices cost €110,000, more than the €100,000 budget"):
        cast_online(voting, resident("ann@example.net"), choices(voting, "P1", "P4"))
    assert not Ballot.objects.exists()
