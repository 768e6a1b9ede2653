"""Signing up, signing in and signing out, in a real browser, with and without JavaScript."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from commonweal.places.demo import DEMO_PASSWORD
from commonweal.places.models import Role, User

RESIDENT = "resident@example.org"
NEW_RESIDENT = {
    "Full name": "Tess Tester",
    "Email address": "tess@example.net",
    "Postcode": "TV3 1AB",
    "Create a password": "marigold-harbour-lantern",
}


def fill_sign_up(page: Page, answers: dict[str, str]) -> None:
    page.goto("/sign-up/")
    for label, value in answers.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Create account").click()


def test_new_resident_signing_up_with_a_postcode_waits_for_an_officer_to_verify(page: Page) -> None:
    fill_sign_up(page, NEW_RESIDENT)

    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    roles = page.get_by_role("table")
    expect(roles).to_contain_text("Castle Hill")
    expect(roles).to_contain_text("Waiting for an officer to verify")


def test_new_resident_is_stored_unverified_in_the_neighbourhood_of_their_postcode(page: Page) -> None:
    fill_sign_up(page, NEW_RESIDENT)
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()

    role = Role.objects.select_related("area").get(user__email="tess@example.net")
    assert (role.kind, role.area.name, role.is_verified) == (Role.Kind.RESIDENT, "Castle Hill", False)


# Each bad answer, the field it belongs to, and the message that must name it.
BAD_SIGN_UPS = {
    "malformed email": (
        {"Email address": "tess-at-example"}, "email",
        "Enter an email address in the correct format, like name@example.com",
    ),
    "postcode outside every area": (
        {"Postcode": "ZZ9 9ZZ"}, "postcode", "Enter a postcode in an area Commonweal serves",
    ),
    "duplicate email": (
        {"Email address": RESIDENT}, "email", "An account already uses this email address",
    ),
    "weak password": ({"Create a password": "password"}, "password", "This password is too common"),
    "no postcode or neighbourhood": ({"Postcode": ""}, "postcode", "Enter your postcode or choose"),
}


@pytest.mark.parametrize(("changes", "field", "message"), BAD_SIGN_UPS.values(), ids=BAD_SIGN_UPS.keys())
def test_bad_sign_up_shows_an_error_summary_linking_to_the_field(
    page: Page, changes: dict[str, str], field: str, message: str
) -> None:
    fill_sign_up(page, NEW_RESIDENT | changes)

    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    link = summary.get_by_role("link", name=message)
    expect(link).to_have_attribute("href", f"#id_{field}")
    expect(page.locator(f"#id_{field}-error")).to_contain_text(message)
    expect(page).to_have_title(re.compile(r"^Error: Create an account"))


@pytest.mark.parametrize(("changes", "field", "message"), BAD_SIGN_UPS.values(), ids=BAD_SIGN_UPS.keys())
def test_bad_sign_up_creates_no_account_and_no_role(
    page: Page, changes: dict[str, str], field: str, message: str
) -> None:
    users, roles = User.objects.count(), Role.objects.count()

    fill_sign_up(page, NEW_RESIDENT | changes)

    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert (User.objects.count(), Role.objects.count()) == (users, roles)


def test_empty_sign_up_lists_every_missing_answer_in_the_summary(page: Page) -> None:
    page.goto("/sign-up/")
    page.get_by_role("button", name="Create account").click()

    links = page.locator(".govuk-error-summary__list a")
    expect(links).to_have_text([
        "Enter your full name", "Enter your email address",
        "Enter your postcode or choose your neighbourhood", "Enter a password",
    ])


def test_error_summary_link_moves_focus_to_the_field_it_names(page: Page) -> None:
    fill_sign_up(page, NEW_RESIDENT | {"Postcode": "ZZ9 9ZZ"})

    page.locator(".govuk-error-summary").get_by_role("link").click()

    expect(page.get_by_label("Postcode", exact=True)).to_be_focused()


def test_demo_resident_signs_in_and_sees_their_verified_role(sign_in: Callable[[str], Page]) -> None:
    page = sign_in(RESIDENT)

    expect(page.get_by_role("table")).to_contain_text("Abbey Fields")
    expect(page.get_by_role("table")).to_contain_text("Verified")


def test_sign_in_with_a_wrong_password_shows_the_error_summary(page: Page) -> None:
    page.goto("/sign-in/")
    page.get_by_label("Email address").fill(RESIDENT)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the email address and password of an existing account"
    )
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_signing_out_ends_the_session(sign_in: Callable[[str], Page]) -> None:
    page = sign_in(RESIDENT)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("navigation", name="Menu").get_by_role("link", name="Sign in")).to_be_visible()

    page.goto("/account/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_sign_up_works_without_javascript(no_js_page: Page) -> None:
    fill_sign_up(no_js_page, NEW_RESIDENT)

    expect(no_js_page.get_by_role("table")).to_contain_text("Waiting for an officer to verify")
    assert User.objects.filter(email="tess@example.net").exists()


def test_sign_up_errors_show_without_javascript(no_js_page: Page) -> None:
    fill_sign_up(no_js_page, NEW_RESIDENT | {"Postcode": "ZZ9 9ZZ"})

    expect(no_js_page.locator(".govuk-error-summary").get_by_role("link")).to_have_attribute(
        "href", "#id_postcode"
    )
    assert not User.objects.filter(email="tess@example.net").exists()


def test_sign_in_and_out_work_without_javascript(no_js_page: Page) -> None:
    no_js_page.goto("/sign-in/")
    no_js_page.get_by_label("Email address").fill(RESIDENT)
    no_js_page.get_by_label("Password").fill(DEMO_PASSWORD)
    no_js_page.get_by_role("button", name="Sign in").click()
    expect(no_js_page.get_by_role("heading", name="Your account")).to_be_visible()

    no_js_page.get_by_role("button", name="Sign out").click()

    expect(no_js_page.get_by_role("heading", name="Local services, national floors")).to_be_visible()
