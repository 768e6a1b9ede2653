"""A national steward changes a floor; the change is versioned and bad floors change nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from commonweal.places.models import NationalStandard, StandardChange

CHANGE_PAGE = "/standards/gp-access/change/"


REASON = "Patients told us two weeks is too long"
# Decimal places are kept as stored, so 87.5 may read 87.50; both say the same floor.
NEW_FLOOR = re.compile(r"^87\.50?$")


def change_floor(page: Page, floor: str, reason: str = REASON) -> None:
    page.goto(CHANGE_PAGE)
    page.get_by_label("New floor").fill(floor)
    page.get_by_label("Why is the floor changing?").fill(reason)
    page.get_by_role("button", name="Save the new floor").click()


def test_steward_reaches_the_change_page_from_the_standard(sign_in: Callable[[str], Page]) -> None:
    page = sign_in("steward@example.org")
    page.goto("/standards/gp-access/")

    page.get_by_role("link", name="Change the floor").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Change the floor for GP access")


def test_steward_changes_a_floor_and_the_history_shows_old_and_new(sign_in: Callable[[str], Page]) -> None:
    page = sign_in("steward@example.org")

    change_floor(page, "87.5")

    expect(page.get_by_role("alert")).to_contain_text("The floor for GP access is now 87.5")
    expect(page.locator(".govuk-summary-list")).to_contain_text(re.compile(r"At least 87\.50? ?%"))
    history = page.get_by_role("table", name="Every change, newest first").locator("tbody tr")
    expect(history).to_have_count(1)
    when = re.compile(r"\d{4}, \d\d:\d\d$")
    expect(history.locator("td")).to_have_text([when, "Sam Steward", "85", NEW_FLOOR, REASON])


def test_floor_change_is_stored_with_who_made_it(sign_in: Callable[[str], Page]) -> None:
    page = sign_in("steward@example.org")

    change_floor(page, "87.5")
    expect(page.get_by_role("alert")).to_be_visible()

    change = StandardChange.objects.select_related("changed_by").get(standard__service__slug="gp-access")
    assert (change.old_floor, change.new_floor, change.changed_by.email) == (
        Decimal(85), Decimal("87.5"), "steward@example.org"
    )


BAD_FLOORS = {
    "not a number": ("abc", "Enter the floor as a number, like 85"),
    "above the range": ("150", "Enter a floor between 0 and 100"),
    "below the range": ("-1", "Enter a floor between 0 and 100"),
    "too precise": ("85.125", "Enter the floor with no more than 2 decimal places"),
}


@pytest.mark.parametrize(("floor", "message"), BAD_FLOORS.values(), ids=BAD_FLOORS.keys())
def test_bad_floor_shows_the_error_summary_naming_the_floor(
    sign_in: Callable[[str], Page], floor: str, message: str
) -> None:
    page = sign_in("steward@example.org")

    change_floor(page, floor)

    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name=message)).to_have_attribute("href", "#id_floor")
    expect(page.locator("#id_floor-error")).to_contain_text(message)


@pytest.mark.parametrize(("floor", "message"), BAD_FLOORS.values(), ids=BAD_FLOORS.keys())
def test_bad_floor_changes_nothing(sign_in: Callable[[str], Page], floor: str, message: str) -> None:
    page = sign_in("steward@example.org")

    change_floor(page, floor)

    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert NationalStandard.objects.get(service__slug="gp-access").floor == Decimal(85)
    assert not StandardChange.objects.exists()


def test_floor_change_without_a_reason_is_refused(sign_in: Callable[[str], Page]) -> None:
    page = sign_in("steward@example.org")

    change_floor(page, "87", reason="")

    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name="Enter why the floor is changing")).to_be_visible()
    assert not StandardChange.objects.exists()


def test_officer_is_refused_the_change_page_with_403(sign_in: Callable[[str], Page]) -> None:
    page = sign_in("officer@example.org")

    response = page.goto(CHANGE_PAGE)

    assert response is not None and response.status == 403
