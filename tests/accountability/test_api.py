"""The open-data API: pages, filters, CSV, refusals with clear messages, the rate limit, no personal data."""

import csv
import io

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from commonweal.accountability.api import MAX_PAGE_SIZE
from commonweal.accountability.opendata import RESOURCES, financial_year

pytestmark = pytest.mark.usefixtures("accountability_demo")
PATHS = [f"/api{r.path}" for r in RESOURCES]


@pytest.fixture(autouse=True)
def fresh_limits() -> None:
    cache.clear()


def test_the_schema_needs_no_login_and_lists_every_list(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert {f"/api{r.path}" for r in RESOURCES} <= set(schema["paths"])


# One test walks every list (not one test per list): each test would reload the demo budget.
def test_every_list_is_paginated(client: Client) -> None:
    for path in PATHS:
        body = client.get(path, {"page_size": 1}).json()
        assert set(body) == {"count", "page", "page_size", "pages", "results"}, path
        assert len(body["results"]) <= 1


def test_every_list_is_also_csv_with_its_columns(client: Client) -> None:
    for resource in RESOURCES:
        response = client.get(f"/api{resource.path}.csv")
        assert response["Content-Type"].startswith("text/csv")
        header = next(csv.reader(io.StringIO(response.content.decode())))
        assert header == list(resource.row.model_fields), resource.path


def test_a_page_size_above_the_bound_is_refused_with_the_bound(client: Client) -> None:
    response = client.get("/api/results", {"page_size": 10_000})
    assert response.status_code == 400
    assert "page_size" in response.json()["detail"] and str(MAX_PAGE_SIZE) in response.json()["detail"]


def test_an_unknown_filter_is_refused_by_name(client: Client) -> None:
    response = client.get("/api/results", {"colour": "red"})
    assert response.status_code == 400
    assert "colour" in response.json()["detail"]


def test_a_malformed_date_is_refused_by_name(client: Client) -> None:
    response = client.get("/api/awards", {"since": "31/12/2025"})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("since:")


def test_a_malformed_period_is_refused_in_words(client: Client) -> None:
    response = client.get("/api/indicator-values", {"period": "last year"})
    assert response.status_code == 400
    assert "period" in response.json()["detail"]


def test_an_unknown_area_is_refused_by_code(client: Client) -> None:
    response = client.get("/api/results", {"area": "X99"})
    assert response.status_code == 400 and "X99" in response.json()["detail"]


def test_a_page_past_the_end_names_the_last_page(client: Client) -> None:
    assert "last page" in client.get("/api/standards", {"page": 50}).json()["detail"]


def test_writes_are_refused_without_a_server_error(client: Client) -> None:
    for method in (client.post, client.put, client.delete, client.patch):
        assert 400 <= method("/api/results").status_code < 500


def test_filters_by_area_and_period(client: Client) -> None:
    rows = client.get("/api/indicator-values", {"area": "E06000999", "period": "2024-25", "page_size": 100})
    results = rows.json()["results"]
    assert results and all(r["area"].startswith(("E06000999", "E02999")) for r in results)
    assert {r["period"] for r in results} == {"2024-25"}


def test_results_carry_the_chain_and_spend(client: Client) -> None:
    rows = client.get("/api/results", {"area": "E06000999", "page_size": 100}).json()["results"]
    chained = [r for r in rows if r["proposal"] and r["award"]]
    assert chained and all(r["actual_spend"] > 0 for r in rows)


def test_the_review_opened_for_the_demo_shortfall_is_published(client: Client) -> None:
    rows = client.get("/api/reviews", {"area": "E06000999", "standard": "youth-services"}).json()["results"]
    assert [r["status"] for r in rows] == ["open"]


@override_settings(ACCOUNTABILITY_API_RATE="3/min")
def test_the_rate_limit_answers_429_per_address(client: Client) -> None:
    codes = [client.get("/api/standards").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert client.get("/api/standards", REMOTE_ADDR="10.0.0.9").status_code == 200


def test_financial_years_turn_on_the_first_of_april() -> None:
    from datetime import date

    assert financial_year(date(2025, 3, 31)) == "2024-25"
    assert financial_year(date(2025, 4, 1)) == "2025-26"
