"""Overdispersed funnel plots: Spiegelhalter's multiplicative and additive random-effects limits.

When many areas sit outside the Poisson or binomial funnel, the spread between areas is larger
than chance alone allows (case mix, coding, genuine differences the model does not capture).
Spiegelhalter (Stat Med 2005;24:1185-1202) widens the funnel either by a factor sqrt(phi)
(multiplicative) or by adding a between-area variance tau² (additive random effects), both
estimated from winsorised z-scores so that the outliers being looked for do not inflate the
estimate. FunnelPlotR (NHS-R) offers the same choices; areas lie along the last axis, so many
indicators are adjusted at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import gammaincinv, ndtri

from commonweal.scrutiny.stats import _checks
from commonweal.scrutiny.stats._checks import Floats

Statistic = Literal["ratio", "proportion", "ratio_of_counts"]
Transform = Literal["log", "sqrt"]
Model = Literal["additive", "multiplicative"]


@dataclass(frozen=True)
class TransformedScores:
    """Each area on the variance-stabilised scale: y, its standard error s, the target, and z."""

    y: Floats
    s: Floats
    target: Floats
    z: Floats


@dataclass(frozen=True)
class Overdispersion:
    """The dispersion ratio phi and between-area variance tau² for each set of areas."""

    phi: Floats
    tau2: Floats
    scores: TransformedScores
    z_winsorised: Floats


def funnel_z_scores(
    numerator: ArrayLike,
    denominator: ArrayLike,
    statistic: Statistic = "ratio",
    transform: Transform = "log",
) -> TransformedScores:
    """Unadjusted z-scores on variance-stabilising scales. Spiegelhalter, Stat Med 2005 (table I).

    ratio (observed over expected, target 1): log, s = 1/sqrt(E) (SHMI), or square root,
    s = 1/(2 sqrt(E)) (CQC). proportion: arcsine square root around the pooled proportion,
    s = 1/(2 sqrt(n)). ratio_of_counts: log((O + ½)/(E + ½)) around the pooled log ratio.
    """
    o = _checks.counts("numerator", numerator)
    e = _checks.positive("denominator", denominator)
    _checks.same_shape(numerator=o, denominator=e)
    o, e = np.broadcast_arrays(o, e)
    if statistic == "ratio":
        if transform == "log":
            with np.errstate(divide="ignore"):
                y = np.log(o / e)
            s = 1 / np.sqrt(e)
            target = np.zeros((*o.shape[:-1], 1))
        elif transform == "sqrt":
            y = np.sqrt(o / e)
            s = 1 / (2 * np.sqrt(e))
            target = np.ones((*o.shape[:-1], 1))
        else:
            raise ValueError(f"Choose transform 'log' or 'sqrt' for a ratio: got {transform!r}")
    elif statistic == "proportion":
        _checks.not_above("numerator", o, "denominator", e)
        y = np.arcsin(np.sqrt(o / e))
        s = 1 / (2 * np.sqrt(e))
        target = np.arcsin(np.sqrt(o.sum(axis=-1, keepdims=True) / e.sum(axis=-1, keepdims=True)))
    elif statistic == "ratio_of_counts":
        y = np.log((o + 0.5) / (e + 0.5))
        s = np.sqrt(o / (o + 0.5) ** 2 + e / (e + 0.5) ** 2)
        target = np.log(o.sum(axis=-1, keepdims=True) / e.sum(axis=-1, keepdims=True))
    else:
        raise ValueError(f"Choose statistic 'ratio', 'proportion' or 'ratio_of_counts': got {statistic!r}")
    return TransformedScores(y=y, s=s, target=target, z=(y - target) / s)


def winsorise(z: ArrayLike, trim: float = 0.1) -> Floats:
    """Pull each set's z-scores (last axis) in to its `trim` and 1 - `trim` quantiles. Spiegelhalter 2005."""
    z_ = _checks.numbers("z", z)
    if not 0 <= trim < 0.5:
        raise ValueError(f"Enter trim as a fraction from 0 up to 0.5, like 0.1: got {trim!r}")
    # numpy's default "linear" quantile is R's type 7, the one FunnelPlotR's quantile() uses.
    low = np.quantile(z_, trim, axis=-1, keepdims=True)
    high = np.quantile(z_, 1 - trim, axis=-1, keepdims=True)
    return np.clip(z_, low, high)


def dispersion_ratio(z_winsorised: ArrayLike) -> Floats:
    """phi = mean of the squared (winsorised) z-scores over the last axis. Spiegelhalter 2005, equation 3."""
    z_ = _checks.numbers("z_winsorised", z_winsorised)
    return _checks.scalar_out(np.mean(z_**2, axis=-1))


