"""Pages, bad input and refusals: each error names its field and nothing is written."""

from decimal import Decimal

import pytest
from django.test import Client

from commonweal.places.demo import DEMO_PASSWORD
from commonweal.places.models import NationalStandard, Role, StandardChange, User

GOOD_SIGN_UP = {
    "full_name": "Dee Doorstep",
    "email": "dee@example.net",
    "postcode": "tv3 1ab",
    "neighbourhood": "",
    "password": "a-long-and-unusual-passphrase",
}


@pytest.mark.parametrize(
    "url",
    ["/", "/areas/E06000999/", "/areas/E02999005/", "/standards/", "/standards/gp-access/",
     "/sign-up/", "/sign-in/"],
)
def test_public_pages_are_served_to_anyone(client: Client, demo, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert b"govuk-template" in response.content


def test_area_page_shows_every_floor_and_its_status(client: Client, demo) -> None:
    page = client.get("/areas/E06000999/").content.decode()
    assert page.count('class="govuk-tag govuk-tag--') == 8
    assert "GP access" in page and "Brookside" in page and "Ashcombe" in page


def test_sign_up_creates_an_unverified_resident_of_the_postcodes_neighbourhood(client, demo) -> None:
    response = client.post("/sign-up/", GOOD_SIGN_UP)
    assert response.status_code == 302
    role = Role.objects.get(user__email="dee@example.net")
    assert (role.kind, role.area.code, role.is_verified) == ("resident", "E02999003", False)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "Enter an email address in the correct format"),
        ({"email": "resident@example.org"}, "email", "An account already uses this email address"),
        ({"postcode": "SW1A 1AA"}, "postcode", "Enter a postcode in an area Commonweal serves"),
        ({"postcode": ""}, "postcode", "Enter your postcode or choose your neighbourhood"),
        ({"password": "password"}, "password", "This password is too common"),
        ({"full_name": ""}, "full_name", "Enter your full name"),
    ],
)
def test_bad_sign_up_names_the_field_and_creates_nothing(
    client: Client, demo, change: dict, field: str, message: str
) -> None:
    users_before = User.objects.count()
    response = client.post("/sign-up/", GOOD_SIGN_UP | change)
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and f'href="#id_{field}"' in page
    assert message in page
    assert page.startswith("<!DOCTYPE html>") and "<title>Error: " in page
    assert User.objects.count() == users_before


def test_resident_posting_to_the_officer_verify_url_is_refused_and_nothing_changes(
    signed_in, demo
) -> None:
    pending = Role.objects.get(user__email="newcomer@example.org")
    response = signed_in("resident@example.org").post(
        "/areas/E06000999/residents/verify/", {"role": pending.pk}
    )
    assert response.status_code == 403
    pending.refresh_from_db()
    assert not pending.is_verified


def test_officer_of_another_authority_cannot_verify_here(signed_in) -> None:
    client = signed_in("officer.ashcombe@example.org")
    pending = Role.objects.get(user__email="newcomer@example.org")
    assert client.get("/areas/E06000999/residents/").status_code == 403
    assert client.post("/areas/E06000999/residents/verify/", {"role": pending.pk}).status_code == 403
    pending.refresh_from_db()
    assert not pending.is_verified


def test_officer_verifies_a_resident_of_their_authority(signed_in) -> None:
    client = signed_in("officer@example.org")
    pending = Role.objects.get(user__email="newcomer@example.org")
    assert "Nico Newcomer" in client.get("/areas/E06000999/residents/").content.decode()
    client.post("/areas/E06000999/residents/verify/", {"role": pending.pk})
    pending.refresh_from_db()
    assert pending.is_verified and pending.verified_by.email == "officer@example.org"


def test_officer_cannot_verify_a_resident_of_another_authority_through_their_own_url(
    signed_in,
) -> None:
    from commonweal.places.models import Area

    elsewhere = User.objects.create_user(email="far@example.net", full_name="Far Away")
    outside = Role.objects.create(
        user=elsewhere, kind=Role.Kind.RESIDENT, area=Area.objects.get(code="E06000997")
    )
    signed_in("officer@example.org").post("/areas/E06000999/residents/verify/", {"role": outside.pk})
    outside.refresh_from_db()
    assert not outside.is_verified


