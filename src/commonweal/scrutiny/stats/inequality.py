"""Slope and relative index of inequality across deprivation quantiles, with confidence intervals.

Each quantile (decile 1 = most deprived … 10 = least deprived) is placed at the midpoint of its
share of the population, its relative rank b in [0, 1]. A line fitted to the quantile values,
weighted by population share a, gives the slope index of inequality (SII = fitted value at b = 1
minus at b = 0) and the relative index (RII = their ratio). This is Low & Low (J Public Health
2004;26:388-395) as PHEindicatormethods' phe_sii computes it; quantiles lie along the last axis,
so every indicator and period is fitted at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import expit, logit, ndtri

from commonweal.scrutiny.stats import _checks
from commonweal.scrutiny.stats._checks import Floats

ValueType = Literal["normal", "rate", "proportion"]
CIMethod = Literal["analytic", "simulation"]

# PHEindicatormethods restricts the SII to between 5 and 100 quantiles: fewer cannot show a
# gradient, more make the fit unstable on small populations.
MIN_QUANTILES = 5
MAX_QUANTILES = 100


@dataclass(frozen=True)
class InequalityIndex:
    """SII and RII with their limits at one confidence level; `intercept` is the fitted value at b = 0."""

    sii: Floats
    sii_lower: Floats
    sii_upper: Floats
    rii: Floats
    rii_lower: Floats
    rii_upper: Floats
    intercept: Floats


def relative_rank(population: ArrayLike) -> Floats:
    """Midpoint of each quantile's share of the cumulative population (last axis). Low & Low 2004."""
    pop = _checks.positive("population", population)
    share = pop / pop.sum(axis=-1, keepdims=True)
    return np.cumsum(share, axis=-1) - share / 2


def standard_error_from_limits(
    lower: ArrayLike, upper: ArrayLike, value_type: ValueType = "normal", confidence: float = 0.95
) -> Floats:
    """Standard error from limits symmetric on the log (rate) or logit (proportion) scale. phe_sii."""
    lo = _checks.numbers("lower_cl", lower)
    up = _checks.numbers("upper_cl", upper)
    _checks.same_shape(lower_cl=lo, upper_cl=up)
    z = ndtri(0.5 + _checks.confidence_level(confidence) / 2)
    link = _link(value_type)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = (link(up) - link(lo)) / (2 * z)
    if not np.isfinite(se).all() or (se < 0).any():
        raise ValueError(f"Enter lower_cl no larger than upper_cl, both inside the range of a {value_type}")
    return se


def decile_totals(
    decile: ArrayLike, numerator: ArrayLike, denominator: ArrayLike, quantiles: int = 10
) -> tuple[Floats, Floats]:
    """(numerators, denominators) summed by quantile 1..`quantiles`, for each row of areas (last axis)."""
    d = _checks.numbers("decile", decile)
    x = _checks.counts("numerator", numerator)
    n = _checks.counts("denominator", denominator)
    shape = _checks.same_shape(decile=d, numerator=x, denominator=n)
    if ((d < 1) | (d > quantiles) | (d != np.round(d))).any():
        raise ValueError(f"Enter decile as a whole number from 1 to {quantiles}")
    d, x, n = (np.broadcast_to(a, shape).reshape(-1, shape[-1]) for a in (d, x, n))
    rows = np.arange(d.shape[0])[:, None]
    # One bincount over (row, quantile) pairs sums every row at once.
    slot = (rows * quantiles + d.astype(np.int64) - 1).ravel()
    size = d.shape[0] * quantiles
    out_shape = (*shape[:-1], quantiles)
    return (
        np.bincount(slot, weights=x.ravel(), minlength=size).reshape(out_shape),
        np.bincount(slot, weights=n.ravel(), minlength=size).reshape(out_shape),
    )


def _link(value_type: ValueType):
    if value_type == "normal":
        return lambda v: v
    if value_type == "rate":
        return np.log
    if value_type == "proportion":
        return logit
    raise ValueError(f"Choose value_type 'normal', 'rate' or 'proportion': got {value_type!r}")


def _inverse_link(value_type: ValueType):
    return {"normal": lambda v: v, "rate": np.exp, "proportion": expit}[value_type]


def _inverse_link_slope(value_type: ValueType, t: Floats) -> Floats:
    if value_type == "rate":
        return np.exp(t)
    if value_type == "proportion":
        p = expit(t)
        return p * (1 - p)
    return np.ones_like(t)


