"""Casting and changing ballots: the rules a ballot must keep, and the one transaction that stores it."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import IntegrityError, connection, transaction

from commonweal.places.models import Area, Role, User
from commonweal.places.permissions import ROLE_AREA_LINEAGE

from .models import Ballot, BallotChoice, PaperBatch, Process, Proposal, VoterRoll


class BallotError(ValueError):
    """A ballot that cannot be stored, with a message for the voter or officer."""


def check_choices(process: Process, choices: Mapping[int, int]) -> dict[Proposal, int]:
    """The proposals (by id) and points of a ballot, once they keep the process's ballot rules."""
    if not choices:
        raise BallotError("Choose at least one project")
    proposals = {
        p.pk: p
        for p in process.proposals.filter(pk__in=list(choices), status=Proposal.Status.FEASIBLE)
    }
    unknown = sorted(set(choices) - set(proposals))
    if unknown:
        raise BallotError(f"Project {unknown[0]} is not on this ballot")
    points = {proposals[pk]: int(given) for pk, given in choices.items()}
    if any(given < 1 for given in points.values()):
        raise BallotError("Give each chosen project at least 1 point")
    limit = process.max_choices
    kind = Process.BallotType
    if process.ballot_type == kind.APPROVAL:
        if limit and len(points) > limit:
            raise BallotError(f"Choose no more than {limit} projects")
        points = dict.fromkeys(points, 1)
    elif process.ballot_type == kind.KNAPSACK:
        total = sum(p.cost for p in points)
        if total > process.budget:
            raise BallotError(
                f"Your choices cost £{total:,}, more than the £{process.budget:,} budget: remove some"
            )
        points = dict.fromkeys(points, 1)
    elif process.ballot_type == kind.CUMULATIVE:
        if limit and sum(points.values()) > limit:
            raise BallotError(f"Share out no more than {limit} points")
    elif process.ballot_type == kind.ORDINAL:
        ranks = sorted(points.values())
        if ranks != list(range(1, len(ranks) + 1)):
            raise BallotError("Rank your choices 1, 2, 3 and so on, each number once")
        if limit and len(ranks) > limit:
            raise BallotError(f"Rank no more than {limit} projects")
    return points


def _refuse_unless_voting(process: Process) -> None:
    if process.phase != Process.Phase.VOTING:
        raise BallotError("Voting in this process is closed")


def lock_open_for_voting(process: Process) -> Process.Phase:
    """The process's phase, read under a shared lock held until the transaction ends.

    Voters share the lock, so they do not queue behind one another's commits; the officer's close
    takes the row FOR UPDATE, so it waits for every ballot in flight, and a ballot that comes after
    the close reads the closed phase. (FOR UPDATE here made every voter wait for the one before:
    ballots were stored one commit at a time.) SQLite has no row locks, but it lets only one writer
    at a time hold the database, which gives the same order.
    """
    if connection.vendor != "postgresql":
        return Process.objects.filter(pk=process.pk).values_list("phase", flat=True).get()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT phase FROM {Process._meta.db_table} WHERE id = %s FOR SHARE", [process.pk])
        return cursor.fetchone()[0]


def _store(ballot: Ballot, points: Mapping[Proposal, int], fresh: bool = False) -> None:
    if not fresh:
        ballot.choices.all().delete()
    BallotChoice.objects.bulk_create(
        BallotChoice(ballot=ballot, proposal=proposal, points=given) for proposal, given in points.items()
    )


def home_neighbourhood(process: Process, voter: User) -> Area:
    """The voter's verified neighbourhood inside the process's area, or a refusal."""
    roles = voter.roles.filter(kind=Role.Kind.RESIDENT, verified_at__isnull=False)
    for role in roles.select_related(ROLE_AREA_LINEAGE):
        if role.area.is_within(process.area):
            return role.area
    raise BallotError(f"Only verified residents of {process.area.name} can vote in this process")


def cast_online(process: Process, voter: User, choices: Mapping[int, int]) -> Ballot:
    """Store a first ballot and mark the roll, together or not at all."""
    points = check_choices(process, choices)
    neighbourhood = home_neighbourhood(process, voter)
    try:
        with transaction.atomic():
            if lock_open_for_voting(process) != Process.Phase.VOTING:
                raise BallotError("Voting in this process is closed")
            VoterRoll.objects.create(
                process=process, voter=voter, neighbourhood=neighbourhood, channel=Ballot.Channel.ONLINE
            )
            ballot = Ballot.objects.create(
                process=process, neighbourhood=neighbourhood, channel=Ballot.Channel.ONLINE
            )
            _store(ballot, points, fresh=True)
    except IntegrityError:
        # The roll's one-vote-per-person constraint: a second submission, perhaps concurrent.
        raise BallotError("You have already voted in this process: change your ballot instead") from None
    return ballot


def change_online(process: Process, voter: User, receipt_code: str, choices: Mapping[int, int]) -> Ballot:
    """Replace the choices on the ballot whose receipt code the voter holds."""
    points = check_choices(process, choices)
    with transaction.atomic():
        locked = Process.objects.select_for_update().get(pk=process.pk)
        _refuse_unless_voting(locked)
        if not VoterRoll.objects.filter(process=locked, voter=voter, channel=Ballot.Channel.ONLINE).exists():
            raise BallotError("You have not voted online in this process yet")
        ballot = Ballot.objects.filter(
            process=locked, receipt_code=receipt_code.strip().upper(), channel=Ballot.Channel.ONLINE
        ).first()
        if ballot is None:
            raise BallotError("Enter the receipt code you were given when you voted, like K7QM-2XDA-9PLR")
        _store(ballot, points)
    return ballot


def enter_paper_batch(
    process: Process, officer: User, label: str, tally_total: int,
    ballots: list[tuple[Area, Mapping[int, int]]],
) -> PaperBatch:
    """Store a batch of paper ballots, but only if their number matches the tally sheet."""
    if len(ballots) != tally_total:
        raise BallotError(
            f"The tally sheet says {tally_total} ballots but {len(ballots)} were entered: "
            "count the batch again"
        )
    checked = []
    for line, (neighbourhood, choices) in enumerate(ballots, start=1):
        try:
            checked.append((neighbourhood, check_choices(process, choices)))
        except BallotError as error:
            raise BallotError(f"Paper ballot {line}: {error}") from None
    with transaction.atomic():
        locked = Process.objects.select_for_update().get(pk=process.pk)
        _refuse_unless_voting(locked)
        if locked.paper_batches.filter(label=label).exists():
            raise BallotError(f"Batch {label!r} has already been entered")
        batch = PaperBatch.objects.create(
            process=locked, label=label, tally_total=tally_total, entered_by=officer
        )
        for neighbourhood, points in checked:
            ballot = Ballot.objects.create(
                process=locked, neighbourhood=neighbourhood, channel=Ballot.Channel.PAPER, batch=batch
            )
            _store(ballot, points)
    return batch
