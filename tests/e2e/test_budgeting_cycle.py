"""A whole participatory budget in a real browser: propose, review, vote, change the vote, close,
count, publish, and download the ballots to check them against the published fingerprint."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.management import call_command
from playwright.sync_api import Page, expect

from commonweal.budgeting.models import Process, Proposal
from commonweal.places.models import Area, User

PROCESS = "/areas/E06000999/budgets/cycle/"


def start_process() -> Process:
    """A borough-wide budget open for proposals, with one idea already in from a neighbour."""
    process = Process.objects.create(
        area=Area.objects.get(code="E06000999"), slug="cycle", title="Thornbury Vale decides 2027",
        budget=100_000, ballot_type=Process.BallotType.KNAPSACK,
    )
    Proposal.objects.create(
        process=process, code="P900", title="Benches on the high street", description="Six benches.",
        neighbourhood=Area.objects.get(code="E02999002"), estimated_cost=30_000,
        proposer=User.objects.get(email="newcomer@example.org"),
    )
    return process


def propose(page: Page) -> None:
    page.goto(f"{PROCESS}propose/")
    page.get_by_label("Give your project a short name").fill("Outdoor gym in Abbey Fields park")
    page.get_by_label("Describe your project").fill("Eight pieces of outdoor gym kit by the play area.")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Abbey Fields").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Estimated cost").fill("45000")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Outdoor gym in Abbey Fields park")).to_be_visible()
    page.get_by_role("button", name="Send proposal").click()


def next_phase(officer: Page) -> None:
    officer.goto(PROCESS)
    officer.locator("#next-phase").click()


def review_all_feasible(officer: Page) -> None:
    for proposal in Proposal.objects.filter(process__slug="cycle"):
        officer.goto(f"{PROCESS}review/{proposal.code}/")
        officer.get_by_label("Yes, it can go on the ballot").check()
        officer.get_by_role("button", name="Save the review").click()


def vote_for(page: Page, *titles: str, button: str) -> str:
    page.goto(f"{PROCESS}vote/")
    for box in page.locator("input[name=project]").all():
        box.set_checked(False)
    for title in titles:
        page.get_by_label(title).check()
    page.get_by_role("button", name=button).click()
    return page.locator(".cw-receipt").inner_text().strip()


def test_a_budget_from_proposal_to_verified_result(
    page_for: Callable[[str], Page], page: Page
) -> None:
    process = start_process()
    resident, officer = page_for("resident@example.org"), page_for("officer@example.org")

    propose(resident)
    proposal = process.proposals.get(title="Outdoor gym in Abbey Fields park")
    assert (proposal.estimated_cost, proposal.neighbourhood.code) == (45_000, "E02999001")

    next_phase(officer)  # to review
    review_all_feasible(officer)
    next_phase(officer)  # to voting
    assert Process.objects.get(pk=process.pk).phase == Process.Phase.VOTING

    first = vote_for(resident, "Benches on the high street", button="Cast my ballot")
    changed = vote_for(resident, "Outdoor gym in Abbey Fields park", button="Change my ballot")
    assert first == changed  # the same ballot, changed, not a second one
    assert process.ballots.count() == 1

    next_phase(officer)  # close voting; the count is queued for the worker
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    page.goto(f"{PROCESS}results/")
    expect(page.get_by_role("heading", name="Results: Thornbury Vale decides 2027")).to_be_visible()
    funded = page.locator("table").first
    expect(funded).to_contain_text("Outdoor gym in Abbey Fields park")
    published = page.locator(".cw-hash").inner_text().strip()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download cycle.pb").click()
    data = download.value.path().read_bytes()
    assert hashlib.sha256(data).hexdigest() == published
    assert f"\n{changed};P" in data.decode()
