"""Browser tests: Debian's Chromium, driven by Playwright, against pytest-django's live server.

The live server shares the test database, so every test here runs with a transactional
database (pytest-django arranges that for any test whose fixtures include live_server) and
starts from a freshly loaded demo place.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Page, expect

from commonweal.places.demo import DEMO_PASSWORD, DemoAccount

# A page passes the accessibility check when axe finds no violation of these impacts.
BLOCKING = {"serious", "critical"}


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    """Every page.goto("/...") in these tests is a path on the live server."""
    return live_server.url


@pytest.fixture(autouse=True)
def demo(demo_place: list[DemoAccount]) -> list[DemoAccount]:
    return demo_place


def sign_in_on(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the sign-in page, as a person would, and wait for the account page."""
    page.goto("/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()


@pytest.fixture
def sign_in(page: Page) -> Callable[[str], Page]:
    """Sign the test's page in as one of the demo accounts and return it."""

    def as_person(email: str) -> Page:
        sign_in_on(page, email)
        return page

    return as_person


@pytest.fixture
def page_for(new_context: Callable[..., BrowserContext]) -> Callable[[str], Page]:
    """A page in a browser context of its own, signed in as the given demo account."""

    def open_as(email: str) -> Page:
        page = new_context().new_page()
        sign_in_on(page, email)
        return page

    return open_as


@pytest.fixture
def no_js_page(new_context: Callable[..., BrowserContext]) -> Page:
    """A page in a browser that runs no JavaScript at all."""
    return new_context(java_script_enabled=False).new_page()


def describe(violations: list[dict]) -> str:
    """Each violation's rule, impact and help, then every element it was found on."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"    {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:160]}")
    return "\n".join(lines)


@pytest.fixture(scope="session")
def axe() -> Axe:
    """axe-core, as shipped inside axe-playwright-python: runs offline in the page."""
    return Axe()


@pytest.fixture
def blocking_violations(axe: Axe) -> Callable[[Page], list[dict]]:
    """The serious and critical axe violations on a page as it stands."""
    return lambda page: [v for v in axe.run(page).response["violations"] if v["impact"] in BLOCKING]


@pytest.fixture
def assert_accessible(blocking_violations: Callable[[Page], list[dict]]) -> Callable[[Page], None]:
    """Fail, listing rule, impact and elements, if axe finds a serious or critical violation."""

    def check(page: Page) -> None:
        blocking = blocking_violations(page)
        assert not blocking, f"axe-core on {page.url}:\n{describe(blocking)}"

    return check
