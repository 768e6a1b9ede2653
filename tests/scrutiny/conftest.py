import pytest
from django.test import Client

from commonweal.places.models import User


@pytest.fixture
def nation(demo_place) -> None:
    """The demo place and the monitor's generated 300 authorities."""
    from commonweal.scrutiny.demo import load_scrutiny_demo

    load_scrutiny_demo()


@pytest.fixture
def signed_in(client: Client, demo_place):
    def sign_in(email: str) -> Client:
        client.force_login(User.objects.get(email=email))
        return client

    return sign_in
