"""OCDS 1.1 release packages: valid against the official 1.1.5 schemas, refusals, and merging."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from commonweal.procurement.ocds import (
    Award,
    Lot,
    OcdsError,
    Party,
    Tender,
    date_time,
    merge,
    ocid,
    parse_package,
    release_package,
    schema_problems,
    tender_releases,
)

LONDON_SUMMER = timezone(timedelta(hours=1))
BUYER = Party("GB-LAE-E06000999", "Thornbury Vale", ("buyer", "procuringEntity"))
COOP = Party("GB-COH-IP031234", "Vale Care Co-operative", ("tenderer",), locality="Thornbury Vale")
LARGE = Party("GB-COH-01234567", "National Care plc", ("tenderer",))


def tender(awards: tuple[Award, ...] = ()) -> Tender:
    published = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    return Tender(
        identifier="E06000999-T7",
        title="Home care in the north of the borough",
        description="Care at home for older people.",
        status="complete" if awards else "active",
        buyer=BUYER,
        published=published,
        updated=published + timedelta(days=1),
        deadline=datetime(2026, 4, 30, 17, 0, tzinfo=LONDON_SUMMER),
        budget=Decimal("250000.50"),
        criteria="Price 40%, quality 40%, social value 20%",
        lots=(Lot("lot-1", "North", Decimal(150_000)), Lot("lot-2", "South", None)),
        tenderers=(COOP, LARGE),
        awards=awards,
    )


AWARD = Award("E06000999-T7-lot-1", "lot-1", "North", COOP, Decimal(142_000),
              datetime(2026, 5, 20, 12, 0, tzinfo=UTC))


def package(releases: list[dict]) -> dict:
    return release_package(releases, uri="https://example.org/ocds.json", publisher="Commonweal",
                           published=datetime(2026, 6, 1, tzinfo=UTC))


@pytest.fixture(scope="module")
def schemas(shared_data) -> tuple[dict, dict]:
    folder = shared_data("ocds")
    read = lambda name: json.loads((folder / name).read_text(encoding="utf-8"))  # noqa: E731
    return read("release-package-schema.json"), read("release-schema.json")


def test_a_tender_and_its_award_make_a_package_valid_against_the_1_1_5_schemas(schemas) -> None:
    releases = tender_releases(tender((AWARD,)), "ocds-cmnw01")
    assert not schema_problems(package(releases), *schemas)


def test_an_open_tender_alone_is_valid_too(schemas) -> None:
    assert not schema_problems(package(tender_releases(tender(), "ocds-cmnw01")), *schemas)


def test_the_package_says_version_1_1_and_uses_tags_from_the_codelist() -> None:
    result = package(tender_releases(tender((AWARD,)), "ocds-cmnw01"))
    assert result["version"] == "1.1"
    assert [r["tag"] for r in result["releases"]] == [["tender"], ["award"]]
    assert {r["ocid"] for r in result["releases"]} == {"ocds-cmnw01-E06000999-T7"}


def test_award_suppliers_are_parties_with_the_supplier_role() -> None:
    _, award = tender_releases(tender((AWARD,)), "ocds-cmnw01")
    parties = {p["id"]: p for p in award["parties"]}
    assert award["awards"][0]["suppliers"] == [{"id": COOP.id, "name": COOP.name}]
    assert "supplier" in parties[COOP.id]["roles"] and "supplier" not in parties[LARGE.id]["roles"]


def test_the_tender_release_names_no_supplier_before_the_award() -> None:
    (release,) = tender_releases(tender(), "ocds-cmnw01")
    assert all("supplier" not in p["roles"] for p in release["parties"])


def test_dates_are_full_date_times_with_a_time_zone() -> None:
    (release,) = tender_releases(tender(), "ocds-cmnw01")
    assert release["tender"]["tenderPeriod"]["endDate"] == "2026-04-30T17:00:00+01:00"
    assert release["date"] == "2026-03-03T09:00:00+00:00"


def test_a_naive_date_is_refused() -> None:
    with pytest.raises(OcdsError, match="no time zone"):
        date_time(datetime(2026, 1, 1))


@pytest.mark.parametrize("prefix", ["ocds-ABCDEF", "ocds-abc", "xyz-abcdef", "ocds-abcdefg"])
def test_a_prefix_that_is_not_ocds_and_six_characters_is_refused(prefix: str) -> None:
    with pytest.raises(OcdsError, match="ocid prefix"):
        ocid(prefix, "1")


def test_schema_problems_name_the_path_of_each_bad_field(schemas) -> None:
    broken = package(tender_releases(tender(), "ocds-cmnw01"))
    broken["releases"][0]["tag"] = ["bogus"]
    broken["releases"][0]["tender"]["value"]["amount"] = "lots"
    broken["releases"][0]["date"] = "2026-03-03"
    problems = schema_problems(broken, *schemas)
    assert any(p.startswith("releases/0/tag/0: 'bogus' is not one of") for p in problems)
    assert any(p.startswith("releases/0/tender/value/amount: 'lots' is not of type") for p in problems)
    assert any(p.startswith("releases/0/date: '2026-03-03' is not a date-time") for p in problems)


def test_a_package_without_required_fields_is_named(schemas) -> None:
    problems = schema_problems({"releases": []}, *schemas)
    assert any("'uri' is a required property" in p for p in problems)
    assert any(p.startswith("releases: [] should be non-empty") for p in problems)


def test_broken_json_is_refused_with_its_line_and_column() -> None:
    with pytest.raises(OcdsError, match=r"other.json line 2, column 1"):
        parse_package(b'{"releases": [\n}', "other.json")


def test_json_that_is_not_a_package_is_refused() -> None:
    with pytest.raises(OcdsError, match="not an OCDS release package"):
        parse_package(b"[1, 2]", "list.json")


def test_merging_applies_releases_oldest_first_and_merges_arrays_by_id() -> None:
    first = {"ocid": "ocds-x-1", "id": "1", "date": "2026-01-01T00:00:00Z", "tag": ["tender"],
             "tender": {"title": "Old", "status": "active", "items": [{"id": "a", "quantity": 1}]}}
    second = {"ocid": "ocds-x-1", "id": "2", "date": "2026-02-01T00:00:00Z", "tag": ["award"],
              "tender": {"status": "complete", "items": [{"id": "a", "description": "A"}, {"id": "b"}]},
              "awards": [{"id": "w", "value": {"amount": 5, "currency": "GBP"}}]}
    (record,) = merge([second, first])
    compiled = record["compiledRelease"]
    assert compiled["tag"] == ["compiled"] and compiled["date"] == "2026-02-01T00:00:00Z"
    assert compiled["tender"]["title"] == "Old" and compiled["tender"]["status"] == "complete"
    assert compiled["tender"]["items"] == [{"id": "a", "quantity": 1, "description": "A"}, {"id": "b"}]
    assert compiled["awards"][0]["value"]["amount"] == 5
    assert [r["id"] for r in record["releases"]] == ["1", "2"]


def test_a_null_in_a_later_release_removes_the_field() -> None:
    first = {"ocid": "o", "id": "1", "date": "1", "tender": {"title": "T", "description": "D"}}
    second = {"ocid": "o", "id": "2", "date": "2", "tender": {"description": None}}
    (record,) = merge([first, second])
    assert record["compiledRelease"]["tender"] == {"title": "T"}


def test_releases_of_different_processes_become_separate_records() -> None:
    records = merge([{"ocid": "b", "id": "1", "date": "1"}, {"ocid": "a", "id": "1", "date": "1"}])
    assert [r["ocid"] for r in records] == ["a", "b"]
