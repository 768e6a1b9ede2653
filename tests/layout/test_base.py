"""The site layout, src/commonweal/templates/base.html: how it shows Django messages."""

from __future__ import annotations

import re

from commonweal.places.models import Role, User

VERIFY = "/areas/E06000999/residents/verify/"


def banners(page: str) -> list[tuple[str, str, str]]:
    """Each notification banner on the page as (role, title, message)."""
    found = re.findall(
        r'<div class="govuk-notification-banner[^"]*" role="(\w+)".*?'
        r'govuk-notification-banner__title"[^>]*>([^<]+)</h2>.*?'
        r'govuk-notification-banner__heading">([^<]+)</p>',
        page,
        flags=re.DOTALL,
    )
    return [(role, title.strip(), message.strip()) for role, title, message in found]


def test_an_error_message_is_shown_as_important_not_as_a_success(client, demo_place):
    client.force_login(User.objects.get(email="officer@example.org"))
    page = client.post(VERIFY, {"role": 0}, follow=True).content.decode()
    message = "That resident is not waiting to be verified in this area."
    assert banners(page) == [("region", "Important", message)]
    assert "govuk-notification-banner--success" not in page


def test_a_success_message_is_shown_in_the_success_banner(client, demo_place):
    client.force_login(User.objects.get(email="officer@example.org"))
    pending = Role.objects.get(user__email="newcomer@example.org")
    page = client.post(VERIFY, {"role": pending.pk}, follow=True).content.decode()
    assert banners(page) == [("alert", "Success", "Nico Newcomer is now a verified resident of Brookside.")]
