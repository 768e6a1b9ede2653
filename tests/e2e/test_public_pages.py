"""The public pages anyone can read: home, areas, neighbourhoods, standards."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

SERVICES = 8
AUTHORITIES = 4  # Thornbury Vale and its three comparators


def test_home_page_links_to_the_demo_borough(page: Page) -> None:
    page.goto("/")

    page.get_by_role("link", name="Thornbury Vale").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thornbury Vale")


def test_area_page_shows_every_service_against_its_floor(page: Page) -> None:
    page.goto("/areas/E06000999/")

    services = page.get_by_role("table", name="Latest measurement of each service in Thornbury Vale")
    rows = services.locator("tbody tr")
    expect(rows).to_have_count(SERVICES)
    expect(rows.filter(has_text="GP access")).to_contain_text(re.compile(r"at least 85 ?%"))
    expect(rows.locator(".govuk-tag")).to_have_count(SERVICES)


def test_area_page_lists_its_twelve_neighbourhoods(page: Page) -> None:
    page.goto("/areas/E06000999/")

    neighbourhoods = page.locator("table", has=page.get_by_role("columnheader", name="Deprivation decile"))
    expect(neighbourhoods.locator("tbody tr")).to_have_count(12)


def test_neighbourhood_page_is_reached_from_its_authority_and_leads_back(page: Page) -> None:
    page.goto("/areas/E06000999/")

    page.get_by_role("link", name="Castle Hill").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Castle Hill")
    expect(page.get_by_text("Neighbourhood · E02999003")).to_be_visible()
    breadcrumbs = page.get_by_role("navigation", name="Breadcrumb")
    expect(breadcrumbs.get_by_role("link", name="Thornbury Vale")).to_be_visible()


def test_neighbourhood_page_shows_its_own_services_against_the_floor(page: Page) -> None:
    page.goto("/areas/E02999003/")

    services = page.get_by_role("table", name="Latest measurement of each service in Castle Hill")
    expect(services.locator("tbody tr")).to_have_count(SERVICES)


def test_unknown_area_is_not_found(page: Page) -> None:
    response = page.goto("/areas/E99999999/")

    assert response is not None and response.status == 404


def test_standards_list_shows_one_floor_per_service(page: Page) -> None:
    page.goto("/standards/")

    rows = page.get_by_role("table", name="One floor for each service").locator("tbody tr")
    expect(rows).to_have_count(SERVICES)
    expect(rows.filter(has_text="Street cleaning")).to_contain_text(re.compile(r"at most 10 ?%"))


def test_standard_page_shows_the_floor_and_which_authorities_meet_it(page: Page) -> None:
    page.goto("/standards/gp-access/")

    expect(page.get_by_role("heading", level=1)).to_have_text("GP access")
    expect(page.locator(".govuk-summary-list")).to_contain_text(re.compile(r"At least 85 ?%"))
    authorities = page.get_by_role("table", name="Latest measurement of each authority", exact=False)
    expect(authorities.locator("tbody tr")).to_have_count(AUTHORITIES)
    expect(authorities).to_contain_text("Thornbury Vale")


def test_standard_page_says_when_the_floor_has_never_changed(page: Page) -> None:
    page.goto("/standards/gp-access/")

    expect(page.get_by_text("The floor has not changed since it was set.")).to_be_visible()


def test_visitors_are_not_offered_the_change_floor_button(page: Page) -> None:
    page.goto("/standards/gp-access/")

    expect(page.get_by_role("link", name="Change the floor")).to_have_count(0)


def test_public_pages_work_without_javascript(no_js_page: Page) -> None:
    no_js_page.goto("/")
    no_js_page.get_by_role("link", name="Thornbury Vale").click()
    no_js_page.get_by_role("link", name="GP access").click()

    expect(no_js_page.get_by_role("heading", level=1)).to_have_text("GP access")
