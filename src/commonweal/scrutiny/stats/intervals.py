"""Confidence intervals for proportions, counts, crude rates and directly standardised rates.

The methods are the ones OHID Fingertips publishes with and PHEindicatormethods implements: Wilson
score for proportions, Byar's approximation for counts (exact Poisson below 10 events for rates),
and Dobson's method for directly standardised rates. Every function is vectorised: arrays of any
shape (or scalars) in, the same shape out.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import gammaincinv, ndtri

from commonweal.scrutiny.stats import _checks
from commonweal.scrutiny.stats._checks import Floats

# Fingertips switches from the exact Poisson interval to Byar's approximation at 10 events, and
# suppresses directly standardised rates below 10 events as too unstable to publish.
SMALL_COUNT = 10


def z_score(confidence: float) -> float:
    """The standard normal quantile for a two-sided `confidence` level (1.959964 for 0.95)."""
    return float(ndtri(0.5 + _checks.confidence_level(confidence) / 2))


def wilson_interval(
    x: ArrayLike, n: ArrayLike, confidence: float = 0.95, *, allow_missing: bool = False
) -> tuple[Floats, Floats]:
    """(lower, upper) of the proportion x/n, as 0–1. Wilson EB, J Am Stat Assoc 1927;22:209-212."""
    z = z_score(confidence)
    x_ = _checks.counts("x", x, allow_missing=allow_missing)
    n_ = _checks.positive("n", n, allow_missing=allow_missing)
    _checks.same_shape(x=x_, n=n_)
    _checks.not_above("x", x_, "n", n_)
    centre = 2 * x_ + z * z
    # max(…, 0) guards the rounding that can make x(1 - x/n) a hair below zero when x == n.
    spread = z * np.sqrt(z * z + 4 * x_ * np.maximum(1 - x_ / n_, 0))
    denominator = 2 * (n_ + z * z)
    lower, upper = (centre - spread) / denominator, (centre + spread) / denominator
    return _checks.scalar_out(lower), _checks.scalar_out(upper)


def _byars_lower(x: Floats, z: float) -> Floats:
    with np.errstate(divide="ignore", invalid="ignore"):
        base = 1 - 1 / (9 * x) - z / (3 * np.sqrt(x))
        lower = x * base * base * base  # cubing by multiplication: pow() is several times slower
    # No events has an exact lower limit of 0; where the approximation turns negative (a handful
    # of events at high confidence) PHEindicatormethods reports NA rather than a wrong number.
    lower = np.where(x == 0, 0.0, lower)
    return np.where(lower < 0, np.nan, lower)


def _byars_upper(x: Floats, z: float) -> Floats:
    x1 = x + 1
    base = 1 - 1 / (9 * x1) + z / (3 * np.sqrt(x1))
    return x1 * base * base * base


def byars_interval(
    x: ArrayLike, confidence: float = 0.95, *, allow_missing: bool = False
) -> tuple[Floats, Floats]:
    """(lower, upper) for an observed count x. Breslow & Day, Statistical methods in cancer research II."""
    z = z_score(confidence)
    x_ = _checks.counts("x", x, allow_missing=allow_missing)
    return _checks.scalar_out(_byars_lower(x_, z)), _checks.scalar_out(_byars_upper(x_, z))


def exact_poisson_interval(
    x: ArrayLike, confidence: float = 0.95, *, allow_missing: bool = False
) -> tuple[Floats, Floats]:
    """(lower, upper) for a count x from the chi-square quantiles of the Poisson. Garwood, Biometrika 1936."""
    alpha = 1 - _checks.confidence_level(confidence)
    x_ = _checks.counts("x", x, allow_missing=allow_missing)
    return _checks.scalar_out(_exact_lower(x_, alpha / 2)), _checks.scalar_out(_exact_upper(x_, alpha / 2))


def _exact_lower(x: Floats, tail: float) -> Floats:
    # chi2.ppf(tail, 2x) / 2 is the Gamma(x) quantile; the lower limit for 0 events is 0.
    with np.errstate(invalid="ignore"):
        return np.where(x == 0, 0.0, gammaincinv(np.where(x == 0, 1.0, x), tail))


def _exact_upper(x: Floats, tail: float) -> Floats:
    return gammaincinv(x + 1, 1 - tail)


def rate_interval(
    x: ArrayLike,
    n: ArrayLike,
    confidence: float = 0.95,
    multiplier: float = 100_000,
    *,
    allow_missing: bool = False,
) -> tuple[Floats, Floats, Floats]:
    """(value, lower, upper) of the rate x/n × multiplier: exact Poisson below 10 events, else Byar's. PHE."""
    level = _checks.confidence_level(confidence)
    x_ = _checks.counts("x", x, allow_missing=allow_missing)
    # A rate's denominator is person-time, not a pool of trials: x may exceed n.
    n_ = _checks.positive("n", n, allow_missing=allow_missing)
    _checks.same_shape(x=x_, n=n_)
    x_, n_ = np.broadcast_arrays(x_, n_)
    lower, upper = count_interval(x_, level)
    scale = multiplier / n_
    return (
        _checks.scalar_out(x_ * scale),
        _checks.scalar_out(lower * scale),
        _checks.scalar_out(upper * scale),
    )


