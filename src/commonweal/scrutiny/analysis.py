"""Each standard's measurements run through the scrutiny core: floors, England, funnels, deprivation.

A measurement is a numerator out of a denominator (the import refuses a numerator above its
denominator), so every indicator is analysed as a proportion scaled by its standard's
multiplier: Wilson intervals, the normal-approximation funnel around England's value, and the
slope index of inequality on the proportion scale. England's value is pooled over every
authority measured in the period: the sum of numerators over the sum of denominators.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.db.models import Sum

from commonweal.places.models import Area, Measurement, NationalStandard

from . import stats
from .stats.comparison import BETTER, NOT_COMPARED, SIMILAR, WORSE
from .stats.funnels import HIGH_001, HIGH_025, LOW_001, LOW_025, NOT_SIGNIFICANT
from .stats.inequality import MIN_QUANTILES

CONFIDENCE = 0.95

FUNNEL_READINGS = {
    HIGH_001: "Above the 99.8% limit: very unlikely to be chance",
    HIGH_025: "Above the 95% limit: unlikely to be chance",
    NOT_SIGNIFICANT: "Inside the 95% limits: the difference from England could be chance",
    LOW_025: "Below the 95% limit: unlikely to be chance",
    LOW_001: "Below the 99.8% limit: very unlikely to be chance",
}
# Fingertips' colours, always shown with their words: green better, yellow similar, red worse.
TAG_COLOURS = {BETTER: "green", SIMILAR: "yellow", WORSE: "red", NOT_COMPARED: "grey"}


@dataclass(frozen=True)
class Result:
    """One area's measurement of one standard in one period, with every comparison made."""

    area: Area
    period: str
    numerator: int
    denominator: int
    value: float
    lower: float
    upper: float
    england: float
    against_floor: str  # Better / Similar / Worse: the 95% interval against the floor
    against_england: str  # the same against England's value
    funnel: str  # PHEindicatormethods' label against England's value
    meets_floor: bool
    higher_is_better: bool

    @property
    def floor_status(self) -> str:
        """The floor comparison in words a reader can act on."""
        if self.against_floor == WORSE:
            return "Below the floor"
        if self.against_floor == SIMILAR:
            return (
                "Meets the floor, could be chance" if self.meets_floor else "Below the floor, could be chance"
            )
        if self.against_floor == BETTER:
            return "Meets the floor"
        return "Not compared"

    @property
    def floor_colour(self) -> str:
        return TAG_COLOURS[self.against_floor]

    @property
    def england_status(self) -> str:
        return {BETTER: "Better", SIMILAR: "Similar", WORSE: "Worse"}.get(
            self.against_england, "Not compared"
        )

    @property
    def england_colour(self) -> str:
        return TAG_COLOURS[self.against_england]

    @property
    def funnel_reading(self) -> str:
        reading = FUNNEL_READINGS[self.funnel]
        high = self.funnel in (HIGH_001, HIGH_025)
        if self.funnel == NOT_SIGNIFICANT:
            return reading
        better = high == self.higher_is_better
        return f"{reading}; {'better' if better else 'worse'} than England"

    @property
    def outside_998(self) -> bool:
        return self.funnel in (HIGH_001, LOW_001)


@dataclass(frozen=True)
class FunnelCurve:
    """The control limits drawn at a range of denominators around England's value."""

    denominators: np.ndarray
    limits: stats.FunnelLimits
    england: float


@dataclass(frozen=True)
class DecileRow:
    decile: int
    areas: int
    numerator: int
    denominator: int
    value: float
    lower: float
    upper: float
    rank: float  # the midpoint of the decile's share of the denominators, 0 to 1


@dataclass(frozen=True)
class Inequality:
    """Value by deprivation decile and the slope index of inequality across them."""

    rows: list[DecileRow]
    sii: float | None = None
    sii_lower: float | None = None
    sii_upper: float | None = None
    rii: float | None = None
    rii_lower: float | None = None
    rii_upper: float | None = None
    intercept: float | None = None  # fitted value at the most deprived end
    reading: str = ""


@dataclass(frozen=True)
class StandardAnalysis:
    standard: NationalStandard
    period: str | None
    periods: list[str]
    england: float | None
    results: list[Result]
    funnel: FunnelCurve | None
    inequality: Inequality

    def result_for(self, code: str | None) -> Result | None:
        return next((r for r in self.results if r.area.code == code), None)

    def count(self, status: str) -> int:
        return sum(r.floor_status == status for r in self.results)


