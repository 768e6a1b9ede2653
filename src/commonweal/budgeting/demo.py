"""The demo borough's participatory budgets: one round open for voting, last year's round published.

Loading is idempotent like the demo place: processes and proposals are found by their natural keys
and brought to the values below; last year's 5,000 ballots come from a fixed seed (receipt codes
and ids included), are written only when missing and counted only when they were (re)written, so
loading twice leaves the same rows, results and file fingerprint.

Last year's ballots have no voter roll behind them, as a round brought in from a .pb file has none:
the demo has no 5,000 residents to sign in as.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import numpy as np
from django.db import transaction

from commonweal.places.models import Area, Service
from commonweal.places.status import floor_statuses

from . import counting
from .models import RECEIPT_ALPHABET, Ballot, BallotChoice, Process, Proposal

BOROUGH = "E06000999"
PAST_BALLOTS = 5_000
SEED = 2025


@dataclass(frozen=True)
class DemoProject:
    title: str
    neighbourhood: str  # name of a demo neighbourhood
    service: str | None  # slug of a service, or None
    cost: int
    description: str
    not_feasible: str = ""  # the officer's public reason, when the project was turned down


PAST_PROJECTS = [
    DemoProject("Outdoor gym in Abbey Fields park", "Abbey Fields", "parks", 38_000,
                "Eight pieces of outdoor gym equipment beside the park's running track, free to use."),
    DemoProject("Youth club evening sessions in Brookside", "Brookside", "youth-services", 42_000,
                "Three evenings a week of youth club at Brookside community centre for 11 to 19 year olds."),
    DemoProject("Detached youth workers for Harbour End", "Harbour End", "youth-services", 55_000,
                "Two youth workers meeting young people where they gather, on the seafront and estates."),
    DemoProject("Replace the Castle Hill play area", "Castle Hill", "parks", 65_000,
                "New swings, a climbing frame and accessible play equipment to replace the 1990s play area."),
    DemoProject("Benches and dropped kerbs along Dunmore high street", "Dunmore", None, 24_000,
                "Ten benches and six dropped kerbs so older people and wheelchair users can use the shops."),
    DemoProject("Bus shelter with live times at Elm Green", "Elm Green", "bus-access", 18_000,
                "A lit shelter with a real-time display at the stop by Elm Green surgery."),
    DemoProject("Saturday opening at Fairholme library", "Fairholme", "libraries", 30_000,
                "Open the library every Saturday from 10am to 4pm for a year."),
    DemoProject("Wildflower verges and street trees in Glebe Park", "Glebe Park", "parks", 15_000,
                "Forty street trees and wildflower verges along Glebe Road and Church Lane."),
    DemoProject("Litter bins and a monthly deep clean in Harbour End", "Harbour End", "street-cleaning",
                20_000, "Twenty large bins on the seafront and a monthly deep clean of the alleys."),
    DemoProject("Ivy Bank community orchard", "Ivy Bank", "parks", 12_000,
                "Thirty fruit trees on the old bowling green, looked after by volunteers."),
    DemoProject("Holiday activities and meals in Jubilee Gardens", "Jubilee Gardens", None, 48_000,
                "Sport, crafts and a hot lunch for children on free school meals in the holidays."),
    DemoProject("Resurface Kingsmead skate park", "Kingsmead", "parks", 60_000,
                "Resurface the skate park and add a beginners' area, designed with local young people."),
    DemoProject("Larkrise library of things", "Larkrise", "libraries", 9_000,
                "Borrow a drill, a gazebo or a sewing machine from the library instead of buying one."),
    DemoProject("Warm space and advice drop-in at Brookside library", "Brookside", "adult-social-care",
                26_000, "A warm room with hot drinks and weekly benefits and care advice all winter."),
]

CURRENT_PROJECTS = [
    DemoProject("Youth club evening sessions in Dunmore", "Dunmore", "youth-services", 40_000,
                "Two evenings a week of youth club at Dunmore scout hut, with a trained youth worker."),
    DemoProject("Music studio for young people at Jubilee Gardens", "Jubilee Gardens", "youth-services",
                35_000, "A recording studio and weekly music sessions run with young people."),
    DemoProject("Outdoor gym in Kingsmead recreation ground", "Kingsmead", "parks", 36_000,
                "Outdoor gym equipment by the changing rooms, with a free induction session each month."),
    DemoProject("Safer crossing outside Abbey Fields primary school", "Abbey Fields", None, 55_000,
                "A zebra crossing and build-outs on Abbey Road where children cross to school."),
    DemoProject("Community fridge in Harbour End", "Harbour End", None, 8_000,
                "A fridge at the community centre where shops and neighbours leave surplus food to share."),
    DemoProject("Longer library hours at Castle Hill", "Castle Hill", "libraries", 28_000,
                "Open until 8pm on Tuesdays and Thursdays so people can study after work."),
    DemoProject("Accessible toilets in Elm Green park", "Elm Green", "parks", 62_000,
                "A Changing Places toilet and two accessible toilets by the park café."),
    DemoProject("Electric minibus for Fairholme day centre", "Fairholme", "adult-social-care", 70_000,
                "A wheelchair-accessible electric minibus for day-centre trips and appointments."),
    DemoProject("Street art on the Glebe Park underpass", "Glebe Park", "street-cleaning", 14_000,
                "Clean the underpass and paint a mural designed with pupils from Glebe secondary."),
    DemoProject("Allotment plots for Ivy Bank", "Ivy Bank", "parks", 22_000,
                "Twelve new allotment plots with a water supply and a shared shed."),
    DemoProject("Cycle repair workshops in Brookside", "Brookside", None, 11_000,
                "Free monthly cycle repair workshops and a tool library at Brookside hub."),
    DemoProject("Heating for Larkrise village hall", "Larkrise", None, 30_000,
                "Replace the hall's failed boiler with a heat pump so groups can use it all winter."),
    DemoProject("Ice rink in Castle Hill", "Castle Hill", None, 450_000,
                "A permanent ice rink on the castle green.",
                not_feasible="The council owns no site large enough, and it costs more than the budget."),
]


def load_budgeting_demo() -> None:
    """Create or refresh the demo borough's two participatory budgets."""
    with transaction.atomic():
        borough = Area.objects.get(code=BOROUGH)
        places = {area.name: area for area in borough.children.all()}
        services = {service.slug: service for service in Service.objects.all()}
        # Services below their national floor here (youth services, in the demo) are ring-fenced.
        below = [status for status in floor_statuses(borough) if status.meets_floor is False]
        fenced = [status.standard.service for status in below]
        past = _process(
            borough, "2025", "Thornbury Vale decides 2025", Process.Phase.PUBLISHED, budget=350_000,
            ballot_type=Process.BallotType.APPROVAL, max_choices=5, fenced=fenced,
            description="Last year's round: residents chose up to five projects for £350,000.",
        )
        past_proposals = _proposals(past, PAST_PROJECTS, places, services)
        current = _process(
            borough, "2026", "Thornbury Vale decides 2026", Process.Phase.VOTING, budget=250_000,
            ballot_type=Process.BallotType.KNAPSACK, max_choices=None, fenced=fenced,
            description="Choose the projects you would fund with £250,000. Youth services come first: "
            "Thornbury Vale is below the national floor for them.",
        )
        _proposals(current, CURRENT_PROJECTS, places, services)
        if past.ballots.count() != PAST_BALLOTS or past.counted_at is None:
            past.ballots.all().delete()
            _past_ballots(past, past_proposals, list(places.values()))
            counting.count(past)


