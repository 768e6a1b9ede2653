"""The periods a measurement can be for, written one way each so that they sort as text."""

from __future__ import annotations

import re
from dataclasses import dataclass

FINANCIAL_YEAR = "financial year"
CALENDAR_YEAR = "calendar year"
QUARTER = "quarter"

ACCEPTED = "a financial year like 2024-25, a calendar year like 2024, or a quarter like 2025-Q1"

_FINANCIAL = re.compile(r"(\d{4})\s*[-/]\s*(\d{2}|\d{4})")
_CALENDAR = re.compile(r"\d{4}")
_QUARTER = re.compile(r"(\d{4})\s*[-/ ]?\s*Q([1-4])", re.IGNORECASE)
# Years outside this range are typing slips (2204-05), not data anyone holds.
FIRST_YEAR, LAST_YEAR = 1900, 2100


@dataclass(frozen=True)
class Period:
    """A period in its one written form ("2024-25", "2024", "2025-Q1") and its kind."""

    text: str
    kind: str

    def __str__(self) -> str:
        return self.text


def parse_period(written: str) -> Period:
    """The period `written` names; ValueError with a message to show the person if it names none.

    2024-25, 2024/25 and 2024-2025 are the same financial year and are stored as 2024-25; quarters
    are stored as 2025-Q1. Months are refused because 2011-12 could be a month or a year.
    """
    text = written.strip()
    if not text:
        raise ValueError(f"Enter the period, as {ACCEPTED}")
    if match := _QUARTER.fullmatch(text):
        year = _year(match.group(1), text)
        return Period(f"{year}-Q{match.group(2)}", QUARTER)
    if match := _FINANCIAL.fullmatch(text):
        year = _year(match.group(1), text)
        second = match.group(2)
        following = str(year + 1)
        if second not in (following, following[2:]):
            raise ValueError(
                f"Enter a financial year whose second year follows the first, like {year}-{following[2:]}: "
                f"'{text}' does not"
            )
        return Period(f"{year}-{following[2:]}", FINANCIAL_YEAR)
    if _CALENDAR.fullmatch(text):
        return Period(str(_year(text, text)), CALENDAR_YEAR)
    raise ValueError(f"Enter the period as {ACCEPTED}: '{text}' is none of these")


def kind_of(text: str) -> str | None:
    """The kind of a stored period, or None if it was stored some other way."""
    try:
        return parse_period(text).kind
    except ValueError:
        return None


def _year(digits: str, text: str) -> int:
    year = int(digits)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"Enter a period between {FIRST_YEAR} and {LAST_YEAR}: '{text}' is outside it")
    return year
