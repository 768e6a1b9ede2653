"""Procurement pages: who may open each one, forms that refuse bad input, downloads."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from django.test import Client

from commonweal.procurement import services
from commonweal.procurement.models import Bid, Criterion, Supplier, Tender

BASE = "/areas/E06000999/procurement/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def bid(tender, suppliers, officer) -> Bid:
    return services.enter_bid(tender.lots.get(), suppliers["Vale Co-op"], 90_000, {}, officer)


@pytest.fixture
def award(tender, bid, officer, close):
    services.evaluate(bid, officer, Criterion.QUALITY, 70)
    services.evaluate(bid, officer, Criterion.SOCIAL_VALUE, 70)
    close(tender)
    return services.award_tender(tender, officer)[0]


def officer_pages(tender, bid, award) -> list[str]:
    return [
        f"{BASE}tenders/new/",
        f"{BASE}suppliers/new/",
        f"{BASE}tenders/{tender.pk}/bids/new/",
        f"{BASE}tenders/{tender.pk}/bids/{bid.pk}/evaluate/",
        f"{BASE}tenders/{tender.pk}/bids/{bid.pk}/moderate/",
        f"{BASE}tenders/{tender.pk}/score/",
        f"{BASE}awards/{award.pk}/delivery/",
        f"{BASE}awards/{award.pk}/lm3/",
        f"{BASE}ocds/import/",
        f"{BASE}policy/",
    ]


def public_pages(tender, award) -> list[str]:
    return [
        BASE,
        f"{BASE}suppliers/",
        f"{BASE}tenders/{tender.pk}/",
        f"{BASE}awards/{award.pk}/",
        f"{BASE}compare/",
        f"{BASE}awards.csv",
        f"{BASE}dashboard.json",
        f"{BASE}ocds.json",
    ]


@pytest.mark.parametrize(
    ("who", "status"),
    [("officer", 200), ("other_officer", 403), ("resident", 403), ("anonymous", 302)],
)
def test_officer_pages_open_only_to_officers_of_the_authority(
    request, tender, bid, award, who, status
) -> None:
    client = Client() if who == "anonymous" else client_for(request.getfixturevalue(who))
    for url in officer_pages(tender, bid, award):
        assert client.get(url).status_code == status, url


@pytest.mark.parametrize("who", ["anonymous", "resident", "other_officer"])
def test_public_pages_are_open_to_everyone(request, tender, award, who) -> None:
    client = Client() if who == "anonymous" else client_for(request.getfixturevalue(who))
    for url in public_pages(tender, award):
        assert client.get(url).status_code == 200, url


def test_another_authoritys_officer_cannot_post_a_tender(other_officer, borough) -> None:
    response = client_for(other_officer).post(f"{BASE}tenders/new/", {"title": "Mine"})
    assert response.status_code == 403 and not Tender.objects.exists()


def test_every_view_asks_the_one_permission_check() -> None:
    from pathlib import Path

    import commonweal.procurement.views as views

    source = Path(views.__file__).read_text()
    handlers = [
        name
        for name in dir(views)
        if callable(getattr(views, name))
        and getattr(getattr(views, name), "__module__", "") == views.__name__
        and name not in {"get_authority", "get_tender", "get_award", "show_refusal", "_bid"}
    ]
    for name in handlers:
        body = source.split(f"def {name}(", 1)[1].split("\ndef ", 1)[0]
        assert "require(request.user, Action." in body, name


def tender_form(**overrides) -> dict:
    data = {
        "title": "Library outreach",
        "description": "Taking the library to housebound readers.",
        "budget": "£120,000",
        "price_weight": "40",
        "quality_weight": "40",
        "social_value_weight": "20",
        "price_method": "lowest",
        "proxy_share": "50",
        "measures": [],
        "deadline_date": "1/1/2099",
        "deadline_time": "17:00",
        "lots": "North, 60000\nSouth",
    }
    data.update(overrides)
    return data


def test_an_officer_publishes_a_tender_with_lots(officer, measures) -> None:
    data = tender_form(measures=[measures["CW-EMP"].pk])
    response = client_for(officer).post(f"{BASE}tenders/new/", data)
    tender = Tender.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"tenders/{tender.pk}/")
    assert [(lot.title, lot.budget) for lot in tender.lots.all()] == [("North", 60_000), ("South", None)]
    assert tender.budget == 120_000


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"price_weight": "50"}, "The weights must add up to 100%; they add up to 110%"),
        ({"price_weight": "55", "social_value_weight": "5"}, "Give social value a weight of at least 10%"),
        ({"budget": "-5"}, "Enter the budget in pounds, more than 0, like 250000"),
        ({"budget": "lots"}, "Enter the budget in pounds as a number, like 250000"),
        ({"lots": "North, 60000\n, 5"}, "Lots, line 2: enter the lot&#x27;s title before the comma"),
        ({"lots": "North, cheap"}, "Lots, line 1: Enter the lot&#x27;s budget in pounds as a number"),
        ({"deadline_date": "1/1/2020"}, "Enter a deadline in the future"),
        ({"measures": []}, "Select at least one social value measure"),
    ],
)
def test_a_bad_tender_is_refused_naming_the_field_and_nothing_is_stored(
    officer, measures, overrides, message
):
    data = tender_form(measures=[measures["CW-EMP"].pk])
    data.update(overrides)
    page = client_for(officer).post(f"{BASE}tenders/new/", data).content.decode()
    assert message in page and "There is a problem" in page
    assert not Tender.objects.exists()


def test_an_officer_enters_a_bid_with_commitments(tender, suppliers, officer, measures) -> None:
    data = {
        "lot": tender.lots.get().pk,
        "supplier": suppliers["Kitchen CIC"].pk,
        "price": "95,000",
        f"measure_{measures['CW-EMP'].pk}": "2",
    }
    assert client_for(officer).post(f"{BASE}tenders/{tender.pk}/bids/new/", data).status_code == 302
    bid = Bid.objects.get()
    assert bid.price == 95_000 and bid.proxy_value == 48_000


@pytest.mark.parametrize(("price", "message"), [("-1", "more than 0"), ("ten", "as a number, like 142000")])
def test_a_bad_price_is_refused_and_no_bid_stored(tender, suppliers, officer, price, message) -> None:
    data = {"lot": tender.lots.get().pk, "supplier": suppliers["Kitchen CIC"].pk, "price": price}
    page = client_for(officer).post(f"{BASE}tenders/{tender.pk}/bids/new/", data).content.decode()
    assert message in page and not Bid.objects.exists()


def test_a_bid_after_the_deadline_is_refused(tender, suppliers, officer, close) -> None:
    close(tender)
    data = {"lot": tender.lots.get().pk, "supplier": suppliers["Kitchen CIC"].pk, "price": "1000"}
    page = client_for(officer).post(f"{BASE}tenders/{tender.pk}/bids/new/", data).content.decode()
    assert "a late bid cannot be entered" in page and not Bid.objects.exists()


def test_an_evaluator_scoring_their_own_organisation_is_told_why(tender, bid, officer) -> None:
    bid.supplier.members.add(officer)
    data = {"criterion": "quality", "score": "80"}
    page = (
        client_for(officer).post(f"{BASE}tenders/{tender.pk}/bids/{bid.pk}/evaluate/", data).content.decode()
    )
    assert "You work for Vale Co-op, so you cannot score its bid" in page
    assert not bid.evaluations.exists()


def test_a_score_above_100_is_refused(tender, bid, officer) -> None:
    data = {"criterion": "quality", "score": "101"}
    page = (
        client_for(officer).post(f"{BASE}tenders/{tender.pk}/bids/{bid.pk}/evaluate/", data).content.decode()
    )
    assert "Enter your score as a number from 0 to 100" in page and not bid.evaluations.exists()


def test_awarding_before_the_deadline_explains_and_awards_nothing(tender, bid, officer) -> None:
    services.evaluate(bid, officer, Criterion.QUALITY, 70)
    services.evaluate(bid, officer, Criterion.SOCIAL_VALUE, 70)
    response = client_for(officer).post(f"{BASE}tenders/{tender.pk}/score/")
    assert response.status_code == 400 and "Bids are open until" in response.content.decode()


def test_the_award_page_shows_the_breakdown_publicly(client, award) -> None:
    page = client.get(f"{BASE}awards/{award.pk}/").content.decode()
    assert "How every bid scored" in page and "Vale Co-op" in page and "90.00" in page


def test_recording_delivery_and_a_survey(award, officer, measures) -> None:
    response = client_for(officer).post(
        f"{BASE}awards/{award.pk}/lm3/",
        {
            "local_supplier_spend": "30000",
            "local_staff_spend": "20000",
            "surveyed_on": "31/3/2026",
            "sample": "Bakery, 10000, 4000\nA care worker, 10000, 6000",
        },
    )
    assert response.status_code == 302
    # Round 1 is the contract's 90,000; round 2 is 50,000; half of the sample is re-spent, so round 3
    # is 25,000: LM3 = 165,000 / 90,000.
    assert round(services.award_lm3(award).value, 4) == Decimal("1.8333")


def test_a_bad_sample_line_is_named_and_no_survey_stored(award, officer) -> None:
    page = (
        client_for(officer)
        .post(
            f"{BASE}awards/{award.pk}/lm3/",
            {
                "local_supplier_spend": "30000",
                "local_staff_spend": "0",
                "surveyed_on": "31/3/2026",
                "sample": "Bakery, 100, 50\nCabs, lots, 1",
            },
        )
        .content.decode()
    )
    assert "Line 2: enter what was received in pounds" in page and not hasattr(award, "survey")


def test_the_awards_csv_has_one_row_per_bid(client, award) -> None:
    rows = list(csv.DictReader(io.StringIO(client.get(f"{BASE}awards.csv").content.decode())))
    assert [(r["supplier"], r["total"], r["won"]) for r in rows] == [("Vale Co-op", "90.0", "True")]


def test_the_dashboard_json_reports_shares_and_concentration(client, award) -> None:
    data = json.loads(client.get(f"{BASE}dashboard.json").content)
    assert data["hhi"] == 10000 and data["years"][0]["local"] == "90000.00"


def test_the_supplier_register_filters_by_legal_form(client, suppliers) -> None:
    page = client.get(f"{BASE}suppliers/?legal_form=cooperative").content.decode()
    assert "Vale Co-op" in page and "Big plc" not in page


def test_an_officer_adds_a_supplier_and_a_duplicate_is_refused(officer, borough) -> None:
    data = {"name": "Parks Trust", "legal_form": "charity", "locality": "local", "size": "micro"}
    assert client_for(officer).post(f"{BASE}suppliers/new/", data).status_code == 302
    page = client_for(officer).post(f"{BASE}suppliers/new/", data).content.decode()
    assert "already on the register" in page and Supplier.objects.count() == 1


def test_the_export_page_is_valid_ocds(client, award, shared_data) -> None:
    from commonweal.procurement.ocds import schema_problems

    folder = shared_data("ocds")
    schemas = [
        json.loads((folder / n).read_text()) for n in ("release-package-schema.json", "release-schema.json")
    ]
    package = json.loads(client.get(f"{BASE}ocds.json").content)
    assert not schema_problems(package, *schemas) and package["version"] == "1.1"


def test_importing_a_bad_package_lists_the_problems_and_imports_nothing(
    officer, borough, shared_data, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from commonweal.procurement.models import ImportedRelease

    settings.OCDS_SCHEMA_DIR = shared_data("ocds")
    upload = SimpleUploadedFile(
        "theirs.json", b'{"releases": [{"ocid": 1}]}', content_type="application/json"
    )
    page = client_for(officer).post(f"{BASE}ocds/import/", {"package": upload}).content.decode()
    assert "theirs.json is not a valid OCDS 1.1 release package" in page
    assert "theirs.json package: &#x27;uri&#x27; is a required property" in page
    assert not ImportedRelease.objects.exists()


def test_an_officer_raises_the_areas_social_value_floor(officer, borough) -> None:
    response = client_for(officer).post(f"{BASE}policy/", {"social_value_floor": "25"})
    assert response.status_code == 302
    assert services.social_value_floor(borough) == 25


@pytest.mark.parametrize(
    ("value", "message"),
    [("5", "Enter a weight between 10 (the national floor) and 100"), ("101", "Enter a weight between"),
     ("lots", "Enter the weight as a whole number")],
)
def test_a_floor_below_the_national_one_is_refused_and_nothing_changes(
    officer, borough, value: str, message: str
) -> None:
    page = client_for(officer).post(f"{BASE}policy/", {"social_value_floor": value}).content.decode()
    assert 'href="#id_social_value_floor"' in page and message in page
    assert services.social_value_floor(borough) == 10


def test_another_authoritys_officer_cannot_change_the_floor(other_officer, borough) -> None:
    response = client_for(other_officer).post(f"{BASE}policy/", {"social_value_floor": "50"})
    assert response.status_code == 403 and services.social_value_floor(borough) == 10
