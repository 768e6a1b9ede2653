"""The experiments' rules: which places compare, the panel from `places` measurements, evaluating,
adopting and pooling; and the innovation fund's scoring, moderation, awards and prizes.

Measurements are read from `places` (the standard's numerator and denominator per area and
period), never from another capability.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from commonweal.places.models import Area, Measurement, User
from commonweal.places.permissions import Action

from . import evaluate
from .models import Application, Award, ChallengeRound, Criterion, Evaluation, Experiment, Moderation, Score

SIMILAR_DECILES = 2  # "similar" means within two deprivation deciles either way
MODERATE_WHEN_APART = 2  # panellists two or more points apart must agree a moderated score


class ExperimentError(Exception):
    """A refusal to show the person, naming the field to change where there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# --- experiments -------------------------------------------------------------------------------


def family(experiment: Experiment) -> QuerySet[Experiment]:
    """The original experiment of an innovation and every replication of it."""
    original = experiment.original
    return Experiment.objects.filter(Q(pk=original.pk) | Q(adopted_from=original))


def comparison_pool(experiment: Experiment) -> QuerySet[Area]:
    """Authorities the area may be compared with, less those running the same change."""
    area = experiment.area
    pool = Area.objects.filter(kind=Area.Kind.AUTHORITY).exclude(pk=area.pk)
    if experiment.comparison == Experiment.Comparison.REGION:
        pool = pool.filter(parent_id=area.parent_id)
    elif experiment.comparison == Experiment.Comparison.SIMILAR:
        pool = pool.filter(Q(parent_id=area.parent_id) | Q(pk__in=area.comparators.values("pk")))
        if area.deprivation_decile:
            pool = pool.filter(
                deprivation_decile__gte=area.deprivation_decile - SIMILAR_DECILES,
                deprivation_decile__lte=area.deprivation_decile + SIMILAR_DECILES,
            )
    # An area already trying the same change would flatter or mask the effect being measured.
    running = family(experiment).exclude(pk=experiment.pk).values("area_id")
    return pool.exclude(pk__in=running)


@dataclass(frozen=True)
class ExperimentPanel:
    panel: evaluate.Panel
    names: dict[str, str]  # area code -> name
    left_out: list[str]  # comparison areas missing a period, by name


def experiment_panel(experiment: Experiment) -> ExperimentPanel:
    """The area and its comparison pool, every period the area was measured up to the evaluation."""
    area, standard = experiment.area, experiment.standard
    pool = list(comparison_pool(experiment).values_list("code", "name"))
    names = {area.code: area.name, **dict(pool)}
    rows = Measurement.objects.filter(standard=standard, area__code__in=names).values_list(
        "area__code", "period", "numerator", "denominator"
    )
    values: dict[str, dict[str, float]] = {}
    for code, period, numerator, denominator in rows:
        if period <= experiment.evaluate_after:
            values.setdefault(code, {})[period] = numerator / denominator * standard.multiplier
    periods = sorted(values.get(area.code, {}))
    if not periods:
        raise ExperimentError(f"{area.name} has no measurements of {standard.indicator.lower()} yet")
    if experiment.starts not in periods:
        raise ExperimentError(
            f"{area.name} has no measurement for {experiment.starts}, when the change started", "starts"
        )
    complete = [
        code for code in names if code != area.code and all(p in values.get(code, {}) for p in periods)
    ]
    left_out = sorted(names[c] for c in names if c != area.code and c not in complete)
    rows_out = [
        (line, code, period, values[code][period], int(code == area.code and period >= experiment.starts))
        for line, (code, period) in enumerate(
            ((code, period) for code in [*complete, area.code] for period in periods), start=1
        )
    ]
    try:
        panel = evaluate.panel_from_rows(rows_out, source=f"{standard.service.name} measurements")
    except evaluate.PanelError as error:
        raise ExperimentError(_plain(str(error), names)) from None
    return ExperimentPanel(panel, names, left_out)


def _plain(message: str, names: dict[str, str]) -> str:
    for code, name in names.items():
        message = message.replace(code, name)
    return message


def unit_words(experiment: Experiment) -> str:
    unit = experiment.standard.unit
    return " percentage points" if unit == "%" else f" {unit}"


