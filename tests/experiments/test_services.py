"""Comparison pools, panels from places measurements, evaluation, adoption, pooling, and the fund's rules."""

from __future__ import annotations

import pytest

from commonweal.experiments import services
from commonweal.experiments.models import Application, Award, ChallengeRound, Experiment, Score
from commonweal.experiments.services import ExperimentError
from commonweal.places.models import Area, Measurement, User


def experiment(code: str, title_start: str) -> Experiment:
    return Experiment.objects.get(area__code=code, title__startswith=title_start)


def test_comparisons_leave_out_areas_running_the_same_change(experiments_demo) -> None:
    libraries = experiment("E06000999", "Libraries")

    pool = set(services.comparison_pool(libraries).values_list("code", flat=True))

    assert "E06000998" not in pool  # Redmarsh adopted the same change
    assert "E06000999" not in pool
    assert len(pool) == 2 + 24  # Ashcombe, Hollin Bridge and the region's other authorities


def test_similar_places_are_within_two_deprivation_deciles(experiments_demo) -> None:
    libraries = experiment("E06000999", "Libraries")
    libraries.comparison = Experiment.Comparison.SIMILAR

    deciles = set(services.comparison_pool(libraries).values_list("deprivation_decile", flat=True))

    assert deciles <= {2, 3, 4, 5, 6}


def test_the_panel_is_read_from_places_measurements_and_leaves_out_incomplete_areas(experiments_demo) -> None:
    libraries = experiment("E06000999", "Libraries")
    Measurement.objects.filter(area__code="E06002000", standard=libraries.standard, period="2016-17").delete()

    data = services.experiment_panel(libraries)

    assert data.left_out == ["Comparetown 0"]
    assert data.panel.treated_units == ("E06000999",)
    assert data.panel.first_treated_period == "2020-21"
    assert len(data.panel.periods) == 12


def test_evaluation_finds_the_planted_effect(evaluated_demo) -> None:
    evaluation = experiment("E06000999", "Libraries").latest

    assert 2.5 < evaluation.effect < 5.5  # planted: four percentage points
    assert evaluation.low > 0
    assert evaluation.worked
    assert "rose by" in evaluation.verdict
    assert "unlikely to be chance" in evaluation.verdict


def test_evaluation_of_a_change_that_did_nothing_includes_zero(evaluated_demo) -> None:
    evaluation = experiment("E06000997", "A volunteer app").latest

    assert evaluation.low < 0 < evaluation.high
    assert not evaluation.worked


def test_an_area_without_a_measurement_when_the_change_started_is_told_so(experiments_demo) -> None:
    libraries = experiment("E06000999", "Libraries")
    libraries.starts = "2030-31"

    with pytest.raises(ExperimentError, match="Thornbury Vale has no measurement for 2030-31"):
        services.evaluate_experiment(libraries)


def test_replications_are_pooled(evaluated_demo) -> None:
    pool, evaluations = services.pooled(experiment("E06000999", "Libraries"))

    assert pool is not None and pool.studies == 2
    assert min(e.effect for e in evaluations) <= pool.effect <= max(e.effect for e in evaluations)


def test_adopting_twice_in_one_area_is_refused(experiments_demo) -> None:
    libraries = experiment("E06000999", "Libraries")
    redmarsh = Area.objects.get(code="E06000998")

    with pytest.raises(ExperimentError, match="Redmarsh is already trying"):
        services.adopt(
            libraries, redmarsh, "2022-23", "2024-25", User.objects.get(email="officer@example.org")
        )


def test_adopting_links_the_replication_to_the_original(experiments_demo) -> None:
    parks = experiment("E06000997", "A volunteer app")

    copy = services.adopt(
        parks,
        Area.objects.get(code="E06000999"),
        "2021-22",
        "2024-25",
        User.objects.get(email="officer@example.org"),
    )

    assert copy.adopted_from == parks
    assert set(services.family(copy)) == {parks, copy}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Need: 60\nFeasibility: 30", "add up to 100; these add up to 90"),
        ("Need 60", "criterion 1 as a name, a colon and a weight"),
        ("", "at least one criterion"),
    ],
)
def test_criteria_are_checked(text: str, message: str) -> None:
    with pytest.raises(ExperimentError, match=message):
        services.parse_criteria(text)


@pytest.fixture
def scored(experiments_demo) -> Application:
    """An application to a round being scored, with panellists three points apart on one criterion."""
    round_ = ChallengeRound.objects.get(title="Closing the library gap")
    round_.status = ChallengeRound.Status.SCORING
    round_.save()
    application = Application.objects.create(
        round=round_,
        area=Area.objects.get(code="E06000996"),
        organisation="Hollin Youth CIC",
        kind=Application.Kind.SOCIAL_ENTERPRISE,
        title="Mobile library for youth",
        summary="A bus.",
        amount=50_000,
    )
    steward, panel = (
        User.objects.get(email="steward@example.org"),
        User.objects.get(email="panel@example.org"),
    )
    for criterion in round_.criteria.all():
        services.record_scores(application, steward, {criterion: (4, "")})
        services.record_scores(application, panel, {criterion: (1 if criterion.weight == 40 else 4, "")})
    return application


def test_an_award_waits_for_moderation_where_the_panel_disagreed(scored: Application) -> None:
    with pytest.raises(ExperimentError, match="Score and moderate every criterion first: Can be evaluated"):
        services.publish_award(
            scored, Award.Kind.GRANT, 10_000, User.objects.get(email="steward@example.org")
        )

    assert not Award.objects.filter(application=scored).exists()


def test_moderated_scores_count_and_the_award_is_published(scored: Application) -> None:
    steward = User.objects.get(email="steward@example.org")
    criterion = scored.round.criteria.get(weight=40)
    services.moderate(scored, criterion, 3, "Agreed at the panel meeting", steward)

    award = services.publish_award(scored, Award.Kind.GRANT, 10_000, steward)

    breakdown = services.score_breakdown(scored)
    assert services.total_score(breakdown) == pytest.approx(4 / 5 * 30 + 3 / 5 * 40 + 4 / 5 * 30)
    assert award.amount == 10_000


def test_an_award_beyond_the_pot_is_refused(scored: Application) -> None:
    steward = User.objects.get(email="steward@example.org")
    services.moderate(scored, scored.round.criteria.get(weight=40), 3, "Agreed", steward)

    with pytest.raises(ExperimentError, match="no more than the £100,000 left in the pot"):
        services.publish_award(scored, Award.Kind.GRANT, 100_001, steward)


def test_scores_are_refused_outside_the_scoring_stage(experiments_demo) -> None:
    application = Application.objects.first()
    criterion = application.round.criteria.first()
    before = list(Score.objects.values_list("pk", "score"))

    with pytest.raises(ExperimentError, match="not being scored"):
        services.record_scores(
            application, User.objects.get(email="steward@example.org"), {criterion: (0, "")}
        )
    assert list(Score.objects.values_list("pk", "score")) == before


def test_a_prize_is_paid_only_on_an_evaluated_result_that_worked(evaluated_demo) -> None:
    prize = Award.objects.get(kind=Award.Kind.PRIZE)

    services.pay_prize(prize)

    assert prize.paid_at is not None


def test_a_prize_for_a_change_that_did_not_work_is_not_paid(evaluated_demo) -> None:
    prize = Award.objects.get(kind=Award.Kind.PRIZE)
    prize.application.experiment = experiment("E06000997", "A volunteer app")
    prize.application.save()

    with pytest.raises(ExperimentError, match="does not show the change worked"):
        services.pay_prize(prize)
    prize.refresh_from_db()
    assert prize.paid_at is None
