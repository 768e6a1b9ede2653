"""Money as residents read it: £25,000, or £6,666.67 where an exact share is not whole pounds."""

from fractions import Fraction

from django import template

register = template.Library()


@register.filter
def pounds(value: Fraction | int | float | None) -> str:
    if value is None:
        return "–"
    amount = Fraction(value)
    if amount.denominator == 1:
        return f"£{int(amount):,}"
    return f"£{float(amount):,.2f}"


@register.filter
def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}%"
