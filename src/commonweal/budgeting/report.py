"""What a results page says, read back from the published .pb file and the engine.

Nothing here re-derives the count: the file is parsed and allocated exactly as `counting.count`
did, and the explanation and audit come from the engine, so the page and the file cannot differ.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from django.core.cache import cache
from django.db.models import Count

from commonweal.places.models import Area, Role, Service

from . import engine
from .engine.audit import spend_by_neighbourhood
from .engine.constraints import ring_fence
from .engine.pabulib import parse
from .models import Ballot, Process, VoterRoll
from .services import neighbourhoods_of

try:  # the explanation module arrives with the engine's MES traces
    from .engine.explain import explain
except ImportError:  # pragma: no cover - older engines publish without explanations
    explain = None


@dataclass
class ProjectLine:
    code: str
    name: str
    cost: Fraction
    neighbourhood: str
    rank: int | None = None
    ring_fenced_for: str = ""
    supporters: int = 0
    price: Fraction | None = None
    ran_out: int = 0
    completed: bool = False
    shortfall: Fraction | None = None
    more_supporters_needed: int | None = None
    # (neighbourhood name, supporters there, the most each of them paid)
    by_neighbourhood: list[tuple[str, int, Fraction | None]] = field(default_factory=list)
    bar: float = 0.0  # the cost as a percentage of the budget, for the chart


@dataclass
class Result:
    budget: Fraction
    spent: Fraction
    voters: int
    funded: list[ProjectLine]
    unfunded: list[ProjectLine]
    explained: bool
    spend: list[dict]


def result(process: Process) -> Result:
    """The published result, computed once per published file (its SHA-256 is the cache key)."""
    key = f"budgeting-result-{process.pk}-{process.ballots_sha256}"
    cached = cache.get(key)
    if cached is None:
        cached = _result(process)
        cache.set(key, cached, 60 * 60)
    return cached


def _result(process: Process) -> Result:
    election = parse(bytes(process.ballots_pb), f"{process.slug}.pb")
    mandatory = [p.id for p in election.projects if p.extra.get("ring_fenced") == "yes"]
    outcome = engine.allocate(election, rule=process.rule, mandatory=mandatory)
    names = dict(Area.objects.filter(code__in=_places(election)).values_list("code", "name"))
    services = dict(Service.objects.values_list("slug", "name"))
    places, _, support = election.support_by("neighbourhood")
    lines = {}
    for i, project in enumerate(election.projects):
        place = project.extra.get("neighbourhood", "")
        line = ProjectLine(
            code=project.id, name=project.name, cost=project.cost, neighbourhood=names.get(place, place),
            supporters=int(support[:, i].sum()),
            bar=float(project.cost / election.budget * 100) if election.budget else 0.0,
        )
        if project.id in outcome.mandatory:
            category = project.categories[0] if project.categories else project.extra.get("category", "")
            line.ring_fenced_for = services.get(category, category or "a service below its floor")
        line.by_neighbourhood = [
            (names.get(where, where), int(support[k, i]), None)
            for k, where in enumerate(places) if support[k, i]
        ]
        lines[project.id] = line
    for rank, code in enumerate(outcome.funded, start=1):
        lines[code].rank = rank
    explained = explain is not None and process.rule == "mes"
    if explained:
        _explain(election, outcome, lines)
    spend = [
        {"name": names.get(share.name, share.name), "voters": share.voters,
         "voter_share": share.voter_share * 100, "spend": share.spend, "spend_share": share.spend_share * 100}
        for share in spend_by_neighbourhood(election, outcome)
    ] if election.num_voters else []
    return Result(
        budget=election.budget, spent=outcome.total_cost, voters=election.num_voters,
        funded=[lines[code] for code in outcome.funded],
        unfunded=sorted((line for line in lines.values() if line.rank is None), key=lambda line: line.code),
        explained=explained, spend=spend,
    )


def _places(election) -> set[str]:
    column = election.ballots.columns.get("neighbourhood")
    places = set(column.values) if column is not None else set()
    return places | {p.extra.get("neighbourhood", "") for p in election.projects}


def _explain(election, outcome, lines: dict[str, ProjectLine]) -> None:
    """MES's own account: the price each supporter paid, and what unfunded projects lacked."""
    fenced, remaining = ring_fence(election, outcome.mandatory)
    profile = election.profile("approval", exclude=fenced, budget=remaining)
    if not profile.num_voters:
        return
    why = explain(profile, "mes")
    for bought in why.funded:
        line = lines[bought.project]
        line.price, line.ran_out = bought.price, bought.ran_out
        line.by_neighbourhood = [(name, count, bought.price) for name, count, _ in line.by_neighbourhood]
    for code in why.completed:
        lines[code].completed = True
    for missing in why.unfunded:
        line = lines[missing.project]
        line.shortfall, line.more_supporters_needed = missing.shortfall, missing.more_supporters_needed


def turnout(process: Process) -> tuple[list[dict], list[dict]]:
    """Who took part, by neighbourhood and by deprivation decile.

    Online voters are counted from the roll (people); paper voters from the paper ballots entered
    (a paper ballot is one person, marked on the roll when it was issued, so papers issued and
    papers entered should agree). Those eligible are the verified residents today.
    """
    places = list(neighbourhoods_of(process))
    eligible = dict(
        Role.objects.filter(kind=Role.Kind.RESIDENT, verified_at__isnull=False, area__in=places)
        .values("area").annotate(n=Count("user", distinct=True)).values_list("area", "n")
    )
    marked = (
        VoterRoll.objects.filter(process=process).values("neighbourhood", "channel").annotate(n=Count("pk"))
    )
    roll = {(row["neighbourhood"], row["channel"]): row["n"] for row in marked}
    paper = dict(
        Ballot.objects.filter(process=process, channel=Ballot.Channel.PAPER)
        .values("neighbourhood").annotate(n=Count("pk")).values_list("neighbourhood", "n")
    )
    rows = []
    counts = ("eligible", "online", "paper", "issued")
    deciles: dict[int | None, dict] = defaultdict(lambda: dict.fromkeys(counts, 0))
    for place in places:
        row = {"name": place.name, "decile": place.deprivation_decile, "eligible": eligible.get(place.pk, 0),
               "online": roll.get((place.pk, Ballot.Channel.ONLINE), 0), "paper": paper.get(place.pk, 0),
               "issued": roll.get((place.pk, Ballot.Channel.PAPER), 0)}
        rows.append(row)
        for key in counts:
            deciles[place.deprivation_decile][key] += row[key]
    by_decile = [{"decile": d, **counts} for d, counts in sorted(deciles.items(), key=lambda i: i[0] or 11)]
    for row in (*rows, *by_decile):
        row["voted"] = row["online"] + row["paper"]
        row["rate"] = row["voted"] / row["eligible"] * 100 if row["eligible"] else None
    return rows, by_decile
