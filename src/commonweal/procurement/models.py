"""Suppliers, social-value measures, tenders with lots, bids, evaluations, awards, delivery and LM3.

Every row belongs to a place: suppliers, policies and tenders carry their authority; lots, bids,
awards and what hangs from them reach it through their tender.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from commonweal.places.models import Area, Service, plain

from .scoring import NATIONAL_SOCIAL_VALUE_FLOOR, PriceMethod, Weights


def pounds(amount: Decimal | None) -> str:
    """Money as people read it: £142,000 or £1,250.50."""
    if amount is None:
        return "–"
    whole = amount == amount.to_integral_value()
    return f"£{amount:,.0f}" if whole else f"£{amount:,.2f}"


class Supplier(models.Model):
    """An organisation on an authority's supplier register."""

    class LegalForm(models.TextChoices):
        MUTUAL = "mutual", "Mutual"
        COOPERATIVE = "cooperative", "Co-operative"
        SOCIAL_ENTERPRISE = "social_enterprise", "Social enterprise"
        CHARITY = "charity", "Charity"
        SME = "sme", "Small or medium business"
        LARGE = "large", "Large business"

    class Locality(models.TextChoices):
        LOCAL = "local", "In the authority"
        REGIONAL = "regional", "Elsewhere in the region"
        NATIONAL = "national", "Outside the region"

    class Size(models.TextChoices):
        MICRO = "micro", "Micro (fewer than 10 staff)"
        SMALL = "small", "Small (10 to 49 staff)"
        MEDIUM = "medium", "Medium (50 to 249 staff)"
        LARGE = "large", "Large (250 staff or more)"

    # Voluntary, community and social enterprise organisations, as UK public bodies count them.
    VCSE = frozenset(
        {LegalForm.MUTUAL, LegalForm.COOPERATIVE, LegalForm.SOCIAL_ENTERPRISE, LegalForm.CHARITY}
    )
    MUTUALS = frozenset({LegalForm.MUTUAL, LegalForm.COOPERATIVE})

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="suppliers")
    name = models.CharField(max_length=160)
    legal_form = models.CharField(max_length=20, choices=LegalForm.choices)
    locality = models.CharField(max_length=10, choices=Locality.choices)
    size = models.CharField(max_length=8, choices=Size.choices)
    identifier = models.CharField(
        max_length=40, blank=True, help_text="Companies House, charity or society number, if it has one."
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="supplier_memberships",
        help_text="People who work for it: they may not evaluate its bids.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["area", "name"], name="one_supplier_name_per_area")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_local(self) -> bool:
        return self.locality == self.Locality.LOCAL

    @property
    def is_sme(self) -> bool:
        return self.size != self.Size.LARGE

    @property
    def is_vcse(self) -> bool:
        return self.legal_form in self.VCSE

    @property
    def is_mutual(self) -> bool:
        return self.legal_form in self.MUTUALS

    @property
    def ocds_id(self) -> str:
        # OCDS party ids are the publisher's own; the supplier's register number travels with it.
        return f"CW-SUPPLIER-{self.pk}"


class SocialValueMeasure(models.Model):
    """A social-value measure with its unit and proxy £ value per unit (the National TOMs idea).

    Measures with no area are the shipped list, available in every authority; an authority adds its own.
    """

    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.CASCADE, related_name="measures")
    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=60, help_text="For example: weeks, people, hours, tonnes CO2e")
    proxy_value = models.DecimalField(max_digits=12, decimal_places=2, help_text="£ per unit.")
    illustrative = models.BooleanField(
        default=True, help_text="Commonweal's own illustrative figure, not an official one."
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def proxy_text(self) -> str:
        return f"{pounds(self.proxy_value)} each"


class ProcurementPolicy(models.Model):
    """An area's own floor for the social-value weight: never below the national one."""

    area = models.OneToOneField(Area, on_delete=models.CASCADE, related_name="procurement_policy")
    social_value_floor = models.PositiveSmallIntegerField(default=NATIONAL_SOCIAL_VALUE_FLOOR)

    class Meta:
        verbose_name_plural = "procurement policies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(social_value_floor__gte=NATIONAL_SOCIAL_VALUE_FLOOR)
                & models.Q(social_value_floor__lte=100),
                name="social_value_floor_not_below_national",
            )
        ]

    def __str__(self) -> str:
        return f"{self.area}: social value at least {self.social_value_floor}%"


