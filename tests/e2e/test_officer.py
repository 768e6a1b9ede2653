"""An officer verifies the residents of their own authority, and no one else can."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from commonweal.places.models import Role

RESIDENTS_PAGE = "/areas/E06000999/residents/"


def sign_up_tess(page: Page) -> None:
    page.goto("/sign-up/")
    page.get_by_label("Full name").fill("Tess Tester")
    page.get_by_label("Email address").fill("tess@example.net")
    page.get_by_label("Postcode", exact=True).fill("TV3 1AB")
    page.get_by_label("Create a password").fill("marigold-harbour-lantern")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("table")).to_contain_text("Waiting for an officer to verify")


def test_officer_verifies_a_new_resident_who_then_shows_as_verified(
    page: Page, page_for: Callable[[str], Page]
) -> None:
    sign_up_tess(page)
    officer = page_for("officer@example.org")

    officer.goto(RESIDENTS_PAGE)
    officer.get_by_role("button", name="Verify Tess Tester").click()

    expect(officer.get_by_role("alert")).to_contain_text("Tess Tester is now a verified resident of")
    expect(officer.get_by_role("button", name="Verify Tess Tester")).to_have_count(0)
    page.reload()
    expect(page.get_by_role("table")).to_contain_text("Verified")
    expect(page.get_by_role("table")).not_to_contain_text("Waiting for an officer to verify")


def test_verifying_one_resident_leaves_the_others_waiting(sign_in: Callable[[str], Page]) -> None:
    officer = sign_in("officer@example.org")
    officer.goto(RESIDENTS_PAGE)
    waiting = officer.locator("tbody tr")
    expect(waiting).to_have_count(1)

    officer.get_by_role("button", name="Verify Nico Newcomer").click()

    expect(officer.get_by_text("No one is waiting to be verified.")).to_be_visible()
    role = Role.objects.get(user__email="newcomer@example.org")
    assert role.verified_by is not None and role.verified_by.email == "officer@example.org"


def test_officer_account_page_links_to_the_residents_waiting(sign_in: Callable[[str], Page]) -> None:
    page = sign_in("officer@example.org")

    page.get_by_role("link", name="Verify residents").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Residents waiting to be verified")


def test_resident_is_refused_the_officer_page_with_403(sign_in: Callable[[str], Page]) -> None:
    page = sign_in("resident@example.org")

    response = page.goto(RESIDENTS_PAGE)

    assert response is not None and response.status == 403


def test_officer_of_another_authority_is_refused_with_403(sign_in: Callable[[str], Page]) -> None:
    page = sign_in("officer.ashcombe@example.org")

    response = page.goto(RESIDENTS_PAGE)

    assert response is not None and response.status == 403


def test_visitor_is_sent_to_sign_in_before_the_officer_page(page: Page) -> None:
    page.goto(RESIDENTS_PAGE)

    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
