"""Most-advantageous-tender scoring with social value: price, quality and social value, as plain data.

Each bid earns points out of 100:

    total = w_price · price_score + w_quality · quality_score + w_social · social_score

with the weights in percent summing to 100 and the social-value weight at least the floor (10% in
the UK's Procurement Policy Note 06/20, "Taking account of social value in the award of central
government contracts"; an area may set a higher floor, never a lower one). Each score is in 0..1:

- price, relative to the lowest price:   lowest / price              (the usual ratio method)
- price, relative to the budget:         max(0, 1 − price / (2 · budget))
  (half marks at the budget; independent of the other bids, so adding a bid never reorders others)
- quality: the bid's moderated score over the best bid's moderated score
- social value: a blend of the £ proxy value of the bid's commitments over the best proxy value
  (the National TOMs idea of measures with proxy values) and the qualitative social-value score
  over the best one, `proxy_share` of it from the proxy values.

Totals are computed with exact fractions, because the ranking decides who wins public money; they
are rounded only for display. Ties on the exact total are broken, in order, by more social-value
points, more quality points, the lower price, the earlier receipt and finally the bid's id.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

NATIONAL_SOCIAL_VALUE_FLOOR = 10  # percent, PPN 06/20
SCORE_SCALE = 100  # evaluators score quality and social value out of 100
# Evaluators whose scores for one bid differ by more than this must meet and moderate.
MODERATION_SPREAD = 20

Number = int | float | Decimal | Fraction


class PriceMethod(StrEnum):
    LOWEST = "lowest"  # relative to the lowest price bid
    BUDGET = "budget"  # relative to the tender's budget


class ScoringError(ValueError):
    """Input the scoring refuses; `field` names what to correct."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class Weights:
    """Percentages of the 100 points for price, quality and social value."""

    price: int
    quality: int
    social_value: int


@dataclass(frozen=True)
class Bid:
    """One bid as scoring sees it. `received` orders bids for the last tie-break (smaller is earlier)."""

    id: str
    price: Decimal
    quality: Fraction  # moderated quality score, 0..100
    social_value_proxy: Decimal  # £ proxy value of the social-value commitments
    social_value_quality: Fraction  # moderated qualitative social-value score, 0..100
    received: float = 0.0


@dataclass(frozen=True)
class Line:
    """One bid's breakdown: each score in 0..1, each criterion's points, the total and the rank."""

    bid: str
    price: Decimal
    price_score: Fraction
    quality_score: Fraction
    proxy_score: Fraction
    social_quality_score: Fraction
    social_score: Fraction
    price_points: Fraction
    quality_points: Fraction
    social_points: Fraction
    total: Fraction
    rank: int
    tied_on_total: bool  # another bid has exactly the same total; the tie-break decided the order

    def rounded(self, places: int = 2) -> dict[str, float]:
        """The points as a reader sees them."""
        return {
            "price": round(float(self.price_points), places),
            "quality": round(float(self.quality_points), places),
            "social_value": round(float(self.social_points), places),
            "total": round(float(self.total), places),
        }


@dataclass(frozen=True)
class Scoring:
    lines: tuple[Line, ...]  # best first
    method: PriceMethod
    weights: Weights

    @property
    def winner(self) -> Line:
        return self.lines[0]

    @property
    def tie_broken(self) -> bool:
        return len(self.lines) > 1 and self.lines[0].tied_on_total


def check_weights(weights: Weights, floor: int = NATIONAL_SOCIAL_VALUE_FLOOR) -> None:
    """Refuse weights that do not sum to 100, are negative, or give social value less than the floor."""
    for name in ("price", "quality", "social_value"):
        value = getattr(weights, name)
        if not isinstance(value, int) or value < 0:
            raise ScoringError(f"{name}_weight", f"Enter the {name.replace('_', ' ')} weight as a whole "
                                                 "number of percent, like 30")
    total = weights.price + weights.quality + weights.social_value
    if total != 100:
        raise ScoringError("price_weight", f"The weights must add up to 100%; they add up to {total}%")
    floor = max(floor, NATIONAL_SOCIAL_VALUE_FLOOR)
    if weights.social_value < floor:
        raise ScoringError(
            "social_value_weight", f"Give social value a weight of at least {floor}%, the floor for this area"
        )


def check_price(price: Number, field: str = "price") -> Decimal:
    """A price as an exact positive Decimal, or a ScoringError naming the field."""
    try:
        value = Decimal(str(price)) if not isinstance(price, Decimal) else price
    except ArithmeticError:
        value = Decimal("NaN")
    if not value.is_finite() or value <= 0:
        raise ScoringError(field, "Enter the price in pounds as a positive number, like 125000")
    return value