def periods_of(standard: NationalStandard) -> list[str]:
    """Every period the standard has authority measurements for, oldest first."""
    return sorted(
        set(
            Measurement.objects.filter(standard=standard, area__kind=Area.Kind.AUTHORITY)
            .values_list("period", flat=True)
            .distinct()
        )
    )


def england_totals(standards: list[NationalStandard]) -> dict[tuple[int, str], tuple[int, int]]:
    """(numerator, denominator) summed over every authority, per (standard id, period)."""
    rows = (
        Measurement.objects.filter(standard__in=standards, area__kind=Area.Kind.AUTHORITY)
        .values("standard_id", "period")
        .annotate(x=Sum("numerator"), n=Sum("denominator"))
    )
    return {(r["standard_id"], r["period"]): (r["x"], r["n"]) for r in rows}


def compare(
    standard: NationalStandard,
    areas: list[Area],
    periods: list[str],
    x: np.ndarray,
    n: np.ndarray,
    england: np.ndarray,
) -> list[Result]:
    """Every comparison for rows of (area, period, numerator, denominator) against England's proportions."""
    if not len(x):
        return []
    m = standard.multiplier
    lower, upper = stats.wilson_interval(x, n, CONFIDENCE)
    value = x / n
    # Rounding can put a Wilson limit a hair past the value at 0 or n events; the core refuses that.
    lower, upper = np.minimum(lower, value) * m, np.maximum(upper, value) * m
    value = value * m
    hib = standard.higher_is_better
    floor = float(standard.floor)
    against_floor = np.atleast_1d(stats.compare_with_floor(value, lower, upper, floor, hib))
    against_england = np.atleast_1d(stats.compare_with_benchmark(lower, upper, england * m, hib))
    funnel = np.atleast_1d(stats.proportion_funnel_significance(x, n, england))
    return [
        Result(
            area=areas[i],
            period=periods[i],
            numerator=int(x[i]),
            denominator=int(n[i]),
            value=float(value[i]),
            lower=float(lower[i]),
            upper=float(upper[i]),
            england=float(england[i] * m),
            against_floor=str(against_floor[i]),
            against_england=str(against_england[i]),
            funnel=str(funnel[i]),
            meets_floor=standard.meets(value[i]),
            higher_is_better=hib,
        )
        for i in range(len(x))
    ]


_FLOOR_ORDER = [
    "Below the floor",
    "Below the floor, could be chance",
    "Meets the floor, could be chance",
    "Meets the floor",
    "Not compared",
]


def analyse_standard(standard: NationalStandard, period: str | None = None) -> StandardAnalysis:
    """Every authority against the floor and England in `period` (default the latest), with funnel and SII."""
    periods = periods_of(standard)
    period = period if period in periods else (periods[-1] if periods else None)
    rows = list(
        Measurement.objects.filter(
            standard=standard, period=period, area__kind=Area.Kind.AUTHORITY
        ).select_related("area", "area__parent")
    )
    if not rows:
        return StandardAnalysis(
            standard,
            period,
            periods,
            None,
            [],
            None,
            Inequality([], reading=("There are no measurements yet, so there is nothing to compare.")),
        )
    x = np.array([r.numerator for r in rows], dtype=float)
    n = np.array([r.denominator for r in rows], dtype=float)
    p = x.sum() / n.sum()
    results = compare(standard, [r.area for r in rows], [period] * len(rows), x, n, np.full(len(rows), p))
    results.sort(key=lambda r: (_FLOOR_ORDER.index(r.floor_status), r.area.name))
    return StandardAnalysis(
        standard=standard,
        period=period,
        periods=periods,
        england=p * standard.multiplier,
        results=results,
        funnel=funnel_curve(n, p, standard.multiplier),
        inequality=inequality(standard, results),
    )


def funnel_curve(
    denominators: np.ndarray, england: float, multiplier: float, points: int = 120
) -> FunnelCurve:
    """Limits at denominators spaced evenly on a log scale, so the narrow end of the funnel is smooth."""
    low = max(float(denominators.min()) * 0.5, 10.0)
    high = float(denominators.max()) * 1.05
    grid = np.geomspace(low, max(high, low * 2), points)
    limits = stats.proportion_funnel_limits(grid, np.full(points, england), multiplier)
    return FunnelCurve(grid, limits, england * multiplier)


