"""SII and RII against PHEindicatormethods' phe_sii reference cases, by hand and by property."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonweal.scrutiny import stats

VALUE_TYPES = {0: "normal", 1: "rate", 2: "proportion"}


def reference_fits(shared_data):
    """Every (case, area, confidence index, confidence) with its inputs as the R test gives them."""
    for case in json.loads(shared_data("indicators/sii_cases.json").read_text()):
        params = case["params"]
        value_type = VALUE_TYPES[params["value_type"]]
        for area in case["areas"]:
            given_ = area["input"]
            value = (
                np.array(given_["value"])
                if "value" in given_
                else np.array(given_["x"]) / np.array(given_["population"])
            )
            se = (
                np.array(given_["se"])
                if "se" in given_
                else stats.standard_error_from_limits(given_["lower_cl"], given_["upper_cl"], value_type)
            )
            for index, confidence in enumerate(params["confidence"], start=1):
                yield (
                    case,
                    area["expected"],
                    index,
                    dict(
                        value=value,
                        population=given_["population"],
                        se=se,
                        value_type=value_type,
                        transform=params["transform"],
                        confidence=confidence,
                        multiplier=params["multiplier"],
                    ),
                )


@pytest.mark.reference_data
def test_sii_rii_and_intercept_match_every_reference_case(shared_data):
    for case, expected, _, arguments in reference_fits(shared_data):
        result = stats.slope_index_of_inequality(**arguments)
        assert result.sii == pytest.approx(expected["sii"], rel=1e-6), case["case_id"]
        if "rii" in expected:
            assert result.rii == pytest.approx(expected["rii"], rel=1e-6), case["case_id"]
        if "Intercept" in expected:
            assert result.intercept == pytest.approx(expected["Intercept"], rel=1e-6), case["case_id"]


@pytest.mark.reference_data
@pytest.mark.parametrize("method", ["analytic", "simulation"])
def test_confidence_limits_match_the_simulated_reference_within_five_percent(shared_data, method):
    for case, expected, index, arguments in reference_fits(shared_data):
        result = stats.slope_index_of_inequality(**arguments, method=method, repetitions=10_000)
        for name in ("sii_lower", "sii_upper", "rii_lower", "rii_upper"):
            key = f"{name}cl_{index}"  # sii_lower -> sii_lowercl_1, as the R output names it
            if key in expected:
                assert getattr(result, name) == pytest.approx(expected[key], rel=0.05), (case["case_id"], key)


def test_a_straight_line_by_hand():
    # Equal populations at ranks 0.1, 0.3, …, 0.9 and values 10 + 10·rank: slope 10, intercept 10.
    rank = np.array([0.1, 0.3, 0.5, 0.7, 0.9])
    result = stats.slope_index_of_inequality(10 + 10 * rank, np.full(5, 1000), np.full(5, 0.5))
    assert result.sii == pytest.approx(10)
    assert result.intercept == pytest.approx(10)
    assert result.rii == pytest.approx(2)
    # SII = Σ c·y with c = a(b - b̄) / Σa(b - b̄)² = 0.2(b - 0.5) / 0.08 = (-1, -0.5, 0, 0.5, 1), so
    # its standard error is 0.5·sqrt(Σc²) = 0.5·sqrt(2.5) and the 95% half-width 1.959964 times that.
    assert result.sii_upper - result.sii == pytest.approx(1.959964 * 0.5 * np.sqrt(2.5), rel=1e-6)


def test_relative_rank_is_the_midpoint_of_each_share():
    assert stats.relative_rank([12, 10, 78]) == pytest.approx([0.06, 0.17, 0.61])


def test_decile_totals_sum_areas_into_their_deciles_row_by_row():
    numerators, denominators = stats.decile_totals(
        [[1, 2, 2, 5, 5], [3, 3, 4, 5, 1]],
        [[1, 2, 3, 4, 5], [1, 1, 1, 1, 1]],
        [[10] * 5, [10] * 5],
        quantiles=5,
    )
    assert numerators.tolist() == [[1, 5, 0, 0, 9], [1, 0, 2, 1, 1]]
    assert denominators.tolist() == [[10, 20, 0, 0, 20], [10, 0, 20, 10, 10]]


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: stats.slope_index_of_inequality([1.0] * 5, [1, 1, 0, 1, 1], [0.1] * 5), "population"),
        (lambda: stats.slope_index_of_inequality([1.0] * 5, [1] * 5, [0.1] * 4), "se"),
        (lambda: stats.slope_index_of_inequality([1.0] * 3, [1] * 3, [0.1] * 3), "quantiles"),
        (lambda: stats.slope_index_of_inequality([1.0, np.nan, 1, 1, 1], [1] * 5, [0.1] * 5), "value"),
        (
            lambda: stats.slope_index_of_inequality([1.5] * 5, [1] * 5, [0.1] * 5, value_type="proportion"),
            "value",
        ),
        (lambda: stats.decile_totals([0, 11], [1, 1], [2, 2]), "decile"),
    ],
)
def test_bad_input_is_refused_naming_the_argument(call, argument):
    with pytest.raises(ValueError, match=argument):
        call()


rows_of_deciles = st.integers(1, 6).flatmap(
    lambda k: st.tuples(
        st.lists(st.lists(st.floats(0.05, 0.95), min_size=10, max_size=10), min_size=k, max_size=k),
        st.lists(st.lists(st.floats(100, 1e6), min_size=10, max_size=10), min_size=k, max_size=k),
        st.lists(st.lists(st.floats(0.01, 0.3), min_size=10, max_size=10), min_size=k, max_size=k),
    )
)


@settings(max_examples=40, deadline=None)
@given(rows_of_deciles, st.booleans(), st.sampled_from(["normal", "rate", "proportion"]))
def test_limits_contain_the_index_nest_and_rows_are_fitted_independently(data, transform, value_type):
    value, population, se = (np.array(a) for a in data)
    narrow = stats.slope_index_of_inequality(
        value, population, se, value_type=value_type, transform=transform
    )
    wide = stats.slope_index_of_inequality(
        value, population, se, value_type=value_type, transform=transform, confidence=0.998
    )
    assert (wide.sii_lower <= narrow.sii_lower).all() and (narrow.sii_lower <= narrow.sii).all()
    assert (narrow.sii <= narrow.sii_upper).all() and (narrow.sii_upper <= wide.sii_upper).all()
    assert (narrow.rii_lower <= narrow.rii).all() and (narrow.rii <= narrow.rii_upper).all()
    for row in range(value.shape[0]):
        alone = stats.slope_index_of_inequality(
            value[row], population[row], se[row], value_type=value_type, transform=transform
        )
        assert alone.sii == pytest.approx(narrow.sii[row], rel=1e-12, abs=1e-12)
        assert alone.sii_upper == pytest.approx(narrow.sii_upper[row], rel=1e-12, abs=1e-12)
