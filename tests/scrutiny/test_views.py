import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from commonweal.places.models import Area, Measurement, NationalStandard
from commonweal.scrutiny.analysis import analyse_standard, area_profile
from commonweal.scrutiny.models import MeasurementImport
from commonweal.scrutiny.tables import area_tables, standard_tables

STANDARD = "/scrutiny/standards/gp-access/"
AREA = "/scrutiny/areas/E06000999/"
IMPORT = "/scrutiny/areas/E06000999/import/"
GOOD = b"area_code,period,numerator,denominator\nE06000999,2025-26,90,100\nE02999001,2025-26,9,10\n"
BAD = b"area_code,period,numerator,denominator\nE06000999,2025-26,90,100\nE06000999,2025-26,190,100\n"


def upload(client, path: str, data: bytes, standard: str = "gp-access"):
    return client.post(path, {"standard": standard, "file": SimpleUploadedFile("gp.csv", data, "text/csv")})


def parse(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_standard_page_shows_funnel_inequality_and_every_authority(nation, client):
    response = client.get(STANDARD, {"area": "E06000999"})

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('role="img"') == 2
    assert 'data-area="E06000999"' in page and "highlighted" in page
    assert "Below the 99.8% limit: very unlikely to be chance" in page
    assert "slope index of inequality" in page
    assert page.count('<tr class="govuk-table__row">') >= 304


def test_standard_page_shows_the_floor_finding_for_the_highlighted_area(nation, client):
    page = client.get(STANDARD, {"area": "E06000997"}).content.decode()

    assert "Ashcombe" in page and "Below the floor" in page


def test_standard_page_with_only_the_demo_borough_explains_there_is_no_gradient(demo_place, client):
    page = client.get(STANDARD).content.decode()

    assert "needs at least 5" in page


def test_standard_page_with_an_unknown_area_shows_the_error_summary(demo_place, client):
    page = client.get(STANDARD, {"area": "NOPE"}).content.decode()

    assert "govuk-error-summary" in page and "Choose an authority from the list" in page


def test_standard_page_for_an_earlier_period(demo_place, client):
    page = client.get(STANDARD, {"period": "2023-24"}).content.decode()

    assert "GP access, 2023-24: every authority" in page


def test_unknown_standard_or_area_is_not_found(demo_place, client):
    assert client.get("/scrutiny/standards/no-such/").status_code == 404
    assert client.get("/scrutiny/areas/X99/").status_code == 404


def test_area_page_compares_every_indicator_with_floor_and_england_and_draws_trends(nation, client):
    page = client.get(AREA).content.decode()

    assert page.count('class="cw-chart cw-sparkline"') == NationalStandard.objects.count()
    for words in ("Against the floor", "Against England", "govuk-tag--red", "Worse", "2020-21", "2024-25"):
        assert words in page


@pytest.mark.parametrize("table", ["authorities", "deprivation-deciles"])
def test_standard_csv_parses_back_to_the_rows_of_the_table(nation, client, table):
    response = client.get(STANDARD, {"format": "csv", "table": table})

    expected = standard_tables(analyse_standard(NationalStandard.objects.get(service__slug="gp-access")))[
        table
    ]
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="gp-access-2024-25-{table}.csv"' in response["Content-Disposition"]
    assert parse(response) == expected.csv_rows()
    assert len(parse(response)) > 1


@pytest.mark.parametrize("table", ["indicators", "trend"])
def test_area_csv_parses_back_to_the_rows_of_the_table(nation, client, table):
    response = client.get(AREA, {"format": "csv", "table": table})

    area = Area.objects.get(code="E06000999")
    expected = area_tables(area, area_profile(area))[table]
    assert f'filename="thornbury-vale-E06000999-{table}.csv"' in response["Content-Disposition"]
    assert parse(response) == expected.csv_rows()


def test_csv_of_an_unknown_table_is_not_found(demo_place, client):
    assert client.get(STANDARD, {"format": "csv", "table": "nope"}).status_code == 404


def test_import_page_asks_a_visitor_to_sign_in(demo_place, client):
    response = client.get(IMPORT)

    assert response.status_code == 302 and "/sign-in/" in response["Location"]


@pytest.mark.parametrize(
    "email", ["resident@example.org", "newcomer@example.org", "officer.ashcombe@example.org"]
)
def test_import_is_refused_to_anyone_but_the_areas_officers_and_nothing_is_written(signed_in, email):
    client = signed_in(email)

    assert client.get(IMPORT).status_code == 403
    assert upload(client, IMPORT, GOOD).status_code == 403
    assert not Measurement.objects.filter(period="2025-26").exists()
    assert not MeasurementImport.objects.exists()


def test_officer_imports_a_file_for_their_authority(signed_in):
    client = signed_in("officer@example.org")

    response = upload(client, IMPORT, GOOD)

    assert response.status_code == 302
    assert Measurement.objects.filter(period="2025-26").count() == 2
    record = MeasurementImport.objects.get()
    assert (record.area.code, record.imported_by.email, record.created) == (
        "E06000999",
        "officer@example.org",
        2,
    )
    assert "Imported 2 measurements" in client.get(response["Location"]).content.decode()


def test_officer_upload_with_problems_lists_them_by_line_and_writes_nothing(signed_in):
    client = signed_in("officer@example.org")

    response = upload(client, IMPORT, BAD)

    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert "gp.csv line 3, column numerator: The numerator (190) is more than the denominator" in page
    assert "gp.csv line 3: E06000999 for 2025-26 is already on line 2" in page
    assert not Measurement.objects.filter(period="2025-26").exists()


def test_officer_cannot_import_rows_for_another_authority(signed_in):
    client = signed_in("officer@example.org")
    data = b"area_code,period,numerator,denominator\nE06000997,2025-26,90,100\n"

    page = upload(client, IMPORT, data).content.decode()

    assert "E06000997 (Ashcombe) is not in Thornbury Vale" in page
    assert not Measurement.objects.filter(period="2025-26").exists()


def test_upload_without_a_file_or_standard_says_what_to_do(signed_in):
    page = signed_in("officer@example.org").post(IMPORT, {}).content.decode()

    assert "Select a CSV file of measurements" in page
    assert "Choose the national standard the file measures" in page


def test_national_import_is_for_stewards_not_officers(signed_in):
    assert signed_in("officer@example.org").get("/scrutiny/areas/E92000001/import/").status_code == 403
    steward = signed_in("steward@example.org")

    response = upload(steward, "/scrutiny/areas/E92000001/import/", GOOD.replace(b"E02999001", b"E06000997"))

    assert response.status_code == 302
    assert Measurement.objects.filter(period="2025-26").count() == 2


def test_import_refuses_a_post_without_the_csrf_token(demo_place):
    from django.test import Client

    from commonweal.places.models import User

    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(email="officer@example.org"))

    assert upload(client, IMPORT, GOOD).status_code == 403
    assert not Measurement.objects.filter(period="2025-26").exists()
