"""Budgeting forms: money as people type it, paper ballot lines, reviews and budget settings."""

import pytest
from django import forms

from commonweal.budgeting.forms import PaperBatchForm, ProcessForm, ReviewForm, pounds
from commonweal.budgeting.models import Process


@pytest.mark.parametrize(("typed", "amount"), [("25000", 25_000), ("25,000", 25_000), ("£ 25,000 ", 25_000)])
def test_pounds_reads_what_people_type(typed, amount) -> None:
    assert pounds(typed, "estimated cost") == amount


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("£25k", "Enter the estimated cost in pounds, like 25000"),
        ("twenty", "Enter the estimated cost in pounds, like 25000"),
        ("-5", "The estimated cost must be £1 or more"),
        ("0", "The estimated cost must be £1 or more"),
        ("12.50", "Enter the estimated cost in whole pounds, like 25000"),
    ],
)
def test_pounds_refuses_anything_else_naming_the_field(typed, message) -> None:
    with pytest.raises(forms.ValidationError, match=message):
        pounds(typed, "estimated cost")


def paper(process: Process, ballots: str, tally: int) -> PaperBatchForm:
    return PaperBatchForm({"label": "Box 1", "tally_total": tally, "ballots": ballots}, process=process)


def test_paper_lines_become_neighbourhoods_and_choices(voting) -> None:
    form = paper(voting, "e02999001: p1, P3\n\n  E02999002 : P2  \n", 2)
    assert form.is_valid(), form.errors
    (first, firsts), (second, seconds) = form.cleaned_data["ballots"]
    assert (first.code, second.code) == ("E02999001", "E02999002")
    wanted = voting.proposals.filter(code__in=["P1", "P3"]).values_list("pk", flat=True)
    assert sorted(firsts) == sorted(wanted)
    assert list(seconds.values()) == [1]


def test_paper_points_are_read_for_cumulative_ballots(voting) -> None:
    voting.ballot_type, voting.max_choices = Process.BallotType.CUMULATIVE, 5
    voting.save()
    form = paper(voting, "E02999001: P1=3, P2=2", 1)
    assert form.is_valid(), form.errors
    assert sorted(form.cleaned_data["ballots"][0][1].values()) == [2, 3]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("E02999001: P1=x", "Line 1: enter the points for P1 as a whole number, like P1=2"),
        ("E02999001: P1, P1", "Line 1: project P1 is listed twice"),
        ("E02999001:", "Line 1: Choose at least one project"),
    ],
)
def test_paper_line_errors_name_the_line(voting, line, message) -> None:
    form = paper(voting, line, 1)
    assert not form.is_valid() and message in form.errors["ballots"][0]


def test_a_batch_label_cannot_be_entered_twice(voting, officer) -> None:
    voting.paper_batches.create(label="Box 1", tally_total=1, entered_by=officer)
    form = paper(voting, "E02999001: P1", 1)
    assert not form.is_valid() and "has already been entered" in form.errors["label"][0]


def test_review_needs_a_reason_only_when_not_feasible() -> None:
    assert ReviewForm({"feasible": "yes"}).is_valid()
    refused = ReviewForm({"feasible": "no", "reason": "  "})
    assert not refused.is_valid()
    assert refused.errors["reason"] == ["Enter the reason the project is not feasible"]


def test_review_final_cost_is_optional_but_must_be_pounds() -> None:
    form = ReviewForm({"feasible": "yes", "final_cost": "£25k"})
    assert not form.is_valid() and form.errors["final_cost"] == ["Enter the final cost in pounds, like 25000"]


def settings_for(**changes) -> dict:
    return {"title": "T", "slug": "t", "budget": "1000", "ballot_type": "knapsack", "rule": "mes"} | changes


def test_a_web_address_is_unique_in_its_area_and_new_is_kept_for_starting_one(voting, borough) -> None:
    taken = ProcessForm(settings_for(slug="2026"), area=borough)
    assert not taken.is_valid() and "already uses this web address" in taken.errors["slug"][0]
    reserved = ProcessForm(settings_for(slug="new"), area=borough)
    assert not reserved.is_valid() and "Choose another web address" in reserved.errors["slug"][0]


def test_points_and_ranked_ballots_need_their_limit(borough) -> None:
    form = ProcessForm(settings_for(ballot_type="cumulative"), area=borough)
    assert not form.is_valid() and "points to share" in form.errors["max_choices"][0]


def test_voting_cannot_close_before_it_opens(borough) -> None:
    form = ProcessForm(settings_for(voting_opens="31/3/2027", voting_closes="1/3/2027"), area=borough)
    assert not form.is_valid()
    assert form.errors["voting_closes"] == ["Voting must close on or after the day it opens"]


def test_ring_fencing_is_not_offered_where_every_service_meets_its_floor(borough) -> None:
    assert "ring_fenced_services" not in ProcessForm(area=borough).fields


def test_only_rules_the_engine_can_count_are_offered(borough) -> None:
    from commonweal.budgeting import engine

    offered = {key for key, _ in ProcessForm(area=borough).fields["rule"].choices}
    assert "mes" in offered and offered <= set(engine.RULES)
