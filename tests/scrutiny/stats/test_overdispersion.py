"""Overdispersion: FunnelPlotR's reference cases and hand-derived Spiegelhalter cases."""

import csv
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonweal.scrutiny import stats


@pytest.mark.reference_data
def test_poisson_ratio_limits_match_funnelplotr(shared_data):
    with shared_data("indicators/funnelplotr_poisson_limits.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            expected = float(row["expected_count"])
            ll95, ul95 = stats.poisson_ratio_limits(expected, 0.95, float(row["target"]))
            ll998, ul998 = stats.poisson_ratio_limits(expected, 0.998, float(row["target"]))
            for got, key, tolerance in (
                (ll95, "ll95", "abs_tol_ll"),
                (ul95, "ul95", "abs_tol_ul"),
                (ll998, "ll998", "abs_tol_ll"),
                (ul998, "ul998", "abs_tol_ul"),
            ):
                assert abs(got * float(row["multiplier"]) - float(row[f"expected_{key}"])) <= float(
                    row[tolerance]
                )


@pytest.mark.reference_data
def test_outlier_flags_match_funnelplotr(shared_data):
    for case in json.loads(shared_data("indicators/funnelplotr_outliers.json").read_text()):
        data = case["data"]
        prefix = "OD" if case["draw_adjusted"] else ""
        lower = data[f"OD{case['limit']}LCL"] if prefix else data[f"LCL{case['limit']}"]
        upper = data[f"OD{case['limit']}UCL"] if prefix else data[f"UCL{case['limit']}"]
        flags = stats.funnel_outliers(data["rr"], lower, upper, case["multiplier"])
        assert list(flags) == case["expected_outlier"], case["case_id"]


def test_winsorising_pulls_the_tails_in_to_the_ten_percent_quantiles():
    z = np.arange(11.0)  # R type 7: the 10% and 90% quantiles of 0..10 are 1 and 9
    assert list(stats.winsorise(z)) == [1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9]


def test_phi_and_tau2_by_hand():
    # Five areas with z = (-2, -1, 0, 1, 2): phi = 10 / 5 = 2. With s = 0.1, w = 1/s² = 100 each:
    # tau² = (k·phi - (k - 1)) / (Σw - Σw²/Σw) = (10 - 4) / (500 - 100) = 0.015.
    z = np.array([-2.0, -1, 0, 1, 2])
    phi = stats.dispersion_ratio(z)
    assert phi == pytest.approx(2.0)
    assert stats.between_area_variance(phi, np.full(5, 0.1)) == pytest.approx(6 / 400)


def test_no_overdispersion_means_no_between_area_variance():
    assert stats.between_area_variance(0.5, np.full(10, 0.2)) == 0.0


def overdispersed_sample(seed=3):
    rng = np.random.default_rng(seed)
    expected = rng.uniform(50, 800, (4, 60))
    observed = rng.poisson(expected * rng.lognormal(0, 0.25, expected.shape))
    return observed, expected


def test_overdispersed_limits_are_wider_than_the_poisson_limits():
    observed, expected = overdispersed_sample()
    od = stats.overdispersion(observed, expected)
    assert (od.phi > 1).all() and (od.tau2 > 0).all()
    points = np.array([20.0, 200.0, 2000.0])
    poisson_lower, poisson_upper = stats.poisson_ratio_limits(points)
    for model in ("additive", "multiplicative"):
        lower, upper = stats.overdispersed_limits(points, od, model=model)
        assert (lower < poisson_lower).all() and (upper > poisson_upper).all(), model


def test_additive_limits_stay_wide_as_the_denominator_grows_but_multiplicative_ones_close():
    observed, expected = overdispersed_sample()
    od = stats.overdispersion(observed, expected)
    huge = np.array([1e9])
    add_lower, add_upper = stats.overdispersed_limits(huge, od, model="additive")
    mul_lower, mul_upper = stats.overdispersed_limits(huge, od, model="multiplicative")
    assert (add_upper - add_lower > 0.1).all()
    assert (mul_upper - mul_lower < 0.01).all()


def test_adjusted_z_scores_shrink_towards_zero():
    observed, expected = overdispersed_sample()
    od = stats.overdispersion(observed, expected)
    for model in ("additive", "multiplicative"):
        assert (np.abs(stats.adjusted_z_scores(od, model)) <= np.abs(od.scores.z) + 1e-12).all()


def test_proportion_scores_use_the_arcsine_scale_around_the_pooled_proportion():
    scores = stats.funnel_z_scores([25, 75], [100, 100], statistic="proportion")
    assert scores.target[0] == pytest.approx(np.arcsin(np.sqrt(0.5)))
    assert scores.s == pytest.approx([0.05, 0.05])


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: stats.overdispersion([1, 2], [0, 3]), "denominator"),
        (lambda: stats.overdispersion([1, -2], [3, 3]), "numerator"),
        (lambda: stats.funnel_z_scores([5, 2], [3, 3], statistic="proportion"), "numerator no larger"),
        (lambda: stats.winsorise([1.0, np.nan]), "z"),
        (lambda: stats.funnel_outliers([1, 2], [0.5], [1, 2, 3]), "ratio"),
    ],
)
def test_bad_input_is_refused_naming_the_argument(call, argument):
    with pytest.raises(ValueError, match=argument):
        call()


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_each_row_is_adjusted_as_if_alone(seed):
    observed, expected = overdispersed_sample(seed)
    together = stats.overdispersion(observed, expected)
    for row in range(observed.shape[0]):
        alone = stats.overdispersion(observed[row], expected[row])
        assert together.phi[row] == pytest.approx(float(alone.phi), rel=1e-12)
        assert together.tau2[row] == pytest.approx(float(alone.tau2), rel=1e-12, abs=1e-15)