def _process(
    borough: Area, slug: str, title: str, phase: str, *, budget: int, ballot_type: str,
    max_choices: int | None, fenced: list[Service], description: str,
) -> Process:
    process, _ = Process.objects.update_or_create(
        area=borough, slug=slug,
        defaults={
            "title": title, "description": description, "budget": budget, "ballot_type": ballot_type,
            "max_choices": max_choices, "rule": "mes",
        },
    )
    # The published round keeps the phase its count gave it; only a fresh one is set here.
    if process.phase != phase and not (phase == Process.Phase.PUBLISHED and process.counted_at is None):
        Process.objects.filter(pk=process.pk).update(phase=phase)
        process.phase = phase
    process.ring_fenced_services.set(fenced)
    return process


def _proposals(
    process: Process, projects: list[DemoProject], places: dict[str, Area], services: dict[str, Service]
) -> list[Proposal]:
    proposals = []
    for number, project in enumerate(projects, start=1):
        proposal, _ = Proposal.objects.update_or_create(
            process=process, code=f"P{number:03d}",
            defaults={
                "title": project.title, "description": project.description,
                "neighbourhood": places[project.neighbourhood],
                "service": services[project.service] if project.service else None,
                "estimated_cost": project.cost, "final_cost": project.cost,
                "status": Proposal.Status.NOT_FEASIBLE if project.not_feasible else Proposal.Status.FEASIBLE,
                "review_reason": project.not_feasible,
            },
        )
        proposals.append(proposal)
    return proposals


def _past_ballots(process: Process, proposals: list[Proposal], neighbourhoods: list[Area]) -> None:
    """5,000 approval ballots: voters spread by population, each liking projects near home more."""
    rng = np.random.default_rng(SEED)
    neighbourhoods = sorted(neighbourhoods, key=lambda area: area.code)
    population = np.array([area.population or 5_000 for area in neighbourhoods], dtype=float)
    # Turnout is lower in more deprived neighbourhoods, as it is in real rounds.
    turnout = population * np.array([0.6 + 0.05 * (area.deprivation_decile or 5) for area in neighbourhoods])
    home = rng.choice(len(neighbourhoods), size=PAST_BALLOTS, p=turnout / turnout.sum())
    place_of = {area.pk: i for i, area in enumerate(neighbourhoods)}
    where = np.array([place_of[p.neighbourhood_id] for p in proposals])
    local = where[None, :] == np.arange(len(neighbourhoods))[:, None]
    appeal = rng.normal(0, 0.6, size=len(proposals))
    sizes = rng.integers(1, (process.max_choices or 5) + 1, size=PAST_BALLOTS)
    scores = appeal + 2.0 * local[home] + rng.gumbel(size=(PAST_BALLOTS, len(proposals)))
    picks = np.argsort(-scores, axis=1)
    receipts = rng.choice(list(RECEIPT_ALPHABET), size=(PAST_BALLOTS, 12))
    ids = rng.bytes(16 * PAST_BALLOTS)
    ballots, choices = [], []
    for voter in range(PAST_BALLOTS):
        chars = "".join(receipts[voter])
        ballot = Ballot(
            id=uuid.UUID(bytes=ids[16 * voter : 16 * voter + 16], version=4), process=process,
            receipt_code=f"{chars[:4]}-{chars[4:8]}-{chars[8:]}",
            neighbourhood=neighbourhoods[home[voter]], channel=Ballot.Channel.ONLINE,
        )
        ballots.append(ballot)
        choices += [BallotChoice(ballot=ballot, proposal=proposals[i]) for i in picks[voter, : sizes[voter]]]
    Ballot.objects.bulk_create(ballots, batch_size=2_000)
    BallotChoice.objects.bulk_create(choices, batch_size=5_000)