def slope_index_of_inequality(
    value: ArrayLike,
    population: ArrayLike,
    se: ArrayLike,
    *,
    value_type: ValueType = "normal",
    transform: bool = False,
    confidence: float = 0.95,
    multiplier: float = 1.0,
    method: CIMethod = "analytic",
    repetitions: int = 100_000,
    seed: int | None = 0,
) -> InequalityIndex:
    """SII and RII across quantiles (last axis, 1 = most deprived) with limits. Low & Low 2004; PHE phe_sii.

    `se` is on the scale PHEindicatormethods uses: as given for "normal", of log(value) for a
    rate, of logit(value) for a proportion (standard_error_from_limits makes it from 95% limits).
    With `transform`, the line is fitted to log rates or logit proportions and its ends transformed
    back, so SII = g(b0 + b1) - g(b0) and RII = g(b0 + b1) / g(b0). A negative `multiplier` flips
    the SII's sign and inverts the RII, for indicators where lower is better.

    Limits: PHE simulates (`method="simulation"`, `repetitions` normal draws per quantile, seeded
    for repeatable pages). The default `"analytic"` gives the same limits without drawing: the
    fitted line is linear in the quantile values, so the SII is exactly normal for normal values
    and for transformed fits' coefficients; elsewhere it uses the delta method.
    """
    value_ = _checks.numbers("value", value)
    pop = _checks.positive("population", population)
    se_ = _checks.counts("se", se)
    shape = _checks.same_shape(value=value_, population=pop, se=se_)
    level = _checks.confidence_level(confidence)
    link = _link(value_type)
    if value_type == "rate" and (value_ <= 0).any():
        raise ValueError("Enter value above 0 for a rate")
    if value_type == "proportion" and ((value_ <= 0) | (value_ >= 1)).any():
        raise ValueError("Enter value as a proportion strictly between 0 and 1")
    quantiles = shape[-1] if shape else 0
    if not MIN_QUANTILES <= quantiles <= MAX_QUANTILES:
        raise ValueError(
            f"Give between {MIN_QUANTILES} and {MAX_QUANTILES} quantiles along the last axis: got {quantiles}"
        )
    if not multiplier:
        raise ValueError("Enter a multiplier other than 0, like 1 or 100")
    value_, pop, se_ = np.broadcast_arrays(value_, pop, se_)

    share = pop / pop.sum(axis=-1, keepdims=True)
    rank = np.cumsum(share, axis=-1) - share / 2
    # Weighted least squares of y on (1, b) with weights a: the same fit as phe_sii's
    # lm(y·sqrt(a) ~ sqrt(a) + b·sqrt(a) - 1). Each coefficient is a fixed linear combination
    # of the y values: slope = Σ c·y, intercept = Σ d·y.
    mean_rank = (share * rank).sum(axis=-1, keepdims=True)
    centred = rank - mean_rank
    c = share * centred / (share * centred**2).sum(axis=-1, keepdims=True)
    d = share - mean_rank * c
    t = link(value_)  # the scale the simulation draws on

    fit_scale = t if transform else value_
    slope = (c * fit_scale).sum(axis=-1)
    intercept = (d * fit_scale).sum(axis=-1)
    ends = _ends(slope, intercept, value_type, transform)
    sii, rii, y0 = _indices(*ends, multiplier)

    if method == "analytic":
        lower, upper = _analytic_limits(
            c, d, t, se_, slope, intercept, value_type, transform, level, multiplier
        )
    elif method == "simulation":
        lower, upper = _simulated_limits(
            c, d, t, se_, value_type, transform, level, multiplier, repetitions, seed
        )
    else:
        raise ValueError(f"Choose method 'analytic' or 'simulation': got {method!r}")
    out = _checks.scalar_out
    return InequalityIndex(
        sii=out(sii), sii_lower=out(lower[0]), sii_upper=out(upper[0]),
        rii=out(rii), rii_lower=out(lower[1]), rii_upper=out(upper[1]), intercept=out(y0),
    )


def _ends(slope: Floats, intercept: Floats, value_type: ValueType, transform: bool) -> tuple[Floats, Floats]:
    """Fitted values at b = 0 and b = 1, on the value's own scale."""
    if transform:
        inverse = _inverse_link(value_type)
        return inverse(intercept), inverse(intercept + slope)
    return intercept, intercept + slope


def _indices(y0: Floats, y1: Floats, multiplier: float) -> tuple[Floats, Floats, Floats]:
    with np.errstate(divide="ignore", invalid="ignore"):
        rii = y1 / y0
    # PHE: a negative multiplier reverses polarity, so the RII is inverted to keep its meaning.
    if multiplier < 0:
        rii = 1 / rii
    return multiplier * (y1 - y0), rii, y0


