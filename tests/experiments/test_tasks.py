"""Evaluation is queued in the database and done by the worker, not in the request.

The worker closes database connections between tasks, so these tests commit for real.
"""

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from commonweal.experiments import services
from commonweal.experiments.models import Experiment
from commonweal.experiments.tasks import evaluate_queued
from commonweal.places.models import Measurement, User


def libraries() -> Experiment:
    return Experiment.objects.get(area__code="E06000999", title__startswith="Libraries")


def work() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def test_a_queued_evaluation_waits_for_the_worker_then_is_stored_and_shown(
    transactional_db, experiments_demo, client: Client
) -> None:
    officer = User.objects.get(email="officer@example.org")
    services.queue_evaluation(libraries(), officer)
    assert libraries().progress == Experiment.Progress.QUEUED and libraries().latest is None
    queued_at = libraries().progress_since
    assert queued_at is not None  # so a queue no worker takes up can be told apart

    work()

    evaluation = libraries().latest
    assert evaluation is not None and evaluation.evaluated_by == officer
    assert libraries().progress == "" and libraries().status == Experiment.Status.EVALUATED
    assert libraries().progress_since > queued_at  # the start, so a dead worker's run can be told apart
    page = client.get(reverse("experiments:detail", args=[libraries().pk])).content.decode()
    assert "unlikely to be chance" in page and "The evaluation is" not in page


def test_an_evaluation_the_measurements_no_longer_allow_is_shown_as_failed(
    transactional_db, experiments_demo, client: Client
) -> None:
    result = evaluate_queued.enqueue(libraries().pk, None)
    Experiment.objects.filter(pk=libraries().pk).update(progress=Experiment.Progress.QUEUED)
    Measurement.objects.filter(area__code="E06000999", period=libraries().starts).delete()

    work()

    result.refresh()
    assert result.return_value is None and libraries().latest is None
    assert libraries().progress == Experiment.Progress.FAILED
    page = client.get(reverse("experiments:detail", args=[libraries().pk])).content.decode()
    assert "The evaluation could not be finished" in page
    assert f"has no measurement for {libraries().starts}, when the change started" in page
