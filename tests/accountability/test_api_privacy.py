"""No personal data leaves through the API: every list and CSV of the full demo, every page of it."""

import pytest
from django.apps import apps
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils.module_loading import import_string

from commonweal.accountability.opendata import RESOURCES
from commonweal.places.models import Role, User


@pytest.fixture
def full_demo(demo_place) -> None:
    """Every app's demo loader, in INSTALLED_APPS order, as `commonweal demo` runs them."""
    for config in apps.get_app_configs():
        loader = getattr(config, "demo_loader", None)
        if loader:
            import_string(loader)()


def walk(client: Client, path: str) -> list[str]:
    bodies, page = [], 1
    while True:
        response = client.get(path, {"page": page, "page_size": 100})
        assert response.status_code == 200, (path, response.content[:200])
        bodies.append(response.content.decode())
        if page >= response.json()["pages"]:
            return bodies
        page += 1


@override_settings(ACCOUNTABILITY_API_RATE="100000/min")
def test_no_email_or_resident_name_in_any_response(full_demo, client: Client) -> None:
    cache.clear()
    emails = set(User.objects.values_list("email", flat=True))
    residents = User.objects.filter(roles__kind=Role.Kind.RESIDENT).exclude(full_name="")
    residents = set(residents.values_list("full_name", flat=True))
    assert emails and residents
    bodies = []
    for resource in RESOURCES:
        bodies += walk(client, f"/api{resource.path}")
        bodies.append(client.get(f"/api{resource.path}.csv").content.decode())
    bodies.append(client.get("/api/openapi.json").content.decode())
    for body in bodies:
        assert not [e for e in emails if e in body]
        assert not [n for n in residents if n in body]
    assert "@" not in "".join(bodies)
