"""Intervals: PHEindicatormethods' reference cases, hand-computed cases, properties and refusals."""

import csv
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonweal.scrutiny import stats


def rows(shared_data, name):
    with shared_data(f"indicators/{name}").open(newline="") as handle:
        return list(csv.DictReader(handle))


def close(actual, expected, rel):
    return math.isclose(float(actual), float(expected), rel_tol=rel)


@pytest.mark.reference_data
def test_wilson_matches_every_reference_case(shared_data):
    for row in rows(shared_data, "wilson_proportion_ci.csv"):
        lower, upper = stats.wilson_interval(float(row["x"]), float(row["n"]), float(row["confidence"]))
        scale = float(row["multiplier"])
        assert close(lower * scale, row["expected_lower"], 1e-9), row["case_id"]
        assert close(upper * scale, row["expected_upper"], 1e-9), row["case_id"]
        if row["expected_value"]:
            assert close(float(row["x"]) / float(row["n"]) * scale, row["expected_value"], 1e-9)


@pytest.mark.reference_data
def test_byars_matches_every_reference_case(shared_data):
    for row in rows(shared_data, "byars_ci.csv"):
        lower, upper = stats.byars_interval(float(row["x"]), float(row["confidence"]))
        assert close(lower, row["expected_lower"], 1e-9), row["case_id"]
        assert close(upper, row["expected_upper"], 1e-9), row["case_id"]


@pytest.mark.reference_data
def test_rate_matches_every_reference_case_and_missing_inputs_give_missing_results(shared_data):
    for row in rows(shared_data, "rate_ci.csv"):
        x, n = float(row["x"] or "nan"), float(row["n"] or "nan")
        value, lower, upper = stats.rate_interval(
            x, n, float(row["confidence"]), float(row["multiplier"]), allow_missing=True
        )
        if not row["expected_value"]:
            assert np.isnan([value, lower, upper]).all(), row["case_id"]
            continue
        assert (x < 10) == (row["expected_method"] == "Exact")
        for got, key in ((value, "expected_value"), (lower, "expected_lower"), (upper, "expected_upper")):
            assert close(got, row[key], 1e-9), (row["case_id"], key)


def dsr_inputs(case):
    if case["independent_events"]:
        # R sums counts with na.rm: a missing age band contributes no events. Our core refuses NaN,
        # so the caller states that reading explicitly.
        return stats.dsr_interval, (np.nan_to_num(np.array(case["count"], dtype=float)),)
    frequencies = sorted(case["persons_by_event_frequency"], key=float)
    persons = np.array(
        [[0.0 if p is None else p for p in case["persons_by_event_frequency"][f]] for f in frequencies]
    )
    return stats.dsr_interval_nonindependent, (persons, [float(f) for f in frequencies])


@pytest.mark.reference_data
def test_dsr_matches_every_reference_case_including_non_independent_events(shared_data):
    cases = json.loads(shared_data("indicators/dsr_cases.json").read_text())
    for case in cases:
        function, leading = dsr_inputs(case)
        expected = case["expected"]
        for confidence in case["confidence"]:
            value, lower, upper = function(
                *leading, case["pop"], case["stdpop"], confidence, case["multiplier"]
            )
            suffix = "95" if confidence == 0.95 else "998"
            if expected["value"] is None:
                assert np.isnan([value, lower, upper]).all(), case["case_id"]
                continue
            for got, key in ((value, "value"), (lower, f"lower{suffix}"), (upper, f"upper{suffix}")):
                assert close(got, expected[key], 1e-8), (case["case_id"], key)


def test_wilson_by_hand_for_half_of_ten():
    # z = 1.959964; (2·5 + z² ∓ z·sqrt(z² + 4·5·0.5)) / (2·(10 + z²)) = 0.236593 and 0.763407.
    lower, upper = stats.wilson_interval(5, 10)
    assert lower == pytest.approx(0.2365931, abs=1e-7)
    assert upper == pytest.approx(0.7634069, abs=1e-7)


def test_rate_with_no_events_has_a_zero_lower_limit_and_the_exact_upper_limit():
    value, lower, upper = stats.rate_interval(0, 1000, multiplier=1000)
    assert (value, lower) == (0.0, 0.0)
    assert upper == pytest.approx(-math.log(0.025), rel=1e-12)  # P(0 events | m) = 0.025


def test_dsr_below_ten_events_is_not_published():
    value, lower, upper = stats.dsr_interval([3, 6], [1000, 1000], [500, 500])
    assert np.isnan([value, lower, upper]).all()


def test_scalars_in_give_scalars_out_and_arrays_keep_their_shape():
    assert np.ndim(stats.wilson_interval(3, 10)[0]) == 0
    lower, upper = stats.wilson_interval(np.full((2, 3), 3), np.full((2, 3), 10))
    assert lower.shape == upper.shape == (2, 3)


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: stats.wilson_interval(-1, 10), "x"),
        (lambda: stats.wilson_interval(11, 10), "x no larger than n"),
        (lambda: stats.wilson_interval(np.nan, 10), "x"),
        (lambda: stats.wilson_interval([1, 2], [3, 4, 5]), "x (2,), n (3,)"),
        (lambda: stats.byars_interval(-2), "x"),
        (lambda: stats.rate_interval(3, 0), "n"),
        (lambda: stats.rate_interval(3, 10, confidence=95), "confidence"),
        (lambda: stats.dsr_interval([1, -1], [10, 10], [5, 5]), "counts"),
        (lambda: stats.dsr_interval([1, 1], [10, 10], [5, 5, 5]), "std_pops"),
    ],
)
def test_bad_input_is_refused_naming_the_argument(call, argument):
    with pytest.raises(ValueError, match=argument.replace("(", r"\(").replace(")", r"\)")):
        call()


counts_and_sizes = st.integers(1, 10**7).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))


@settings(max_examples=200, deadline=None)
@given(counts_and_sizes, st.sampled_from([0.9, 0.95, 0.99, 0.998]))
def test_wilson_contains_the_proportion_and_nests_as_confidence_rises(xn, confidence):
    x, n = xn
    lower, upper = stats.wilson_interval(x, n, confidence)
    wider_lower, wider_upper = stats.wilson_interval(x, n, 0.999)
    assert 0 <= wider_lower <= lower + 1e-15 <= x / n + 2e-15
    assert x / n <= upper + 1e-15 <= wider_upper + 2e-15 <= 1 + 3e-15


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**6), st.floats(1, 1e9), st.sampled_from([0.95, 0.998]))
def test_rate_interval_contains_the_rate_and_nests(x, n, confidence):
    value, lower, upper = stats.rate_interval(x, n, confidence)
    _, wide_lower, wide_upper = stats.rate_interval(x, n, 0.9999)
    assert wide_lower <= lower <= value <= upper <= wide_upper


@settings(max_examples=50, deadline=None)
@given(st.lists(counts_and_sizes, min_size=1, max_size=30))
def test_vectorised_results_equal_element_by_element_results(pairs):
    x, n = np.array(pairs, dtype=float).T
    lower, upper = stats.wilson_interval(x, n)
    _, rate_lower, rate_upper = stats.rate_interval(x, n)
    # Equal up to the last bit or two: numpy's SIMD loops may round differently from scalar code.
    for i in range(len(x)):
        assert (lower[i], upper[i]) == pytest.approx(stats.wilson_interval(x[i], n[i]), rel=1e-14)
        assert (rate_lower[i], rate_upper[i]) == pytest.approx(stats.rate_interval(x[i], n[i])[1:], rel=1e-14)
