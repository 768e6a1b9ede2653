"""Co-production activities, time given, partners' offers, and the time-credit ledger's tables.

The ledger is append-only: a Transaction and its Postings are written once and never changed or
deleted (the models refuse it, the admin offers no way to, and on PostgreSQL a trigger refuses it
too). A correction is a new reversing transaction. An account's `balance` is a cache of the sum of
its postings, kept in the same database transaction as they are written and checked against them.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from commonweal.places.models import Area, Service

from .ledger import AccountKind, Kind, format_credits

VOUCHER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread at a till


def new_voucher_code() -> str:
    return "".join(secrets.choice(VOUCHER_ALPHABET) for _ in range(8))


class CreditPolicy(models.Model):
    """How an authority issues time credits: the rate, and how long unspent credits last."""

    area = models.OneToOneField(Area, on_delete=models.PROTECT, related_name="credit_policy")
    cents_per_hour = models.PositiveIntegerField(
        default=100, help_text="Hundredths of a credit issued for each hour given: 100 is one credit an hour."
    )
    expiry_months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Unspent credits expire after this many months; blank for never."
    )

    class Meta:
        verbose_name_plural = "credit policies"
        constraints = [
            models.CheckConstraint(condition=models.Q(cents_per_hour__gt=0), name="credit_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"Time credits in {self.area}"


class Activity(models.Model):
    """Something residents do alongside a service's staff, such as a patient peer-support group."""

    class Involvement(models.TextChoices):
        DELIVER = "deliver", "Deliver: residents help run the service"
        DESIGN = "design", "Design: residents shape how the service works"
        DECIDE = "decide", "Decide: residents share decisions about the service"

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="activities")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="activities")
    title = models.CharField(max_length=120)
    description = models.TextField()
    involvement = models.CharField(max_length=8, choices=Involvement.choices, default=Involvement.DELIVER)
    when = models.CharField(max_length=120, help_text="For example: Tuesdays, 6pm to 8pm")
    where = models.CharField(max_length=160, help_text="For example: Brookside library, meeting room 2")
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="organising"
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="activities"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "activities"
        constraints = [
            models.UniqueConstraint(fields=["area", "title"], name="one_activity_title_per_area"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def shifts_power(self) -> bool:
        """Whether residents design or decide here, not only deliver: the power-shift measure."""
        return self.involvement in (self.Involvement.DESIGN, self.Involvement.DECIDE)


class Membership(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="memberships")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity", "member"], name="join_an_activity_once"),
        ]

    def __str__(self) -> str:
        return f"{self.member} in {self.activity}"


class TimeEntry(models.Model):
    """Time a resident gave to an activity, waiting for its organiser, then confirmed or declined."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        CONFIRMED = "confirmed", "Confirmed"
        DECLINED = "declined", "Declined"

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="time_entries")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="time_entries"
    )
    minutes = models.PositiveIntegerField()
    given_on = models.DateField()
    note = models.CharField(max_length=300, blank=True)
    key = models.CharField(max_length=80, unique=True, help_text="The request's idempotency key.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    logged_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="time_decided"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    credit = models.OneToOneField(
        "Transaction", null=True, blank=True, on_delete=models.PROTECT, related_name="time_entry"
    )

    class Meta:
        ordering = ["-given_on", "-pk"]
        verbose_name_plural = "time entries"
        constraints = [
            models.CheckConstraint(condition=models.Q(minutes__gt=0), name="time_entry_minutes_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.hours_text} at {self.activity}"

    @property
    def hours_text(self) -> str:
        hours, minutes = divmod(self.minutes, 60)
        parts = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
        if minutes:
            parts.append(f"{minutes} minutes")
        return " ".join(parts)


class Partner(models.Model):
    """An organisation that accepts time credits, such as a leisure centre or a cinema."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="credit_partners")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="partner_staff_of",
        help_text="People at the partner who see its vouchers and mark them used.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["area", "name"], name="one_partner_name_per_area")]

    def __str__(self) -> str:
        return self.name


class Offer(models.Model):
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="offers")
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    price = models.PositiveIntegerField(help_text="In hundredths of a credit: 100 is one credit.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["partner__name", "title"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "title"], name="one_offer_title_per_partner"),
            models.CheckConstraint(condition=models.Q(price__gt=0), name="offer_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.title} at {self.partner}"

    @property
    def price_text(self) -> str:
        return format_credits(self.price)


class Account(models.Model):
    """One account in the ledger: a member's, a service's issuing account, a partner's, a pot, expiry."""

    kind = models.CharField(max_length=12, choices=[(k.value, k.value.title()) for k in AccountKind])
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="credit_accounts")
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_accounts",
    )
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.PROTECT)
    partner = models.OneToOneField(Partner, null=True, blank=True, on_delete=models.PROTECT)
    name = models.CharField(max_length=160)
    balance = models.BigIntegerField(default=0, help_text="Cache of the sum of this account's postings.")

    class Meta:
        ordering = ["area", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "holder"],
                condition=models.Q(kind="member"),
                name="one_member_account_per_area",
            ),
            models.UniqueConstraint(
                fields=["area", "service"],
                condition=models.Q(kind="issuance"),
                name="one_issuing_account_per_service_and_area",
            ),
            models.UniqueConstraint(
                fields=["area", "kind"],
                condition=models.Q(kind__in=["pot", "expiry"]),
                name="one_pot_and_expiry_account_per_area",
            ),
            # The last line of defence for "no balance below zero": only an issuing account owes.
            models.CheckConstraint(
                condition=models.Q(balance__gte=0) | models.Q(kind="issuance"),
                name="only_issuing_accounts_go_below_zero",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def balance_text(self) -> str:
        return format_credits(self.balance)


class AppendOnly(models.Model):
    """A ledger row: written once, never changed, never deleted (a reversal corrects it)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise PermissionError("Ledger rows are never changed: post a reversing transaction instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Ledger rows are never deleted: post a reversing transaction instead")


class Transaction(AppendOnly):
    """A set of postings that sum to zero, with who made it, why, and what it reverses."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="credit_transactions")
    kind = models.CharField(max_length=12, choices=[(k.value, k.value.title()) for k in Kind])
    key = models.CharField(max_length=120, unique=True, help_text="The request's idempotency key.")
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_transactions",
    )
    made_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    offer = models.ForeignKey(
        Offer, null=True, blank=True, on_delete=models.PROTECT, related_name="redemptions"
    )
    voucher = models.CharField(max_length=12, blank=True)

    class Meta:
        ordering = ["made_at", "pk"]
        indexes = [models.Index(fields=["area", "made_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}"


class Posting(AppendOnly):
    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings")
    amount = models.BigIntegerField(help_text="Hundredths of a credit: positive in, negative out.")

    class Meta:
        ordering = ["transaction", "pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="posting_amount_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.account}: {format_credits(self.amount)}"


class VoucherUse(AppendOnly):
    """A partner's record that the voucher of a redemption was used at its till: once, never undone.

    The voucher is the Transaction that spent the credits, which is append-only, so its use is a
    row of its own; one per transaction, which the database enforces even for two tills at once.
    """

    transaction = models.OneToOneField(Transaction, on_delete=models.PROTECT, related_name="use")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="voucher_uses")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="voucher_uses")
    used_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-used_at", "-pk"]

    def __str__(self) -> str:
        return f"Voucher {self.transaction.voucher} used at {self.partner}"