def _analytic_limits(
    c: Floats, d: Floats, t: Floats, se: Floats, slope: Floats, intercept: Floats,
    value_type: ValueType, transform: bool, level: float, multiplier: float,
) -> tuple[tuple[Floats, Floats], tuple[Floats, Floats]]:
    z = ndtri(0.5 + level / 2)
    # Fitted on the drawn scale, the coefficients are exactly normal; otherwise the delta method
    # carries each quantile's variance back to the value scale.
    var = se**2 if transform else (_inverse_link_slope(value_type, t) * se) ** 2
    var_slope = (c**2 * var).sum(axis=-1)
    var_intercept = (d**2 * var).sum(axis=-1)
    cov = (c * d * var).sum(axis=-1)
    if transform:
        inverse = _inverse_link(value_type)
        g0 = _inverse_link_slope(value_type, intercept)
        g1 = _inverse_link_slope(value_type, intercept + slope)
        # SII = g(b0 + b1) - g(b0): gradient (g1 - g0) in b0 and g1 in b1.
        sii_sd = np.sqrt((g1 - g0) ** 2 * var_intercept + g1**2 * var_slope + 2 * (g1 - g0) * g1 * cov)
        y0, y1 = inverse(intercept), inverse(intercept + slope)
    else:
        sii_sd = np.sqrt(var_slope)
        y0, y1 = intercept, intercept + slope
    sii_lower, sii_upper = y1 - y0 - z * sii_sd, y1 - y0 + z * sii_sd
    if transform and value_type == "rate":
        # RII = exp(b1) exactly, so its limits are exact too.
        sd = np.sqrt(var_slope)
        rii_lower, rii_upper = np.exp(slope - z * sd), np.exp(slope + z * sd)
    else:
        # RII = y1 / y0 by the delta method: gradient (-y1/y0², 1/y0) in (y0, y1).
        if transform:
            g0 = _inverse_link_slope(value_type, intercept)
            g1 = _inverse_link_slope(value_type, intercept + slope)
            var_y0 = g0**2 * var_intercept
            var_y1 = g1**2 * (var_intercept + var_slope + 2 * cov)
            cov_01 = g0 * g1 * (var_intercept + cov)
        else:
            var_y0 = var_intercept
            var_y1 = var_intercept + var_slope + 2 * cov
            cov_01 = var_intercept + cov
        rii = y1 / y0
        rii_sd = np.sqrt(var_y1 / y0**2 + rii**2 * var_y0 / y0**2 - 2 * rii * cov_01 / y0**2)
        rii_lower, rii_upper = rii - z * rii_sd, rii + z * rii_sd
    return _polarity(sii_lower, sii_upper, rii_lower, rii_upper, multiplier)


def _polarity(
    sii_lower: Floats, sii_upper: Floats, rii_lower: Floats, rii_upper: Floats, multiplier: float
) -> tuple[tuple[Floats, Floats], tuple[Floats, Floats]]:
    sii_ends = (multiplier * sii_lower, multiplier * sii_upper)
    if multiplier < 0:
        return (sii_ends[1], 1 / rii_upper), (sii_ends[0], 1 / rii_lower)
    return (sii_ends[0], rii_lower), (sii_ends[1], rii_upper)


def _simulated_limits(
    c: Floats, d: Floats, t: Floats, se: Floats, value_type: ValueType, transform: bool,
    level: float, multiplier: float, repetitions: int, seed: int | None,
) -> tuple[tuple[Floats, Floats], tuple[Floats, Floats]]:
    if repetitions < 1000:
        raise ValueError(f"Enter repetitions of 1000 or more: got {repetitions}")
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal((*t.shape[:-1], repetitions, t.shape[-1]))
    draws = t[..., None, :] + se[..., None, :] * noise
    fit_scale = draws if transform else _inverse_link(value_type)(draws)
    slope = np.einsum("...q,...rq->...r", c, fit_scale)
    intercept = np.einsum("...q,...rq->...r", d, fit_scale)
    sii, rii, _ = _indices(*_ends(slope, intercept, value_type, transform), multiplier)
    tails = [(1 - level) / 2, (1 + level) / 2]
    sii_q = np.quantile(sii, tails, axis=-1)
    rii_q = np.quantile(rii, tails, axis=-1)
    return (sii_q[0], rii_q[0]), (sii_q[1], rii_q[1])