@transaction.atomic
def evaluate_experiment(experiment: Experiment, by: User | None = None) -> Evaluation:
    """Estimate the change's effect against its comparison areas and keep the result."""
    data = experiment_panel(experiment)
    estimate = evaluate.estimate(data.panel, experiment.method)
    verdict = evaluate.verdict(estimate, unit=unit_words(experiment))
    result = estimate.to_dict() | {"names": data.names, "left_out": data.left_out, "verdict": verdict}
    se = estimate.se if math.isfinite(estimate.se) else None
    evaluation = Evaluation.objects.create(
        experiment=experiment,
        method=experiment.method,
        effect=estimate.effect,
        se=se,
        low=estimate.interval[0] if se is not None else None,
        high=estimate.interval[1] if se is not None else None,
        verdict=verdict,
        comparisons=len(estimate.unit_weights),
        result=_finite(result),
        evaluated_by=by,
    )
    experiment.status = Experiment.Status.EVALUATED
    experiment.progress, experiment.evaluation_error = Experiment.Progress.IDLE, ""
    experiment.save(update_fields=["status", "progress", "evaluation_error"])
    return evaluation


def queue_evaluation(experiment: Experiment, by: User | None = None) -> None:
    """Check the panel can be built, then queue the evaluation for the task worker."""
    from .tasks import evaluate_queued  # the task module imports this one

    experiment_panel(experiment)  # a missing measurement is refused now, with nothing queued
    with transaction.atomic():
        locked = Experiment.objects.select_for_update().get(pk=experiment.pk)
        if locked.evaluation_pending:
            raise ExperimentError(
                f"{locked.title} is already being evaluated: refresh the page for the result"
            )
        locked.progress, locked.evaluation_error = Experiment.Progress.QUEUED, ""
        locked.progress_since = timezone.now()
        locked.save(update_fields=["progress", "evaluation_error", "progress_since"])
        user_id = by.pk if by is not None else None
        # Queue only once committed, so the worker never finds the experiment not yet queued.
        transaction.on_commit(lambda: evaluate_queued.enqueue(locked.pk, user_id))
    experiment.progress, experiment.evaluation_error = locked.progress, ""
    experiment.progress_since = locked.progress_since


def run_queued_evaluation(experiment_id: int, user_id: int | None) -> Evaluation | None:
    """The worker's side: evaluate, or record in plain words why the evaluation stopped."""
    queued = Experiment.objects.filter(pk=experiment_id)
    queued.update(progress=Experiment.Progress.RUNNING, progress_since=timezone.now())
    experiment = queued.select_related("area", "standard__service").get()
    try:
        return evaluate_experiment(experiment, User.objects.filter(pk=user_id).first())
    except ExperimentError as error:  # the measurements changed since it was queued
        queued.update(progress=Experiment.Progress.FAILED, evaluation_error=str(error))
        return None
    except Exception:
        queued.update(
            progress=Experiment.Progress.FAILED,
            evaluation_error="Something went wrong while evaluating. Try again; if it fails again, "
            "tell the Commonweal team.",
        )
        raise


def _finite(value):
    # JSON has no NaN: a missing standard error is stored as null.
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def adopt(experiment: Experiment, area: Area, starts: str, evaluate_after: str, by: User) -> Experiment:
    """Start a linked replication of `experiment` in another area."""
    original = experiment.original
    if family(original).filter(area=area).exists():
        raise ExperimentError(f"{area.name} is already trying {original.title}", "area")
    return Experiment.objects.create(
        area=area,
        standard=original.standard,
        title=original.title,
        what_changed=original.what_changed,
        hypothesis=original.hypothesis,
        starts=starts,
        evaluate_after=evaluate_after,
        comparison=original.comparison,
        method=original.method,
        adopted_from=original,
        created_by=by,
    )


def pooled(experiment: Experiment) -> tuple[evaluate.Pooled | None, list[Evaluation]]:
    """The random-effects pool of every evaluated replication of this innovation (two or more)."""
    latest = [e.latest for e in family(experiment).prefetch_related("evaluations")]
    usable = [e for e in latest if e is not None and e.se and e.se > 0]
    if len(usable) < 2:
        return None, usable
    return evaluate.pool_replications([e.effect for e in usable], [e.se for e in usable]), usable


@dataclass(frozen=True)
class Innovation:
    original: Experiment
    evaluations: list[Evaluation]
    pool: evaluate.Pooled | None


def what_works() -> dict[str, list[Innovation]]:
    """Evaluated innovations by service, each with its replications pooled."""
    originals = (
        Experiment.objects.filter(adopted_from=None)
        .select_related("area", "standard__service")
        .order_by("standard__service__name", "title")
    )
    library: dict[str, list[Innovation]] = {}
    for original in originals:
        pool, evaluations = pooled(original)
        if not evaluations:
            continue
        library.setdefault(original.service.name, []).append(Innovation(original, evaluations, pool))
    return library


# --- the innovation fund ---------------------------------------------------------------------


def fund_action(area: Area) -> Action:
    """Who runs a fund: the authority's officers for a local fund; national stewards above that,
    since no officer holds a role in a region or the nation."""
    return Action.MANAGE_AREA if area.kind == Area.Kind.AUTHORITY else Action.SET_STANDARDS


