"""Demo experiments: twelve years of two standards' measurements, three evaluated experiments
(one planted effect, one replication of it, one change that did nothing), one still running,
and innovation funds with a scored, moderated, awarded round and an open one.

Seeded and idempotent: measurements are upserted in one bulk statement; experiments, funds and
people are found by natural keys; an experiment is evaluated only if it has no evaluation yet,
so a second load costs a few queries. The two standards' histories are written for every
authority in the demo borough's region, replacing any generated values for those standards
there, so that the series is one coherent model from 2013-14 to 2024-25.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from django.db import transaction
from django.utils import timezone

from commonweal.places.models import Area, Measurement, NationalStandard, Role, User

from . import services
from .models import Application, Award, ChallengeRound, Criterion, Experiment, Fund, Moderation, Score

PERIODS = [f"{y}-{(y + 1) % 100:02d}" for y in range(2013, 2025)]  # 2013-14 … 2024-25
BOROUGH, REGION, NATION = "E06000999", "E12000009", "E92000001"
ASHCOMBE, REDMARSH, HOLLIN_BRIDGE = "E06000997", "E06000998", "E06000996"
# (area, standard, first period, planted effect in percentage points)
PLANTED = [
    (BOROUGH, "libraries", "2020-21", 4.0),
    (REDMARSH, "libraries", "2022-23", 3.0),
    (ASHCOMBE, "parks", "2020-21", 0.0),
]
TYPICAL = {"libraries": 91.0, "parks": 78.0}
PANELLIST = ("panel@example.org", "Pat Panellist")


def load_experiments_demo(evaluate: bool = True) -> int:
    """Create or refresh the demo experiments and funds; return how many experiments there are.

    `evaluate=False` leaves new experiments unevaluated, for tests that do not need the estimates.
    """
    with transaction.atomic():
        areas = list(Area.objects.filter(kind=Area.Kind.AUTHORITY, parent__code=REGION).order_by("code"))
        standards = {s.service.slug: s for s in NationalStandard.objects.select_related("service")}
        _measurements(areas, standards)
        experiments = _experiments({a.code: a for a in areas}, standards)
        _funds(experiments)
    for experiment in experiments.values() if evaluate else ():
        if experiment.status != Experiment.Status.RUNNING and not experiment.evaluations.exists():
            services.evaluate_experiment(experiment)
    return len(experiments)


def _measurements(areas: list[Area], standards: dict[str, NationalStandard]) -> None:
    rng = np.random.default_rng(99_2026)
    periods = np.arange(len(PERIODS))
    rows = []
    for slug, typical in TYPICAL.items():
        shared = rng.normal(0, 0.5, len(PERIODS)).cumsum()  # the national weather every area shares
        for area in areas:
            level = typical + 0.6 * ((area.deprivation_decile or 5) - 5.5) + rng.normal(0, 1.5)
            trend = rng.normal(0.15, 0.1)
            percent = level + trend * (periods - 6) + rng.uniform(0.6, 1.4) * shared
            percent = percent + rng.normal(0, 0.4, len(PERIODS))
            for code, standard, start, effect in PLANTED:
                if code == area.code and standard == slug:
                    percent = percent + effect * (periods >= PERIODS.index(start))
            denominator = max(2_000, (area.population or 100_000) // 10)
            rows += [
                Measurement(
                    standard=standards[slug],
                    area=area,
                    period=period,
                    numerator=round(denominator * min(max(value, 0.5), 99.5) / 100),
                    denominator=denominator,
                )
                for period, value in zip(PERIODS, percent, strict=True)
            ]
    Measurement.objects.bulk_create(
        rows,
        batch_size=2_000,
        update_conflicts=True,
        unique_fields=["standard", "area", "period"],
        update_fields=["numerator", "denominator"],
    )


def _experiments(areas: dict[str, Area], standards: dict[str, NationalStandard]) -> dict[str, Experiment]:
    officer = User.objects.filter(email="officer@example.org").first()

    def upsert(code: str, title: str, **fields) -> Experiment:
        experiment, _ = Experiment.objects.update_or_create(
            area=areas[code], title=title, defaults={"created_by": officer, **fields}
        )
        return experiment

    libraries = upsert(
        BOROUGH,
        "Libraries open until 8pm, with a home-library round",
        standard=standards["libraries"],
        what_changed="Four branch libraries stay open until 8pm on weekdays, and a van brings books to "
        "people who cannot get to a branch.",
        hypothesis="More residents will live within reach of a library open 30 hours a week, by about "
        "three percentage points, because evening hours and the van reach people the daytime hours miss.",
        starts="2020-21",
        evaluate_after="2024-25",
        status=Experiment.Status.EVALUATED,
        comparison=Experiment.Comparison.REGION,
    )
    replication = upsert(
        REDMARSH,
        libraries.title,
        standard=standards["libraries"],
        what_changed=libraries.what_changed,
        hypothesis=libraries.hypothesis,
        starts="2022-23",
        evaluate_after="2024-25",
        status=Experiment.Status.EVALUATED,
        comparison=Experiment.Comparison.REGION,
        adopted_from=libraries,
    )
    parks = upsert(
        ASHCOMBE,
        "A volunteer app for park clean-ups",
        standard=standards["parks"],
        what_changed="Residents book litter-picks and report broken gates through an app.",
        hypothesis="More residents will live near a usable green space, because problems are fixed sooner.",
        starts="2020-21",
        evaluate_after="2024-25",
        status=Experiment.Status.EVALUATED,
        comparison=Experiment.Comparison.REGION,
    )
    running = upsert(
        HOLLIN_BRIDGE,
        "Youth workers based in every secondary school",
        standard=standards["youth-services"],
        what_changed="A youth worker is based in each secondary school two days a week.",
        hypothesis="More young people will be reached by youth work, because the workers meet them "
        "where they are.",
        starts="2024-25",
        evaluate_after="2026-27",
        status=Experiment.Status.RUNNING,
    )
    return {"libraries": libraries, "replication": replication, "parks": parks, "running": running}


def _funds(experiments: dict[str, Experiment]) -> None:
    nation = Area.objects.get(code=NATION)
    borough = Area.objects.get(code=BOROUGH)
    steward = User.objects.get(email="steward@example.org")
    panellist = _panellist(nation)
    national, _ = Fund.objects.update_or_create(
        area=nation,
        name="National Local Innovation Fund",
        defaults={"description": "Seed money and prizes for local changes that can be tested and spread."},
    )
    local, _ = Fund.objects.update_or_create(
        area=borough,
        name="Thornbury Vale Community Ideas Fund",
        defaults={"description": "Small grants for residents' and organisations' ideas in Thornbury Vale."},
    )
    awarded, _ = ChallengeRound.objects.update_or_create(
        fund=national,
        title="Closing the library gap",
        defaults={
            "challenge": "Reach the residents whom library opening hours miss.",
            "pot": 250_000,
            "deadline": date(2020, 3, 31),
            "status": ChallengeRound.Status.AWARDED,
        },
    )
    criteria = [
        Criterion.objects.update_or_create(round=awarded, name=name, defaults={"weight": weight})[0]
        for name, weight in (("Evidence of need", 30), ("Can be evaluated", 40), ("Value for money", 30))
    ]
    bids = [
        (
            "Thornbury Vale Council",
            Application.Kind.COUNCIL,
            BOROUGH,
            experiments["libraries"].title,
            90_000,
            experiments["libraries"],
            Award.Kind.PRIZE,
            (4, 5, 4),
            (5, 5, 3),
        ),
        (
            "Redmarsh Reading Mutual",
            Application.Kind.MUTUAL,
            REDMARSH,
            "Evening libraries run by staff",
            60_000,
            experiments["replication"],
            Award.Kind.GRANT,
            (3, 4, 4),
            (4, 4, 4),
        ),
    ]
    for organisation, kind, code, title, amount, experiment, award_kind, first, second in bids:
        application, _ = Application.objects.update_or_create(
            round=awarded,
            organisation=organisation,
            defaults={
                "kind": kind,
                "area": Area.objects.get(code=code),
                "title": title,
                "summary": experiment.what_changed,
                "amount": amount,
                "experiment": experiment,
            },
        )
        for criterion, one, two in zip(criteria, first, second, strict=True):
            for who, value in ((steward, one), (panellist, two)):
                Score.objects.update_or_create(
                    application=application, criterion=criterion, panellist=who, defaults={"score": value}
                )
        if kind == Application.Kind.COUNCIL:
            Moderation.objects.update_or_create(
                application=application,
                criterion=criteria[2],
                defaults={
                    "score": 4,
                    "reason": "The van's running costs were confirmed after scoring.",
                    "moderator": steward,
                },
            )
        Award.objects.update_or_create(
            application=application,
            defaults={
                "kind": award_kind,
                "amount": amount,
                "published_by": steward,
                "paid_at": timezone.now() if award_kind == Award.Kind.GRANT else None,
            },
        )
    open_round, _ = ChallengeRound.objects.update_or_create(
        fund=local,
        title="Ideas for youth services",
        defaults={
            "challenge": "How could more young people be reached by youth work?",
            "pot": 30_000,
            "deadline": timezone.localdate() + timedelta(days=60),
            "status": ChallengeRound.Status.OPEN,
        },
    )
    for name, weight in (("Young people involved in the design", 50), ("Can be evaluated", 50)):
        Criterion.objects.update_or_create(round=open_round, name=name, defaults={"weight": weight})


def _panellist(nation: Area) -> User:
    email, full_name = PANELLIST
    user, created = User.objects.get_or_create(email=email, defaults={"full_name": full_name})
    if created:
        from commonweal.places.demo import DEMO_PASSWORD

        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    Role.objects.get_or_create(user=user, kind=Role.Kind.STEWARD, area=nation)
    return user
