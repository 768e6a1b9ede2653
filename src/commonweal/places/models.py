"""Areas, services, national minimum standards, their measurements, and who holds which role where."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone


def plain(number: Decimal) -> str:
    """A decimal as people write it: 85, 87.5, 0 (not 85.00 or 1E+2)."""
    return format(number.normalize(), "f")


class Area(models.Model):
    """A place: nation > region > authority > neighbourhood, each with an ONS-style code."""

    class Kind(models.TextChoices):
        NATION = "nation", "Nation"
        REGION = "region", "Region"
        AUTHORITY = "authority", "Local authority"
        NEIGHBOURHOOD = "neighbourhood", "Neighbourhood"

    code = models.CharField(max_length=12, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    population = models.PositiveIntegerField(null=True, blank=True)
    deprivation_decile = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="1 is the most deprived tenth of areas, 10 the least."
    )
    comparators = models.ManyToManyField(
        "self", blank=True, symmetrical=False, related_name="compared_by",
        help_text="Similar authorities this one is compared with.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deprivation_decile__isnull=True)
                | models.Q(deprivation_decile__gte=1, deprivation_decile__lte=10),
                name="deprivation_decile_1_to_10",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def lineage(self) -> list[Area]:
        """This area and every area above it, nearest first."""
        chain, area = [], self
        while area is not None:
            chain.append(area)
            area = area.parent
        return chain

    def is_within(self, other: Area) -> bool:
        """Whether this area is `other` or lies inside it.

        Reads a parent only when the answer needs it: a neighbourhood of `other` answers from its
        own `parent_id`, so a role loaded with its area alone needs no further query.
        """
        area = self
        while area.pk != other.pk:
            if area.parent_id is None:
                return False
            if area.parent_id == other.pk:
                return True
            area = area.parent
        return True

    def authority(self) -> Area | None:
        """The local authority this area belongs to (itself, if it is one)."""
        return next((a for a in self.lineage() if a.kind == Area.Kind.AUTHORITY), None)


class Postcode(models.Model):
    """A postcode sector ("TV1 2") and the neighbourhood it lies in: how sign-up finds an area."""

    sector = models.CharField(max_length=8, unique=True)
    neighbourhood = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="postcodes")

    def __str__(self) -> str:
        return self.sector

    @staticmethod
    def sector_of(postcode: str) -> str:
        """The sector of a full or partial postcode: "tv1 2ab" -> "TV1 2"."""
        compact = "".join(postcode.split()).upper()
        if len(compact) < 5:
            return compact
        outward, inward = compact[:-3], compact[-3:]
        return f"{outward} {inward[0]}"


class Service(models.Model):
    """A public service every authority runs, such as GP access or libraries."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=80)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class NationalStandard(models.Model):
    """The national floor one service must meet, measured by one indicator."""

    service = models.OneToOneField(Service, on_delete=models.PROTECT, related_name="standard")
    indicator = models.CharField(max_length=160)
    unit = models.CharField(max_length=40, help_text="For example: %, per 1,000 people, minutes")
    multiplier = models.PositiveIntegerField(
        default=100, help_text="Numerator / denominator × multiplier gives the value in the unit."
    )
    floor = models.DecimalField(max_digits=12, decimal_places=2)
    higher_is_better = models.BooleanField(default=True)
    minimum_value = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    maximum_value = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(100))

    class Meta:
        ordering = ["service__name"]

    def __str__(self) -> str:
        return f"{self.service.name}: {self.indicator}"

    def in_unit(self, value: Decimal | float, places: int = 1) -> str:
        """A value written with its unit: "85.0%", "3.2 per 1,000 people"."""
        number = f"{float(value):,.{places}f}"
        return f"{number}%" if self.unit == "%" else f"{number} {self.unit}"

    @property
    def floor_text(self) -> str:
        """The floor as a reader needs it: "at least 85%", "at most 10%"."""
        bound = "at least" if self.higher_is_better else "at most"
        floor = plain(self.floor)
        return f"{bound} {floor}%" if self.unit == "%" else f"{bound} {floor} {self.unit}"

    def meets(self, value: Decimal | float) -> bool:
        """Whether a value meets the floor (equal to the floor counts as meeting it)."""
        floor = float(self.floor)
        return float(value) >= floor if self.higher_is_better else float(value) <= floor

    def change_floor(self, new_floor: Decimal, by: User, reason: str) -> StandardChange:
        """Set a new floor and record who changed it, when, from what and why."""
        change = StandardChange.objects.create(
            standard=self, changed_by=by, old_floor=self.floor, new_floor=new_floor, reason=reason
        )
        self.floor = new_floor
        self.save(update_fields=["floor"])
        return change


class StandardChange(models.Model):
    """One version step of a national floor: the history is never edited, only added to."""

    standard = models.ForeignKey(NationalStandard, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    changed_at = models.DateTimeField(default=timezone.now)
    old_floor = models.DecimalField(max_digits=12, decimal_places=2)
    new_floor = models.DecimalField(max_digits=12, decimal_places=2)
    reason = models.TextField()

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.standard}: {self.old_floor} to {self.new_floor}"


class Measurement(models.Model):
    """A standard's indicator for one area and period, as numerator over denominator."""

    standard = models.ForeignKey(
        NationalStandard, on_delete=models.CASCADE, related_name="measurements"
    )
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="measurements")
    period = models.CharField(max_length=16, help_text="For example 2024-25 or 2025-Q1.")
    numerator = models.PositiveIntegerField()
    denominator = models.PositiveIntegerField()

    class Meta:
        ordering = ["standard", "area", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["standard", "area", "period"], name="one_measurement_per_period"
            ),
            models.CheckConstraint(
                condition=models.Q(denominator__gt=0), name="measurement_denominator_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.standard} in {self.area}, {self.period}"

    @property
    def value(self) -> float:
        return self.numerator / self.denominator * self.standard.multiplier

    @property
    def value_text(self) -> str:
        return self.standard.in_unit(self.value)

    @property
    def meets_floor(self) -> bool:
        return self.standard.meets(self.value)


class EmailUserManager(BaseUserManager["User"]):
    """Creates people by email address, since they have no username."""

    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        user = self.model(email=self.normalize_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        return self.create_user(email, password, is_staff=True, is_superuser=True, **fields)


class User(AbstractUser):
    """A person who signs in with their email address."""

    username = None
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    objects = EmailUserManager()

    def __str__(self) -> str:
        return self.full_name or self.email


class Role(models.Model):
    """What a person may do in one area: resident of a neighbourhood, officer, steward."""

    class Kind(models.TextChoices):
        RESIDENT = "resident", "Resident"
        OFFICER = "officer", "Officer"
        STEWARD = "steward", "National steward"

    # The kind of area each role is held in.
    AREA_KIND = {
        Kind.RESIDENT: Area.Kind.NEIGHBOURHOOD,
        Kind.OFFICER: Area.Kind.AUTHORITY,
        Kind.STEWARD: Area.Kind.NATION,
    }

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="roles")
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="verified_roles",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "area"], name="one_role_per_area"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.area}"

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None
