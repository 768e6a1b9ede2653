"""Funnel plot control limits at 95% and 99.8%, and where each area falls against them.

Fingertips draws two pairs of limits: "2 sigma" (95%, tail probability 0.025 each side) and
"3 sigma" (99.8%, 0.001 each side). Proportions use the normal approximation around the baseline;
ratios and rates use the exact Poisson. The significance labels are PHEindicatormethods' own, so a
page built on them reads the same as a Fingertips download.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import gammaincinv, ndtri

from commonweal.scrutiny.stats import _checks
from commonweal.scrutiny.stats._checks import Floats
from commonweal.scrutiny.stats.intervals import SMALL_COUNT, count_interval

HIGH_001 = "High (0.001)"
HIGH_025 = "High (0.025)"
NOT_SIGNIFICANT = "Not significant"
LOW_025 = "Low (0.025)"
LOW_001 = "Low (0.001)"
DSR_TOO_FEW = "Not applicable for events less than 10 for dsrs"
SIGNIFICANCE_LABELS = (HIGH_001, HIGH_025, NOT_SIGNIFICANT, LOW_025, LOW_001, DSR_TOO_FEW)

# Tail probabilities of the two funnels, as Fingertips names them.
TAIL_95 = 0.025
TAIL_998 = 0.001

Labels = NDArray[np.object_]
LimitMethod = Literal["fingertips", "exact"]


@dataclass(frozen=True)
class FunnelLimits:
    """The four control limits, each the shape of the input."""

    lower_95: Floats
    upper_95: Floats
    lower_998: Floats
    upper_998: Floats


def _limits(lower_95: Floats, upper_95: Floats, lower_998: Floats, upper_998: Floats) -> FunnelLimits:
    out = _checks.scalar_out
    return FunnelLimits(out(lower_95), out(upper_95), out(lower_998), out(upper_998))


# Labels are indexes into this table, handed out as an object array of these very strings: a
# fixed-width unicode array would cost 188 bytes per area for the longest label.
_LABEL_TABLE = np.array(SIGNIFICANCE_LABELS, dtype=object)


def _labels(high_001: NDArray, high_025: NDArray, low_001: NDArray, low_025: NDArray) -> NDArray[np.int8]:
    code = np.full(np.shape(high_001), SIGNIFICANCE_LABELS.index(NOT_SIGNIFICANT), dtype=np.int8)
    # PHEindicatormethods tests the low side first, then the high side; written in reverse here
    # so the earlier tests overwrite the later ones, exactly as its case_when decides.
    order = ((high_025, HIGH_025), (high_001, HIGH_001), (low_025, LOW_025), (low_001, LOW_001))
    for condition, label in order:
        code[condition] = SIGNIFICANCE_LABELS.index(label)
    return code


def _label_out(code: NDArray[np.int8]) -> Labels | str:
    labels = _LABEL_TABLE[code]
    return str(labels) if np.ndim(code) == 0 else labels


# --- proportions -------------------------------------------------------------------------------


def _normal_band(baseline: Floats, denominator: Floats, tail: float) -> tuple[Floats, Floats]:
    # PHEindicatormethods' sigma_adjustment solves a quadratic whose roots simplify exactly to
    # P ± z·sqrt(P(1-P)/n): the normal approximation to the binomial around the baseline P.
    half_width = ndtri(1 - tail) * np.sqrt(baseline * (1 - baseline) / denominator)
    return baseline - half_width, baseline + half_width


def proportion_funnel_limits(
    denominator: ArrayLike, baseline: ArrayLike, multiplier: float = 100
) -> FunnelLimits:
    """Limits for a proportion at each denominator, clipped to [0, multiplier]. Fingertips funnel guidance."""
    n = _checks.positive("denominator", denominator)
    p = _checks.numbers("baseline", baseline)
    _check_baseline_proportion(p)
    _checks.same_shape(denominator=n, baseline=p)
    bands = [_normal_band(p, n, TAIL_95), _normal_band(p, n, TAIL_998)]
    # PHEindicatormethods clips at 0 and 100 whatever the multiplier; a proportion's own range
    # is [0, multiplier], which is the same for percentages and right for the other scales.
    clip = [np.clip(limit * multiplier, 0, multiplier) for band in bands for limit in band]
    return _limits(clip[0], clip[1], clip[2], clip[3])


def _check_baseline_proportion(p: Floats) -> None:
    outside = (p < 0) | (p > 1)
    if outside.any():
        raise ValueError("Enter baseline as a proportion between 0 and 1, like 0.8 for 80%")


def proportion_funnel_significance(
    numerator: ArrayLike, denominator: ArrayLike, baseline: ArrayLike | None = None
) -> Labels | str:
    """Each area's funnel label against `baseline` (default: pooled numerators over denominators, last axis).

    PHEindicatormethods assign_funnel_significance(statistic = "proportion").
    """
    x = _checks.counts("numerator", numerator)
    n = _checks.positive("denominator", denominator)
    _checks.same_shape(numerator=x, denominator=n)
    _checks.not_above("numerator", x, "denominator", n)
    if baseline is None:
        p = np.sum(x, axis=-1, keepdims=True) / np.sum(n, axis=-1, keepdims=True)
    else:
        p = _checks.numbers("baseline", baseline)
        _check_baseline_proportion(p)
        _checks.same_shape(numerator=x, baseline=p)
    value = x / n
    low_95, high_95 = _normal_band(p, n, TAIL_95)
    low_998, high_998 = _normal_band(p, n, TAIL_998)
    return _label_out(_labels(value > high_998, value > high_95, value < low_998, value < low_95))


# --- ratios and rates: the exact Poisson funnel --------------------------------------------------

# The Fingertips macro (and PHEindicatormethods' poisson_funnel) finds the Poisson mean at a limit
# by bisection on v = m / (1 + obs + m) in (0, 1), halving the step from 0.25 while it exceeds
# 1e-7: 23 steps. Replaying those steps against the exact root reproduces the published limits to
# about 1e-9 of a unit of v; the exact root differs from them by up to 5e-5 relative.
_BISECTION_STEPS = 23


def poisson_funnel_mean(
    observed: ArrayLike, tail: float, side: Literal["lower", "upper"], method: LimitMethod = "fingertips"
) -> Floats:
    """The Poisson mean at which `observed` events sit exactly on a funnel limit.

    side="lower": the mean m with P(X <= observed | m) = tail (the lower limit's expected count,
    above observed); side="upper": P(X >= observed | m) = tail. Fingertips technical guidance.
    """
    obs = _checks.counts("observed", observed)
    if not 0 < tail < 0.5:
        raise ValueError(f"Enter tail as a probability between 0 and 0.5, like 0.025: got {tail!r}")
    if side == "lower":
        mean = gammaincinv(obs + 1, 1 - tail)
    elif side == "upper":
        if (obs == 0).any():
            raise ValueError("Enter observed above 0: no upper funnel limit exists for 0 events")
        mean = gammaincinv(obs, tail)
    else:
        raise ValueError(f"Choose side 'lower' or 'upper': got {side!r}")
    if method == "exact":
        return _checks.scalar_out(mean)
    if method != "fingertips":
        raise ValueError(f"Choose method 'fingertips' or 'exact': got {method!r}")
    target = mean / (1 + obs + mean)
    v = np.full(np.shape(obs), 0.5)
    step = 0.5
    for _ in range(_BISECTION_STEPS):
        step /= 2
        v = np.where(v > target, v - step, v + step)
    return _checks.scalar_out((1 + obs) * v / (1 - v))


def _poisson_means(observed: Floats, method: LimitMethod) -> FunnelLimits:
    return FunnelLimits(
        lower_95=np.asarray(poisson_funnel_mean(observed, TAIL_95, "lower", method)),
        upper_95=np.asarray(poisson_funnel_mean(observed, TAIL_95, "upper", method)),
        lower_998=np.asarray(poisson_funnel_mean(observed, TAIL_998, "lower", method)),
        upper_998=np.asarray(poisson_funnel_mean(observed, TAIL_998, "upper", method)),
    )


def ratio_funnel_limits(
    observed: ArrayLike,
    ratio_type: Literal["ratio", "count", "isr"] = "ratio",
    method: LimitMethod = "fingertips",
) -> tuple[FunnelLimits, FunnelLimits]:
    """(expected events at each limit, the limit ratios) for `observed` events. PHEindicatormethods.

    ratio_type "ratio" gives observed/expected; "count" subtracts 1 (excess over expected);
    "isr" multiplies by 100 (an indirectly standardised ratio).
    """
    obs = _checks.positive("observed", observed)
    expected = _poisson_means(obs, method)
    scales = {"ratio": (0.0, 1.0), "count": (-1.0, 1.0), "isr": (0.0, 100.0)}
    if ratio_type not in scales:
        raise ValueError(f"Choose ratio_type 'ratio', 'count' or 'isr': got {ratio_type!r}")
    shift, scale = scales[ratio_type]
    ratios = [obs / e * scale + shift for e in _fields(expected)]
    return _limits(*_fields(expected)), _limits(*ratios)


def rate_funnel_limits(
    events: ArrayLike,
    baseline_per_unit: ArrayLike,
    multiplier: float = 100_000,
    years_of_data: float = 1,
    method: LimitMethod = "fingertips",
) -> tuple[FunnelLimits, FunnelLimits]:
    """(population per year at which `events` sits on each limit, the limit rates per multiplier).

    PHEindicatormethods calculate_funnel_limits(statistic = "rate").
    """
    obs = _checks.positive("events", events)
    rate = _checks.positive("baseline_per_unit", baseline_per_unit)
    _checks.same_shape(events=obs, baseline_per_unit=rate)
    if not years_of_data > 0:
        raise ValueError(f"Enter years_of_data above 0: got {years_of_data!r}")
    person_time = [m / rate for m in _fields(_poisson_means(obs, method))]
    populations = [p / years_of_data for p in person_time]
    rates = [obs / p * multiplier for p in person_time]
    return _limits(*populations), _limits(*rates)


def _fields(limits: FunnelLimits) -> tuple[Floats, Floats, Floats, Floats]:
    return limits.lower_95, limits.upper_95, limits.lower_998, limits.upper_998


def _poisson_labels(observed: Floats, denominator: Floats, baseline: Floats) -> NDArray[np.int8]:
    # count_interval is phe_rate's and funnel_ratio_significance's rule alike: exact chi-square
    # below 10 events, Byar's from 10, a lower limit of 0 for no events.
    # Comparing baseline × denominator with the count limits is the same test as baseline with
    # limit / denominator (denominators are positive) and saves four divisions per area.
    expected = baseline * denominator
    low_998, up_998 = count_interval(observed, 0.998)
    low_95, up_95 = count_interval(observed, 0.95)
    # A missing denominator (a DSR with no events) compares false everywhere: not significant.
    with np.errstate(invalid="ignore"):
        return _labels(expected < low_998, expected < low_95, expected > up_998, expected > up_95)


def ratio_funnel_significance(observed: ArrayLike, expected: ArrayLike) -> Labels | str:
    """Each area's label for observed/expected against 1 (exact below 10 events, else Byar's). PHE."""
    obs = _checks.counts("observed", observed)
    exp = _checks.positive("expected", expected)
    _checks.same_shape(observed=obs, expected=exp)
    obs, exp = np.broadcast_arrays(obs, exp)
    return _label_out(_poisson_labels(obs, exp, np.ones_like(obs)))


def rate_funnel_significance(
    count: ArrayLike,
    rate: ArrayLike,
    population: ArrayLike | None = None,
    rate_type: Literal["crude", "dsr"] = "crude",
    multiplier: float = 100_000,
    baseline_per_unit: ArrayLike | None = None,
) -> Labels | str:
    """Each area's label for a crude rate or DSR against the baseline rate per unit. PHEindicatormethods.

    The denominator is derived as count / rate × multiplier (for a DSR, the population that would
    give the standardised rate as a crude one). With no events it is `population` for a crude
    rate and undefined for a DSR. `baseline_per_unit` defaults to the weighted average along the
    last axis: sum of counts over sum of derived denominators.
    """
    if rate_type not in ("crude", "dsr"):
        raise ValueError(f"Choose rate_type 'crude' or 'dsr': got {rate_type!r}")
    if not multiplier > 0:
        raise ValueError(f"Enter multiplier above 0, like 100000: got {multiplier!r}")
    obs = _checks.counts("count", count)
    # A DSR with no events has no rate (PHEindicatormethods data leave it NA), so a missing rate
    # is accepted there and only there.
    rate_ = _checks.counts("rate", rate, allow_missing=True)
    _checks.same_shape(count=obs, rate=rate_)
    obs, rate_ = np.broadcast_arrays(obs, rate_)
    events = obs > 0
    if (events & np.isnan(rate_)).any():
        raise ValueError("Enter a value for rate wherever count is above 0: it is missing (NaN)")
    if (events & (rate_ == 0)).any():
        raise ValueError("Enter rate above 0 wherever count is above 0")
    with np.errstate(divide="ignore", invalid="ignore"):
        derived = np.where(events, obs / rate_ * multiplier, np.nan)
    if rate_type == "crude" and not events.all():
        if population is None:
            raise ValueError("Enter population: a crude rate with no events needs its population")
        pop = _checks.positive("population", population)
        _checks.same_shape(count=obs, population=pop)
        derived = np.where(events, derived, pop)
    if baseline_per_unit is None:
        baseline = np.sum(obs, axis=-1, keepdims=True) / np.nansum(derived, axis=-1, keepdims=True)
    else:
        baseline = _checks.positive("baseline_per_unit", baseline_per_unit)
        _checks.same_shape(count=obs, baseline_per_unit=baseline)
    code = _poisson_labels(obs, derived, baseline)
    if rate_type == "dsr":
        code[obs < SMALL_COUNT] = SIGNIFICANCE_LABELS.index(DSR_TOO_FEW)
    return _label_out(code)
