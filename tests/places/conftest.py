import pytest
from django.db import transaction

from commonweal.places.demo import DemoAccount, load_demo
from commonweal.places.models import User


@pytest.fixture
def demo(demo_place: list[DemoAccount]) -> list[DemoAccount]:
    """The demo place, as the root conftest loads it, under the name these tests use."""
    return demo_place


@pytest.fixture(scope="module")
def demo_for_module(django_db_setup, django_db_blocker):
    """The demo place loaded once for a module, rolled back after it (as setUpTestData does)."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def signed_in(client, demo):
    """A test client signed in as one of the demo accounts."""

    def sign_in(email: str):
        client.force_login(User.objects.get(email=email))
        return client

    return sign_in
