"""Each area against a benchmark: the national value, or the national minimum standard (the floor).

Fingertips colours an area by whether its confidence interval excludes the benchmark: "Better"
or "Worse" when it does (polarity decides which), "Similar" when the benchmark lies inside.
Commonweal uses the same rule for the floor, so "Worse" against the floor means significantly
below the minimum standard, not merely a point estimate under it.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from commonweal.scrutiny.stats import _checks

BETTER = "Better"
SIMILAR = "Similar"
WORSE = "Worse"
HIGHER = "Higher"
LOWER = "Lower"
NOT_COMPARED = "Not compared"


def compare_with_benchmark(
    lower: ArrayLike, upper: ArrayLike, benchmark: ArrayLike, higher_is_better: bool | None = True
) -> NDArray[np.str_] | str:
    """Better/Similar/Worse by whether the interval excludes the benchmark (Higher/Lower without polarity).

    Fingertips "compared with benchmark" RAG rating (OHID, Fingertips technical guidance). A missing
    limit or benchmark gives "Not compared".
    """
    lo = _checks.numbers("lower", lower, allow_missing=True)
    up = _checks.numbers("upper", upper, allow_missing=True)
    bench = _checks.numbers("benchmark", benchmark, allow_missing=True)
    _checks.same_shape(lower=lo, upper=up, benchmark=bench)
    if (lo > up).any():
        raise ValueError("Enter lower no larger than upper for every area")
    above, below = lo > bench, up < bench
    if higher_is_better is None:
        high, low = HIGHER, LOWER
    else:
        high, low = (BETTER, WORSE) if higher_is_better else (WORSE, BETTER)
    missing = np.isnan(lo) | np.isnan(up) | np.isnan(bench)
    labels = np.select([missing, above, below], [NOT_COMPARED, high, low], default=SIMILAR).astype(np.str_)
    return str(labels[()]) if labels.ndim == 0 else labels


def compare_with_floor(
    values: ArrayLike, lower: ArrayLike, upper: ArrayLike, floor: ArrayLike, higher_is_better: bool = True
) -> NDArray[np.str_] | str:
    """Better/Similar/Worse than the national minimum standard, by whether the interval clears the floor.

    The same rule as Fingertips' benchmark comparison, with the floor as the benchmark: "Worse"
    means the whole interval is on the wrong side of the floor (significantly below a
    higher-is-better standard), "Similar" that the floor is inside it. `values` must lie within
    their limits; a missing value gives "Not compared".
    """
    v = _checks.numbers("values", values, allow_missing=True)
    lo = _checks.numbers("lower", lower, allow_missing=True)
    up = _checks.numbers("upper", upper, allow_missing=True)
    _checks.same_shape(values=v, lower=lo, upper=up)
    outside = (v < lo) | (v > up)
    if outside.any():
        raise ValueError("Enter values that lie between lower and upper: a value is outside its interval")
    lo = np.where(np.isnan(v), np.nan, lo)
    return compare_with_benchmark(lo, up, floor, higher_is_better)
