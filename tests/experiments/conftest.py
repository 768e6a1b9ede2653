import pytest
from django.test import Client

from commonweal.places.models import Area, User

EXTRA_AUTHORITIES = 24


@pytest.fixture
def region(demo_place) -> Area:
    """The demo place with two dozen more authorities in its region, so comparisons are many."""
    south_west = Area.objects.get(code="E12000009")
    Area.objects.bulk_create(
        Area(
            code=f"E0600{2000 + i}",
            name=f"Comparetown {i}",
            kind=Area.Kind.AUTHORITY,
            parent=south_west,
            population=120_000,
            deprivation_decile=1 + i % 10,
        )
        for i in range(EXTRA_AUTHORITIES)
    )
    return south_west


@pytest.fixture
def experiments_demo(region) -> None:
    """The demo experiments and funds, not yet evaluated (evaluating takes about a second each)."""
    from commonweal.experiments.demo import load_experiments_demo

    load_experiments_demo(evaluate=False)


@pytest.fixture
def evaluated_demo(region) -> None:
    from commonweal.experiments.demo import load_experiments_demo

    load_experiments_demo()


@pytest.fixture
def signed_in(client: Client):
    def sign_in(email: str) -> Client:
        client.force_login(User.objects.get(email=email))
        return client

    return sign_in
