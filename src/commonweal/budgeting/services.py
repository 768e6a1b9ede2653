"""Rules of a process that are not ballot rules: moving phases, proposing, reviewing, issuing paper.

Ballot rules live in `ballots.py`; these are the steps around them, each one a transaction so a
refusal leaves nothing changed.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from commonweal.places.models import Area, Role, Service, User

from .ballots import BallotError, home_neighbourhood
from .models import Ballot, Process, Proposal, VoterRoll
from .tasks import count_process

PHASES = list(Process.Phase)


class PhaseError(ValueError):
    """A phase move that cannot happen yet, with a message for the officer."""


def next_phase(process: Process) -> Process.Phase | None:
    """The phase an officer can move the process to, or None when only the count can move it."""
    if process.phase in (Process.Phase.COUNTING, Process.Phase.PUBLISHED):
        return None
    return PHASES[PHASES.index(Process.Phase(process.phase)) + 1]


def advance_phase(process: Process) -> Process.Phase:
    """Move to the next phase; closing the vote queues the count for the task worker."""
    with transaction.atomic():
        locked = Process.objects.select_for_update().get(pk=process.pk)
        target = next_phase(locked)
        if target is None:
            raise PhaseError("Counting moves this process on by itself: wait for the results")
        if target == Process.Phase.VOTING:
            waiting = locked.proposals.filter(status=Proposal.Status.SUBMITTED).count()
            if waiting:
                raise PhaseError(
                    f"Review every proposal before voting opens: {waiting} still waiting for review"
                )
            if not locked.proposals.filter(status=Proposal.Status.FEASIBLE).exists():
                raise PhaseError("Judge at least one proposal feasible before voting opens")
        locked.phase = target
        locked.save(update_fields=["phase"])
        if target == Process.Phase.COUNTING:
            # Queue only once the close is committed, so the worker never sees voting still open.
            transaction.on_commit(lambda: count_process.enqueue(locked.pk))
    process.phase = target
    return target


def neighbourhoods_of(process: Process):
    """The neighbourhoods a process covers: the area itself, or the neighbourhoods inside it."""
    area = process.area
    if area.kind == Area.Kind.NEIGHBOURHOOD:
        return Area.objects.filter(pk=area.pk)
    return Area.objects.filter(kind=Area.Kind.NEIGHBOURHOOD, parent=area).order_by("name")


def next_proposal_code(process: Process) -> str:
    """P001, P002…: short, stable ids that sort as text the way they were submitted."""
    taken = process.proposals.filter(code__regex=r"^P\d+$").values_list("code", flat=True)
    number = max((int(code[1:]) for code in taken), default=0) + 1
    return f"P{number:03d}"


def submit_proposal(
    process: Process, proposer: User, title: str, description: str, neighbourhood: Area,
    service: Service | None, estimated_cost: int,
) -> Proposal:
    """Store a resident's proposal while proposals are open."""
    for attempt in range(5):
        try:
            with transaction.atomic():
                locked = Process.objects.select_for_update().get(pk=process.pk)
                if locked.phase != Process.Phase.PROPOSALS:
                    raise PhaseError("Proposals for this budget have closed")
                return Proposal.objects.create(
                    process=locked, code=next_proposal_code(locked), title=title, description=description,
                    neighbourhood=neighbourhood, service=service, estimated_cost=estimated_cost,
                    proposer=proposer,
                )
        except IntegrityError:
            # Two proposals took the same code at once (SQLite has no row lock): take the next.
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


def review_proposal(
    proposal: Proposal, officer: User, feasible: bool, reason: str, final_cost: int | None
) -> Proposal:
    """Record an officer's judgement, public reason and final cost, before voting opens."""
    if proposal.process.phase not in (Process.Phase.PROPOSALS, Process.Phase.REVIEW):
        raise PhaseError("Proposals cannot be reviewed once voting has opened")
    proposal.status = Proposal.Status.FEASIBLE if feasible else Proposal.Status.NOT_FEASIBLE
    proposal.review_reason = reason
    proposal.final_cost = final_cost
    proposal.reviewed_by = officer
    proposal.save(update_fields=["status", "review_reason", "final_cost", "reviewed_by"])
    return proposal


def resident_by_email(process: Process, email: str) -> User | None:
    """A verified resident of the process's area with this email address, if there is one."""
    roles = Role.objects.filter(
        kind=Role.Kind.RESIDENT, verified_at__isnull=False, user__email__iexact=email.strip(),
        area__in=neighbourhoods_of(process),
    ).select_related("user")
    role = roles.first()
    return role.user if role else None


def issue_paper_ballot(process: Process, voter: User) -> VoterRoll:
    """Mark a resident on the roll as voting on paper before a clerk hands them a ballot paper.

    The mark and the online ballot share the roll's one-vote-per-person constraint, so whichever
    comes first shuts the other channel: nobody can vote both online and on paper.
    """
    neighbourhood = home_neighbourhood(process, voter)
    try:
        with transaction.atomic():
            locked = Process.objects.select_for_update().get(pk=process.pk)
            if locked.phase != Process.Phase.VOTING:
                raise BallotError("Voting in this process is closed")
            return VoterRoll.objects.create(
                process=locked, voter=voter, neighbourhood=neighbourhood, channel=Ballot.Channel.PAPER
            )
    except IntegrityError:
        channel = VoterRoll.objects.get(process=process, voter=voter).get_channel_display().lower()
        raise BallotError(
            f"{voter.full_name} has already voted ({channel}) in this process: do not issue a ballot paper"
        ) from None

