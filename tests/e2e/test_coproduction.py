"""A resident joins an activity, logs time, the organiser confirms it, the credit is spent, and the partner's
staff use the voucher."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from commonweal.coproduction.models import Activity, Offer, Partner, Transaction
from commonweal.places.demo import DEMO_PASSWORD
from commonweal.places.models import Area, Service, User

BASE = "/areas/E06000999/co-production"


@pytest.fixture
def reading_helpers() -> Activity:
    borough = Area.objects.get(code="E06000999")
    return Activity.objects.create(
        area=borough,
        service=Service.objects.get(slug="school-readiness"),
        title="Reading helpers",
        description="Read with reception children.",
        involvement="deliver",
        when="Weekday mornings",
        where="Brookside primary school",
        organiser=User.objects.get(email="officer@example.org"),
    )


@pytest.fixture
def swim() -> Offer:
    partner = Partner.objects.create(area=Area.objects.get(code="E06000999"), name="Vale Leisure Centre")
    till = User.objects.create_user(email="till@example.org", full_name="Tia Till", password=DEMO_PASSWORD)
    partner.staff.add(till)
    return Offer.objects.create(partner=partner, title="A swim", price=100)


def test_time_given_becomes_a_credit_that_is_spent_on_an_offer_and_used_at_the_partner(
    sign_in: Callable[[str], Page],
    page_for: Callable[[str], Page],
    assert_accessible: Callable[[Page], None],
    reading_helpers: Activity,
    swim: Offer,
) -> None:
    resident = sign_in("resident@example.org")
    resident.goto(f"{BASE}/activities/{reading_helpers.pk}/")
    resident.get_by_role("button", name="Join this activity").click()
    expect(resident.get_by_role("alert")).to_contain_text("You have joined Reading helpers.")

    resident.get_by_role("link", name="Log time you gave").click()
    resident.get_by_label("Hours given").fill("2")
    yesterday = (date.today() - timedelta(days=1)).strftime("%d/%m/%Y")
    resident.get_by_label("Date you gave the time").fill(yesterday)
    resident.get_by_role("button", name="Log the time").click()
    expect(resident.get_by_role("alert")).to_contain_text("You logged 2 hours at Reading helpers")
    expect(resident.locator("#balance")).to_have_text("0 credits")

    organiser = page_for("officer@example.org")
    organiser.goto(f"{BASE}/confirm/")
    organiser.get_by_role("link", name=re.compile("Confirm or decline Rita Resident")).click()
    organiser.get_by_label("Yes, confirm it and issue the credits").check()
    organiser.get_by_role("button", name="Save the decision").click()
    expect(organiser.get_by_role("alert")).to_contain_text("Confirmed: Rita Resident has 2 credits")

    resident.goto(f"{BASE}/statement/")
    expect(resident.locator("#balance")).to_have_text("2 credits")
    expect(resident.get_by_role("table").first).to_contain_text("+2 credits")

    resident.goto(f"{BASE}/offers/")
    resident.get_by_role("link", name="Spend credits on A swim").click()
    resident.get_by_role("button", name="Spend the credits").click()
    expect(resident.get_by_role("alert")).to_contain_text("Your voucher code is")
    expect(resident.locator("#balance")).to_have_text("1 credit")
    voucher = Transaction.objects.get(kind="redemption").voucher
    expect(resident.get_by_role("table").first).to_contain_text(f"(voucher {voucher}, not used yet)")

    till = page_for(swim.partner.staff.get().email)
    till.goto(f"{BASE}/")
    till.get_by_role("link", name="Vouchers at Vale Leisure Centre").click()
    expect(till.locator("#vouchers")).to_contain_text("Not used yet")
    till.get_by_label("Voucher code").fill(voucher.lower())
    till.get_by_role("button", name="Use the voucher").click()
    expect(till.get_by_role("alert")).to_contain_text(f"Voucher {voucher} for A swim is now used.")
    till.get_by_label("Voucher code").fill(voucher)
    till.get_by_role("button", name="Use the voucher").click()
    expect(till.locator(".govuk-error-summary")).to_contain_text(f"Voucher {voucher} was already used on")
    assert_accessible(till)

    resident.reload()
    expect(resident.get_by_role("table").first).to_contain_text(f"(voucher {voucher}, used on ")


def test_bad_hours_show_the_error_summary_linked_to_the_field(
    sign_in: Callable[[str], Page], reading_helpers: Activity
) -> None:
    resident = sign_in("resident@example.org")
    resident.goto(f"{BASE}/activities/{reading_helpers.pk}/")
    resident.get_by_role("button", name="Join this activity").click()
    resident.get_by_role("link", name="Log time you gave").click()
    resident.get_by_label("Hours given").fill("0.1")
    resident.get_by_label("Date you gave the time").fill("1/1/2026")
    resident.get_by_role("button", name="Log the time").click()
    summary = resident.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter at least a quarter of an hour, like 0.25")
    summary.get_by_role("link").click()
    expect(resident.get_by_label("Hours given")).to_be_focused()


PAGES = {
    "area dashboard": (f"{BASE}/", None),
    "service dashboard": (f"{BASE}/services/gp-access/", None),
    "statement": (f"{BASE}/statement/", "resident@example.org"),
    "confirmation queue": (f"{BASE}/confirm/", "organiser@example.org"),
    "log time": (f"{BASE}/log-time/", "resident@example.org"),
    "offers": (f"{BASE}/offers/", "resident@example.org"),
    "give": (f"{BASE}/give/", "resident@example.org"),
    "publish an activity": (f"{BASE}/activities/new/", "officer@example.org"),
    "grant from the pot": (f"{BASE}/grant/", "officer@example.org"),
}


@pytest.mark.parametrize(("path", "person"), PAGES.values(), ids=PAGES.keys())
def test_coproduction_page_has_no_serious_or_critical_accessibility_violation(
    page: Page,
    sign_in: Callable[[str], Page],
    assert_accessible: Callable[[Page], None],
    path: str,
    person: str | None,
) -> None:
    from commonweal.coproduction.demo import load_coproduction_demo

    load_coproduction_demo()
    if person:
        sign_in(person)
    response = page.goto(path)
    assert response is not None and response.ok
    assert_accessible(page)
