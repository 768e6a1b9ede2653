"""Counting a process: publish its anonymised ballots as a .pb file, then count exactly that file.

Counting the published bytes, not the database, is what makes every result recomputable:
anyone who downloads the file and runs any pabulib tool gets the same projects.
"""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import timezone

from commonweal.budgeting import engine
from commonweal.budgeting.engine.pabulib import compose, parse

from .models import Ballot, BallotChoice, Process, Proposal

# How each ballot type is written in pabulib's vote_type.
VOTE_TYPES = {
    Process.BallotType.APPROVAL: "approval",
    Process.BallotType.KNAPSACK: "approval",
    Process.BallotType.CUMULATIVE: "cumulative",
    Process.BallotType.ORDINAL: "ordinal",
}


def ballots_file(process: Process) -> bytes:
    """The process's feasible projects and every ballot, with receipt codes as voter ids."""
    proposals = list(
        process.proposals.filter(status=Proposal.Status.FEASIBLE).select_related("neighbourhood", "service")
    )
    fenced = set(process.ring_fenced_services.values_list("pk", flat=True))
    projects = [
        {
            "project_id": p.code,
            "cost": str(p.cost),
            "name": p.title,
            "category": p.service.slug if p.service else "",
            "neighbourhood": p.neighbourhood.code,
            "ring_fenced": "yes" if p.service_id in fenced else "no",
        }
        for p in proposals
    ]
    choices: dict[object, list[tuple[str, int]]] = {}
    rows = BallotChoice.objects.filter(ballot__process=process).values_list(
        "ballot_id", "proposal__code", "points"
    )
    for ballot_id, code, points in rows:
        choices.setdefault(ballot_id, []).append((code, points))
    cumulative = process.ballot_type == Process.BallotType.CUMULATIVE
    votes = []
    # Ordered by receipt code, which is random: the file's order says nothing about who voted when.
    ballots = Ballot.objects.filter(process=process).order_by("receipt_code")
    for ballot_id, receipt, neighbourhood, channel in ballots.values_list(
        "id", "receipt_code", "neighbourhood__code", "channel"
    ):
        chosen = choices.get(ballot_id, [])
        # Ranked ballots list projects best first; others by project id.
        chosen.sort(key=(lambda c: c[1]) if process.ballot_type == Process.BallotType.ORDINAL else None)
        row = {"voter_id": receipt, "vote": ",".join(code for code, _ in chosen)}
        if cumulative:
            row["points"] = ",".join(str(points) for _, points in chosen)
        row |= {"neighbourhood": neighbourhood, "channel": channel}
        votes.append(row)
    meta = {
        "description": process.title,
        "country": process.country,
        "unit": process.area.name,
        "subunit": process.area.code,
        "instance": process.slug,
        "num_projects": str(len(projects)),
        "num_votes": str(len(votes)),
        "budget": str(process.budget),
        "vote_type": VOTE_TYPES[process.ballot_type],
        "rule": process.rule,
        "currency": process.currency,
    }
    if process.max_choices and process.ballot_type != Process.BallotType.CUMULATIVE:
        meta["max_length"] = str(process.max_choices)
    if process.max_choices and cumulative:
        meta["max_sum_points"] = str(process.max_choices)
    return compose(meta, projects, votes)


def count(process: Process) -> engine.Outcome:
    """Freeze the ballots into the published file, count it, and publish the result."""
    data = ballots_file(process)
    election = parse(data, f"{process.slug}.pb")
    mandatory = [p.id for p in election.projects if p.extra.get("ring_fenced") == "yes"]
    outcome = engine.allocate(election, rule=process.rule, mandatory=mandatory)
    record(process, data, outcome)
    return outcome


def record(process: Process, data: bytes, outcome: engine.Outcome) -> None:
    """Store the published file, its fingerprint and which projects were funded, in order."""
    with transaction.atomic():
        Proposal.objects.filter(process=process).update(funded_rank=None)
        codes = {code: rank for rank, code in enumerate(outcome.funded, start=1)}
        for proposal in process.proposals.filter(code__in=codes):
            proposal.funded_rank = codes[proposal.code]
            proposal.save(update_fields=["funded_rank"])
        process.ballots_pb = data
        process.ballots_sha256 = hashlib.sha256(data).hexdigest()
        process.counted_at = timezone.now()
        process.phase = Process.Phase.PUBLISHED
        process.save(update_fields=["ballots_pb", "ballots_sha256", "counted_at", "phase"])