def count_interval(x: Floats, confidence: float) -> tuple[Floats, Floats]:
    """(lower, upper) for counts as phe_rate takes them: exact below 10 events, Byar's from 10."""
    z = z_score(confidence)
    tail = (1 - confidence) / 2
    small = x < SMALL_COUNT
    lower = np.array(_byars_lower(x, z), dtype=np.float64)
    upper = np.array(_byars_upper(x, z), dtype=np.float64)
    if small.any():
        # Only the few small counts pay for the incomplete-gamma inversion.
        lower[small] = _exact_lower(x[small], tail)
        upper[small] = _exact_upper(x[small], tail)
    return lower, upper


def dsr_interval(
    counts: ArrayLike,
    pops: ArrayLike,
    std_pops: ArrayLike,
    confidence: float = 0.95,
    multiplier: float = 100_000,
) -> tuple[Floats, Floats, Floats]:
    """(value, lower, upper) of the directly standardised rate, NaN below 10 events. Dobson, Stat Med 1991.

    Standardisation categories (age bands) run along the last axis of `counts` and `pops`;
    `std_pops` (for instance the European Standard Population 2013) broadcasts against them.
    """
    counts_ = _checks.counts("counts", counts)
    pops_ = _checks.positive("pops", pops)
    std_ = _checks.positive("std_pops", std_pops)
    _checks.same_shape(counts=counts_, pops=pops_, std_pops=std_)
    weight = std_ / pops_
    return _dobson(counts_.sum(axis=-1), (counts_ * weight).sum(axis=-1), (counts_ * weight**2).sum(axis=-1),
                   np.broadcast_to(std_, np.broadcast_shapes(std_.shape, pops_.shape)).sum(axis=-1),
                   confidence, multiplier)


def dsr_interval_nonindependent(
    persons_by_frequency: ArrayLike,
    frequencies: ArrayLike,
    pops: ArrayLike,
    std_pops: ArrayLike,
    confidence: float = 0.95,
    multiplier: float = 100_000,
) -> tuple[Floats, Floats, Floats]:
    """DSR with Dobson limits when one person can have several events (PHE DSR technical guidance, 2024).

    `persons_by_frequency[..., f, band]` counts the persons with `frequencies[f]` events in each
    band. Events are the sum of frequency × persons; each frequency's variance is weighted by its
    square, which widens the interval because repeat events are not independent.
    """
    persons = _checks.counts("persons_by_frequency", persons_by_frequency)
    freq = _checks.positive("frequencies", frequencies)
    pops_ = _checks.positive("pops", pops)
    std_ = _checks.positive("std_pops", std_pops)
    if persons.ndim < 2 or freq.shape != persons.shape[-2:-1]:
        raise ValueError(
            f"Give one row of persons_by_frequency per frequency: persons_by_frequency {persons.shape}, "
            f"frequencies {freq.shape}"
        )
    _checks.same_shape(persons_by_frequency=persons, pops=pops_[..., None, :], std_pops=std_)
    f = freq[:, None]
    weight = std_ / pops_
    events = (f * persons).sum(axis=(-2, -1))
    weighted = (f * persons * weight[..., None, :]).sum(axis=(-2, -1))
    squared = (f**2 * persons * (weight**2)[..., None, :]).sum(axis=(-2, -1))
    total_std = np.broadcast_to(std_, np.broadcast_shapes(std_.shape, pops_.shape)).sum(axis=-1)
    return _dobson(events, weighted, squared, total_std, confidence, multiplier)


def _dobson(
    events: Floats, weighted: Floats, squared: Floats, total_std: Floats, confidence: float, multiplier: float
) -> tuple[Floats, Floats, Floats]:
    z = z_score(confidence)
    value = weighted / total_std
    variance = squared / total_std**2
    reliable = events >= SMALL_COUNT
    safe_events = np.where(reliable, events, 1.0)
    # Dobson: the DSR's interval is the count's (Byar's) interval, rescaled by the DSR's standard
    # error per unit of count, sqrt(var / events).
    scale = np.sqrt(variance / safe_events)
    lower = value + scale * (_byars_lower(safe_events, z) - safe_events)
    upper = value + scale * (_byars_upper(safe_events, z) - safe_events)
    out = [np.where(reliable, v * multiplier, np.nan) for v in (value, lower, upper)]
    return _checks.scalar_out(out[0]), _checks.scalar_out(out[1]), _checks.scalar_out(out[2])
