"""Casting and changing ballots: the rules a ballot must keep, and the one transaction that stores it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import nullcontext

from django.db import IntegrityError, connection, transaction

from commonweal.places.models import Area, User
from commonweal.places.permissions import Action, granting_role

from .models import Ballot, BallotChoice, PaperBatch, Process, Proposal, VoterRoll
from .money import money


class BallotError(ValueError):
    """A ballot that cannot be stored, with a message for the voter or officer."""


def check_choices(
    process: Process, choices: Mapping[int, int], proposals: Iterable[Proposal] | None = None
) -> dict[Proposal, int]:
    """The proposals (by id) and points of a ballot, once they keep the process's ballot rules.

    `proposals` may hold the process's feasible proposals already loaded (a ballot form has them),
    to save reading them again; any that are not this process's or not feasible are ignored.
    """
    if not choices:
        raise BallotError("Choose at least one project")
    if proposals is None:
        proposals = process.proposals.filter(pk__in=list(choices), status=Proposal.Status.FEASIBLE)
    proposals = {
        p.pk: p
        for p in proposals
        if p.pk in choices and p.process_id == process.pk and p.status == Proposal.Status.FEASIBLE
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
                f"Your choices cost {money(total, process.currency)}, "
                f"more than the {money(process.budget, process.currency)} budget: remove some"
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
    """The voter's verified neighbourhood inside the process's area (the role that lets them
    vote there), or a refusal."""
    role = granting_role(voter, Action.PARTICIPATE, process.area)
    if role is not None:
        return role.area
    raise BallotError(f"Only verified residents of {process.area.name} can vote in this process")


# PostgreSQL: a first online ballot in one statement, so in one round trip and one commit when no
# transaction is open. The process row is read under FOR SHARE (see lock_open_for_voting); if it is
# no longer in voting, nothing is inserted. The roll's unique constraint refuses a second ballot by
# the same person, and then the whole statement, ballot and choices too, is undone.
CAST_SQL = """
WITH open AS MATERIALIZED (
    SELECT id FROM {process} WHERE id = %(process)s AND phase = %(voting)s FOR SHARE
), roll AS (
    INSERT INTO {roll} (process_id, voter_id, neighbourhood_id, channel)
    SELECT id, %(voter)s, %(neighbourhood)s, %(channel)s FROM open
    RETURNING process_id
), ballot AS (
    INSERT INTO {ballot} (id, process_id, receipt_code, neighbourhood_id, channel, batch_id)
    SELECT %(ballot)s, process_id, %(receipt)s, %(neighbourhood)s, %(channel)s, NULL FROM roll
    RETURNING id
), choices AS (
    INSERT INTO {choice} (ballot_id, proposal_id, points)
    SELECT ballot.id, c.proposal, c.points
    FROM ballot, unnest(%(proposals)s::bigint[], %(points)s::integer[]) AS c(proposal, points)
)
SELECT count(*) FROM ballot
"""


def _cast_in_one_statement(ballot: Ballot, voter: User, points: Mapping[Proposal, int]) -> bool:
    """Store the ballot, its choices and the roll entry; False if voting has closed."""
    sql = CAST_SQL.format(
        process=Process._meta.db_table, roll=VoterRoll._meta.db_table, ballot=Ballot._meta.db_table,
        choice=BallotChoice._meta.db_table,
    )
    params = {
        "process": ballot.process_id, "voting": Process.Phase.VOTING.value, "voter": voter.pk,
        "neighbourhood": ballot.neighbourhood_id, "channel": ballot.channel, "ballot": ballot.pk,
        "receipt": ballot.receipt_code, "proposals": [p.pk for p in points],
        "points": list(points.values()),
    }
    # Inside a caller's transaction a savepoint keeps a refusal from breaking it; on its own the
    # statement is its own transaction.
    with transaction.atomic() if connection.in_atomic_block else nullcontext(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        stored = cursor.fetchone()[0] == 1
    ballot._state.adding, ballot._state.db = False, connection.alias
    return stored


def cast_online(
    process: Process, voter: User, choices: Mapping[int, int], *,
    proposals: Iterable[Proposal] | None = None, neighbourhood: Area | None = None,
) -> Ballot:
    """Store a first ballot and mark the roll, together or not at all.

    `proposals` are the process's feasible proposals if already loaded (see check_choices), and
    `neighbourhood` the voter's verified home neighbourhood in the process's area if the caller has
    just found it checking their permission to vote; each is looked up here when not given.
    """
    points = check_choices(process, choices, proposals)
    if neighbourhood is None:
        neighbourhood = home_neighbourhood(process, voter)
    ballot = Ballot(process=process, neighbourhood=neighbourhood, channel=Ballot.Channel.ONLINE)
    try:
        if connection.vendor == "postgresql":
            if not _cast_in_one_statement(ballot, voter, points):
                raise BallotError("Voting in this process is closed")
            return ballot
        with transaction.atomic():
            if lock_open_for_voting(process) != Process.Phase.VOTING:
                raise BallotError("Voting in this process is closed")
            VoterRoll.objects.create(
                process=process, voter=voter, neighbourhood=neighbourhood, channel=Ballot.Channel.ONLINE
            )
            ballot.save(force_insert=True)
            _store(ballot, points, fresh=True)
    except IntegrityError:
        # The roll's one-vote-per-person constraint: a second submission, perhaps concurrent.
        raise BallotError("You have already voted in this process: change your ballot instead") from None
    return ballot


def change_online(
    process: Process, voter: User, receipt_code: str, choices: Mapping[int, int], *,
    proposals: Iterable[Proposal] | None = None,
) -> Ballot:
    """Replace the choices on the ballot whose receipt code the voter holds."""
    points = check_choices(process, choices, proposals)
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
