import pytest
from django.db import transaction

from commonweal.places.demo import load_demo
from commonweal.places.models import User


@pytest.fixture
def demo(db) -> None:
    load_demo()


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



@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    # PBKDF2's deliberate slowness would dominate every test that creates an account.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
