"""axe-core on every page the site serves, in every state a person can see it in.

A page passes when axe finds no violation of impact "serious" or "critical"; on failure the
message lists each violation's rule, impact and the elements it found, so it can be fixed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Page, expect


@dataclass(frozen=True)
class Visit:
    """A page to check: where it is, who is signed in, and what to do there first."""

    path: str
    person: str | None = None
    then: Callable[[Page], None] = field(default=lambda page: None)


def submit_empty_sign_up(page: Page) -> None:
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()


def submit_wrong_password(page: Page) -> None:
    page.get_by_label("Email address").fill("resident@example.org")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()


def submit_bad_floor(page: Page) -> None:
    page.get_by_label("New floor").fill("abc")
    page.get_by_role("button", name="Save the new floor").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()


def verify_newcomer(page: Page) -> None:
    page.get_by_role("button", name="Verify Nico Newcomer").click()
    expect(page.get_by_role("alert")).to_be_visible()


def change_floor(page: Page) -> None:
    page.get_by_label("New floor").fill("86")
    page.get_by_label("Why is the floor changing?").fill("A check of the page after a change")
    page.get_by_role("button", name="Save the new floor").click()
    expect(page.get_by_role("alert")).to_be_visible()


VISITS = {
    "home": Visit("/"),
    "home signed in": Visit("/", "resident@example.org"),
    "authority page": Visit("/areas/E06000999/"),
    "authority page as its officer": Visit("/areas/E06000999/", "officer@example.org"),
    "neighbourhood page": Visit("/areas/E02999003/"),
    "region page": Visit("/areas/E12000009/"),
    "standards list": Visit("/standards/"),
    "standard page": Visit("/standards/gp-access/"),
    "standard page as steward": Visit("/standards/gp-access/", "steward@example.org"),
    "standard page after a change": Visit(
        "/standards/gp-access/change/", "steward@example.org", change_floor
    ),
    "sign up": Visit("/sign-up/"),
    "sign up with errors": Visit("/sign-up/", then=submit_empty_sign_up),
    "sign in": Visit("/sign-in/"),
    "sign in with errors": Visit("/sign-in/", then=submit_wrong_password),
    "account of a verified resident": Visit("/account/", "resident@example.org"),
    "account of an unverified resident": Visit("/account/", "newcomer@example.org"),
    "account of an officer": Visit("/account/", "officer@example.org"),
    "account of a steward": Visit("/account/", "steward@example.org"),
    "officer residents page": Visit("/areas/E06000999/residents/", "officer@example.org"),
    "officer residents page after verifying": Visit(
        "/areas/E06000999/residents/", "officer@example.org", verify_newcomer
    ),
    "steward new-standard page": Visit("/standards/new/", "steward@example.org"),
    "steward change-floor page": Visit("/standards/gp-access/change/", "steward@example.org"),
    "steward change-floor page with errors": Visit(
        "/standards/gp-access/change/", "steward@example.org", submit_bad_floor
    ),
    "admin sign-in": Visit("/admin/login/"),
    "scrutiny standard page": Visit("/scrutiny/standards/gp-access/?area=E06000999"),
    "scrutiny area page": Visit("/scrutiny/areas/E06000999/"),
    "scrutiny import page": Visit("/scrutiny/areas/E06000999/import/", "officer@example.org"),
}


@pytest.mark.parametrize("visit", VISITS.values(), ids=VISITS.keys())
def test_page_has_no_serious_or_critical_accessibility_violation(
    page: Page, sign_in: Callable[[str], Page], assert_accessible: Callable[[Page], None], visit: Visit
) -> None:
    check_visit(page, sign_in, assert_accessible, visit)


def check_visit(
    page: Page, sign_in: Callable[[str], Page], assert_accessible: Callable[[Page], None], visit: Visit
) -> None:
    """Sign in as the visit's person, open its page, do what it says, then run axe."""
    if visit.person:
        sign_in(visit.person)
    response = page.goto(visit.path)
    assert response is not None and response.ok, f"{visit.path} answered {response and response.status}"
    visit.then(page)
    assert_accessible(page)


def test_pages_are_checked_with_the_govuk_styles_applied(page: Page) -> None:
    # Colour contrast is only meaningful once GOV.UK Frontend's stylesheet and fonts have loaded.
    page.goto("/")

    font = page.get_by_role("heading", level=1).evaluate("h => getComputedStyle(h).fontFamily")

    assert "GDS Transport" in font


def test_check_catches_an_unlabelled_field_and_low_contrast_text(
    page: Page, blocking_violations: Callable[[Page], list[dict]]
) -> None:
    page.goto("/")
    page.locator("main").evaluate(
        "main => main.insertAdjacentHTML('beforeend',"
        " '<input type=text><p style=\"color:#ccc\">Hard to read</p>')"
    )

    found = {violation["id"] for violation in blocking_violations(page)}

    assert {"label", "color-contrast"} <= found
