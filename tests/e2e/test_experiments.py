"""An officer registers a local experiment, evaluates it and reads the verdict; axe on every page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from commonweal.experiments.demo import load_experiments_demo
from commonweal.experiments.models import Application, ChallengeRound, Experiment, Fund
from commonweal.places.models import Area


@pytest.fixture
def experiments(demo) -> None:
    """The demo experiments (unevaluated) with two dozen more authorities in the region to compare with."""
    south_west = Area.objects.get(code="E12000009")
    Area.objects.bulk_create(
        Area(
            code=f"E0600{2000 + i}",
            name=f"Comparetown {i}",
            kind=Area.Kind.AUTHORITY,
            parent=south_west,
            population=120_000,
            deprivation_decile=1 + i % 10,
        )
        for i in range(24)
    )
    load_experiments_demo(evaluate=False)


def test_an_officer_registers_evaluates_and_reads_the_verdict(
    sign_in: Callable[[str], Page], assert_accessible: Callable[[Page], None], experiments: None
) -> None:
    page = sign_in("officer@example.org")
    page.goto("/areas/E06000999/")
    page.get_by_role("link", name="Local experiments in Thornbury Vale").click()
    page.get_by_role("link", name="Register an experiment in Thornbury Vale").click()

    page.get_by_label("Name of the experiment").fill("Reading clubs in every branch")
    page.get_by_label("Standard it should move").select_option(
        label="Libraries: Residents within two miles of a library open 30 hours a week"
    )
    page.get_by_label("What changed").fill("Weekly reading clubs in all four branches.")
    page.get_by_label("What you expect to happen, and why").fill("More residents will use a library.")
    page.get_by_label("First period under the change").fill("2020-21")
    page.get_by_label("Evaluate once this period is measured").fill("2024-25")
    page.get_by_label("Authorities in the same region").check()
    page.get_by_role("button", name="Register the experiment").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Reading clubs in every branch is on the public register."
    )

    page.get_by_role("button", name="Evaluate the experiment").click()
    expect(page.locator("#evaluation-progress")).to_contain_text("The evaluation is queued")
    assert_accessible(page)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    page.get_by_role("link", name="Refresh the page").click()
    expect(page.locator("#verdict")).to_contain_text("rose by")
    expect(page.locator("#verdict")).to_contain_text("comparable places, so it is unlikely to be chance")
    expect(page.get_by_role("img", name="Thornbury Vale against its synthetic comparison")).to_be_visible()
    expect(page.locator("#trajectory-table")).to_contain_text("2024-25")


def test_a_period_without_measurements_is_named_in_the_error_summary(
    sign_in: Callable[[str], Page], experiments: None
) -> None:
    page = sign_in("officer@example.org")
    page.goto("/areas/E06000999/experiments/new/")
    page.get_by_role("button", name="Register the experiment").click()

    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a name for the experiment")
    assert not Experiment.objects.filter(area__code="E06000999", title="").exists()


def experiment_path() -> str:
    return f"/experiments/{Experiment.objects.get(area__code='E06000999', title__startswith='Libraries').pk}/"


def round_path(title: str) -> str:
    return f"/innovation-fund/rounds/{ChallengeRound.objects.get(title=title).pk}/"


def council_bid() -> Application:
    return Application.objects.get(organisation="Thornbury Vale Council")


PAGES: dict[str, tuple[Callable[[], str], str | None, bool]] = {
    "register": (lambda: "/experiments/", None, False),
    "experiment": (experiment_path, None, True),
    "library": (lambda: "/what-works/", None, True),
    "new": (lambda: "/areas/E06000999/experiments/new/", "officer@example.org", False),
    "adopt": (lambda: experiment_path() + "adopt/", "officer.ashcombe@example.org", False),
    "funds": (lambda: "/innovation-fund/", None, False),
    "fund": (lambda: f"/innovation-fund/{Fund.objects.get(area__code='E92000001').pk}/", None, False),
    "awarded round": (lambda: round_path("Closing the library gap"), None, False),
    "open round": (lambda: round_path("Ideas for youth services"), "officer@example.org", False),
    "apply": (lambda: round_path("Ideas for youth services") + "apply/", "resident@example.org", False),
    "panel": (
        lambda: f"/innovation-fund/applications/{council_bid().pk}/",
        "steward@example.org",
        False,
    ),
}


@pytest.mark.parametrize(("path", "person", "evaluated"), PAGES.values(), ids=PAGES.keys())
def test_experiments_page_has_no_serious_or_critical_accessibility_violation(
    page: Page,
    sign_in: Callable[[str], Page],
    assert_accessible: Callable[[Page], None],
    experiments: None,
    path,
    person,
    evaluated,
) -> None:
    if evaluated:
        load_experiments_demo()
    if person:
        sign_in(person)
    response = page.goto(path())
    assert response is not None and response.ok
    assert_accessible(page)
