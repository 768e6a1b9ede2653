"""Demo results: each funded project and awarded contract with milestones, updates, spend and indicators,
and the reviews the demo's shortfalls open. Idempotent: loading twice leaves the same data as once."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from commonweal.places.models import NationalStandard, User
from commonweal.procurement.models import Award

from . import services
from .models import Comment, Milestone, Result, Spend

BOROUGH = "E06000999"
# Status, progress and the share of the plan paid out, cycled over the demo's results.
STAGES = [
    (Result.Status.IN_PROGRESS, 60, Decimal("0.55")),
    (Result.Status.COMPLETED, 100, Decimal("0.97")),
    (Result.Status.DELAYED, 25, Decimal("0.30")),
    (Result.Status.IN_PROGRESS, 40, Decimal("0.35")),
]


def load_accountability_demo() -> None:
    with transaction.atomic():
        officer = User.objects.filter(email="officer@example.org").first()
        projects = services.track_funded_projects()
        borough_projects = Result.objects.filter(
            area__code=BOROUGH, proposal__isnull=False, award__isnull=True
        )
        first = borough_projects.order_by("proposal__funded_rank", "pk").first()
        award = (
            Award.objects.filter(lot__tender__area__code=BOROUGH, result__isnull=True).order_by("pk").first()
        )
        if first is not None and award is not None:
            services.link_contract(first, award, officer)
        services.track_awarded_contracts()
        for index, result in enumerate(Result.objects.filter(area__code=BOROUGH).order_by("pk")):
            _progress(result, index, officer)
        _comment(projects)
        services.open_reviews()


def _progress(result: Result, index: int, officer: User | None) -> None:
    if result.updates.exists():
        return
    status, progress, paid = STAGES[index % len(STAGES)]
    if not result.indicators.exists():
        # Every demo result moves something: projects without a service count towards youth services.
        result.indicators.set(NationalStandard.objects.filter(service__slug="youth-services"))
    start = date(2025, 4, 1)
    for step, title in enumerate(
        ["Plans agreed with residents", "Work starts on site", "Open to the public"]
    ):
        due = start + timedelta(days=90 * (step + 1))
        done = due if progress >= (step + 1) * 33 else None
        Milestone.objects.get_or_create(result=result, title=title, defaults={"due_on": due, "done_on": done})
    if officer is None:
        return
    services.post_update(
        result,
        officer,
        "Plans agreed at a public meeting; the first stage is paid for.",
        status=Result.Status.IN_PROGRESS,
        progress=min(progress, 20),
        spent=(result.planned_spend * paid / 2).quantize(Decimal("1")),
        spent_on=start + timedelta(days=60),
        spent_on_what="First stage payment",
    )
    if not Spend.objects.filter(result=result).exists():
        return
    services.post_update(
        result,
        officer,
        _update_text(status),
        status=status,
        progress=progress,
        spent=(result.planned_spend * paid / 2).quantize(Decimal("1")),
        spent_on=start + timedelta(days=200),
        spent_on_what="Second stage payment",
    )


def _update_text(status: str) -> str:
    return {
        Result.Status.COMPLETED: "Finished and open to the public, on budget.",
        Result.Status.DELAYED: "Delayed: the contractor is waiting for materials. A new date will follow.",
    }.get(status, "Work is under way and on schedule.")


def _comment(projects: list[Result]) -> None:
    resident = User.objects.filter(email="resident@example.org").first()
    result = Result.objects.filter(area__code=BOROUGH).order_by("pk").first()
    if resident is None or result is None or Comment.objects.filter(result=result).exists():
        return
    try:
        services.add_comment(
            result, resident, "Good to see this moving. Will the opening hours be published?"
        )
    except services.AccountabilityError:
        return  # the demo resident is not verified in this area
