"""A generated nation for the postcode-lottery monitor: 300 authorities × 8 standards × 5 years.

Seeded, so every load writes the same numbers; written with one bulk insert-or-update per table,
so loading twice leaves what loading once did. Four standards follow deprivation (worse in more
deprived authorities), four do not, and a few authorities per standard are set truly apart from
the rest, so the funnel plots and gradients have real findings to show.
"""

from __future__ import annotations

import numpy as np
from django.db import transaction

from commonweal.places.demo import STANDARDS
from commonweal.places.models import Area, Measurement, NationalStandard

AUTHORITIES = 300
PERIODS = ["2020-21", "2021-22", "2022-23", "2023-24", "2024-25"]
# The demo borough and its comparators already have the last two years from the places demo;
# the monitor gives them the earlier years so their trends have a shape.
DEMO_AUTHORITIES = ["E06000996", "E06000997", "E06000998", "E06000999"]
EARLIER_PERIODS = PERIODS[:3]
FIRST_CODE = 1001  # E06001001 onwards, clear of the demo's E06000996-E06000999

REGIONS = [
    ("E12000001", "North East"),
    ("E12000002", "North West"),
    ("E12000003", "Yorkshire and The Humber"),
    ("E12000004", "East Midlands"),
    ("E12000005", "West Midlands"),
    ("E12000006", "East of England"),
    ("E12000007", "London"),
    ("E12000008", "South East"),
    ("E12000009", "South West"),
]
_STEMS = [
    "Ash",
    "Bram",
    "Cold",
    "Dun",
    "Elm",
    "Fen",
    "Grey",
    "Hart",
    "Ire",
    "Kings",
    "Lang",
    "Mill",
    "North",
    "Oak",
    "Pen",
    "Queens",
    "Rother",
    "Stan",
    "Thorn",
    "Up",
    "Wey",
    "Yar",
]
_ENDINGS = [
    "ford",
    "ley",
    "ham",
    "bury",
    "wick",
    "field",
    "ton",
    "mouth",
    "dale",
    "borough",
    "minster",
    "stow",
    "bridge",
    "combe",
]

# Percentage points per deprivation decile (1 most deprived) for the standards that follow
# deprivation; the rest are flat.
GRADIENTS = {"gp-access": 0.4, "school-readiness": 0.6, "youth-services": 0.5, "street-cleaning": 0.3}
OUTLIERS_PER_STANDARD = 3
OUTLIER_SHIFT = 7.0  # percentage points: far beyond the 99.8% limit at these denominators


def authority_names(count: int, rng: np.random.Generator) -> list[str]:
    """Invented place names, none the same as the demo's own authorities."""
    taken = {"Ashcombe", "Redmarsh", "Hollin Bridge", "Thornbury Vale"}
    names = [s + e for s in _STEMS for e in _ENDINGS if s + e not in taken]
    rng.shuffle(names)
    return sorted(names[:count])


@transaction.atomic
def load_scrutiny_demo() -> int:
    """Create or refresh the generated authorities and their measurements; return how many measurements."""
    rng = np.random.default_rng(6_2026)
    nation = Area.objects.get(code="E92000001")
    Area.objects.bulk_create(
        [Area(code=code, name=name, kind=Area.Kind.REGION, parent=nation) for code, name in REGIONS],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "kind", "parent"],
    )
    regions = dict(Area.objects.filter(code__in=[c for c, _ in REGIONS]).values_list("code", "pk"))

    names = authority_names(AUTHORITIES, rng)
    population = np.round(rng.lognormal(np.log(160_000), 0.55, AUTHORITIES), -2).astype(int)
    # Deciles spread evenly over the authorities, in an order unrelated to their names or size.
    decile = (rng.permutation(AUTHORITIES) * 10 // AUTHORITIES + 1).astype(int)
    codes = [f"E06{FIRST_CODE + i:06d}" for i in range(AUTHORITIES)]
    Area.objects.bulk_create(
        [
            Area(
                code=codes[i],
                name=names[i],
                kind=Area.Kind.AUTHORITY,
                parent_id=regions[REGIONS[i % 9][0]],
                population=int(population[i]),
                deprivation_decile=int(decile[i]),
            )
            for i in range(AUTHORITIES)
        ],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "kind", "parent", "population", "deprivation_decile"],
    )
    demo = list(Area.objects.filter(code__in=DEMO_AUTHORITIES).order_by("code"))
    ids = dict(Area.objects.filter(code__in=codes).values_list("code", "pk"))
    standards = {s.service.slug: s for s in NationalStandard.objects.select_related("service")}

    rows = []
    for slug, *_rest, typical in STANDARDS:
        standard = standards[slug]
        sign = 1 if standard.higher_is_better else -1
        share = rng.uniform(0.04, 0.12)  # the part of the population each indicator measures
        effect = rng.normal(0, 0.15, AUTHORITIES)  # real between-area variation, beyond chance
        effect[rng.choice(AUTHORITIES, OUTLIERS_PER_STANDARD, replace=False)] -= OUTLIER_SHIFT
        effect[rng.choice(AUTHORITIES, 1)] += OUTLIER_SHIFT
        n = np.maximum((population * share).astype(int), 200)
        for step, period in enumerate(PERIODS):
            percent = typical + sign * (GRADIENTS.get(slug, 0.0) * (decile - 5.5) + 0.4 * step + effect)
            x = rng.binomial(n, np.clip(percent, 0.5, 99.5) / 100)
            rows += [
                Measurement(
                    standard=standard,
                    area_id=ids[codes[i]],
                    period=period,
                    numerator=int(x[i]),
                    denominator=int(n[i]),
                )
                for i in range(AUTHORITIES)
            ]
        rows += _earlier_years(standard, demo, typical, sign, rng)
    Measurement.objects.bulk_create(
        rows,
        batch_size=2_000,
        update_conflicts=True,
        unique_fields=["standard", "area", "period"],
        update_fields=["numerator", "denominator"],
    )
    return len(rows)


def _earlier_years(
    standard: NationalStandard, demo: list[Area], typical: float, sign: int, rng: np.random.Generator
) -> list[Measurement]:
    rows = []
    for area in demo:
        n = max(200, (area.population or 5_000) // 10)
        for step, period in enumerate(EARLIER_PERIODS):
            percent = typical + sign * (0.8 * ((area.deprivation_decile or 5) - 5.5) - 0.6 * (3 - step))
            x = int(rng.binomial(n, min(max(percent, 0.5), 99.5) / 100))
            rows.append(Measurement(standard=standard, area=area, period=period, numerator=x, denominator=n))
    return rows