def test_steward_changes_a_floor_and_the_change_is_recorded(signed_in) -> None:
    client = signed_in("steward@example.org")
    response = client.post(
        "/standards/gp-access/change/", {"floor": "87.5", "reason": "Raised after consultation"}
    )
    assert response.status_code == 302
    page = client.get("/standards/gp-access/").content.decode()
    assert "Raised after consultation" in page and "87.5" in page
    assert NationalStandard.objects.get(service__slug="gp-access").floor == Decimal("87.5")


@pytest.mark.parametrize(
    ("floor", "message"),
    [
        ("abc", "Enter the floor as a number"),
        ("150", "Enter a floor between 0 and 100"),
        ("-1", "Enter a floor between 0 and 100"),
        ("NaN", "Enter a floor between 0 and 100"),
        ("85.125", "Enter the floor with no more than 2 decimal places"),
        ("", "Enter the new floor"),
    ],
)
def test_bad_floor_names_the_field_and_changes_nothing(signed_in, floor: str, message: str) -> None:
    response = signed_in("steward@example.org").post(
        "/standards/gp-access/change/", {"floor": floor, "reason": "Testing"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and 'href="#id_floor"' in page and message in page
    assert NationalStandard.objects.get(service__slug="gp-access").floor == Decimal(85)
    assert not StandardChange.objects.exists()


@pytest.mark.parametrize("email", ["officer@example.org", "resident@example.org"])
def test_only_stewards_may_change_floors(signed_in, email: str) -> None:
    client = signed_in(email)
    assert client.get("/standards/gp-access/change/").status_code == 403
    assert client.post("/standards/gp-access/change/", {"floor": "1", "reason": "x"}).status_code == 403
    assert NationalStandard.objects.get(service__slug="gp-access").floor == Decimal(85)


def test_signed_out_visitor_is_sent_to_sign_in(client: Client, demo) -> None:
    response = client.get("/standards/gp-access/change/")
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_sign_in_with_the_demo_password(client: Client, demo) -> None:
    response = client.post("/sign-in/", {"username": "officer@example.org", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert "Olu Officer" in client.get("/account/").content.decode()


def test_django_admin_is_for_superusers_only(signed_in) -> None:
    officer = User.objects.get(email="officer@example.org")
    officer.is_staff = True
    officer.save()
    assert signed_in("officer@example.org").get("/admin/").status_code == 302
    assert signed_in("admin@example.org").get("/admin/").status_code == 200


def test_forms_refuse_posts_without_a_csrf_token(demo) -> None:
    response = Client(enforce_csrf_checks=True).post("/sign-up/", GOOD_SIGN_UP)
    assert response.status_code == 403
    assert not User.objects.filter(email="dee@example.net").exists()


NEW_STANDARD = {
    "service_name": "Dental access", "indicator": "Adults seen by an NHS dentist in two years",
    "unit": "%", "multiplier": "100", "floor": "60", "higher_is_better": "on",
    "minimum_value": "0", "maximum_value": "100",
}


def test_steward_sets_a_standard_for_a_new_service(signed_in) -> None:
    response = signed_in("steward@example.org").post("/standards/new/", NEW_STANDARD)
    assert response.status_code == 302 and response["Location"] == "/standards/dental-access/"
    standard = NationalStandard.objects.get(service__slug="dental-access")
    assert (standard.floor, standard.higher_is_better) == (Decimal(60), True)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"service_name": "GP access"}, "service_name", "GP access already has a national standard"),
        ({"floor": "120"}, "floor", "Enter a floor between 0 and 100"),
        ({"floor": "lots"}, "floor", "Enter the floor as a number"),
        ({"minimum_value": "100", "maximum_value": "0"}, "maximum_value", "Enter a highest value above"),
        ({"indicator": ""}, "indicator", "Enter what the indicator measures"),
    ],
)
def test_bad_new_standard_names_the_field_and_creates_nothing(
    signed_in, change: dict, field: str, message: str
) -> None:
    before = NationalStandard.objects.count()
    response = signed_in("steward@example.org").post("/standards/new/", NEW_STANDARD | change)
    page = response.content.decode()
    assert f'href="#id_{field}"' in page and message in page
    assert NationalStandard.objects.count() == before


def test_only_stewards_may_set_new_standards(signed_in) -> None:
    assert signed_in("officer@example.org").post("/standards/new/", NEW_STANDARD).status_code == 403
    assert not NationalStandard.objects.filter(service__slug="dental-access").exists()
