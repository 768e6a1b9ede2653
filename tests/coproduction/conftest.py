from collections.abc import Callable

import pytest
from django.utils import timezone

from commonweal.coproduction.models import Activity, Membership, Offer, Partner
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
        user = User.objects.create_user(
            email=email, full_name=email.split("@")[0].title(), password="pw-123456"
        )
        Role.objects.create(
            user=user,
            kind=Role.Kind.RESIDENT,
            area=Area.objects.get(code=neighbourhood),
            verified_at=timezone.now() if verified else None,
        )
        return user

    return make


@pytest.fixture
def officer(borough) -> User:
    user = User.objects.create_user(
        email="officer@example.net", full_name="Olu Officer", password="pw-123456"
    )
    Role.objects.create(user=user, kind=Role.Kind.OFFICER, area=borough)
    return user


@pytest.fixture
def organiser(resident) -> User:
    return resident("olive@example.net", "E02999002")


@pytest.fixture
def libraries(db) -> Service:
    return Service.objects.create(slug="libraries", name="Libraries")


@pytest.fixture
def activity(borough, organiser, libraries) -> Activity:
    return Activity.objects.create(
        area=borough,
        service=libraries,
        title="Reading helpers",
        description="Read with children.",
        involvement=Activity.Involvement.DELIVER,
        when="Saturdays, 10am",
        where="Central library",
        organiser=organiser,
    )


@pytest.fixture
def member(resident, activity) -> User:
    """A verified resident who has joined the activity."""
    user = resident("ann@example.net")
    Membership.objects.create(activity=activity, member=user)
    return user


@pytest.fixture
def swim(borough) -> Offer:
    partner = Partner.objects.create(area=borough, name="Vale Leisure Centre")
    return Offer.objects.create(partner=partner, title="A swim", price=100)


@pytest.fixture
def till(swim) -> User:
    """A member of the leisure centre's staff, set on the partner as the admin would."""
    user = User.objects.create_user(email="till@example.net", full_name="Tia Till", password="pw-123456")
    swim.partner.staff.add(user)
    return user


@pytest.fixture
def cinema(borough) -> Offer:
    partner = Partner.objects.create(area=borough, name="Vale Cinema")
    return Offer.objects.create(partner=partner, title="A film", price=100)
