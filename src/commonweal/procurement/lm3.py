"""LM3, the local multiplier over three rounds of spending, as plain data.

From Sacks, *The Money Trail* (New Economics Foundation, 2002), as used by CLES:

    round 1 (R1) = the contract's value, paid to the supplier
    round 2 (R2) = what the supplier spends locally: with local suppliers and on local staff
    round 3 (R3) = what those local suppliers and staff re-spend locally in turn
    LM3          = (R1 + R2 + R3) / R1

Round 3 is estimated from a sample of round-2 recipients, as the method allows: the sample's local
re-spend rate (what they spent locally over what they received from the supplier) times R2. An area's
LM3 is the value-weighted one, the sum of all three rounds over the sum of round 1, so a large
contract counts for more than a small one. Money is exact Decimal throughout.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal


class Lm3Error(ValueError):
    """A survey the method cannot use; `field` names what to correct."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class Respend:
    """One sampled round-2 recipient: what it received from the supplier and re-spent locally."""

    received: Decimal
    spent_locally: Decimal


@dataclass(frozen=True)
class SpendSurvey:
    contract_value: Decimal
    local_supplier_spend: Decimal
    local_staff_spend: Decimal
    sample: tuple[Respend, ...] = ()


@dataclass(frozen=True)
class Lm3:
    round1: Decimal
    round2: Decimal
    round3: Decimal
    respend_rate: Decimal  # share of round 2 re-spent locally, from the sample (0 when unsampled)
    sampled: int  # how many round-2 recipients the estimate rests on

    @property
    def value(self) -> Decimal:
        """LM3 = (R1 + R2 + R3) / R1; 1 means nothing stayed local beyond the first payment."""
        return (self.round1 + self.round2 + self.round3) / self.round1

    @property
    def local_value(self) -> Decimal:
        """£ generated locally by the contract beyond round 1: R2 + R3."""
        return self.round2 + self.round3


def respend_rate(sample: Sequence[Respend]) -> Decimal:
    """Sampled recipients' local re-spend over what they received; 0 when nobody was sampled."""
    received = sum((r.received for r in sample), Decimal(0))
    spent = sum((r.spent_locally for r in sample), Decimal(0))
    return spent / received if received > 0 else Decimal(0)


def lm3(survey: SpendSurvey) -> Lm3:
    """The LM3 of one contract from its supplier's spend survey."""
    r1 = _money(survey.contract_value, "contract_value")
    if r1 <= 0:
        raise Lm3Error("contract_value", "Enter the contract value in pounds, more than 0")
    suppliers = _money(survey.local_supplier_spend, "local_supplier_spend")
    staff = _money(survey.local_staff_spend, "local_staff_spend")
    r2 = suppliers + staff
    if r2 > r1:
        raise Lm3Error(
            "local_supplier_spend",
            "Local spend on suppliers and staff cannot be more than the contract value (round 1)",
        )
    for line, recipient in enumerate(survey.sample, start=1):
        received = _money(recipient.received, "received", line)
        spent = _money(recipient.spent_locally, "spent_locally", line)
        if received <= 0:
            raise Lm3Error("sample", f"Line {line}: enter what the recipient received, more than £0")
        if spent > received:
            raise Lm3Error("sample", f"Line {line}: local re-spend cannot be more than what was received")
    rate = respend_rate(survey.sample)
    return Lm3(round1=r1, round2=r2, round3=r2 * rate, respend_rate=rate, sampled=len(survey.sample))


def area_lm3(results: Iterable[Lm3]) -> Lm3 | None:
    """The value-weighted LM3 across contracts: every round summed; None when there are none."""
    results = list(results)
    if not results:
        return None
    r1 = sum((r.round1 for r in results), Decimal(0))
    r2 = sum((r.round2 for r in results), Decimal(0))
    r3 = sum((r.round3 for r in results), Decimal(0))
    return Lm3(
        round1=r1,
        round2=r2,
        round3=r3,
        respend_rate=r3 / r2 if r2 > 0 else Decimal(0),
        sampled=sum(r.sampled for r in results),
    )


def _money(value: Decimal | int | str, field: str, line: int | None = None) -> Decimal:
    try:
        amount = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except ArithmeticError:
        amount = Decimal("NaN")
    if not amount.is_finite() or amount < 0:
        where = f"Line {line}: enter" if line else "Enter"
        raise Lm3Error("sample" if line else field, f"{where} {field.replace('_', ' ')} in pounds, "
                                                    "0 or more, like 12500")
    return amount
