"""Bringing a past round into Commonweal: a finished election's .pb file becomes a published process.

The file is parsed and checked first, then every row is written and the result counted in one
transaction, so a bad file or a failed count leaves nothing behind. The process is counted with
`counting.count`, from the file Commonweal itself publishes, so an imported round is as
recomputable as one held here.

Decisions a reader of the result should know:
- Each voter's `voter_id` becomes their ballot's receipt code, so anyone can find a voter of the
  original file in the published one.
- A ballot's neighbourhood is the child area of `area` whose code or name (any case) matches the
  voter's `neighbourhood`, `neighborhood` or `district` cell; when nothing matches, the area itself.
  Projects are placed the same way from their own row.
- Costs must be whole numbers (Commonweal keeps money in whole units). A budget with a fraction
  (Kraków writes "2011938,01") is rounded down to whole units and the description says so: with
  whole costs a set of projects fits the rounded budget exactly when it fits the original one.
- Amounts stay in the file's currency, which the process keeps (upper-cased) and shows them in;
  a file that names none is taken to be in pounds, Commonweal's default.
- The file's `country` is kept and written in the published file; a file that names none is
  taken to be from the United Kingdom, Commonweal's default.
- The rule is the file's where Commonweal has it (`greedy`, `equalshares`), otherwise `mes`.
"""

from __future__ import annotations

import math
import uuid
from os import PathLike
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils.text import slugify

from commonweal.budgeting.engine import Election, PabulibError
from commonweal.budgeting.engine.pabulib import decimal_text, parse
from commonweal.places.models import Area

from . import counting
from .models import Ballot, BallotChoice, Process, Proposal

BALLOT_TYPES = {
    "approval": Process.BallotType.APPROVAL,
    "choose-1": Process.BallotType.APPROVAL,
    "cumulative": Process.BallotType.CUMULATIVE,
    "ordinal": Process.BallotType.ORDINAL,
}
RULES = {"greedy": "greedy", "equalshares": "mes"}
PLACE_COLUMNS = ("neighbourhood", "neighborhood", "district")
BATCH = 20_000

_CODE_LENGTH = Proposal._meta.get_field("code").max_length
_TITLE_LENGTH = Proposal._meta.get_field("title").max_length
_RECEIPT_LENGTH = Ballot._meta.get_field("receipt_code").max_length
_SLUG_LENGTH = Process._meta.get_field("slug").max_length
_POINTS_LIMIT = 32_767  # BallotChoice.points is a small integer


class ImportRefused(ValueError):
    """A readable file that cannot become a process here, for a reason that is not the file's fault."""


def import_pb(
    path_or_bytes: str | PathLike[str] | bytes, area: Area, slug: str | None = None, title: str | None = None
) -> Process:
    """Create a published process from a finished election's .pb file, counted and with its ballots."""
    if isinstance(path_or_bytes, bytes):
        data, name = path_or_bytes, f"{slug or 'upload'}.pb"
    else:
        path = Path(path_or_bytes)
        name = path.name
        try:
            data = path.read_bytes()
        except OSError as error:
            raise PabulibError(f"{name}: cannot be read ({error.strerror})") from error
    election = parse(data, name)
    _check(election, name)
    currency = _currency(election, name)
    country = _country(election, name)
    slug = slug or slugify(Path(name).stem)[:_SLUG_LENGTH].strip("-") or "imported"
    if Process.objects.filter(area=area, slug=slug).exists():
        raise ImportRefused(f"{area.name} already has a process called {slug!r}: choose another slug")
    with transaction.atomic():
        process = _process(election, area, name, slug, title, currency, country)
        places = _places(area)
        proposals = _proposals(election, process, area, places)
        _ballots(election, process, area, places, proposals)
        counting.count(process)
    return process


def _check(election: Election, name: str) -> None:
    """Refuse, naming the file, what the models cannot hold exactly."""
    if election.vote_type not in BALLOT_TYPES:
        raise PabulibError(
            f"{name}: {election.vote_type} ballots cannot be imported; "
            f"Commonweal holds {', '.join(BALLOT_TYPES)} ballots"
        )
    for project in election.projects:
        if len(project.id) > _CODE_LENGTH:
            raise PabulibError(f"{name}: project id {project.id!r} is longer than {_CODE_LENGTH} characters")
        if project.cost.denominator != 1:
            raise PabulibError(
                f"{name}: project {project.id!r} costs {decimal_text(project.cost)}; "
                "Commonweal keeps costs in whole units, so round the costs in the file first"
            )
    long_ids = [v for v in election.ballots.columns["voter_id"].values if len(v) > _RECEIPT_LENGTH]
    if long_ids:
        raise PabulibError(f"{name}: voter_id {long_ids[0]!r} is longer than {_RECEIPT_LENGTH} characters")
    points = election.ballots.points
    if points is not None and len(points) and int(points.max()) > _POINTS_LIMIT:
        raise PabulibError(f"{name}: a ballot gives more than {_POINTS_LIMIT:,} points to one project")


def _currency(election: Election, name: str) -> str:
    """The file's currency as a 3-letter code, refused naming the file when it is not one."""
    field = Process._meta.get_field("currency")
    text = election.meta.get("currency", "").strip()
    if not text:
        return field.default
    code = text.upper()
    try:
        field.run_validators(code)  # the model's own rule for a currency code
    except ValidationError:
        raise PabulibError(
            f"{name}: currency {text!r} is not a 3-letter currency code; "
            "write it in META as its ISO 4217 code, like EUR or PLN"
        ) from None
    return code


