"""LM3 against hand-computed surveys, refusals naming the field or line, and properties."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commonweal.procurement.lm3 import Lm3Error, Respend, SpendSurvey, area_lm3, lm3

D = Decimal


def test_half_the_round_two_money_respent_locally_gives_lm3_of_1_75() -> None:
    # R1 100,000; R2 30,000 suppliers + 20,000 staff = 50,000; sample re-spends 10,000 of 20,000,
    # so R3 = 50,000 × 0.5 = 25,000 and LM3 = 175,000 / 100,000 = 1.75.
    survey = SpendSurvey(D(100_000), D(30_000), D(20_000), (Respend(D(10_000), D(4_000)),
                                                             Respend(D(10_000), D(6_000))))
    result = lm3(survey)
    assert (result.round1, result.round2, result.round3) == (D(100_000), D(50_000), D(25_000))
    assert result.value == D("1.75") and result.respend_rate == D("0.5") and result.sampled == 2
    assert result.local_value == D(75_000)


def test_an_uneven_sample_gives_the_pooled_respend_rate() -> None:
    survey = SpendSurvey(D(100_000), D(30_000), D(20_000), (Respend(D(10_000), D(4_000)),
                                                             Respend(D(5_000), D(2_500))))
    result = lm3(survey)
    assert round(result.respend_rate, 6) == D("0.433333")
    assert round(result.value, 4) == D("1.7167")


def test_nothing_spent_locally_gives_lm3_of_one() -> None:
    assert lm3(SpendSurvey(D(50_000), D(0), D(0))).value == 1


def test_an_areas_lm3_weights_each_contract_by_its_value() -> None:
    big = lm3(SpendSurvey(D(100_000), D(30_000), D(20_000), (Respend(D(1), D("0.5")),)))
    small = lm3(SpendSurvey(D(50_000), D(0), D(0)))
    assert area_lm3([big, small]).value == D("1.5")
    assert area_lm3([]) is None


@pytest.mark.parametrize(
    ("survey", "field", "message"),
    [
        (SpendSurvey(D(0), D(0), D(0)), "contract_value", "more than 0"),
        (SpendSurvey(D(100), D(-1), D(0)), "local_supplier_spend", "0 or more"),
        (SpendSurvey(D(100), D(80), D(30)), "local_supplier_spend", "cannot be more than the contract"),
        (SpendSurvey(D(100), D(50), D(0), (Respend(D(10), D(11)),)), "sample", "Line 1: local re-spend"),
        (SpendSurvey(D(100), D(50), D(0), (Respend(D(10), D(1)), Respend(D(0), D(0)))), "sample", "Line 2"),
        (SpendSurvey(D(100), "lots", D(0)), "local_supplier_spend", "in pounds"),
    ],
)
def test_bad_surveys_are_refused_naming_the_field_or_line(survey, field, message) -> None:
    with pytest.raises(Lm3Error, match=message) as refused:
        lm3(survey)
    assert refused.value.field == field


money = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


@given(value=money.filter(lambda v: v > 0), share=st.fractions(0, 1), staff=st.fractions(0, 1),
       sample=st.lists(st.tuples(money.filter(lambda v: v > 0), st.fractions(0, 1)), max_size=5))
def test_lm3_lies_between_one_and_three(value, share, staff, sample) -> None:
    local = (value * D(share.numerator) / D(share.denominator)).quantize(D("0.01"), rounding="ROUND_DOWN")
    staff_part = (local * D(staff.numerator) / D(staff.denominator)).quantize(D("0.01"), "ROUND_DOWN")
    respends = tuple(
        Respend(r, (r * D(f.numerator) / D(f.denominator)).quantize(D("0.01"), rounding="ROUND_DOWN"))
        for r, f in sample
    )
    result = lm3(SpendSurvey(value, local - staff_part, staff_part, respends))
    assert 1 <= result.value <= 3
