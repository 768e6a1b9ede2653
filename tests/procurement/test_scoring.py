"""Scoring with social value: hand-computed cases, the tie-break, refusals, and properties."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonweal.procurement.scoring import (
    Bid,
    PriceMethod,
    ScoringError,
    Weights,
    check_weights,
    moderated_score,
    needs_moderation,
    price_scores,
    score_bids,
)

WEIGHTS = Weights(price=40, quality=40, social_value=20)


def bid(id: str, price, quality, proxy, social, received: float = 0.0) -> Bid:
    return Bid(id, Decimal(price), Fraction(quality), Decimal(proxy), Fraction(social), received)


THREE = [
    bid("A", 100_000, 80, 20_000, 60),
    bid("B", 80_000, 60, 10_000, 90),
    bid("C", 125_000, 90, 30_000, 45),
]


def test_lowest_price_method_matches_the_hand_computed_breakdown() -> None:
    # A: price 80000/100000 = 0.8 -> 32; quality 80/90 -> 35.56; social (2/3 + 2/3)/2 -> 13.33
    # B: price 1 -> 40; quality 60/90 -> 26.67; social (1/3 + 1)/2 -> 13.33
    # C: price 0.64 -> 25.6; quality 1 -> 40; social (1 + 1/2)/2 -> 15
    result = score_bids(THREE, WEIGHTS, method=PriceMethod.LOWEST)
    by_bid = {line.bid: line for line in result.lines}
    assert by_bid["A"].total == Fraction(728, 9)
    assert by_bid["B"].total == Fraction(80)
    assert by_bid["C"].total == Fraction(806, 10)
    assert [line.bid for line in result.lines] == ["A", "C", "B"]
    assert result.winner.rounded() == {"price": 32.0, "quality": 35.56, "social_value": 13.33, "total": 80.89}
    assert not result.tie_broken


def test_budget_method_gives_half_marks_at_the_budget_and_ignores_other_bids() -> None:
    scores = price_scores([Decimal(100_000), Decimal(80_000), Decimal(120_000)], PriceMethod.BUDGET,
                          Decimal(120_000))
    assert scores == [Fraction(7, 12), Fraction(2, 3), Fraction(1, 2)]
    alone = price_scores([Decimal(100_000)], PriceMethod.BUDGET, Decimal(120_000))
    assert alone == [Fraction(7, 12)]


def test_budget_method_scores_zero_at_twice_the_budget_or_more() -> None:
    assert price_scores([Decimal(300)], PriceMethod.BUDGET, Decimal(100)) == [Fraction(0)]


def test_budget_method_changes_the_winner_in_this_case() -> None:
    result = score_bids(THREE, WEIGHTS, method=PriceMethod.BUDGET, budget=Decimal(120_000))
    # A: 40*7/12 + 320/9 + 40/3 = 72.22; B: 40*2/3 + 80/3 + 40/3 = 66.67; C: 40*23/48 + 40 + 15 = 74.17
    assert [line.bid for line in result.lines] == ["C", "A", "B"]
    assert result.winner.total == Fraction(40 * 23, 48) + 55


def test_equal_totals_go_to_the_bid_with_more_social_value_points() -> None:
    more_quality = bid("X", 1000, 100, 0, 50)
    more_social = bid("Y", 1000, 75, 0, 100)
    result = score_bids([more_quality, more_social], WEIGHTS, proxy_share=0)
    assert result.lines[0].total == result.lines[1].total == 90
    assert result.winner.bid == "Y" and result.tie_broken


def test_identical_bids_go_to_the_one_received_first() -> None:
    later, earlier = bid("L", 500, 70, 100, 70, received=2.0), bid("E", 500, 70, 100, 70, received=1.0)
    assert score_bids([later, earlier], WEIGHTS).winner.bid == "E"


def test_a_single_bid_scores_full_marks_on_every_relative_criterion() -> None:
    result = score_bids([bid("only", 900, 40, 10, 30)], WEIGHTS)
    assert result.winner.total == 100 and result.winner.rank == 1


def test_no_social_value_anywhere_scores_zero_social_points_without_dividing_by_zero() -> None:
    result = score_bids([bid("a", 100, 50, 0, 0), bid("b", 200, 50, 0, 0)], WEIGHTS)
    assert all(line.social_points == 0 for line in result.lines)


@pytest.mark.parametrize(
    ("weights", "field", "message"),
    [
        (Weights(50, 40, 20), "price_weight", "add up to 110%"),
        (Weights(50, 45, 5), "social_value_weight", "at least 10%"),
        (Weights(-10, 90, 20), "price_weight", "whole number of percent"),
    ],
)
def test_bad_weights_are_refused_naming_the_field(weights: Weights, field: str, message: str) -> None:
    with pytest.raises(ScoringError, match=message) as refused:
        check_weights(weights)
    assert refused.value.field == field


def test_an_area_floor_above_the_national_one_is_enforced() -> None:
    with pytest.raises(ScoringError, match="at least 15%"):
        check_weights(Weights(50, 40, 10), floor=15)


def test_an_area_floor_below_the_national_one_counts_as_the_national_one() -> None:
    with pytest.raises(ScoringError, match="at least 10%"):
        check_weights(Weights(50, 45, 5), floor=3)


@pytest.mark.parametrize("price", [0, -5, "abc", "NaN", float("inf")])
def test_prices_that_are_not_positive_numbers_are_refused(price) -> None:
    with pytest.raises(ScoringError, match="positive number") as refused:
        price_scores([price], PriceMethod.LOWEST)
    assert refused.value.field == "price"


def test_budget_method_without_a_budget_is_refused() -> None:
    with pytest.raises(ScoringError) as refused:
        price_scores([Decimal(1)], PriceMethod.BUDGET)
    assert refused.value.field == "budget"


def test_scores_outside_0_to_100_are_refused() -> None:
    with pytest.raises(ScoringError, match="0 to 100"):
        score_bids([bid("a", 10, 101, 0, 0)], WEIGHTS)


def test_moderated_score_overrides_the_evaluators_mean() -> None:
    assert moderated_score([60, 70, 80]) == 70
    assert moderated_score([60, 90], moderated=72) == 72
    assert moderated_score([Decimal("62.5"), 70]) == Fraction(1325, 20)


def test_scores_far_apart_need_moderation() -> None:
    assert needs_moderation([40, 70]) and not needs_moderation([60, 75]) and not needs_moderation([10])


def test_a_bid_with_no_evaluator_score_cannot_be_scored() -> None:
    with pytest.raises(ScoringError, match="at least one evaluator"):
        moderated_score([])


prices = st.integers(min_value=1, max_value=10_000_000)
scores = st.integers(min_value=0, max_value=100)
bids = st.lists(
    st.tuples(prices, scores, st.integers(min_value=0, max_value=1_000_000), scores), min_size=1, max_size=8
).map(lambda rows: [bid(f"b{i}", *row, received=float(i)) for i, row in enumerate(rows)])
weights = st.integers(min_value=10, max_value=100).flatmap(
    lambda social: st.integers(min_value=0, max_value=100 - social).map(
        lambda price: Weights(price, 100 - social - price, social)
    )
)


@settings(max_examples=150, deadline=None)
@given(bids=bids, weights=weights)
def test_totals_lie_between_0_and_100_and_ranks_are_in_order(bids: list[Bid], weights: Weights) -> None:
    result = score_bids(bids, weights)
    assert [line.rank for line in result.lines] == list(range(1, len(bids) + 1))
    assert all(0 <= line.total <= 100 for line in result.lines)
    totals = [line.total for line in result.lines]
    assert totals == sorted(totals, reverse=True)
    assert all(line.total == line.price_points + line.quality_points + line.social_points
               for line in result.lines)


@settings(max_examples=100, deadline=None)
@given(bids=bids, weights=weights, data=st.data())
def test_the_order_bids_are_given_in_does_not_change_the_result(bids, weights, data) -> None:
    shuffled = data.draw(st.permutations(bids))
    assert score_bids(bids, weights).lines == score_bids(shuffled, weights).lines


@settings(max_examples=100, deadline=None)
@given(bids=bids, weights=weights, factor=st.integers(min_value=2, max_value=1000))
def test_lowest_price_ranking_does_not_depend_on_the_currency_unit(bids, weights, factor) -> None:
    scaled = [Bid(b.id, b.price * factor, b.quality, b.social_value_proxy, b.social_value_quality, b.received)
              for b in bids]
    assert [line.bid for line in score_bids(bids, weights).lines] == [
        line.bid for line in score_bids(scaled, weights).lines
    ]


@settings(max_examples=100, deadline=None)
@given(bids=bids, weights=weights, cut=st.integers(min_value=1, max_value=99))
def test_the_winner_still_wins_after_cutting_its_price(bids, weights, cut) -> None:
    winner = score_bids(bids, weights).winner.bid
    cheaper = [
        Bid(b.id, max(Decimal(1), b.price * (100 - cut) / 100), b.quality, b.social_value_proxy,
            b.social_value_quality, b.received) if b.id == winner else b
        for b in bids
    ]
    assert score_bids(cheaper, weights).winner.bid == winner