def _country(election: Election, name: str) -> str:
    """The file's country as written, refused naming the file when the process cannot hold it."""
    field = Process._meta.get_field("country")
    text = election.meta.get("country", "").strip()
    if not text:
        return field.default
    if len(text) > field.max_length:
        # Cut short, it would be republished as a country the original file never named.
        raise PabulibError(
            f"{name}: country {text!r} is longer than {field.max_length} characters; "
            "write it in META as the country's short name, like Poland"
        )
    return text


def _whole(meta_value: str | None) -> int | None:
    return int(meta_value) if meta_value and meta_value.strip().isdigit() else None


def _process(
    election: Election, area: Area, name: str, slug: str, title: str | None, currency: str, country: str
) -> Process:
    meta = election.meta
    budget = math.floor(election.budget)
    notes = [f"Imported from {name}, a past round published in pabulib format."]
    if budget != election.budget:
        notes.append(
            f"The file's budget of {decimal_text(election.budget)} is rounded down to {budget} "
            "whole units; with whole-unit costs the same projects fit either."
        )
    ballot_type = BALLOT_TYPES[election.vote_type]
    if ballot_type == Process.BallotType.CUMULATIVE:
        max_choices = _whole(meta.get("max_sum_points"))
    elif election.vote_type == "choose-1":
        max_choices = 1
    else:
        max_choices = _whole(meta.get("max_length"))
    default_title = meta.get("description") or " ".join(
        part for part in (meta.get("unit"), meta.get("subunit"), meta.get("instance")) if part
    )
    return Process.objects.create(
        area=area,
        slug=slug,
        title=(title or default_title or Path(name).stem)[: Process._meta.get_field("title").max_length],
        description=" ".join(notes),
        phase=Process.Phase.COUNTING,
        budget=budget,
        currency=currency,
        country=country,
        ballot_type=ballot_type,
        max_choices=max_choices,
        rule=RULES.get(meta.get("rule", "").strip().lower(), "mes"),
        imported_from=name[: Process._meta.get_field("imported_from").max_length],
    )


def _places(area: Area) -> dict[str, Area]:
    """The area's children by lower-cased code and name."""
    places: dict[str, Area] = {}
    for child in area.children.all():
        places.setdefault(child.name.strip().lower(), child)
        places[child.code.strip().lower()] = child
    return places


def _place(cells: dict[str, str], places: dict[str, Area], area: Area) -> Area:
    for column in PLACE_COLUMNS:
        found = places.get(cells.get(column, "").strip().lower())
        if found is not None:
            return found
    return area


def _proposals(
    election: Election, process: Process, area: Area, places: dict[str, Area]
) -> list[Proposal]:
    rows = []
    for project in election.projects:
        name = project.name.strip() or f"Project {project.id}"
        title = name if len(name) <= _TITLE_LENGTH else name[: _TITLE_LENGTH - 1] + "…"
        description = project.extra.get("description", "").strip() or (name if title != name else "")
        cost = int(project.cost)
        rows.append(
            Proposal(
                process=process, code=project.id, title=title, description=description,
                neighbourhood=_place(dict(project.extra), places, area), estimated_cost=cost,
                final_cost=cost, status=Proposal.Status.FEASIBLE,
            )
        )
    # Rows come back with primary keys on PostgreSQL and SQLite (both support RETURNING).
    return Proposal.objects.bulk_create(rows)


def _ballots(
    election: Election, process: Process, area: Area, places: dict[str, Area], proposals: list[Proposal]
) -> None:
    ballots = election.ballots
    proposal_ids = [proposal.pk for proposal in proposals]  # aligned with election.projects
    offsets = ballots.offsets.tolist()
    chosen = ballots.choices.tolist()
    points = ballots.points.tolist() if ballots.points is not None else None
    ranked = election.vote_type == "ordinal"
    # Each distinct ballot's (proposal id, points) rows, built once however many cast it.
    distinct = []
    for k in range(ballots.num_distinct):
        start, end = offsets[k], offsets[k + 1]
        rows = []
        for position, index in enumerate(range(start, end), start=1):
            given = position if ranked else points[index] if points is not None else 1
            rows.append((proposal_ids[chosen[index]], given))
        distinct.append(rows)

    place_column = next((c for c in PLACE_COLUMNS if c in ballots.columns), None)
    if place_column is None:
        place_of_voter = [area.pk] * ballots.num_voters
    else:
        column = ballots.columns[place_column]
        place_of_value = [_place({place_column: value}, places, area).pk for value in column.values]
        place_of_voter = [place_of_value[code] for code in column.codes.tolist()]

    voter_ids = list(ballots.columns["voter_id"])
    kinds = ballots.ballot_of_voter.tolist()
    to_db = Ballot._meta.pk.get_db_prep_value
    online = str(Ballot.Channel.ONLINE)
    ballot_rows, choice_rows = [], []
    for voter in range(ballots.num_voters):
        ballot_id = to_db(uuid.uuid4(), connection, prepared=False)
        ballot_rows.append((ballot_id, process.pk, voter_ids[voter], place_of_voter[voter], online))
        choice_rows.extend((ballot_id, proposal, given) for proposal, given in distinct[kinds[voter]])
    _insert(Ballot, ("id", "process", "receipt_code", "neighbourhood", "channel"), ballot_rows)
    _insert(BallotChoice, ("ballot", "proposal", "points"), choice_rows)


def _insert(model: type[models.Model], fields: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert plain rows: COPY on PostgreSQL, executemany elsewhere. bulk_create builds a model
    object and prepares every value through its field, which made a 130,000-voter file take
    half a minute; even executemany takes 20 s on PostgreSQL where COPY takes two."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
        for first in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[first : first + BATCH])
