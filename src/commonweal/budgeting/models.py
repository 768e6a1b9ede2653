"""Participatory-budgeting processes, proposals, secret ballots and the voter roll.

Ballot secrecy is structural: a Ballot has a random id, no timestamp and no relation to a
person; the VoterRoll records only that a person voted and through which channel. Nothing
joins the two, so no page, admin view, API or export can.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from commonweal.places.models import Area, Service

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


def new_receipt_code() -> str:
    """A random receipt code like "K7QM-2XDA-9PLR" (60 bits: guessing one is hopeless)."""
    chars = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(12))
    return f"{chars[:4]}-{chars[4:8]}-{chars[8:]}"


class Process(models.Model):
    """One participatory budget: an area, a sum of money, a ballot and a rule to count it."""

    class Phase(models.TextChoices):
        PROPOSALS = "proposals", "Proposals open"
        REVIEW = "review", "Review"
        VOTING = "voting", "Voting"
        COUNTING = "counting", "Counting"
        PUBLISHED = "published", "Results published"

    class BallotType(models.TextChoices):
        APPROVAL = "approval", "Choose up to a number of projects"
        KNAPSACK = "knapsack", "Choose projects up to the budget"
        CUMULATIVE = "cumulative", "Share out points"
        ORDINAL = "ordinal", "Rank your favourite projects"

    RULES = [
        ("mes", "Method of Equal Shares (proportional, the default)"),
        ("greedy", "Most votes first"),
        ("phragmen", "Sequential Phragmén"),
        ("max-welfare", "Most approvals × cost within budget"),
    ]

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="processes")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="neighbourhood_processes",
        help_text="The borough-wide process this neighbourhood ballot is held alongside.",
    )
    slug = models.SlugField()
    title = models.CharField(max_length=160)
    description = models.TextField(blank=True)
    phase = models.CharField(max_length=12, choices=Phase.choices, default=Phase.PROPOSALS)
    budget = models.PositiveBigIntegerField(help_text="In whole units of the process's currency.")
    currency = models.CharField(
        max_length=3, default="GBP",
        validators=[RegexValidator(r"^[A-Z]{3}$", "Enter the currency as its 3-letter code, like GBP")],
        help_text="ISO 4217 code, like GBP. A past round imported from abroad keeps its own, like PLN.",
    )
    country = models.CharField(
        max_length=64, default="United Kingdom",
        help_text="Written in the published ballots file. A past round imported from abroad keeps its own, "
        "like Poland.",
    )
    ballot_type = models.CharField(max_length=12, choices=BallotType.choices, default=BallotType.KNAPSACK)
    max_choices = models.PositiveSmallIntegerField(
        null=True, blank=True,
        help_text="Approval: most projects a voter may choose. Cumulative: points to share. "
        "Ranked: how many to rank.",
    )
    rule = models.CharField(max_length=16, choices=RULES, default="mes")
    ring_fenced_services = models.ManyToManyField(
        Service, blank=True,
        help_text="Services below their national floor here: feasible projects for them are funded first.",
    )
    proposals_close = models.DateField(null=True, blank=True)
    voting_opens = models.DateField(null=True, blank=True)
    voting_closes = models.DateField(null=True, blank=True)
    imported_from = models.CharField(max_length=200, blank=True, help_text="A past round's .pb file.")
    ballots_pb = models.BinaryField(blank=True, editable=False)
    ballots_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    counted_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-pk"]
        constraints = [models.UniqueConstraint(fields=["area", "slug"], name="process_slug_per_area")]

    def __str__(self) -> str:
        return self.title


class Proposal(models.Model):
    """A project a resident proposes; officers judge it feasible or not, and cost it."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Waiting for review"
        FEASIBLE = "feasible", "Feasible"
        NOT_FEASIBLE = "not_feasible", "Not feasible"

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="proposals")
    code = models.CharField(max_length=12, help_text="The project id in the .pb file, e.g. P007.")
    title = models.CharField(max_length=120)
    description = models.TextField()
    neighbourhood = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.PROTECT)
    estimated_cost = models.PositiveBigIntegerField()
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    review_reason = models.TextField(blank=True)
    final_cost = models.PositiveBigIntegerField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    funded_rank = models.PositiveSmallIntegerField(
        null=True, blank=True, editable=False, help_text="1 for the first project funded, and so on."
    )

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["process", "code"], name="proposal_code_per_process")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def cost(self) -> int:
        return self.final_cost if self.final_cost is not None else self.estimated_cost


class PaperBatch(models.Model):
    """Paper ballots entered together, checked against the tally sheet that came with them."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="paper_batches")
    label = models.CharField(max_length=80, help_text="As written on the tally sheet.")
    tally_total = models.PositiveIntegerField()
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["process", "label"], name="batch_label_per_process")]

    def __str__(self) -> str:
        return self.label


class Ballot(models.Model):
    """One voter's choices. Deliberately unlinkable: random id, no time, no person."""

    class Channel(models.TextChoices):
        ONLINE = "online", "Online"
        PAPER = "paper", "Paper"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="ballots")
    receipt_code = models.CharField(max_length=40, default=new_receipt_code, editable=False)
    neighbourhood = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    batch = models.ForeignKey(
        PaperBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="ballots"
    )

    class Meta:
        # Imported past rounds keep their file's voter ids as receipt codes, so unique per process.
        constraints = [
            models.UniqueConstraint(fields=["process", "receipt_code"], name="receipt_per_process")
        ]

    def __str__(self) -> str:
        return self.receipt_code


class BallotChoice(models.Model):
    """A project on a ballot, with its points (1 for approval; the rank for ranked ballots)."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="choices")
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="+")
    points = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ballot", "proposal"], name="project_once_per_ballot")]

    def __str__(self) -> str:
        return f"{self.points} for {self.proposal_id}"


class VoterRoll(models.Model):
    """That a person voted in a process, and how: never what they chose."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="roll")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    neighbourhood = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=8, choices=Ballot.Channel.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["process", "voter"], name="one_vote_per_person")]

    def __str__(self) -> str:
        return f"{self.voter} voted in {self.process}"