def inequality(standard: NationalStandard, results: list[Result]) -> Inequality:
    """Authorities grouped by deprivation decile, and the SII and RII fitted across the deciles."""
    with_decile = [r for r in results if r.area.deprivation_decile]
    if not with_decile:
        return Inequality(
            [], reading="No authority has a deprivation decile, so there is no gradient to show."
        )
    m = standard.multiplier
    deciles = np.array([r.area.deprivation_decile for r in with_decile], dtype=float)
    x_all = np.array([r.numerator for r in with_decile], dtype=float)
    n_all = np.array([r.denominator for r in with_decile], dtype=float)
    x, n = stats.decile_totals(deciles, x_all, n_all)
    present = n > 0
    counts = np.bincount(deciles.astype(int), minlength=11)[1:]
    x, n, labels = x[present], n[present], np.arange(1, 11)[present]
    p = x / n
    lower, upper = stats.wilson_interval(x, n, CONFIDENCE)
    lower, upper = np.minimum(lower, p), np.maximum(upper, p)
    rank = stats.relative_rank(n)
    rows = [
        DecileRow(
            int(labels[i]),
            int(counts[labels[i] - 1]),
            int(x[i]),
            int(n[i]),
            float(p[i] * m),
            float(lower[i] * m),
            float(upper[i] * m),
            float(rank[i]),
        )
        for i in range(len(labels))
    ]
    if len(rows) < MIN_QUANTILES:
        return Inequality(
            rows,
            reading=(
                f"Authorities are measured in only {len(rows)} deprivation deciles; the slope index of "
                f"inequality needs at least {MIN_QUANTILES}, so no gradient is fitted."
            ),
        )
    value_type = "proportion" if ((p > 0) & (p < 1)).all() else "normal"
    se = stats.standard_error_from_limits(lower, upper, value_type, CONFIDENCE)
    index = stats.slope_index_of_inequality(
        p, n, se, value_type=value_type, confidence=CONFIDENCE, multiplier=m
    )
    result = Inequality(
        rows,
        sii=float(index.sii),
        sii_lower=float(index.sii_lower),
        sii_upper=float(index.sii_upper),
        rii=float(index.rii),
        rii_lower=float(index.rii_lower),
        rii_upper=float(index.rii_upper),
        intercept=float(index.intercept) * m,
    )
    return Inequality(**{**result.__dict__, "reading": inequality_reading(standard, result)})


def inequality_reading(standard: NationalStandard, index: Inequality) -> str:
    """The SII in a sentence: which end is better off, by how much, and whether it could be chance."""
    points = "percentage points" if standard.unit == "%" else standard.unit
    size = abs(index.sii)
    interval = f"95% confidence interval {index.sii_lower:.1f} to {index.sii_upper:.1f}"
    if index.sii_lower <= 0 <= index.sii_upper:
        return (
            f"The slope index of inequality is {index.sii:.1f} {points} ({interval}). "
            "The interval includes 0, "
            "so the difference between the most and least deprived areas could be chance: no clear gradient."
        )
    higher_at_least_deprived = index.sii > 0
    worse_where_deprived = higher_at_least_deprived == standard.higher_is_better
    direction = "higher" if higher_at_least_deprived else "lower"
    verdict = (
        "The service is worse where deprivation is greater, and the gap is unlikely to be chance."
        if worse_where_deprived
        else "The service is better where deprivation is greater, and the gap is unlikely to be chance."
    )
    return (
        f"Across the deprivation gradient, the least deprived end is {size:.1f} {points} {direction} "
        "than the "
        f"most deprived end (slope index of inequality {index.sii:.1f}, {interval}). {verdict}"
    )


@dataclass(frozen=True)
class Indicator:
    """One standard for one area: the latest result and the trend over every period measured."""

    standard: NationalStandard
    latest: Result | None
    trend: list[Result]


def area_profile(area: Area) -> list[Indicator]:
    """Every standard for the area, the latest period against the floor and England, and its trend."""
    standards = list(NationalStandard.objects.select_related("service"))
    totals = england_totals(standards)
    by_standard: dict[int, list[Measurement]] = defaultdict(list)
    for row in Measurement.objects.filter(area=area).order_by("period"):
        by_standard[row.standard_id].append(row)
    profile = []
    for standard in standards:
        rows = [r for r in by_standard[standard.pk] if totals.get((standard.pk, r.period), (0, 0))[1] > 0]
        x = np.array([r.numerator for r in rows], dtype=float)
        n = np.array([r.denominator for r in rows], dtype=float)
        england = np.array(
            [totals[(standard.pk, r.period)][0] / totals[(standard.pk, r.period)][1] for r in rows]
        )
        trend = compare(standard, [area] * len(rows), [r.period for r in rows], x, n, england)
        profile.append(Indicator(standard, trend[-1] if trend else None, trend))
    return profile
