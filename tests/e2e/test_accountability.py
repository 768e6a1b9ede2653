"""A resident follows the chain from the authority page to a result; an officer updates it; axe on each."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from commonweal.accountability.models import Result, Review


@pytest.fixture
def accountability(demo) -> None:
    from commonweal.accountability.demo import load_accountability_demo
    from commonweal.budgeting.demo import load_budgeting_demo
    from commonweal.procurement.demo import load_procurement_demo

    load_budgeting_demo()
    load_procurement_demo()
    load_accountability_demo()


def test_the_results_chain_page_reads_from_proposal_to_outcome(
    page: Page, accountability: None, assert_accessible: Callable[[Page], None]
) -> None:
    result = Result.objects.get(proposal__isnull=False, award__isnull=False)
    page.goto("/areas/E06000999/")
    page.get_by_role("link", name="Results and reviews in Thornbury Vale").click()
    expect(page.get_by_role("heading", name="What happened to what was funded")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=result.title).click()
    for heading in ("1. Proposal", "2. Contract", "3. Result", "4. Spend", "5. Outcome"):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.get_by_role("img", name=f"Planned and actual spend on {result.title}")).to_be_visible()
    expect(page.locator("#spend-table")).to_contain_text("Paid out in total")
    expect(page.locator("#commitments-table")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="See every change").click()
    expect(page.locator("#history-table")).to_contain_text("Progress")
    assert_accessible(page)


def test_an_officer_posts_an_update_and_a_mistake_is_named(
    sign_in: Callable[[str], Page], accountability: None, assert_accessible: Callable[[Page], None]
) -> None:
    result = Result.objects.get(proposal__isnull=False, award__isnull=False)
    page = sign_in("officer@example.org")
    page.goto(f"/results/{result.pk}/")
    page.get_by_role("link", name="Post an update").click()
    page.get_by_label("What has happened").fill("The building is weatherproof.")
    page.get_by_label("Progress, per cent complete").fill("150")
    page.get_by_role("button", name="Publish the update").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Progress must be 100 or less")
    assert_accessible(page)

    page.get_by_label("Progress, per cent complete").fill("90")
    page.get_by_role("button", name="Publish the update").click()
    expect(page.get_by_text("The building is weatherproof.")).to_be_visible()
    expect(page.get_by_text("90% complete")).to_be_visible()


def test_a_review_page_is_accessible(
    page: Page, accountability: None, assert_accessible: Callable[[Page], None]
) -> None:
    review = Review.objects.get(area__code="E06000999", standard__service__slug="youth-services")
    page.goto(f"/reviews/{review.pk}/")
    expect(page.get_by_role("heading", name="Youth services below the national floor")).to_be_visible()
    assert_accessible(page)
