"""Money as residents read it, in the process's currency: £25,000, €6,666.67, PLN 1,200,000."""

from __future__ import annotations

from fractions import Fraction

# Currencies whose sign a reader here knows; any other is written as its ISO 4217 code.
SIGNS = {"GBP": "£", "EUR": "€", "USD": "$"}


def money(amount: Fraction | int | float | None, currency: str) -> str:
    """An amount with its currency's sign or code, in whole units, or to the cent where an exact
    share is not whole (an equal-shares price)."""
    if amount is None:
        return "–"
    exact = Fraction(amount)
    number = f"{int(exact):,}" if exact.denominator == 1 else f"{float(exact):,.2f}"
    sign = SIGNS.get(currency)
    return f"{sign}{number}" if sign else f"{currency} {number}"
