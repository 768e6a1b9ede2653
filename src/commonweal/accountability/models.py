"""Tracked results of what residents funded and councils contracted, their history, and public reviews."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from commonweal.places.models import Area, NationalStandard


def pounds(amount: Decimal | int | None) -> str:
    if amount is None:
        return "–"
    return f"£{Decimal(amount):,.0f}"


class Result(models.Model):
    """What became of one funded project or one awarded contract: status, progress, spend, outcome."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        DELAYED = "delayed", "Delayed"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    # The fields an officer changes, each change kept as a version.
    TRACKED = ("status", "progress", "planned_spend", "summary")

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="results")
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    proposal = models.OneToOneField(
        "budgeting.Proposal", null=True, blank=True, on_delete=models.PROTECT, related_name="result"
    )
    award = models.OneToOneField(
        "procurement.Award", null=True, blank=True, on_delete=models.PROTECT, related_name="result"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLANNED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent complete, 0 to 100.")
    planned_spend = models.DecimalField(max_digits=14, decimal_places=2)
    indicators = models.ManyToManyField(NationalStandard, blank=True, related_name="results")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["area", "title", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="result_progress_at_most_100"),
            models.CheckConstraint(
                condition=models.Q(proposal__isnull=False) | models.Q(award__isnull=False),
                name="result_tracks_a_proposal_or_an_award",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def kind(self) -> str:
        return "project" if self.proposal_id else "contract"

    @property
    def actual_spend(self) -> Decimal:
        return sum((s.amount for s in self.spends.all()), Decimal(0))

    @property
    def planned_text(self) -> str:
        return pounds(self.planned_spend)

    @property
    def actual_text(self) -> str:
        return pounds(self.actual_spend)


class Milestone(models.Model):
    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_late(self) -> bool:
        return self.done_on is None and self.due_on < date.today()


class Spend(models.Model):
    """Money actually paid out for a result, as recorded by an officer."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="spends")
    spent_on = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    description = models.CharField(max_length=200)

    class Meta:
        ordering = ["spent_on", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="spend_positive")]

    def __str__(self) -> str:
        return f"{pounds(self.amount)} on {self.spent_on}"


class Update(models.Model):
    """A progress note an officer posts on a result."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="updates")
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    posted_at = models.DateTimeField(default=timezone.now)
    text = models.TextField()

    class Meta:
        ordering = ["-posted_at", "-pk"]

    def __str__(self) -> str:
        return self.text[:60]


class Version(models.Model):
    """One change to one field of a result: who, when, before and after. Never edited, only added to."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="versions")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    field = models.CharField(max_length=40)
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.field}: {self.before} → {self.after}"


class Follow(models.Model):
    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="follows")
    follower = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    followed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["result", "follower"], name="follow_once")]

    def __str__(self) -> str:
        return f"{self.follower_id} follows {self.result_id}"


class Comment(models.Model):
    """A verified resident's comment; an officer may hide it with a public reason, never edit it."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    neighbourhood = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    posted_at = models.DateTimeField(default=timezone.now)
    hidden_reason = models.CharField(max_length=200, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["posted_at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_hidden(self) -> bool:
        return bool(self.hidden_reason)


class Review(models.Model):
    """A public review opened when an area is significantly below a national floor."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for a response"
        RESPONDED = "responded", "Responded"

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="reviews")
    standard = models.ForeignKey(NationalStandard, on_delete=models.PROTECT, related_name="reviews")
    period = models.CharField(max_length=16)
    value = models.FloatField(help_text="The measured value, in the standard's unit.")
    lower = models.FloatField()
    upper = models.FloatField()
    opened_at = models.DateTimeField(default=timezone.now)
    due_on = models.DateField()
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    response = models.TextField(blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["area", "standard", "period"], name="one_review_per_shortfall"),
        ]

    def __str__(self) -> str:
        return f"{self.standard.service.name} in {self.area.name}, {self.period}"

    @property
    def is_overdue(self) -> bool:
        return self.status == Review.Status.OPEN and self.due_on < timezone.localdate()