def moderated_score(scores: Sequence[Number], moderated: Number | None = None) -> Fraction:
    """The score a bid carries: the moderated one where evaluators agreed one, else their mean."""
    if moderated is not None:
        return _in_scale(moderated, "moderated score")
    if not scores:
        raise ScoringError("score", "Every bid needs at least one evaluator's score before scoring")
    values = [_in_scale(s, "score") for s in scores]
    return sum(values, Fraction(0)) / len(values)


def needs_moderation(scores: Sequence[Number]) -> bool:
    """Whether evaluators' scores are far enough apart that they must meet and agree one."""
    return len(scores) > 1 and max(scores) - min(scores) > MODERATION_SPREAD


def price_scores(
    prices: Sequence[Decimal], method: PriceMethod, budget: Decimal | None = None
) -> list[Fraction]:
    """Each price's score in 0..1 by the chosen method (see the module docstring)."""
    exact = [Fraction(check_price(p)) for p in prices]
    if method is PriceMethod.LOWEST:
        lowest = min(exact)
        return [lowest / p for p in exact]
    if budget is None:
        raise ScoringError("budget", "Enter the budget in pounds to score prices against it")
    whole = Fraction(check_price(budget, "budget"))
    return [max(Fraction(0), 1 - p / (2 * whole)) for p in exact]


def relative_to_best(values: Sequence[Fraction]) -> list[Fraction]:
    """Each value over the best one; all zero when the best is zero."""
    best = max(values, default=Fraction(0))
    return [v / best if best > 0 else Fraction(0) for v in values]


def score_bids(
    bids: Sequence[Bid],
    weights: Weights,
    *,
    method: PriceMethod = PriceMethod.LOWEST,
    budget: Decimal | None = None,
    proxy_share: int = 50,
    floor: int = NATIONAL_SOCIAL_VALUE_FLOOR,
) -> Scoring:
    """Score and rank the bids for one lot, best first, with a full breakdown per bid."""
    check_weights(weights, floor)
    if not bids:
        raise ScoringError("bids", "There are no bids to score")
    if not 0 <= proxy_share <= 100:
        raise ScoringError("proxy_share", "Enter the share of social value from proxy values, 0 to 100")
    if len({bid.id for bid in bids}) != len(bids):
        raise ScoringError("bids", "Each bid must have its own id")
    for bid in bids:
        _in_scale(bid.quality, "quality score")
        _in_scale(bid.social_value_quality, "social value score")
        proxy = Decimal(bid.social_value_proxy)
        if not proxy.is_finite() or proxy < 0:
            raise ScoringError("social_value_proxy", "Social value commitments cannot be worth less than £0")
    price = price_scores([bid.price for bid in bids], method, budget)
    quality = relative_to_best([Fraction(bid.quality) for bid in bids])
    proxy = relative_to_best([Fraction(Decimal(bid.social_value_proxy)) for bid in bids])
    social_quality = relative_to_best([Fraction(bid.social_value_quality) for bid in bids])
    share = Fraction(proxy_share, 100)
    rows = []
    for index, bid in enumerate(bids):
        social = share * proxy[index] + (1 - share) * social_quality[index]
        points = (
            price[index] * weights.price, quality[index] * weights.quality, social * weights.social_value
        )
        rows.append((bid, price[index], quality[index], proxy[index], social_quality[index], social, points))
    rows.sort(key=_tie_break_key)
    totals = [sum(row[6], Fraction(0)) for row in rows]
    lines = tuple(
        Line(
            bid=bid.id,
            price=Decimal(bid.price),
            price_score=p,
            quality_score=q,
            proxy_score=x,
            social_quality_score=sq,
            social_score=s,
            price_points=points[0],
            quality_points=points[1],
            social_points=points[2],
            total=totals[rank],
            rank=rank + 1,
            tied_on_total=totals.count(totals[rank]) > 1,
        )
        for rank, (bid, p, q, x, sq, s, points) in enumerate(rows)
    )
    return Scoring(lines=lines, method=method, weights=weights)


def _tie_break_key(row: tuple) -> tuple:
    bid, *_, points = row
    total = sum(points, Fraction(0))
    # The published tie-break: total, then social value, then quality, then price, then receipt.
    return (-total, -points[2], -points[1], Fraction(Decimal(bid.price)), bid.received, bid.id)


def _in_scale(score: Number, what: str) -> Fraction:
    try:
        value = Fraction(Decimal(str(score))) if isinstance(score, float) else Fraction(score)
    except (TypeError, ValueError, ArithmeticError):
        raise ScoringError("score", f"Enter the {what} as a number from 0 to {SCORE_SCALE}") from None
    if isinstance(score, float) and not math.isfinite(score):
        raise ScoringError("score", f"Enter the {what} as a number from 0 to {SCORE_SCALE}")
    if not 0 <= value <= SCORE_SCALE:
        raise ScoringError("score", f"Enter the {what} as a number from 0 to {SCORE_SCALE}")
    return value
