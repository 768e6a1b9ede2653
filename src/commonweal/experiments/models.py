"""Local experiments, their evaluations, and the innovation fund's rounds, applications, scores and awards.

Every row belongs to a place: an experiment to the area that tried the change, a fund to the area
it serves, an application to the area it would run in.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone

from commonweal.places.models import Area, NationalStandard

# An evaluation takes from seconds to a minute. One still running after this long was left
# "running" by a worker that died mid-task; one still queued after this long waits for a worker
# that is not running. Either way the page says so and the officer may queue it again.
EVALUATION_STALLS_AFTER = timedelta(minutes=15)


class Experiment(models.Model):
    """A local change to a service, the standard's indicator it should move, and when to judge it."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        RUNNING = "running", "Running"
        EVALUATED = "evaluated", "Evaluated"
        STOPPED = "stopped", "Stopped"

    class Comparison(models.TextChoices):
        SIMILAR = (
            "similar",
            "Similar places: same region or named comparators, within two deprivation deciles",
        )
        REGION = "region", "Authorities in the same region"
        ALL = "all", "Every authority measured"

    class Method(models.TextChoices):
        SDID = "sdid", "Synthetic difference-in-differences (recommended)"
        SC = "sc", "Synthetic control"
        DID = "did", "Difference-in-differences"

    class Progress(models.TextChoices):
        IDLE = "", "Not being evaluated"
        QUEUED = "queued", "Evaluation queued"
        RUNNING = "running", "Evaluation running"
        FAILED = "failed", "Evaluation failed"

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="experiments")
    standard = models.ForeignKey(NationalStandard, on_delete=models.PROTECT, related_name="experiments")
    title = models.CharField(max_length=160)
    what_changed = models.TextField()
    hypothesis = models.TextField()
    starts = models.CharField(max_length=16, help_text="The first period under the change, like 2021-22.")
    evaluate_after = models.CharField(
        max_length=16, help_text="The last period to measure before judging it, like 2024-25."
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    comparison = models.CharField(max_length=16, choices=Comparison.choices, default=Comparison.SIMILAR)
    method = models.CharField(max_length=8, choices=Method.choices, default=Method.SDID)
    adopted_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replications",
        help_text="The experiment this one replicates, when an area adopts what worked elsewhere.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Evaluating runs in the task worker: where it has got to, and why it stopped if it failed.
    progress = models.CharField(max_length=8, choices=Progress.choices, blank=True, default=Progress.IDLE)
    evaluation_error = models.TextField(blank=True)
    progress_since = models.DateTimeField(
        null=True, blank=True, help_text="When the evaluation was last queued, or started by the worker."
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.area})"

    @property
    def evaluation_stalled(self) -> bool:
        """Queued or running for longer than EVALUATION_STALLS_AFTER: no worker took it up, or the
        one that did has stopped."""
        if self.progress not in (self.Progress.QUEUED, self.Progress.RUNNING):
            return False
        # Marked before the time was recorded: no worker that old is still at it.
        if self.progress_since is None:
            return True
        return timezone.now() - self.progress_since > EVALUATION_STALLS_AFTER

    @property
    def evaluation_pending(self) -> bool:
        """Queued or running, and not stalled: a second evaluation would only duplicate it."""
        return self.progress in (self.Progress.QUEUED, self.Progress.RUNNING) and not self.evaluation_stalled

    @property
    def service(self):
        return self.standard.service

    @property
    def original(self) -> Experiment:
        """The first experiment of this innovation: replications point at it."""
        return self.adopted_from or self

    @property
    def latest(self) -> Evaluation | None:
        return self.evaluations.first()


class Evaluation(models.Model):
    """One evaluation of an experiment, kept whole so the page never recomputes it."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="evaluations")
    method = models.CharField(max_length=8, choices=Experiment.Method.choices)
    effect = models.FloatField()
    se = models.FloatField(null=True)
    low = models.FloatField(null=True)
    high = models.FloatField(null=True)
    verdict = models.TextField()
    comparisons = models.PositiveIntegerField()
    result = models.JSONField(help_text="The estimate: weights, paths, placebo effects, names of areas.")
    evaluated_at = models.DateTimeField(default=timezone.now)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-evaluated_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.experiment}: {self.effect:+.2f}"

    @property
    def worked(self) -> bool:
        """The interval lies wholly on the better side of zero for this standard."""
        if self.low is None or self.high is None:
            return False
        return self.low > 0 if self.experiment.standard.higher_is_better else self.high < 0


class Fund(models.Model):
    """An innovation fund: national, regional or local by the area it serves."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="funds")
    name = models.CharField(max_length=160)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def level(self) -> str:
        return {"nation": "National", "region": "Regional"}.get(self.area.kind, "Local")


class ChallengeRound(models.Model):
    """A fund's call for ideas: the challenge, the criteria, the pot and the deadline."""

    class Status(models.TextChoices):
        OPEN = "open", "Open for applications"
        SCORING = "scoring", "Being scored"
        AWARDED = "awarded", "Awarded"

    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="rounds")
    title = models.CharField(max_length=160)
    challenge = models.TextField()
    pot = models.PositiveIntegerField(help_text="In whole pounds.")
    deadline = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)

    class Meta:
        ordering = ["-deadline", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def area(self) -> Area:
        return self.fund.area

    @property
    def awarded_total(self) -> int:
        return sum(a.amount for a in Award.objects.filter(application__round=self))


class Criterion(models.Model):
    round = models.ForeignKey(ChallengeRound, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(max_length=120)
    weight = models.PositiveSmallIntegerField(help_text="Percentage of the total score.")

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class Application(models.Model):
    """A bid to a round from an area's council or an organisation working in it."""

    class Kind(models.TextChoices):
        COUNCIL = "council", "Council"
        MUTUAL = "mutual", "Public service mutual"
        SOCIAL_ENTERPRISE = "social_enterprise", "Social enterprise"
        CHARITY = "charity", "Charity"
        COMMUNITY = "community", "Community group"

    round = models.ForeignKey(ChallengeRound, on_delete=models.CASCADE, related_name="applications")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="fund_applications")
    organisation = models.CharField(max_length=160)
    kind = models.CharField(max_length=24, choices=Kind.choices)
    title = models.CharField(max_length=160)
    summary = models.TextField()
    amount = models.PositiveIntegerField(help_text="In whole pounds.")
    experiment = models.ForeignKey(
        Experiment, null=True, blank=True, on_delete=models.SET_NULL, related_name="applications"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["round", "pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.organisation})"


class Score(models.Model):
    """One panellist's score of one application against one criterion, 0 to 5."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    panellist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(validators=[MaxValueValidator(5)])
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "criterion", "panellist"], name="one_score_each"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"


class Moderation(models.Model):
    """The agreed score for a criterion where panellists differed, with who agreed it and why."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="moderations")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE)
    score = models.PositiveSmallIntegerField(validators=[MaxValueValidator(5)])
    reason = models.TextField()
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    moderated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "criterion"], name="one_moderation_each"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: agreed {self.score}"


class Award(models.Model):
    """A published grant, or a prize paid only once the experiment's evaluation shows it worked."""

    class Kind(models.TextChoices):
        GRANT = "grant", "Grant"
        PRIZE = "prize", "Prize on an evaluated result"

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="award")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.GRANT)
    amount = models.PositiveIntegerField(help_text="In whole pounds.")
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of £{self.amount:,} to {self.application.organisation}"
