"""The participatory-budgeting pages: happy paths, refusals, and bad input that stores nothing."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client

from commonweal.budgeting.ballots import cast_online
from commonweal.budgeting.engine import allocate
from commonweal.budgeting.engine.pabulib import parse
from commonweal.budgeting.models import Ballot, PaperBatch, Process, Proposal, VoterRoll
from commonweal.places.models import Area

BASE = "/areas/E06000999/budgets"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def pk(process: Process, code: str) -> int:
    return process.proposals.get(code=code).pk


def errors_of(response) -> str:
    return response.content.decode()


# Listing and creating processes


def test_list_shows_the_borough_budgets_to_anyone(voting) -> None:
    response = Client().get(f"{BASE}/")
    assert response.status_code == 200
    assert "Thornbury Vale decides 2026" in response.content.decode()


def test_area_page_links_to_its_budgets(voting) -> None:
    assert f'href="{BASE}/"' in Client().get("/areas/E06000999/").content.decode()


def test_officer_creates_a_process_ring_fencing_a_service_below_its_floor(proposing, officer) -> None:
    libraries = proposing.area.processes.get().proposals.model._meta.get_field("service").related_model
    service = libraries.objects.get(slug="libraries")
    page = signed_in(officer).get(f"{BASE}/new/").content.decode()
    assert "Only services measured below their national floor" in page and "Libraries" in page
    response = signed_in(officer).post(f"{BASE}/new/", {
        "title": "Parks 2027", "slug": "parks-2027", "budget": "£150,000", "ballot_type": "approval",
        "max_choices": "3", "rule": "mes", "ring_fenced_services": [service.pk],
        "voting_opens": "1/3/2027", "voting_closes": "31/3/2027",
    })
    assert response.status_code == 302 and response["Location"] == f"{BASE}/parks-2027/"
    process = Process.objects.get(slug="parks-2027")
    assert process.budget == 150_000 and process.area.code == "E06000999"
    assert list(process.ring_fenced_services.all()) == [service]


def test_a_service_meeting_its_floor_cannot_be_ring_fenced(proposing, officer) -> None:
    from commonweal.places.models import Service

    parks = Service.objects.create(slug="parks", name="Parks")
    response = signed_in(officer).post(f"{BASE}/new/", {
        "title": "Parks", "slug": "parks", "budget": "1000", "ballot_type": "knapsack", "rule": "mes",
        "ring_fenced_services": [parks.pk],
    })
    assert response.status_code == 200 and not Process.objects.filter(slug="parks").exists()
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize(
    ("budget", "message"),
    [("£25k", "Enter the budget in pounds, like 250000"), ("-5", "The budget must be £1 or more"),
     ("", "Enter the budget in pounds, like 250000")],
)
def test_a_bad_budget_is_refused_naming_the_field(borough, officer, budget, message) -> None:
    response = signed_in(officer).post(f"{BASE}/new/", {
        "title": "T", "slug": "t", "budget": budget, "ballot_type": "knapsack", "rule": "mes",
    })
    assert message in response.content.decode() and 'href="#id_budget"' in response.content.decode()
    assert not Process.objects.exists()


def test_residents_and_other_officers_cannot_create_processes(borough, resident, stranger_officer) -> None:
    data = {"title": "T", "slug": "t", "budget": "10", "ballot_type": "knapsack", "rule": "mes"}
    for user in (resident("ann@example.net"), stranger_officer):
        assert signed_in(user).post(f"{BASE}/new/", data).status_code == 403
    assert not Process.objects.exists()


def test_a_process_of_another_area_is_not_found_under_this_one(voting) -> None:
    assert Client().get(f"/areas/E02999001/budgets/{voting.slug}/").status_code == 404


# The process page


def test_process_page_shows_the_timeline_budget_and_feasible_projects(voting) -> None:
    page = Client().get(f"{BASE}/2026/").content.decode()
    assert "£100,000" in page and "Proposals open" in page and "Results published" in page
    assert "Play area" in page and "Moon base" not in page
    assert "Sign in</a> to vote" in page


def test_process_page_offers_a_verified_resident_the_vote(voting, resident) -> None:
    page = signed_in(resident("ann@example.net")).get(f"{BASE}/2026/").content.decode()
    assert f'href="{BASE}/2026/vote/"' in page


def test_proposer_sees_the_review_outcome_and_public_reason(voting, resident) -> None:
    ann = resident("ann@example.net")
    Proposal.objects.filter(code="P5").update(proposer=ann, review_reason="The council owns no moon")
    page = signed_in(ann).get(f"{BASE}/2026/").content.decode()
    assert "Your proposals" in page and "Not feasible" in page and "The council owns no moon" in page


# Proposing


def propose(client: Client, base: str = f"{BASE}/ideas/propose/", cost: str = "25000"):
    brookside = Area.objects.get(code="E02999002")
    client.post(base, {"title": "Reading garden", "description": "Seats and shade by the library"})
    client.post(f"{base}where/", {"neighbourhood": brookside.pk, "service": ""})
    return client.post(f"{base}cost/", {"estimated_cost": cost})


def test_a_resident_proposes_through_question_pages_and_a_check_page(proposing, resident) -> None:
    client = signed_in(resident("ann@example.net"))
    response = propose(client)
    assert response.status_code == 302 and response["Location"].endswith("/propose/check/")
    check = client.get(f"{BASE}/ideas/propose/check/").content.decode()
    assert "Reading garden" in check and "£25,000" in check and "Brookside" in check
    assert "?change=1" in check
    done = client.post(f"{BASE}/ideas/propose/check/", follow=True)
    assert "Proposal sent" in done.content.decode() and "P001" in done.content.decode()
    proposal = Proposal.objects.get()
    assert (proposal.code, proposal.estimated_cost, proposal.status) == ("P001", 25_000, "submitted")


def test_change_link_returns_to_the_check_page(proposing, resident) -> None:
    client = signed_in(resident("ann@example.net"))
    propose(client)
    response = client.post(f"{BASE}/ideas/propose/cost/?change=1", {"estimated_cost": "30,000"})
    assert response["Location"].endswith("/propose/check/")
    assert "£30,000" in client.get(f"{BASE}/ideas/propose/check/").content.decode()


@pytest.mark.parametrize(
    ("cost", "message"),
    [("-100", "The estimated cost must be £1 or more"),
     ("lots", "Enter the estimated cost in pounds, like 25000"),
     ("£25k", "Enter the estimated cost in pounds, like 25000"),
     ("250001", "no more than the £200,000 budget")],
)
def test_a_bad_cost_is_refused_naming_the_field_and_nothing_is_stored(proposing, resident, cost, message):
    client = signed_in(resident("ann@example.net"))
    response = propose(client, cost=cost)
    page = response.content.decode()
    assert response.status_code == 200 and message in page and 'href="#id_estimated_cost"' in page
    assert page.startswith("<!DOCTYPE html>") and "<title>Error:" in page
    assert not Proposal.objects.exists()


def test_an_unverified_resident_cannot_propose(proposing, resident) -> None:
    client = signed_in(resident("ann@example.net", verified=False))
    assert client.get(f"{BASE}/ideas/propose/").status_code == 403
    assert propose(client).status_code == 403 and not Proposal.objects.exists()


def test_proposals_are_refused_outside_the_proposals_phase(voting, resident) -> None:
    response = signed_in(resident("ann@example.net")).get(f"{BASE}/2026/propose/")
    assert response.status_code == 409 and "have closed" in response.content.decode()


# Reviewing


def test_officer_reviews_a_proposal_with_a_final_cost(voting, officer) -> None:
    voting.phase = Process.Phase.REVIEW
    voting.save()
    assert "P1 Play area" in signed_in(officer).get(f"{BASE}/2026/review/").content.decode()
    response = signed_in(officer).post(f"{BASE}/2026/review/P5/", {
        "feasible": "yes", "reason": "", "final_cost": "80000",
    })
    assert response.status_code == 302
    moon = Proposal.objects.get(code="P5")
    assert (moon.status, moon.final_cost, moon.reviewed_by) == ("feasible", 80_000, officer)


def test_not_feasible_needs_a_public_reason(voting, officer) -> None:
    voting.phase = Process.Phase.REVIEW
    voting.save()
    response = signed_in(officer).post(f"{BASE}/2026/review/P1/", {"feasible": "no", "reason": ""})
    assert "Enter the reason the project is not feasible" in response.content.decode()
    assert Proposal.objects.get(code="P1").status == "feasible"


@pytest.mark.parametrize("path", ["review/", "review/P1/", "paper/", "paper/issue/", "phase/"])
def test_residents_and_other_officers_are_refused_officer_pages(voting, resident, stranger_officer, path):
    for user in (resident("ann@example.net"), stranger_officer):
        client = signed_in(user)
        assert client.get(f"{BASE}/2026/{path}").status_code in (403, 405)
        assert client.post(f"{BASE}/2026/{path}", {"feasible": "no", "reason": "x"}).status_code == 403
    voting.refresh_from_db()
    assert voting.phase == "voting" and Proposal.objects.get(code="P1").status == "feasible"


# Phases


def test_phase_move_is_post_only(voting, officer) -> None:
    assert signed_in(officer).get(f"{BASE}/2026/phase/").status_code == 405


def test_voting_cannot_open_while_proposals_wait_for_review(voting, officer) -> None:
    voting.phase = Process.Phase.REVIEW
    voting.save()
    Proposal.objects.filter(code="P4").update(status="submitted")
    response = signed_in(officer).post(f"{BASE}/2026/phase/")
    assert response.status_code == 409 and "1 still waiting for review" in response.content.decode()
    voting.refresh_from_db()
    assert voting.phase == "review"


def test_closing_the_vote_queues_the_count_for_the_worker(
    voting, officer, resident, django_capture_on_commit_callbacks
) -> None:
    from django_tasks_db.models import DBTaskResult

    cast_online(voting, resident("ann@example.net"), {pk(voting, "P1"): 1})
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(officer).post(f"{BASE}/2026/phase/", follow=True)
    assert "Counting has started" in response.content.decode()
    voting.refresh_from_db()
    assert voting.phase == "counting"  # the worker counts (test_tasks.py), never the request
    queued = DBTaskResult.objects.get()
    assert queued.task_path.endswith("count_process") and queued.args_kwargs["args"] == [voting.pk]


# Voting


def test_a_resident_votes_and_gets_a_receipt_kept_only_in_their_browser(voting, resident) -> None:
    client = signed_in(resident("ann@example.net"))
    page = client.get(f"{BASE}/2026/vote/").content.decode()
    assert 'name="project"' in page and 'hx-post="/areas/E06000999/budgets/2026/vote/remaining/"' in page
    response = client.post(f"{BASE}/2026/vote/", {"project": [pk(voting, "P1"), pk(voting, "P3")]})
    assert response.status_code == 302 and response["Location"] == f"{BASE}/2026/receipt/"
    ballot = Ballot.objects.get()
    assert f"ballot-{voting.pk}" in response.cookies
    session = client.session
    assert ballot.receipt_code not in str(dict(session.items()))
    assert str(ballot.pk) not in str(dict(session.items()))
    receipt = client.get(f"{BASE}/2026/receipt/").content.decode()
    assert ballot.receipt_code in receipt and "Play area" in receipt and "govuk-panel" in receipt


def test_a_voter_changes_their_ballot_from_the_same_browser(voting, resident) -> None:
    client = signed_in(resident("ann@example.net"))
    client.post(f"{BASE}/2026/vote/", {"project": [pk(voting, "P1")]})
    page = client.get(f"{BASE}/2026/vote/").content.decode()
    assert "Change your ballot" in page and "receipt_code" not in page
    client.post(f"{BASE}/2026/vote/", {"project": [pk(voting, "P2")]})
    ballot = Ballot.objects.get()
    assert list(ballot.choices.values_list("proposal__code", flat=True)) == ["P2"]


def test_a_voter_changes_their_ballot_on_another_device_with_the_receipt_code(voting, resident) -> None:
    ann = resident("ann@example.net")
    first = cast_online(voting, ann, {pk(voting, "P1"): 1})
    other_device = signed_in(ann)
    assert "Your receipt code" in other_device.get(f"{BASE}/2026/vote/").content.decode()
    wrong = other_device.post(f"{BASE}/2026/vote/", {"project": [pk(voting, "P2")], "receipt_code": "AAAA"})
    assert wrong.status_code == 400 and 'href="#id_receipt_code"' in wrong.content.decode()
    assert list(first.choices.values_list("proposal__code", flat=True)) == ["P1"]
    other_device.post(f"{BASE}/2026/vote/", {
        "project": [pk(voting, "P2")], "receipt_code": first.receipt_code.lower(),
    })
    assert list(first.choices.values_list("proposal__code", flat=True)) == ["P2"]


def test_a_ballot_over_budget_is_refused_with_a_message_and_nothing_is_stored(voting, resident) -> None:
    client = signed_in(resident("ann@example.net"))
    response = client.post(f"{BASE}/2026/vote/", {"project": [pk(voting, "P1"), pk(voting, "P4")]})
    page = response.content.decode()
    assert response.status_code == 400 and "more than the £100,000 budget" in page
    assert 'href="#id_project"' in page and 'id="id_project"' in page
    assert not Ballot.objects.exists() and not VoterRoll.objects.exists()


def test_a_refused_ballot_shows_every_project_again_with_the_chosen_ones_ticked(voting, resident) -> None:
    # Checking reads only the proposals a ballot names; the page shown again must still offer them all.
    chosen = [pk(voting, "P1"), pk(voting, "P4")]
    response = signed_in(resident("ann@example.net")).post(f"{BASE}/2026/vote/", {"project": chosen})
    page = response.content.decode()
    assert response.status_code == 400
    assert all(title in page for title in ("Play area", "Bus shelter", "Benches", "Library hours"))
    assert "Moon base" not in page
    assert page.count(" checked>") == 2 and f'value="{chosen[0]}" aria-describedby' in page


def test_a_ballot_naming_a_project_judged_not_feasible_is_refused(voting, resident) -> None:
    client = signed_in(resident("ann@example.net"))
    response = client.post(f"{BASE}/2026/vote/", {"project": [pk(voting, "P5")]})
    assert response.status_code == 400 and "is not on this ballot" in response.content.decode()
    assert not Ballot.objects.exists() and not VoterRoll.objects.exists()


def test_a_tampered_ballot_naming_another_process_project_is_refused(voting, resident, borough) -> None:
    other = Process.objects.create(area=borough, slug="other", title="Other", budget=1, phase="voting")
    stray = Proposal.objects.create(
        process=other, code="X1", title="Stray", description="", estimated_cost=1, status="feasible",
        neighbourhood=Area.objects.get(code="E02999001"),
    )
    response = signed_in(resident("ann@example.net")).post(f"{BASE}/2026/vote/", {"project": [stray.pk]})
    assert response.status_code == 400 and "is not on this ballot" in response.content.decode()
    assert not Ballot.objects.exists()


def test_an_unverified_resident_cannot_vote(voting, resident) -> None:
    client = signed_in(resident("ann@example.net", verified=False))
    assert client.get(f"{BASE}/2026/vote/").status_code == 403
    assert client.post(f"{BASE}/2026/vote/", {"project": [pk(voting, "P1")]}).status_code == 403
    assert not Ballot.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(voting) -> None:
    response = Client().get(f"{BASE}/2026/vote/")
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


def test_a_ballot_after_voting_closed_is_refused(voting, resident) -> None:
    voting.phase = Process.Phase.COUNTING
    voting.save()
    client = signed_in(resident("ann@example.net"))
    response = client.post(f"{BASE}/2026/vote/", {"project": [pk(voting, "P1")]})
    assert response.status_code == 409 and not Ballot.objects.exists()


def test_remaining_fragment_shows_money_left_and_overspend(voting, resident) -> None:
    client = signed_in(resident("ann@example.net"))
    left = client.post(f"{BASE}/2026/vote/remaining/", {"project": [pk(voting, "P1")]}).content.decode()
    assert "£40,000 left of £100,000" in left and "<html" not in left
    over = client.post(f"{BASE}/2026/vote/remaining/", {"project": [pk(voting, "P1"), pk(voting, "P4")]})
    assert "£10,000 more than the budget" in over.content.decode()
    assert client.get(f"{BASE}/2026/vote/remaining/").status_code == 405


def test_vote_page_and_remaining_fragment_show_the_process_currency(voting, resident) -> None:
    voting.currency = "PLN"
    voting.save(update_fields=["currency"])
    client = signed_in(resident("ann@example.net"))
    page = client.get(f"{BASE}/2026/vote/").content.decode()
    assert "There is PLN 100,000 to spend" in page and "Play area – PLN 60,000" in page and "£" not in page
    left = client.post(f"{BASE}/2026/vote/remaining/", {"project": [pk(voting, "P1")]}).content.decode()
    assert "PLN 40,000 left of PLN 100,000" in left and "£" not in left


def test_cumulative_ballot_uses_points_fields(voting, resident) -> None:
    voting.ballot_type, voting.max_choices = Process.BallotType.CUMULATIVE, 5
    voting.save()
    client = signed_in(resident("ann@example.net"))
    assert f'name="points-{pk(voting, "P1")}"' in client.get(f"{BASE}/2026/vote/").content.decode()
    p1, p2 = f"points-{pk(voting, 'P1')}", f"points-{pk(voting, 'P2')}"
    too_many = client.post(f"{BASE}/2026/vote/", {p1: "4", p2: "3"})
    assert "Share out no more than 5 points" in too_many.content.decode() and not Ballot.objects.exists()
    not_number = client.post(f"{BASE}/2026/vote/", {p1: "lots"})
    assert "Enter the points for Play area as a whole number" in not_number.content.decode()
    client.post(f"{BASE}/2026/vote/", {p1: "3", p2: "2"})
    assert sorted(Ballot.objects.get().choices.values_list("points", flat=True)) == [2, 3]


# Paper ballots


def test_officer_issues_a_paper_ballot_which_shuts_online_voting(voting, officer, resident) -> None:
    ann = resident("ann@example.net")
    response = signed_in(officer).post(f"{BASE}/2026/paper/issue/", {"email": "ANN@example.net"})
    assert response.status_code == 302
    assert VoterRoll.objects.get(voter=ann).channel == "paper"
    assert signed_in(ann).post(f"{BASE}/2026/vote/", {"project": [pk(voting, "P1")]}).status_code == 409
    again = signed_in(officer).post(f"{BASE}/2026/paper/issue/", {"email": "ann@example.net"})
    assert "has already voted (paper)" in again.content.decode()


def test_a_resident_who_voted_online_is_not_issued_a_paper(voting, officer, resident) -> None:
    ann = resident("ann@example.net")
    cast_online(voting, ann, {pk(voting, "P1"): 1})
    response = signed_in(officer).post(f"{BASE}/2026/paper/issue/", {"email": "ann@example.net"})
    assert "has already voted (online)" in response.content.decode()
    assert VoterRoll.objects.get(voter=ann).channel == "online"


def test_officer_enters_a_paper_batch(voting, officer) -> None:
    response = signed_in(officer).post(f"{BASE}/2026/paper/", {
        "label": "Brookside box 1", "tally_total": "2", "ballots": "E02999001: P1, P3\n\nE02999002: p2",
    })
    assert response.status_code == 302
    assert PaperBatch.objects.get().label == "Brookside box 1"
    assert Ballot.objects.filter(channel="paper").count() == 2


@pytest.mark.parametrize(
    ("ballots", "tally", "message"),
    [
        ("E02999001: P1\nE02999002: P9", "2", "Line 2: project &#x27;P9&#x27; is not on this ballot"),
        ("E02999001: P1\nE09999999: P2", "2", "Line 2: &#x27;E09999999&#x27; is not a neighbourhood"),
        ("E02999001 P1", "1", "Line 1: start with the neighbourhood code and a colon"),
        ("E02999001: P1, P4", "1", "Line 1: Your choices cost £110,000"),
        ("E02999001: P1\nE02999002: P2", "3", "The tally sheet says 3 ballots but 2 were entered"),
        ("E02999001: P5", "1", "Line 1: project &#x27;P5&#x27; is not on this ballot"),
    ],
)
def test_paper_batch_errors_name_the_line_and_store_nothing(voting, officer, ballots, tally, message) -> None:
    response = signed_in(officer).post(
        f"{BASE}/2026/paper/", {"label": "Box", "tally_total": tally, "ballots": ballots}
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert not PaperBatch.objects.exists() and not Ballot.objects.exists()


# Results


@pytest.fixture
def published(voting, resident) -> Process:
    from commonweal.budgeting.counting import count

    for n, (where, codes) in enumerate([
        ("E02999001", ("P1",)), ("E02999001", ("P1", "P3")),
        ("E02999002", ("P2", "P4")), ("E02999002", ("P2",)),
    ]):
        cast_online(voting, resident(f"v{n}@example.net", where), {pk(voting, c): 1 for c in codes})
    count(voting)
    voting.refresh_from_db()
    return voting


def test_results_show_funded_projects_with_bars_table_explanation_turnout_and_hash(published) -> None:
    page = Client().get(f"{BASE}/2026/results/").content.decode()
    assert "<svg" in page and "Funded projects, in the order they were funded" in page
    assert "Each supporter paid" in page and "More supporters needed" in page
    assert "Spending by neighbourhood" in page and "Turnout by deprivation decile" in page
    assert published.ballots_sha256 in page and f'href="{BASE}/2026/ballots.pb"' in page


def test_results_label_ring_fenced_projects(voting, resident) -> None:
    from commonweal.budgeting.counting import count

    parks = Proposal.objects.get(code="P3").service
    voting.ring_fenced_services.add(parks)
    cast_online(voting, resident("ann@example.net"), {pk(voting, "P1"): 1})
    count(voting)
    page = Client().get(f"{BASE}/2026/results/").content.decode()
    assert "Funded first to meet the national floor for Parks" in page


def test_results_are_not_found_before_publication(voting) -> None:
    assert Client().get(f"{BASE}/2026/results/").status_code == 404
    assert Client().get(f"{BASE}/2026/ballots.pb").status_code == 404


def test_ballots_file_is_the_published_bytes_and_recounts_to_the_same_projects(published) -> None:
    response = Client().get(f"{BASE}/2026/ballots.pb")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="2026.pb"'
    assert response.content == bytes(published.ballots_pb)
    assert hashlib.sha256(response.content).hexdigest() == published.ballots_sha256
    funded = published.proposals.filter(funded_rank__isnull=False).order_by("funded_rank")
    assert allocate(parse(response.content), rule="mes").funded == [p.code for p in funded]


def test_receipt_lookup_shows_that_ballots_choices(published) -> None:
    ballot = Ballot.objects.filter(choices__proposal__code="P3").get()
    response = Client().get(f"{BASE}/2026/results/receipt/", {"code": ballot.receipt_code.lower()})
    page = response.content.decode()
    assert "Benches" in page and ballot.receipt_code in page


def test_a_receipt_code_that_does_not_exist_is_named_on_the_field(published) -> None:
    response = Client().get(f"{BASE}/2026/results/receipt/", {"code": "AAAA-BBBB-CCCC"})
    page = response.content.decode()
    assert response.status_code == 404 and "No ballot has that receipt code" in page
    assert 'href="#id_code"' in page


def test_turnout_counts_online_voters_from_the_roll_and_paper_voters_from_their_ballots(
    voting, officer, resident
) -> None:
    from commonweal.budgeting.report import turnout

    Area.objects.filter(code="E02999001").update(deprivation_decile=2)
    Area.objects.filter(code="E02999002").update(deprivation_decile=9)
    cast_online(voting, resident("ann@example.net"), {pk(voting, "P1"): 1})
    resident("bob@example.net", "E02999002")
    resident("cat@example.net", "E02999002", verified=False)
    signed_in(officer).post(f"{BASE}/2026/paper/issue/", {"email": "bob@example.net"})
    batch = {"label": "B1", "tally_total": "1", "ballots": "E02999002: P2"}
    signed_in(officer).post(f"{BASE}/2026/paper/", batch)
    places, deciles = turnout(voting)
    summary = [(r["name"], r["online"], r["issued"], r["paper"], r["eligible"], r["rate"]) for r in places]
    assert summary == [("Abbey Fields", 1, 0, 0, 1, 100.0), ("Brookside", 0, 1, 1, 1, 100.0)]
    assert [(d["decile"], d["voted"]) for d in deciles] == [(2, 1), (9, 1)]
