import pytest
from django.test import Client

from commonweal.places.models import User


@pytest.fixture
def accountability_demo(demo_place) -> None:
    """The demo place with its budget, procurement, and the results and reviews built on them."""
    from commonweal.accountability.demo import load_accountability_demo
    from commonweal.budgeting.demo import load_budgeting_demo
    from commonweal.procurement.demo import load_procurement_demo

    load_budgeting_demo()
    load_procurement_demo()
    load_accountability_demo()


@pytest.fixture
def signed_in(client: Client):
    def sign_in(email: str) -> Client:
        client.force_login(User.objects.get(email=email))
        return client

    return sign_in
