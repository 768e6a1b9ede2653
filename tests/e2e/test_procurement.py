"""An officer publishes a tender, enters and scores bids, awards it, and the public sees the breakdown;
axe on every procurement page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from commonweal.procurement.models import Tender

BASE = "/areas/E06000999/procurement"


@pytest.fixture(autouse=True)
def procurement_demo(demo) -> None:
    from commonweal.procurement.demo import load_procurement_demo

    load_procurement_demo()


def test_tender_to_bids_to_scoring_to_award_to_public_page(
    sign_in: Callable[[str], Page], page_for: Callable[[str], Page], no_js_page: Page
) -> None:
    officer = sign_in("officer@example.org")
    officer.goto(f"{BASE}/")
    officer.get_by_role("link", name="Publish a tender").click()
    officer.get_by_label("Title", exact=True).fill("Library outreach")
    officer.get_by_label("What is being bought").fill("Taking the library to housebound readers.")
    officer.get_by_label("Budget", exact=True).fill("120000")
    officer.get_by_label("Price weight (%)").fill("40")
    officer.get_by_label("Quality weight (%)").fill("40")
    officer.get_by_label("Social value weight (%)").fill("20")
    officer.get_by_label("CW-EMP", exact=False).check()
    officer.get_by_label("Deadline for bids").fill((date.today() + timedelta(days=14)).strftime("%d/%m/%Y"))
    officer.get_by_label("Lots", exact=True).fill("Whole borough")
    officer.get_by_role("button", name="Publish the tender").click()
    expect(officer.get_by_role("alert")).to_contain_text("Library outreach is published and open for bids.")

    for supplier, price, employed in (
        ("Vale Care Co-operative", "110000", "2"),
        ("National Care Group plc", "95000", ""),
    ):
        officer.get_by_role("link", name="Enter a bid").click()
        officer.get_by_label("Supplier").select_option(label=supplier)
        officer.get_by_label("Price", exact=True).fill(price)
        if employed:
            officer.get_by_label("CW-EMP", exact=False).fill(employed)
        officer.get_by_role("button", name="Enter the bid").click()
        expect(officer.get_by_role("alert")).to_contain_text(f"{supplier}'s bid")

    for supplier, quality, social in (
        ("Vale Care Co-operative", "80", "85"),
        ("National Care Group plc", "70", "40"),
    ):
        for criterion, score in (("Quality", quality), ("Social value", social)):
            officer.get_by_role("link", name=f"Score {supplier}'s bid").click()
            officer.get_by_label(criterion, exact=True).check()
            officer.get_by_label("Score out of 100").fill(score)
            officer.get_by_role("button", name="Save the score").click()
            expect(officer.get_by_role("alert")).to_contain_text("score for")

    # The deadline passes.
    Tender.objects.filter(title="Library outreach").update(deadline=timezone.now() - timedelta(minutes=1))
    officer.get_by_role("link", name="Score the bids and award").click()
    expect(officer.get_by_role("table")).to_contain_text("Vale Care Co-operative")
    officer.get_by_role("button", name="Award every lot to its best bid").click()
    expect(officer.get_by_role("alert")).to_contain_text("Awarded: Whole borough to Vale Care Co-operative.")

    no_js_page.goto(f"{BASE}/")
    no_js_page.get_by_role("link", name="Library outreach", exact=True).click()
    expect(no_js_page.locator("#status")).to_have_text("Awarded")
    no_js_page.get_by_role("link", name="See how every bid scored").click()
    table = no_js_page.get_by_role("table").first
    expect(table).to_contain_text("Vale Care Co-operative")
    expect(table).to_contain_text("National Care Group plc")


def test_weights_that_do_not_add_up_show_the_error_linked_to_the_field(
    sign_in: Callable[[str], Page],
) -> None:
    officer = sign_in("officer@example.org")
    officer.goto(f"{BASE}/tenders/new/")
    officer.get_by_label("Price weight (%)").fill("50")
    officer.get_by_label("Quality weight (%)").fill("40")
    officer.get_by_label("Social value weight (%)").fill("20")
    officer.get_by_role("button", name="Publish the tender").click()
    summary = officer.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The weights must add up to 100%; they add up to 110%")
    summary.get_by_role("link", name="The weights must add up").click()
    expect(officer.get_by_label("Price weight (%)")).to_be_focused()


def pages() -> dict[str, tuple[str, str | None]]:
    return {
        "dashboard": ("/", None),
        "suppliers": ("/suppliers/", None),
        "awarded tender": ("/tenders/{awarded}/", None),
        "award": ("/awards/{award}/", None),
        "compare": ("/compare/", None),
        "publish a tender": ("/tenders/new/", "officer@example.org"),
        "open tender (officer)": ("/tenders/{open}/", "officer@example.org"),
        "enter a bid": ("/tenders/{open}/bids/new/", "officer@example.org"),
        "score a bid": ("/tenders/{open}/bids/{bid}/evaluate/", "officer@example.org"),
        "moderate": ("/tenders/{open}/bids/{bid}/moderate/", "officer@example.org"),
        "score and award": ("/tenders/{open}/score/", "officer@example.org"),
        "delivery": ("/awards/{award}/delivery/", "officer@example.org"),
        "spend survey": ("/awards/{award}/lm3/", "officer@example.org"),
        "import OCDS": ("/ocds/import/", "officer@example.org"),
        "social-value floor": ("/policy/", "officer@example.org"),
    }


@pytest.mark.parametrize(("path", "person"), pages().values(), ids=pages().keys())
def test_procurement_page_has_no_serious_or_critical_accessibility_violation(
    page: Page,
    sign_in: Callable[[str], Page],
    assert_accessible: Callable[[Page], None],
    path: str,
    person: str | None,
) -> None:
    from commonweal.procurement.models import Award, Bid

    open_tender = Tender.objects.get(status="open")
    award = Award.objects.select_related("lot").order_by("pk").first()
    ids = {
        "awarded": award.lot.tender_id,
        "award": award.pk,
        "open": open_tender.pk,
        "bid": Bid.objects.filter(lot__tender=open_tender).first().pk,
    }
    if person:
        sign_in(person)
    response = page.goto(BASE + path.format(**ids))
    assert response is not None and response.ok
    assert_accessible(page)
