"""Money and shares as residents read them: `{{ line.cost|money:process.currency }}` gives £25,000."""

from fractions import Fraction

from django import template

from commonweal.budgeting import money as formatting

register = template.Library()


@register.filter
def money(value: Fraction | int | float | None, currency: str) -> str:
    return formatting.money(value, currency)


@register.filter
def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}%"
