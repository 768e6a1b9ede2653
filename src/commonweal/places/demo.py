"""The demo place: a fictional English borough, its neighbourhoods, services, floors and people.

Loading is idempotent: every row is found by its natural key and brought to the values below,
so loading twice leaves the same data as loading once.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.db import transaction

from .models import Area, Measurement, NationalStandard, Postcode, Role, Service, User

DEMO_PASSWORD = "thornbury-demo-2026"

NEIGHBOURHOODS = [  # name, population, deprivation decile (1 = most deprived tenth)
    ("Abbey Fields", 8_420, 2),
    ("Brookside", 7_910, 1),
    ("Castle Hill", 6_350, 7),
    ("Dunmore", 9_120, 3),
    ("Elm Green", 5_870, 9),
    ("Fairholme", 7_240, 5),
    ("Glebe Park", 6_610, 8),
    ("Harbour End", 8_980, 2),
    ("Ivy Bank", 5_430, 10),
    ("Jubilee Gardens", 7_760, 4),
    ("Kingsmead", 6_990, 6),
    ("Larkrise", 6_120, 8),
]

COMPARATORS = [  # name, code, population, deprivation decile
    ("Ashcombe", "E06000997", 98_400, 4),
    ("Redmarsh", "E06000998", 91_200, 3),
    ("Hollin Bridge", "E06000996", 104_700, 6),
]

# slug, service, indicator, floor, higher is better, typical value
STANDARDS = [
    ("gp-access", "GP access", "Patients offered a GP appointment within two weeks", 85, True, 86),
    ("school-readiness", "School readiness",
     "Children with a good level of development at the end of reception", 65, True, 67),
    ("libraries", "Libraries", "Residents within two miles of a library open 30 hours a week",
     90, True, 91),
    ("adult-social-care", "Adult social care",
     "Care needs assessments completed within 28 days", 80, True, 82),
    ("parks", "Parks and green spaces",
     "Residents within ten minutes' walk of a public green space", 75, True, 78),
    ("street-cleaning", "Street cleaning",
     "Streets surveyed below the litter standard (grade B)", 10, False, 9),
    ("youth-services", "Youth services",
     "Young people aged 13 to 19 reached by youth work in the year", 25, True, 26),
    ("bus-access", "Bus access", "Homes within 400 metres of an hourly bus stop", 80, True, 81),
]
PERIODS = ["2023-24", "2024-25"]
# Where the demo borough falls short, so ring-fencing and scrutiny have a real case to show.
SHORTFALLS = {("E06000999", "youth-services"): 4.0, ("E06000997", "gp-access"): 5.0}


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    area: str


def load_demo() -> list[DemoAccount]:
    """Create or refresh the demo place; return the accounts a newcomer can sign in with."""
    with transaction.atomic():
        nation, _ = Area.objects.update_or_create(
            code="E92000001", defaults={"name": "England", "kind": Area.Kind.NATION}
        )
        region, _ = Area.objects.update_or_create(
            code="E12000009",
            defaults={"name": "South West", "kind": Area.Kind.REGION, "parent": nation},
        )
        borough, _ = Area.objects.update_or_create(
            code="E06000999",
            defaults={
                "name": "Thornbury Vale", "kind": Area.Kind.AUTHORITY, "parent": region,
                "population": sum(p for _, p, _ in NEIGHBOURHOODS), "deprivation_decile": 4,
            },
        )
        neighbourhoods = [
            _neighbourhood(borough, index, name, population, decile)
            for index, (name, population, decile) in enumerate(NEIGHBOURHOODS, start=1)
        ]
        comparators = [
            Area.objects.update_or_create(
                code=code,
                defaults={
                    "name": name, "kind": Area.Kind.AUTHORITY, "parent": region,
                    "population": population, "deprivation_decile": decile,
                },
            )[0]
            for name, code, population, decile in COMPARATORS
        ]
        borough.comparators.set(comparators)
        standards = [_standard(*row) for row in STANDARDS]
        _measurements(standards, [borough, *comparators], neighbourhoods)
        return _accounts(nation, borough, comparators[0], neighbourhoods)


def _neighbourhood(borough: Area, index: int, name: str, population: int, decile: int) -> Area:
    area, _ = Area.objects.update_or_create(
        code=f"E02999{index:03d}",
        defaults={
            "name": name, "kind": Area.Kind.NEIGHBOURHOOD, "parent": borough,
            "population": population, "deprivation_decile": decile,
        },
    )
    for sector in (1, 2):
        Postcode.objects.update_or_create(
            sector=f"TV{index} {sector}", defaults={"neighbourhood": area}
        )
    return area


def _standard(
    slug: str, name: str, indicator: str, floor: int, higher_is_better: bool, _typical: int
) -> NationalStandard:
    service, _ = Service.objects.update_or_create(slug=slug, defaults={"name": name})
    standard, _ = NationalStandard.objects.update_or_create(
        service=service,
        defaults={
            "indicator": indicator, "unit": "%", "multiplier": 100, "floor": Decimal(floor),
            "higher_is_better": higher_is_better,
        },
    )
    return standard


def _measurements(
    standards: list[NationalStandard], authorities: list[Area], neighbourhoods: list[Area]
) -> None:
    # A fixed seed keeps the demo identical on every load. Deprived neighbourhoods are given
    # worse values on purpose, so the postcode-lottery monitor has something to find.
    rng = np.random.default_rng(2026)
    areas = authorities + neighbourhoods
    typical = {row[0]: row[5] for row in STANDARDS}
    for standard in standards:
        sign = 1 if standard.higher_is_better else -1
        for area in areas:
            decile = area.deprivation_decile or 5
            for step, period in enumerate(PERIODS):
                denominator = max(200, (area.population or 5_000) // 10)
                percent = typical[standard.service.slug] + sign * (
                    0.8 * (decile - 5.5) + 0.7 * step + rng.normal(0, 1.5)
                )
                percent -= sign * SHORTFALLS.get((area.code, standard.service.slug), 0.0)
                numerator = round(denominator * min(max(percent, 0.5), 99.5) / 100)
                Measurement.objects.update_or_create(
                    standard=standard, area=area, period=period,
                    defaults={"numerator": numerator, "denominator": denominator},
                )


def _accounts(
    nation: Area, borough: Area, comparator: Area, neighbourhoods: list[Area]
) -> list[DemoAccount]:
    people = [
        ("National steward", "steward@example.org", "Sam Steward", Role.Kind.STEWARD, nation, True),
        ("Officer, Thornbury Vale", "officer@example.org", "Olu Officer", Role.Kind.OFFICER,
         borough, True),
        (f"Officer, {comparator.name}", "officer.ashcombe@example.org", "Asha Officer",
         Role.Kind.OFFICER, comparator, True),
        (f"Verified resident, {neighbourhoods[0].name}", "resident@example.org",
         "Rita Resident", Role.Kind.RESIDENT, neighbourhoods[0], True),
        (f"Unverified resident, {neighbourhoods[1].name}", "newcomer@example.org",
         "Nico Newcomer", Role.Kind.RESIDENT, neighbourhoods[1], False),
    ]
    accounts = []
    for label, email, full_name, kind, area, verified in people:
        user, created = User.objects.get_or_create(email=email, defaults={"full_name": full_name})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        role, _ = Role.objects.get_or_create(user=user, kind=kind, area=area)
        if verified and not role.is_verified:
            role.verified_at = user.date_joined
            role.save(update_fields=["verified_at"])
        accounts.append(DemoAccount(label, email, area.name))
    admin, created = User.objects.get_or_create(
        email="admin@example.org",
        defaults={"full_name": "Ada Admin", "is_staff": True, "is_superuser": True},
    )
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.save(update_fields=["password"])
    accounts.append(DemoAccount("Superuser (Django admin)", admin.email, "–"))
    return accounts
