"""axe-core on every participatory-budgeting page, as each role sees it and with errors shown.

The same check as test_accessibility.py, on the demo borough's two budgets: "2026" in voting
and "2025" with its results published.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from commonweal.budgeting.demo import load_budgeting_demo
from commonweal.budgeting.models import Process
from commonweal.places.models import Area

from .test_accessibility import Visit, check_visit

BUDGETS = "/areas/E06000999/budgets"


@pytest.fixture(autouse=True)
def budgets(demo) -> None:
    load_budgeting_demo()
    Process.objects.create(
        area=Area.objects.get(code="E06000999"), slug="ideas", title="Ideas for 2027", budget=100_000
    )


def submit_over_budget(page: Page) -> None:
    for box in page.locator("input[name=project]").all():
        box.check()
    page.get_by_role("button", name="Cast my ballot").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()


def cast_a_ballot(page: Page) -> None:
    page.locator("input[name=project]").first.check()
    page.get_by_role("button", name="Cast my ballot").click()
    expect(page.locator(".govuk-panel")).to_be_visible()


def submit_bad_cost(page: Page) -> None:
    page.get_by_label("Give your project a short name").fill("Reading garden")
    page.get_by_label("Describe your project").fill("Seats and shade")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Estimated cost").fill("£25k")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()


def answer_every_question(page: Page) -> None:
    page.get_by_label("Give your project a short name").fill("Reading garden")
    page.get_by_label("Describe your project").fill("Seats and shade")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Estimated cost").fill("25000")
    page.get_by_role("button", name="Continue").click()
    heading = page.get_by_role("heading", name="Check your answers before sending your proposal")
    expect(heading).to_be_visible()


def send_proposal(page: Page) -> None:
    answer_every_question(page)
    page.get_by_role("button", name="Send proposal").click()
    expect(page.locator(".govuk-panel")).to_be_visible()


def submit_bad_paper(page: Page) -> None:
    page.get_by_label("Batch label").fill("Box 1")
    page.get_by_label("Ballots in the batch").fill("1")
    page.get_by_label("Ballots, one per line").fill("E02999001: P999")
    page.get_by_role("button", name="Enter the batch").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()


def look_up_missing_receipt(page: Page) -> None:
    page.get_by_label("Receipt code").fill("AAAA-BBBB-CCCC")
    page.get_by_role("button", name="Find the ballot").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()


RESIDENT = "resident@example.org"
VISITS = {
    "budget list": Visit(f"{BUDGETS}/"),
    "budget list as officer": Visit(f"{BUDGETS}/", "officer@example.org"),
    "new budget": Visit(f"{BUDGETS}/new/", "officer@example.org"),
    "process in voting": Visit(f"{BUDGETS}/2026/", "resident@example.org"),
    "process as officer": Visit(f"{BUDGETS}/2026/", "officer@example.org"),
    "ballot": Visit(f"{BUDGETS}/2026/vote/", "resident@example.org"),
    "ballot over budget": Visit(f"{BUDGETS}/2026/vote/", "resident@example.org", submit_over_budget),
    "receipt after voting": Visit(f"{BUDGETS}/2026/vote/", "resident@example.org", cast_a_ballot),
    "propose": Visit(f"{BUDGETS}/ideas/propose/", RESIDENT),
    "propose with a bad cost": Visit(f"{BUDGETS}/ideas/propose/", RESIDENT, submit_bad_cost),
    "propose check answers": Visit(f"{BUDGETS}/ideas/propose/", RESIDENT, answer_every_question),
    "proposal sent": Visit(f"{BUDGETS}/ideas/propose/", RESIDENT, send_proposal),
    "review list": Visit(f"{BUDGETS}/2026/review/", "officer@example.org"),
    "paper batch with errors": Visit(f"{BUDGETS}/2026/paper/", "officer@example.org", submit_bad_paper),
    "issue paper": Visit(f"{BUDGETS}/2026/paper/issue/", "officer@example.org"),
    "results": Visit(f"{BUDGETS}/2025/results/"),
    "receipt not found": Visit(f"{BUDGETS}/2025/results/", then=look_up_missing_receipt),
}


@pytest.mark.parametrize("visit", VISITS.values(), ids=VISITS.keys())
def test_budgeting_page_has_no_serious_or_critical_accessibility_violation(
    page: Page, sign_in: Callable[[str], Page], assert_accessible: Callable[[Page], None], visit: Visit
) -> None:
    check_visit(page, sign_in, assert_accessible, visit)
