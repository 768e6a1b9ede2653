"""Comparison with the national value and with the national floor, as Fingertips rates benchmarks."""

import numpy as np
import pytest

from commonweal.scrutiny import stats


@pytest.mark.parametrize(
    ("lower", "upper", "higher_is_better", "label"),
    [
        (0.85, 0.90, True, "Better"),
        (0.75, 0.85, True, "Similar"),
        (0.70, 0.78, True, "Worse"),
        (0.85, 0.90, False, "Worse"),
        (0.70, 0.78, False, "Better"),
        (0.85, 0.90, None, "Higher"),
        (0.70, 0.78, None, "Lower"),
        (np.nan, 0.78, True, "Not compared"),
    ],
)
def test_benchmark_label_follows_whether_the_interval_excludes_it(lower, upper, higher_is_better, label):
    assert stats.compare_with_benchmark(lower, upper, 0.8, higher_is_better) == label


def test_floor_comparison_needs_the_whole_interval_below_the_floor_to_say_worse():
    labels = stats.compare_with_floor([0.78, 0.70, 0.90], [0.74, 0.65, 0.85], [0.82, 0.75, 0.95], floor=0.8)
    assert list(labels) == ["Similar", "Worse", "Better"]


def test_floor_comparison_refuses_a_value_outside_its_interval():
    with pytest.raises(ValueError, match="values"):
        stats.compare_with_floor([0.9], [0.7], [0.8], floor=0.75)
