"""The rules of accountability: which things become tracked results, how a change is versioned,
who may comment, and when a public review opens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from commonweal.budgeting.models import Proposal
from commonweal.places.models import Area, NationalStandard, Role, User
from commonweal.places.permissions import Action, granting_role
from commonweal.procurement.models import Award
from commonweal.scrutiny.analysis import analyse_standard
from commonweal.scrutiny.stats.comparison import WORSE

from .models import Comment, Result, Review, Spend, Update, Version

# Long enough for a council to look into a shortfall and say what it will do; short enough to matter.
REVIEW_RESPONSE_DAYS = 28


class AccountabilityError(Exception):
    """A refused change, with a message to show the person and the form field it concerns."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _indicator_of(service) -> list[NationalStandard]:
    return list(NationalStandard.objects.filter(service=service)) if service is not None else []


def track_funded_projects() -> list[Result]:
    """Make a tracked result of every funded proposal not yet tracked."""
    created = []
    funded = Proposal.objects.filter(funded_rank__isnull=False, result__isnull=True).select_related(
        "process__area", "service"
    )
    for proposal in funded:
        result = Result.objects.create(
            area=proposal.process.area,
            title=proposal.title,
            summary=proposal.description,
            proposal=proposal,
            planned_spend=Decimal(proposal.cost),
        )
        result.indicators.set(_indicator_of(proposal.service))
        created.append(result)
    return created


def track_awarded_contracts() -> list[Result]:
    """Make a tracked result of every awarded contract not yet tracked (or delivering a project)."""
    created = []
    awards = Award.objects.filter(result__isnull=True).select_related(
        "lot__tender__area", "lot__tender__service"
    )
    for award in awards:
        tender = award.lot.tender
        title = tender.title if tender.lots.count() == 1 else f"{tender.title}: {award.lot.title}"
        result = Result.objects.create(
            area=tender.area,
            title=title,
            summary=tender.description,
            award=award,
            planned_spend=award.value,
        )
        result.indicators.set(_indicator_of(tender.service))
        created.append(result)
    return created


def track_results() -> list[Result]:
    """Every funded project and awarded contract as a tracked result; running it again adds only new ones."""
    with transaction.atomic():
        return track_funded_projects() + track_awarded_contracts()


def link_contract(result: Result, award: Award, by: User | None) -> Result:
    """Record that a funded project is delivered through a contract, so the chain runs through it."""
    if Result.objects.filter(award=award).exclude(pk=result.pk).exists():
        raise AccountabilityError("That contract is already tracked as a result of its own", "award")
    with transaction.atomic():
        result.award = award
        result.save(update_fields=["award"])
        Version.objects.create(result=result, changed_by=by, field="contract", before="", after=str(award))
        result.indicators.add(*_indicator_of(award.lot.tender.service))
    return result


def _shown(value) -> str:
    return "" if value is None else str(value)


def change_result(result: Result, by: User | None, **changes) -> list[Version]:
    """Set tracked fields on a result, keeping one version per field that really changed."""
    unknown = set(changes) - set(Result.TRACKED)
    if unknown:
        raise ValueError(f"Not a tracked field: {', '.join(sorted(unknown))}")
    if "progress" in changes and not 0 <= int(changes["progress"]) <= 100:
        raise AccountabilityError("Enter progress as a whole number from 0 to 100", "progress")
    versions = []
    now = timezone.now()
    with transaction.atomic():
        for field, after in changes.items():
            before = getattr(result, field)
            if _shown(before) == _shown(after):
                continue
            setattr(result, field, after)
            versions.append(
                Version(
                    result=result,
                    changed_by=by,
                    changed_at=now,
                    field=field,
                    before=_shown(before),
                    after=_shown(after),
                )
            )
        if versions:
            result.updated_at = now
            result.save()
            Version.objects.bulk_create(versions)
    return versions


def post_update(
    result: Result,
    by: User,
    text: str,
    *,
    status: str,
    progress: int,
    spent: Decimal | None = None,
    spent_on: date | None = None,
    spent_on_what: str = "",
) -> Update:
    """An officer's update: a note, the new status and progress, and optionally money paid out."""
    with transaction.atomic():
        change_result(result, by, status=status, progress=progress)
        if spent:
            spend = Spend.objects.create(
                result=result,
                amount=spent,
                spent_on=spent_on or timezone.localdate(),
                description=spent_on_what or text[:200],
            )
            Version.objects.create(
                result=result,
                changed_by=by,
                field="spend",
                before="",
                after=f"{spend.amount} on {spend.spent_on}: {spend.description}",
            )
        return Update.objects.create(result=result, posted_by=by, text=text)


def add_comment(result: Result, by: User, text: str) -> Comment:
    """A verified resident of the result's area comments, signed by their neighbourhood, not their name."""
    role = granting_role(by, Action.PARTICIPATE, result.area)
    if role is None:
        raise AccountabilityError(
            f"Only verified residents of {result.area.name} can comment. Ask an officer to verify you.",
            "text",
        )
    if not text.strip():
        raise AccountabilityError("Enter your comment", "text")
    return Comment.objects.create(result=result, author=by, neighbourhood=role.area, text=text.strip())


def hide_comment(comment: Comment, by: User, reason: str) -> Comment:
    if not reason.strip():
        raise AccountabilityError("Enter why the comment is hidden, so readers can see the reason", "reason")
    comment.hidden_reason = reason.strip()[:200]
    comment.hidden_by = by
    comment.save(update_fields=["hidden_reason", "hidden_by"])
    return comment


def responsible_officer(area: Area) -> User | None:
    """The area's first officer: someone named who answers for the review."""
    role = (
        Role.objects.filter(area=area, kind=Role.Kind.OFFICER).order_by("pk").select_related("user").first()
    )
    return role.user if role else None


@dataclass(frozen=True)
class Opened:
    created: int
    already_open: int


def open_reviews(today: date | None = None) -> Opened:
    """Open a public review for every authority significantly below a floor in a standard's latest
    period ("Worse" against the floor at 95%). Running it again opens nothing new."""
    today = today or timezone.localdate()
    created = existing = 0
    officers: dict[int, User | None] = {}
    for standard in NationalStandard.objects.select_related("service"):
        analysis = analyse_standard(standard)
        for row in analysis.results:
            if row.against_floor != WORSE:
                continue
            if row.area.pk not in officers:
                officers[row.area.pk] = responsible_officer(row.area)
            _, made = Review.objects.get_or_create(
                area=row.area,
                standard=standard,
                period=row.period,
                defaults={
                    "value": row.value,
                    "lower": row.lower,
                    "upper": row.upper,
                    "due_on": today + timedelta(days=REVIEW_RESPONSE_DAYS),
                    "responsible": officers[row.area.pk],
                },
            )
            created += made
            existing += not made
    return Opened(created, existing)


def respond_to_review(review: Review, by: User, response: str) -> Review:
    if not response.strip():
        raise AccountabilityError("Enter the council's response to the review", "response")
    review.response = response.strip()
    review.status = Review.Status.RESPONDED
    review.responded_at = timezone.now()
    review.save(update_fields=["response", "status", "responded_at"])
    return review
