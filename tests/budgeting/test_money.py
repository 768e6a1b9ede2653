"""Money in a process's currency: a sign for the currencies residents here know, else the code."""

from fractions import Fraction

import pytest
from django.template import Context, Template

from commonweal.budgeting.money import money


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (25_000, "GBP", "£25,000"),
        (1_200_000, "EUR", "€1,200,000"),
        (999, "USD", "$999"),
        (1_200_000, "PLN", "PLN 1,200,000"),
        (Fraction(20_000, 3), "GBP", "£6,666.67"),
        (Fraction(20_000, 3), "CZK", "CZK 6,666.67"),
        (0, "EUR", "€0"),
        (None, "PLN", "–"),
    ],
)
def test_money_shows_the_currency_and_thousands_separators(amount, currency, shown) -> None:
    assert money(amount, currency) == shown


def test_money_filter_takes_the_currency_as_its_argument() -> None:
    template = Template("{% load money %}{{ cost|money:currency }}")
    assert template.render(Context({"cost": 1_500_000, "currency": "PLN"})) == "PLN 1,500,000"
