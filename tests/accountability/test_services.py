from datetime import date, timedelta

import pytest
from django.db.models import F

from commonweal.accountability import services
from commonweal.accountability.models import Result, Review, Version
from commonweal.places.models import Measurement, User

pytestmark = pytest.mark.usefixtures("accountability_demo")


def test_tracking_again_adds_nothing() -> None:
    count = Result.objects.count()
    assert services.track_results() == []
    assert Result.objects.count() == count


def test_every_funded_project_and_awarded_contract_is_tracked() -> None:
    from commonweal.budgeting.models import Proposal
    from commonweal.procurement.models import Award

    assert not Proposal.objects.filter(funded_rank__isnull=False, result__isnull=True).exists()
    assert not Award.objects.filter(result__isnull=True).exists()


def test_opening_reviews_twice_opens_nothing_new() -> None:
    count = Review.objects.count()
    opened = services.open_reviews()
    assert opened.created == 0 and opened.already_open == count


def test_a_review_names_the_officer_and_is_overdue_after_its_due_date() -> None:
    review = Review.objects.get(area__code="E06000999", standard__service__slug="youth-services")
    assert review.responsible.email == "officer@example.org"
    assert not review.is_overdue
    review.due_on = date.today() - timedelta(days=1)
    assert review.is_overdue


def test_an_area_above_the_floor_gets_no_review() -> None:
    Review.objects.all().delete()
    youth = Measurement.objects.filter(area__code="E06000999", standard__service__slug="youth-services")
    youth.update(numerator=F("denominator"))
    services.open_reviews()
    assert not Review.objects.filter(area__code="E06000999", standard=youth.first().standard).exists()


def test_a_change_that_changes_nothing_keeps_no_version() -> None:
    result = Result.objects.first()
    officer = User.objects.get(email="officer@example.org")
    assert services.change_result(result, officer, status=result.status) == []


def test_each_changed_field_is_one_version_with_before_and_after() -> None:
    result = Result.objects.first()
    officer = User.objects.get(email="officer@example.org")
    services.change_result(result, officer, status="cancelled", progress=5)
    versions = Version.objects.filter(result=result, after__in=["cancelled", "5"])
    assert set(versions.values_list("field", flat=True)) == {"status", "progress"}


def test_progress_above_100_is_refused() -> None:
    with pytest.raises(services.AccountabilityError, match="0 to 100"):
        services.change_result(Result.objects.first(), None, progress=101)


def test_the_command_opens_reviews(capsys) -> None:
    from django.core.management import call_command

    Review.objects.all().delete()
    call_command("accountability", "open_reviews")
    assert Review.objects.exists()
    assert "opened" in capsys.readouterr().out


def test_a_measurement_import_opens_reviews_once_it_commits(django_capture_on_commit_callbacks) -> None:
    from commonweal.places.models import Area, NationalStandard
    from commonweal.scrutiny.models import MeasurementImport

    Review.objects.all().delete()
    officer = User.objects.get(email="officer@example.org")
    standard = NationalStandard.objects.get(service__slug="youth-services")
    with django_capture_on_commit_callbacks(execute=True):
        MeasurementImport.objects.create(
            standard=standard, area=Area.objects.get(code="E06000999"), imported_by=officer,
            file_name="youth.csv", created=0, updated=1,
        )
    assert Review.objects.filter(area__code="E06000999", standard=standard).exists()


def test_the_demo_tracks_every_result_with_updates_spend_and_indicators() -> None:
    results = Result.objects.filter(area__code="E06000999")
    assert results.filter(proposal__isnull=False).exists() and results.filter(award__isnull=False).exists()
    for result in results:
        assert result.updates.exists() and result.spends.exists() and result.indicators.exists()
    assert Review.objects.filter(status=Review.Status.OPEN).exists()
