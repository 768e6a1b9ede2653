from collections.abc import Callable

import pytest
from django.utils import timezone

from commonweal.budgeting.models import Process, Proposal
from commonweal.places.models import Area, Role, Service, User


@pytest.fixture
def borough(db) -> Area:
    nation = Area.objects.create(code="E92000001", name="England", kind=Area.Kind.NATION)
    borough = Area.objects.create(code="E06000999", name="Thornbury Vale", kind="authority", parent=nation)
    for index, name in enumerate(["Abbey Fields", "Brookside"], start=1):
        Area.objects.create(code=f"E0299900{index}", name=name, kind="neighbourhood", parent=borough)
    return borough


@pytest.fixture
def resident(borough) -> Callable[..., User]:
    """A verified (or not) resident of a neighbourhood of the borough."""

    def make(email: str, neighbourhood: str = "E02999001", verified: bool = True) -> User:
        user = User.objects.create_user(email=email, full_name=email.split("@")[0].title())
        Role.objects.create(
            user=user, kind=Role.Kind.RESIDENT, area=Area.objects.get(code=neighbourhood),
            verified_at=timezone.now() if verified else None,
        )
        return user

    return make


@pytest.fixture
def voting(borough) -> Process:
    """A knapsack ballot in voting: £100,000 over four feasible projects and one rejected."""
    process = Process.objects.create(
        area=borough, slug="2026", title="Thornbury Vale decides 2026", budget=100_000,
        phase=Process.Phase.VOTING, ballot_type=Process.BallotType.KNAPSACK,
    )
    parks = Service.objects.create(slug="parks", name="Parks")
    abbey, brookside = Area.objects.filter(kind="neighbourhood").order_by("code")
    for code, title, cost, where, status in [
        ("P1", "Play area", 60_000, abbey, "feasible"),
        ("P2", "Bus shelter", 30_000, brookside, "feasible"),
        ("P3", "Benches", 20_000, abbey, "feasible"),
        ("P4", "Library hours", 50_000, brookside, "feasible"),
        ("P5", "Moon base", 90_000, brookside, "not_feasible"),
    ]:
        Proposal.objects.create(
            process=process, code=code, title=title, description=title, neighbourhood=where,
            estimated_cost=cost, status=status, service=parks if code == "P3" else None,
        )
    return process


def ids(process: Process, *codes: str) -> dict[int, int]:
    """A ballot's choices (proposal id -> points) from project codes."""
    return {process.proposals.get(code=code).pk: 1 for code in codes}


@pytest.fixture
def officer(borough) -> User:
    """An officer of the borough."""
    user = User.objects.create_user(email="officer@example.net", full_name="Olu Officer")
    Role.objects.create(user=user, kind=Role.Kind.OFFICER, area=borough)
    return user


@pytest.fixture
def stranger_officer(borough) -> User:
    """An officer of another authority, who has no say in the borough."""
    elsewhere = Area.objects.create(
        code="E06000998", name="Elsewhere", kind="authority", parent=borough.parent
    )
    user = User.objects.create_user(email="stranger@example.net", full_name="Sam Stranger")
    Role.objects.create(user=user, kind=Role.Kind.OFFICER, area=elsewhere)
    return user


@pytest.fixture
def proposing(borough) -> Process:
    """A process open for proposals, with one service below its national floor in the borough."""
    from commonweal.places.models import Measurement, NationalStandard

    libraries = Service.objects.create(slug="libraries", name="Libraries")
    standard = NationalStandard.objects.create(
        service=libraries, indicator="Open hours met", unit="%", floor=85
    )
    Measurement.objects.create(
        standard=standard, area=borough, period="2025-26", numerator=70, denominator=100
    )
    return Process.objects.create(area=borough, slug="ideas", title="Ideas 2026", budget=200_000)