def parse_criteria(text: str) -> list[tuple[str, int]]:
    """Criteria written one a line as "Name: weight", the weights adding up to 100."""
    criteria = []
    for number, line in enumerate((line.strip() for line in text.splitlines() if line.strip()), start=1):
        name, _, weight = line.rpartition(":")
        if not name.strip() or not weight.strip().isdigit():
            raise ExperimentError(
                f"Write criterion {number} as a name, a colon and a weight, like 'Evidence of need: 30'",
                "criteria",
            )
        criteria.append((name.strip(), int(weight)))
    if not criteria:
        raise ExperimentError("Enter at least one criterion, like 'Evidence of need: 30'", "criteria")
    total = sum(w for _, w in criteria)
    if total != 100:
        raise ExperimentError(f"The weights must add up to 100; these add up to {total}", "criteria")
    return criteria


@dataclass(frozen=True)
class CriterionScore:
    criterion: Criterion
    scores: list[int]
    moderated: Moderation | None

    @property
    def final(self) -> float | None:
        if self.moderated is not None:
            return float(self.moderated.score)
        return sum(self.scores) / len(self.scores) if self.scores else None

    @property
    def needs_moderation(self) -> bool:
        spread = max(self.scores) - min(self.scores) if self.scores else 0
        return self.moderated is None and spread >= MODERATE_WHEN_APART

    @property
    def weighted(self) -> float:
        return 0.0 if self.final is None else self.final / 5 * self.criterion.weight


def score_breakdown(application: Application) -> list[CriterionScore]:
    scores: dict[int, list[int]] = {}
    for criterion_id, value in application.scores.values_list("criterion_id", "score"):
        scores.setdefault(criterion_id, []).append(value)
    moderations = {m.criterion_id: m for m in application.moderations.all()}
    return [
        CriterionScore(c, scores.get(c.pk, []), moderations.get(c.pk))
        for c in application.round.criteria.all()
    ]


def total_score(breakdown: list[CriterionScore]) -> float:
    """Out of 100: each criterion's score out of 5, times its weight."""
    return round(sum(row.weighted for row in breakdown), 1)


def record_scores(
    application: Application, panellist: User, scores: dict[Criterion, tuple[int, str]]
) -> None:
    if application.round.status != ChallengeRound.Status.SCORING:
        raise ExperimentError("This round is not being scored; close it for applications first")
    with transaction.atomic():
        for criterion, (value, comment) in scores.items():
            Score.objects.update_or_create(
                application=application,
                criterion=criterion,
                panellist=panellist,
                defaults={"score": value, "comment": comment},
            )


def moderate(application: Application, criterion: Criterion, score: int, reason: str, by: User) -> Moderation:
    if not application.scores.filter(criterion=criterion).exists():
        raise ExperimentError(f"No one has scored {criterion.name} yet", "criterion")
    moderation, _ = Moderation.objects.update_or_create(
        application=application,
        criterion=criterion,
        defaults={"score": score, "reason": reason, "moderator": by, "moderated_at": timezone.now()},
    )
    return moderation


@transaction.atomic
def publish_award(application: Application, kind: str, amount: int, by: User) -> Award:
    round_ = ChallengeRound.objects.select_for_update().get(pk=application.round_id)
    if hasattr(application, "award"):
        raise ExperimentError(f"{application.title} already has an award")
    breakdown = score_breakdown(application)
    waiting = [row.criterion.name for row in breakdown if row.needs_moderation or row.final is None]
    if waiting:
        raise ExperimentError(f"Score and moderate every criterion first: {', '.join(waiting)}")
    left = round_.pot - round_.awarded_total
    if amount > left:
        raise ExperimentError(f"Enter no more than the £{left:,} left in the pot", "amount")
    if kind == Award.Kind.PRIZE and application.experiment_id is None:
        raise ExperimentError(
            "A prize is paid on an evaluated result: link the application to an experiment", "kind"
        )
    return Award.objects.create(application=application, kind=kind, amount=amount, published_by=by)


def pay_prize(award: Award) -> Award:
    """Pay a prize once its experiment's latest evaluation shows the change worked."""
    if award.kind != Award.Kind.PRIZE:
        raise ExperimentError("Only a prize waits for an evaluated result; a grant is paid when awarded")
    if award.paid_at is not None:
        raise ExperimentError("This prize has already been paid")
    experiment = award.application.experiment
    latest = experiment.latest if experiment else None
    if latest is None:
        raise ExperimentError("The experiment has not been evaluated yet")
    if not latest.worked:
        raise ExperimentError("The evaluation does not show the change worked, so the prize is not paid")
    award.paid_at = timezone.now()
    award.save(update_fields=["paid_at"])
    return award