class Tender(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open for bids"
        AWARDED = "awarded", "Awarded"
        CANCELLED = "cancelled", "Cancelled"

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="tenders")
    title = models.CharField(max_length=200)
    description = models.TextField()
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.PROTECT)
    budget = models.DecimalField(max_digits=14, decimal_places=2)
    price_weight = models.PositiveSmallIntegerField()
    quality_weight = models.PositiveSmallIntegerField()
    social_value_weight = models.PositiveSmallIntegerField()
    price_method = models.CharField(
        max_length=8,
        choices=[
            (PriceMethod.LOWEST, "Relative to the lowest price"),
            (PriceMethod.BUDGET, "Relative to the budget"),
        ],
        default=PriceMethod.LOWEST,
    )
    proxy_share = models.PositiveSmallIntegerField(
        default=50, help_text="Percent of the social-value score from the £ proxy values of commitments."
    )
    measures = models.ManyToManyField(SocialValueMeasure, related_name="tenders")
    deadline = models.DateTimeField()
    published_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    price_weight__lte=100,
                    quality_weight__lte=100,
                    social_value_weight__gte=NATIONAL_SOCIAL_VALUE_FLOOR,
                ),
                name="tender_social_value_at_least_national_floor",
            ),
            models.CheckConstraint(condition=models.Q(budget__gt=0), name="tender_budget_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def reference(self) -> str:
        return f"{self.area.code}-T{self.pk}"

    @property
    def weights(self) -> Weights:
        return Weights(self.price_weight, self.quality_weight, self.social_value_weight)

    @property
    def criteria_text(self) -> str:
        return (
            f"Price {self.price_weight}%, quality {self.quality_weight}%, "
            f"social value {self.social_value_weight}%"
        )

    @property
    def budget_text(self) -> str:
        return pounds(self.budget)

    def takes_bids(self, at=None) -> bool:
        """Whether a bid received `at` (now by default) is in time."""
        return self.status == self.Status.OPEN and (at or timezone.now()) <= self.deadline

    def deadline_passed(self, at=None) -> bool:
        return (at or timezone.now()) > self.deadline


class Lot(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="lots")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    budget = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["tender", "number"]
        constraints = [models.UniqueConstraint(fields=["tender", "number"], name="one_lot_number_per_tender")]

    def __str__(self) -> str:
        return f"Lot {self.number}: {self.title}"


class Bid(models.Model):
    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="bids")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="bids")
    price = models.DecimalField(max_digits=14, decimal_places=2)
    received_at = models.DateTimeField(default=timezone.now)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["lot", "received_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["lot", "supplier"], name="one_bid_per_supplier_per_lot"),
            models.CheckConstraint(condition=models.Q(price__gt=0), name="bid_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.supplier} for {self.lot}"

    @property
    def price_text(self) -> str:
        return pounds(self.price)

    @property
    def proxy_value(self) -> Decimal:
        return sum((c.proxy_value for c in self.commitments.all()), Decimal(0))


class Criterion(models.TextChoices):
    QUALITY = "quality", "Quality"
    SOCIAL_VALUE = "social_value", "Social value"


class Evaluation(models.Model):
    """One evaluator's score, out of 100, for one criterion of one bid."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="evaluations")
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    criterion = models.CharField(max_length=12, choices=Criterion.choices)
    score = models.DecimalField(max_digits=5, decimal_places=2)
    note = models.TextField(blank=True)
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["bid", "criterion", "evaluator"]
        constraints = [
            models.UniqueConstraint(fields=["bid", "evaluator", "criterion"], name="one_score_per_evaluator"),
            models.CheckConstraint(condition=models.Q(score__gte=0, score__lte=100), name="score_0_to_100"),
        ]

    def __str__(self) -> str:
        return f"{self.evaluator}: {self.get_criterion_display()} {plain(self.score)} for {self.bid}"


class Moderation(models.Model):
    """The score evaluators agreed for one criterion of one bid, with why."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="moderations")
    criterion = models.CharField(max_length=12, choices=Criterion.choices)
    score = models.DecimalField(max_digits=5, decimal_places=2)
    reason = models.TextField()
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    moderated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bid", "criterion"], name="one_moderation_per_criterion"),
            models.CheckConstraint(
                condition=models.Q(score__gte=0, score__lte=100), name="moderated_score_0_to_100"
            ),
        ]

    def __str__(self) -> str:
        return f"Moderated {self.get_criterion_display()} {plain(self.score)} for {self.bid}"


class Commitment(models.Model):
    """A bid's promise on one social-value measure, and what was delivered after award."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="commitments")
    measure = models.ForeignKey(SocialValueMeasure, on_delete=models.PROTECT)
    quantity = models.DecimalField(max_digits=12, decimal_places=2)
    delivered = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    delivered_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["measure__code"]
        constraints = [
            models.UniqueConstraint(fields=["bid", "measure"], name="one_commitment_per_measure"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="commitment_positive"),
            models.CheckConstraint(
                condition=models.Q(delivered__isnull=True) | models.Q(delivered__gte=0),
                name="delivered_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity_text} of {self.measure.code}"

    @property
    def proxy_value(self) -> Decimal:
        return self.quantity * self.measure.proxy_value

    @property
    def delivered_value(self) -> Decimal:
        return (self.delivered or Decimal(0)) * self.measure.proxy_value

    @property
    def quantity_text(self) -> str:
        return f"{plain(self.quantity)} {self.measure.unit}"


class Award(models.Model):
    """The winning bid for one lot, with the full breakdown it won on, frozen as published."""

    lot = models.OneToOneField(Lot, on_delete=models.CASCADE, related_name="award")
    bid = models.OneToOneField(Bid, on_delete=models.PROTECT, related_name="award")
    value = models.DecimalField(max_digits=14, decimal_places=2)
    awarded_at = models.DateTimeField(default=timezone.now)
    awarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    breakdown = models.JSONField(help_text="Every bid's scores and points, best first, as scored.")
    tie_broken = models.BooleanField(default=False)

    class Meta:
        ordering = ["-awarded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.lot} to {self.bid.supplier}"

    @property
    def value_text(self) -> str:
        return pounds(self.value)


class SpendSurvey(models.Model):
    """The awarded supplier's spend survey for LM3: round 2 totals; round 3 comes from the sample."""

    award = models.OneToOneField(Award, on_delete=models.CASCADE, related_name="survey")
    local_supplier_spend = models.DecimalField(max_digits=14, decimal_places=2)
    local_staff_spend = models.DecimalField(max_digits=14, decimal_places=2)
    surveyed_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)

    def __str__(self) -> str:
        return f"Spend survey for {self.award}"


class Respend(models.Model):
    """One sampled round-2 recipient: what it received from the supplier and re-spent locally."""

    survey = models.ForeignKey(SpendSurvey, on_delete=models.CASCADE, related_name="sample")
    recipient = models.CharField(max_length=160)
    received = models.DecimalField(max_digits=14, decimal_places=2)
    spent_locally = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.recipient


class ImportedRelease(models.Model):
    """An OCDS release from another publisher, imported by an area so its residents can compare."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="imported_releases")
    publisher = models.CharField(max_length=200)
    ocid = models.CharField(max_length=200)
    release_id = models.CharField(max_length=200)
    date = models.CharField(max_length=40)
    data = models.JSONField()
    imported_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["ocid", "date"]
        constraints = [
            models.UniqueConstraint(fields=["area", "ocid", "release_id"], name="one_import_per_release")
        ]

    def __str__(self) -> str:
        return self.release_id
