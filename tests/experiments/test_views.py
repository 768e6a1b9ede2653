"""The register, experiment page, library and fund pages; who may do what, through `require`."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commonweal.experiments.models import (
    EVALUATION_STALLS_AFTER,
    Application,
    ChallengeRound,
    Evaluation,
    Experiment,
    Fund,
)


def libraries() -> Experiment:
    return Experiment.objects.get(area__code="E06000999", title__startswith="Libraries")


def test_the_register_is_public(client: Client, experiments_demo) -> None:
    response = client.get(reverse("experiments:register"))

    assert response.status_code == 200
    assert b"Libraries open until 8pm" in response.content
    assert b"Youth workers based in every secondary school" in response.content


def test_the_register_can_show_one_area(client: Client, experiments_demo) -> None:
    response = client.get(reverse("experiments:register"), {"area": "E06000997"})

    assert b"A volunteer app" in response.content
    assert b"Libraries open until 8pm" not in response.content


def test_the_experiment_page_shows_chart_table_weights_and_verdict(client: Client, evaluated_demo) -> None:
    response = client.get(reverse("experiments:detail", args=[libraries().pk]))

    html = response.content.decode()
    assert 'role="img"' in html and "<title" in html and "<desc" in html
    assert 'id="trajectory-table"' in html
    assert "Comparison areas that carry weight" in html
    assert "larger than in" in html
    assert "95% interval" in html


def test_the_panel_download_recomputes_the_published_estimate(
    client: Client, evaluated_demo, tmp_path
) -> None:
    from commonweal.experiments import evaluate

    response = client.get(reverse("experiments:panel-csv", args=[libraries().pk]))
    path = tmp_path / "panel.csv"
    path.write_bytes(response.content)

    panel = evaluate.load_panel_csv(path, unit="area_code", period="period", value="value", treated="treated")
    assert evaluate.estimate(panel).effect == pytest.approx(libraries().latest.effect, abs=1e-4)


# Who may register an experiment in Thornbury Vale: its officers only.
@pytest.mark.parametrize(
    ("email", "status"),
    [
        (None, 302),
        ("resident@example.org", 403),
        ("officer.ashcombe@example.org", 403),
        ("steward@example.org", 403),
        ("officer@example.org", 200),
    ],
)
def test_registering_needs_an_officer_of_the_area(signed_in, client, experiments_demo, email, status) -> None:
    client = signed_in(email) if email else client

    response = client.get(reverse("experiments:new", args=["E06000999"]))

    assert response.status_code == status


def form_data(**changes) -> dict:
    data = {
        "title": "Reading clubs",
        "standard": "",
        "what_changed": "Clubs in every branch.",
        "hypothesis": "More people will use libraries.",
        "starts": "2021-22",
        "evaluate_after": "2024-25",
        "comparison": "region",
        "method": "sdid",
    }
    from commonweal.places.models import NationalStandard

    data["standard"] = NationalStandard.objects.get(service__slug="libraries").pk
    return data | changes


def test_an_officer_registers_an_experiment(signed_in, experiments_demo) -> None:
    client = signed_in("officer@example.org")

    response = client.post(reverse("experiments:new", args=["E06000999"]), form_data())

    experiment = Experiment.objects.get(title="Reading clubs")
    assert response.status_code == 302
    assert experiment.area.code == "E06000999"


def test_a_period_the_area_was_not_measured_in_is_named_and_nothing_is_stored(
    signed_in, experiments_demo
) -> None:
    client = signed_in("officer@example.org")

    response = client.post(reverse("experiments:new", args=["E06000999"]), form_data(starts="2031-32"))

    assert response.status_code == 200
    assert "Enter a period Thornbury Vale was measured in" in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()
    assert not Experiment.objects.filter(title="Reading clubs").exists()


def test_a_first_period_without_two_earlier_ones_is_refused(signed_in, experiments_demo) -> None:
    client = signed_in("officer@example.org")

    response = client.post(reverse("experiments:new", args=["E06000999"]), form_data(starts="2014-15"))

    assert "needs two measured periods before it" in response.content.decode()
    assert not Experiment.objects.filter(title="Reading clubs").exists()


def test_an_officer_of_another_area_cannot_evaluate_and_nothing_is_written(
    signed_in, experiments_demo
) -> None:
    client = signed_in("officer.ashcombe@example.org")

    response = client.post(reverse("experiments:evaluate", args=[libraries().pk]))

    assert response.status_code == 403
    assert not Evaluation.objects.exists()


def test_evaluating_queues_the_work_and_the_page_says_it_is_queued(
    signed_in, experiments_demo, django_capture_on_commit_callbacks
) -> None:
    from django_tasks_db.models import DBTaskResult

    client = signed_in("officer@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("experiments:evaluate", args=[libraries().pk]), follow=True)

    page = response.content.decode()
    assert "The evaluation is queued" in page and 'id="evaluation-progress"' in page
    assert "Evaluate the experiment" not in page  # no second request while one waits
    assert libraries().latest is None  # the worker evaluates (test_tasks.py), never the request
    queued = DBTaskResult.objects.get()
    officer = response.context["user"]
    assert queued.task_path.endswith("evaluate_queued")
    assert queued.args_kwargs["args"] == [libraries().pk, officer.pk]


def test_a_second_evaluation_is_refused_while_one_is_queued(
    signed_in, experiments_demo, django_capture_on_commit_callbacks
) -> None:
    from django_tasks_db.models import DBTaskResult

    client = signed_in("officer@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("experiments:evaluate", args=[libraries().pk]))
        response = client.post(reverse("experiments:evaluate", args=[libraries().pk]), follow=True)

    assert "is already being evaluated" in response.content.decode()
    assert DBTaskResult.objects.count() == 1


def marked_since(progress: Experiment.Progress, ago: timedelta) -> None:
    since = timezone.now() - ago
    Experiment.objects.filter(pk=libraries().pk).update(progress=progress, progress_since=since)


@pytest.mark.parametrize(
    ("progress", "explained"),
    [
        (Experiment.Progress.RUNNING, "It has been running for more than 15 minutes"),
        (Experiment.Progress.QUEUED, "no task worker has started it: the worker may not be running"),
    ],
)
def test_an_evaluation_queued_or_running_past_the_limit_is_shown_as_stopped_and_can_be_queued_again(
    signed_in, experiments_demo, django_capture_on_commit_callbacks, progress, explained
) -> None:
    from django_tasks_db.models import DBTaskResult

    marked_since(progress, EVALUATION_STALLS_AFTER + timedelta(minutes=1))
    client = signed_in("officer@example.org")
    page = client.get(reverse("experiments:detail", args=[libraries().pk])).content.decode()
    assert "The evaluation seems to have stopped" in page and 'id="evaluation-stalled"' in page
    assert explained in page
    assert "The evaluation is" not in page and "Start the evaluation again</button>" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("experiments:evaluate", args=[libraries().pk]), follow=True)

    assert "The evaluation is queued" in response.content.decode()
    assert libraries().progress == Experiment.Progress.QUEUED and DBTaskResult.objects.count() == 1


def test_an_evaluation_running_within_the_limit_cannot_be_queued_again(
    signed_in, experiments_demo, django_capture_on_commit_callbacks
) -> None:
    from django_tasks_db.models import DBTaskResult

    marked_since(Experiment.Progress.RUNNING, EVALUATION_STALLS_AFTER - timedelta(minutes=1))
    client = signed_in("officer@example.org")
    page = client.get(reverse("experiments:detail", args=[libraries().pk])).content.decode()
    assert "The evaluation is running" in page and "seems to have stopped" not in page
    assert "Evaluate the experiment" not in page and "Start the evaluation again" not in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("experiments:evaluate", args=[libraries().pk]), follow=True)

    assert "is already being evaluated" in response.content.decode()
    assert libraries().progress == Experiment.Progress.RUNNING and not DBTaskResult.objects.exists()


def test_only_an_officer_of_the_area_may_queue_a_stopped_evaluation_again(
    signed_in, experiments_demo, django_capture_on_commit_callbacks
) -> None:
    from django_tasks_db.models import DBTaskResult

    marked_since(Experiment.Progress.RUNNING, EVALUATION_STALLS_AFTER + timedelta(minutes=1))
    client = signed_in("officer.ashcombe@example.org")
    page = client.get(reverse("experiments:detail", args=[libraries().pk])).content.decode()
    assert "An officer of" in page and "Start the evaluation again</button>" not in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("experiments:evaluate", args=[libraries().pk]))

    assert response.status_code == 403
    assert libraries().progress == Experiment.Progress.RUNNING and not DBTaskResult.objects.exists()


def test_an_evaluation_that_cannot_start_is_refused_and_nothing_is_queued(
    signed_in, experiments_demo, django_capture_on_commit_callbacks
) -> None:
    from django_tasks_db.models import DBTaskResult

    Experiment.objects.filter(pk=libraries().pk).update(starts="2031-32")
    client = signed_in("officer@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("experiments:evaluate", args=[libraries().pk]), follow=True)

    assert "has no measurement for 2031-32, when the change started" in response.content.decode()
    assert not DBTaskResult.objects.exists() and libraries().progress == ""


def test_an_officer_adopts_an_experiment_elsewhere_as_a_replication(signed_in, experiments_demo) -> None:
    client = signed_in("officer.ashcombe@example.org")

    client.post(
        reverse("experiments:adopt", args=[libraries().pk]),
        {"area": _area("E06000997"), "starts": "2022-23", "evaluate_after": "2024-25"},
    )

    assert Experiment.objects.get(area__code="E06000997", adopted_from=libraries())


def _area(code: str) -> int:
    from commonweal.places.models import Area

    return Area.objects.get(code=code).pk


def test_the_library_pools_replications(client: Client, evaluated_demo) -> None:
    response = client.get(reverse("experiments:library"))

    html = response.content.decode()
    assert "Pooled (2 places)" in html
    assert "I² =" in html


def test_fund_pages_are_public(client: Client, experiments_demo) -> None:
    round_ = ChallengeRound.objects.get(title="Closing the library gap")

    assert client.get(reverse("experiments:funds")).status_code == 200
    response = client.get(reverse("experiments:round", args=[round_.pk]))
    assert "prize on an evaluated result of £90,000" in response.content.decode()
    assert "How the panel scored it" in response.content.decode()


@pytest.mark.parametrize(
    ("fund", "email", "status"),
    [
        ("National Local Innovation Fund", "officer@example.org", 403),
        ("National Local Innovation Fund", "steward@example.org", 200),
        ("Thornbury Vale Community Ideas Fund", "officer@example.org", 200),
        ("Thornbury Vale Community Ideas Fund", "officer.ashcombe@example.org", 403),
        ("Thornbury Vale Community Ideas Fund", "resident@example.org", 403),
    ],
)
def test_who_may_open_a_round(signed_in, experiments_demo, fund, email, status) -> None:
    pk = Fund.objects.get(name=fund).pk

    assert signed_in(email).get(reverse("experiments:round-new", args=[pk])).status_code == status


def test_a_verified_resident_applies_for_an_organisation(signed_in, experiments_demo) -> None:
    round_ = ChallengeRound.objects.get(title="Ideas for youth services")
    client = signed_in("resident@example.org")

    client.post(
        reverse("experiments:apply", args=[round_.pk]),
        {
            "area": _area("E06000999"),
            "organisation": "Abbey Fields Youth Mutual",
            "kind": "mutual",
            "title": "Detached youth work",
            "summary": "Youth workers on the streets.",
            "amount": "12000",
        },
    )

    assert Application.objects.get(organisation="Abbey Fields Youth Mutual").area.code == "E06000999"


def test_an_amount_beyond_the_pot_is_named_and_nothing_is_stored(signed_in, experiments_demo) -> None:
    round_ = ChallengeRound.objects.get(title="Ideas for youth services")
    client = signed_in("resident@example.org")

    response = client.post(
        reverse("experiments:apply", args=[round_.pk]),
        {
            "area": _area("E06000999"),
            "organisation": "Abbey Fields Youth Mutual",
            "kind": "mutual",
            "title": "Detached youth work",
            "summary": "Youth workers on the streets.",
            "amount": "90000",
        },
    )

    assert "Ask for no more than the pot of £30,000" in response.content.decode()
    assert not Application.objects.filter(organisation="Abbey Fields Youth Mutual").exists()


def test_the_panel_page_is_for_those_who_run_the_fund(signed_in, experiments_demo) -> None:
    application = Application.objects.get(organisation="Thornbury Vale Council")

    assert (
        signed_in("officer@example.org")
        .get(reverse("experiments:application", args=[application.pk]))
        .status_code
        == 403
    )
    assert (
        signed_in("steward@example.org")
        .get(reverse("experiments:application", args=[application.pk]))
        .status_code
        == 200
    )