def between_area_variance(phi: ArrayLike, s: ArrayLike) -> Floats:
    """tau² by the DerSimonian-Laird moment estimate, 0 when k·phi < k - 1. Spiegelhalter 2005, equation 4."""
    phi_ = _checks.numbers("phi", phi)
    s_ = _checks.positive("s", s)
    k = s_.shape[-1]
    w = 1 / s_**2
    excess = k * phi_ - (k - 1)
    spread = w.sum(axis=-1) - (w**2).sum(axis=-1) / w.sum(axis=-1)
    tau2 = np.where(excess > 0, excess / spread, 0.0)
    return _checks.scalar_out(tau2)


def overdispersion(
    numerator: ArrayLike,
    denominator: ArrayLike,
    statistic: Statistic = "ratio",
    transform: Transform = "log",
    trim: float = 0.1,
) -> Overdispersion:
    """phi and tau² for each set of areas (last axis), from 10%-winsorised z-scores. Spiegelhalter 2005."""
    scores = funnel_z_scores(numerator, denominator, statistic, transform)
    z_w = winsorise(scores.z, trim)
    phi = np.asarray(dispersion_ratio(z_w))
    return Overdispersion(phi=phi, tau2=np.asarray(between_area_variance(phi, scores.s)), scores=scores,
                          z_winsorised=z_w)


def adjusted_z_scores(od: Overdispersion, model: Model = "additive") -> Floats:
    """z-scores once the funnel is widened: z/sqrt(phi) (multiplicative) or (y - target)/sqrt(s² + tau²)."""
    scores = od.scores
    if model == "multiplicative":
        # Spiegelhalter only inflates when there is overdispersion; phi < 1 leaves the funnel alone.
        return scores.z / np.sqrt(np.maximum(od.phi, 1.0))[..., None]
    if model == "additive":
        return (scores.y - scores.target) / np.sqrt(scores.s**2 + od.tau2[..., None])
    raise ValueError(f"Choose model 'additive' or 'multiplicative': got {model!r}")


def _back_transform(value: Floats, statistic: Statistic, transform: Transform) -> Floats:
    if statistic == "proportion":
        return np.sin(np.clip(value, 0, np.pi / 2)) ** 2
    if statistic == "ratio" and transform == "sqrt":
        return np.maximum(value, 0) ** 2
    return np.exp(value)


def overdispersed_limits(
    denominator: ArrayLike,
    od: Overdispersion,
    confidence: float = 0.95,
    statistic: Statistic = "ratio",
    transform: Transform = "log",
    model: Model = "additive",
) -> tuple[Floats, Floats]:
    """(lower, upper) funnel limits widened for overdispersion, at each denominator (expected count or n).

    Limits are target ± z·sqrt(s² + tau²) (additive) or target ± z·sqrt(phi)·s (multiplicative) on
    the transformed scale, then transformed back. Spiegelhalter 2005, section 4; FunnelPlotR.
    """
    z = ndtri(0.5 + _checks.confidence_level(confidence) / 2)
    e = _checks.positive("denominator", denominator)
    if statistic == "proportion" or (statistic == "ratio" and transform == "sqrt"):
        s = 1 / (2 * np.sqrt(e))
    elif statistic == "ratio":
        s = 1 / np.sqrt(e)
    else:
        # A ratio of counts has a standard error that needs both counts, so no single curve.
        raise ValueError(f"Choose statistic 'ratio' or 'proportion' for funnel limits: got {statistic!r}")
    target = od.scores.target[..., 0]
    if model == "additive":
        width = z * np.sqrt(s**2 + od.tau2[..., None])
    elif model == "multiplicative":
        width = z * np.sqrt(np.maximum(od.phi, 1.0))[..., None] * s
    else:
        raise ValueError(f"Choose model 'additive' or 'multiplicative': got {model!r}")
    centre = target[..., None]
    return (
        _back_transform(centre - width, statistic, transform),
        _back_transform(centre + width, statistic, transform),
    )


def poisson_ratio_limits(
    expected: ArrayLike, confidence: float = 0.95, target: float = 1.0
) -> tuple[Floats, Floats]:
    """Exact Poisson limits for a ratio at expected E: qchisq(a, 2E)/2E, qchisq(1-a, 2E+2)/2E. FunnelPlotR."""
    tail = (1 - _checks.confidence_level(confidence)) / 2
    e = _checks.positive("expected", expected)
    lower = target * gammaincinv(e, tail) / e
    upper = target * gammaincinv(e + 1, 1 - tail) / e
    return _checks.scalar_out(lower), _checks.scalar_out(upper)


def funnel_outliers(
    ratio: ArrayLike, lower: ArrayLike, upper: ArrayLike, multiplier: float = 1.0
) -> NDArray[np.int8]:
    """1 where the ratio lies outside [lower, upper] × multiplier (limits inclusive), else 0. FunnelPlotR."""
    r = _checks.numbers("ratio", ratio)
    lo = _checks.numbers("lower", lower)
    up = _checks.numbers("upper", upper)
    _checks.same_shape(ratio=r, lower=lo, upper=up)
    inside = (r >= lo * multiplier) & (r <= up * multiplier)
    return _checks.scalar_out((~inside).astype(np.int8))
