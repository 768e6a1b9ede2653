"""The knapsack ballot in a real browser: htmx keeps the money left up to date as boxes are ticked."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from commonweal.budgeting.demo import load_budgeting_demo


@pytest.fixture(autouse=True)
def budgets(demo) -> None:
    load_budgeting_demo()


def test_ticking_a_project_updates_the_money_left_without_a_page_load(sign_in: Callable[[str], Page]) -> None:
    page = sign_in("resident@example.org")
    page.goto("/areas/E06000999/budgets/2026/vote/")
    remaining = page.locator("#remaining")
    expect(remaining).to_contain_text("£250,000 left of £250,000")

    page.locator("input[name=project]").first.check()

    expect(remaining).not_to_contain_text("£250,000 left")
    expect(remaining).to_contain_text(re.compile(r"£[\d,]+ left of £250,000"))
    assert page.url.endswith("/vote/")
