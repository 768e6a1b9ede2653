"""Experiment register and pages, the what-works library, and the innovation fund's pages."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from commonweal.places.models import Area, Role, Service
from commonweal.places.permissions import Action, allowed, require

from . import services
from .charts import comparison_chart
from .forms import AdoptForm, ApplicationForm, AwardForm, ExperimentForm, ModerationForm, RoundForm, ScoreForm
from .models import EVALUATION_STALLS_AFTER, Application, Award, ChallengeRound, Criterion, Experiment, Fund
from .services import ExperimentError


def show_refusal(form, error: ExperimentError) -> None:
    form.add_error(error.field if error.field in form.fields else None, str(error))


def managed_authorities(user) -> list[Area]:
    """The authorities this person may act for as an officer."""
    if not user.is_authenticated:
        return []
    areas = Area.objects.filter(
        kind=Area.Kind.AUTHORITY, roles__user=user, roles__kind=Role.Kind.OFFICER
    ).distinct()
    return [a for a in areas if allowed(user, Action.MANAGE_AREA, a)]


def applying_authorities(user) -> list[Area]:
    """Authorities this person may apply for: as an officer for the council, or as a verified
    resident for an organisation working where they live."""
    roles = user.roles.select_related("area__parent__parent__parent")
    areas = {r.area.authority() for r in roles if r.area.authority() is not None}
    return sorted(
        (a for a in areas if allowed(user, Action.MANAGE_AREA, a) or allowed(user, Action.PARTICIPATE, a)),
        key=lambda a: a.name,
    )


# --- experiments -------------------------------------------------------------------------------


def register(request: HttpRequest) -> HttpResponse:
    experiments = Experiment.objects.select_related("area", "standard__service").prefetch_related(
        "evaluations"
    )
    service = request.GET.get("service", "")
    if service:
        experiments = experiments.filter(standard__service__slug=service)
    area = Area.objects.filter(code=request.GET.get("area", "")).first()
    if area is not None:
        experiments = experiments.filter(area=area)
    context = {
        "experiments": experiments,
        "services": Service.objects.filter(standard__experiments__isnull=False).distinct(),
        "chosen": service,
        "area": area,
        "my_areas": managed_authorities(request.user),
    }
    return render(request, "experiments/register.html", context)


def get_experiment(pk: int) -> Experiment:
    queryset = Experiment.objects.select_related("area__parent", "standard__service", "adopted_from__area")
    return get_object_or_404(queryset, pk=pk)


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    experiment = get_experiment(pk)
    require(request.user, Action.VIEW, experiment.area)
    evaluation = experiment.latest
    context = {
        "experiment": experiment,
        "evaluation": evaluation,
        "can_manage": allowed(request.user, Action.MANAGE_AREA, experiment.area),
        "can_adopt": any(a.pk != experiment.area_id for a in managed_authorities(request.user)),
        "replications": services.family(experiment).exclude(pk=experiment.pk).select_related("area"),
        "stalls_after_minutes": int(EVALUATION_STALLS_AFTER.total_seconds() // 60),
    }
    context["pool"], _ = services.pooled(experiment)
    if evaluation is not None:
        result = evaluation.result
        names = result["names"]
        periods = result["periods"]
        start = result["first_treated_period"]
        context["rows"] = [
            {"period": p, "area": a, "comparison": c, "gap": a - c, "after": p >= start}
            for p, a, c in zip(periods, result["treated_path"], result["comparison_path"], strict=True)
        ]
        context["weights"] = sorted(
            ((names.get(code, code), w) for code, w in result["unit_weights"].items() if w > 0.0005),
            key=lambda item: -item[1],
        )
        context["time_weights"] = [(p, w) for p, w in result["time_weights"].items() if w > 0.0005]
        context["chart"] = comparison_chart(
            periods,
            result["treated_path"],
            result["comparison_path"],
            start,
            experiment.area.name,
            experiment.standard.unit,
        )
        context["left_out"] = result.get("left_out", [])
    return render(request, "experiments/detail.html", context)


def panel_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The panel an evaluation uses, in the form `commonweal experiments evaluate` reads."""
    experiment = get_experiment(pk)
    require(request.user, Action.VIEW, experiment.area)
    try:
        data = services.experiment_panel(experiment)
    except ExperimentError as error:
        return HttpResponse(str(error), status=404, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="experiment-{pk}-panel.csv"'
    writer = csv.writer(response)
    writer.writerow(["area_code", "area", "period", "value", "treated"])
    panel = data.panel
    for i, code in enumerate(panel.units):
        for t, period in enumerate(panel.periods):
            writer.writerow(
                [code, data.names[code], period, repr(float(panel.values[i, t])), int(panel.treated[i, t])]
            )
    return response


@login_required
def new(request: HttpRequest, code: str) -> HttpResponse:
    area = get_object_or_404(Area, code=code, kind=Area.Kind.AUTHORITY)
    require(request.user, Action.MANAGE_AREA, area)
    form = ExperimentForm(request.POST or None, area=area)
    if request.method == "POST" and form.is_valid():
        experiment = form.save(commit=False)
        experiment.area, experiment.created_by = area, request.user
        experiment.save()
        messages.success(request, f"{experiment.title} is on the public register.")
        return redirect("experiments:detail", pk=experiment.pk)
    return render(request, "experiments/new.html", {"area": area, "form": form})


@login_required
@require_POST
def run_evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    experiment = get_experiment(pk)
    require(request.user, Action.MANAGE_AREA, experiment.area)
    try:
        services.queue_evaluation(experiment, request.user)
    except ExperimentError as error:
        messages.error(request, str(error))
    return redirect("experiments:detail", pk=pk)


@login_required
def adopt(request: HttpRequest, pk: int) -> HttpResponse:
    experiment = get_experiment(pk)
    areas = [a for a in managed_authorities(request.user) if a.pk != experiment.area_id]
    if not areas:
        require(request.user, Action.MANAGE_AREA, experiment.area)  # refuses: nowhere to adopt it
    choices = Area.objects.filter(pk__in=[a.pk for a in areas])
    form = AdoptForm(request.POST or None, areas=choices, standard=experiment.standard)
    if request.method == "POST" and form.is_valid():
        area = form.cleaned_data["area"]
        require(request.user, Action.MANAGE_AREA, area)
        try:
            replication = services.adopt(
                experiment,
                area,
                form.cleaned_data["starts"],
                form.cleaned_data["evaluate_after"],
                request.user,
            )
        except ExperimentError as error:
            show_refusal(form, error)
        else:
            messages.success(request, f"{area.name} is trying {replication.title}, linked as a replication.")
            return redirect("experiments:detail", pk=replication.pk)
    return render(request, "experiments/adopt.html", {"experiment": experiment, "form": form})


def library(request: HttpRequest) -> HttpResponse:
    return render(request, "experiments/library.html", {"library": services.what_works()})


# --- the innovation fund ---------------------------------------------------------------------


def fund_list(request: HttpRequest) -> HttpResponse:
    funds = Fund.objects.select_related("area").prefetch_related("rounds")
    return render(request, "experiments/fund_list.html", {"funds": funds})


def fund_detail(request: HttpRequest, pk: int) -> HttpResponse:
    fund = get_object_or_404(Fund.objects.select_related("area"), pk=pk)
    require(request.user, Action.VIEW, fund.area)
    context = {
        "fund": fund,
        "rounds": fund.rounds.all(),
        "can_run": allowed(request.user, services.fund_action(fund.area), fund.area),
    }
    return render(request, "experiments/fund_detail.html", context)


@login_required
def round_new(request: HttpRequest, pk: int) -> HttpResponse:
    fund = get_object_or_404(Fund.objects.select_related("area"), pk=pk)
    require(request.user, services.fund_action(fund.area), fund.area)
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        round_ = form.save(commit=False)
        round_.fund = fund
        round_.save()
        Criterion.objects.bulk_create(
            Criterion(round=round_, name=name, weight=weight)
            for name, weight in form.cleaned_data["criteria"]
        )
        messages.success(request, f"{round_.title} is open for applications.")
        return redirect("experiments:round", pk=round_.pk)
    return render(request, "experiments/round_new.html", {"fund": fund, "form": form})


def get_round(pk: int) -> ChallengeRound:
    return get_object_or_404(ChallengeRound.objects.select_related("fund__area"), pk=pk)


def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_round(pk)
    require(request.user, Action.VIEW, round_.area)
    awards = Award.objects.filter(application__round=round_).select_related(
        "application__area", "application__experiment"
    )
    can_run = allowed(request.user, services.fund_action(round_.area), round_.area)
    context = {
        "round": round_,
        "criteria": round_.criteria.all(),
        "awards": [(award, services.score_breakdown(award.application)) for award in awards],
        "can_run": can_run,
        "applications": round_.applications.select_related("area") if can_run else None,
        "can_apply": request.user.is_authenticated and round_.status == ChallengeRound.Status.OPEN,
    }
    return render(request, "experiments/round_detail.html", context)


@login_required
@require_POST
def round_status(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_round(pk)
    require(request.user, services.fund_action(round_.area), round_.area)
    if round_.status == ChallengeRound.Status.OPEN:
        round_.status = ChallengeRound.Status.SCORING
        messages.success(request, f"{round_.title} is closed for applications and ready to score.")
    elif round_.status == ChallengeRound.Status.SCORING:
        round_.status = ChallengeRound.Status.AWARDED
        messages.success(request, f"{round_.title} is awarded.")
    round_.save(update_fields=["status"])
    return redirect("experiments:round", pk=pk)


@login_required
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_round(pk)
    areas = [a for a in applying_authorities(request.user) if a.is_within(round_.area)]
    if not areas:
        require(request.user, Action.PARTICIPATE, round_.area)
    if round_.status != ChallengeRound.Status.OPEN:
        messages.error(request, f"{round_.title} is closed for applications.")
        return redirect("experiments:round", pk=pk)
    choices = Area.objects.filter(pk__in=[a.pk for a in areas])
    form = ApplicationForm(request.POST or None, round_=round_, areas=choices)
    if request.method == "POST" and form.is_valid():
        application = form.save(commit=False)
        application.round, application.applicant = round_, request.user
        application.save()
        messages.success(request, f"Your application, {application.title}, is sent to the panel.")
        return redirect("experiments:round", pk=pk)
    return render(request, "experiments/apply.html", {"round": round_, "form": form})


def get_application(pk: int) -> Application:
    queryset = Application.objects.select_related("round__fund__area", "area", "experiment")
    return get_object_or_404(queryset, pk=pk)


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The panel's page for one application: score it, moderate it, award it."""
    application = get_application(pk)
    area = application.round.area
    require(request.user, services.fund_action(area), area)
    criteria = list(application.round.criteria.all())
    score_form = ScoreForm(prefix="score", criteria=criteria)
    moderation_form = ModerationForm(prefix="moderate", criteria=application.round.criteria.all())
    award_form = AwardForm(prefix="award")
    form = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "score":
                form = score_form = ScoreForm(request.POST, prefix="score", criteria=criteria)
                if form.is_valid():
                    services.record_scores(application, request.user, form.scores())
                    messages.success(request, f"Your scores for {application.title} are saved.")
                    return redirect("experiments:application", pk=pk)
            elif action == "moderate":
                form = moderation_form = ModerationForm(
                    request.POST, prefix="moderate", criteria=application.round.criteria.all()
                )
                if form.is_valid():
                    data = form.cleaned_data
                    services.moderate(
                        application, data["criterion"], data["score"], data["reason"], request.user
                    )
                    messages.success(request, f"The agreed score for {data['criterion'].name} is saved.")
                    return redirect("experiments:application", pk=pk)
            elif action == "award":
                form = award_form = AwardForm(request.POST, prefix="award")
                if form.is_valid():
                    award = services.publish_award(
                        application, form.cleaned_data["kind"], form.cleaned_data["amount"], request.user
                    )
                    messages.success(request, f"{award} is published.")
                    return redirect("experiments:round", pk=application.round_id)
        except ExperimentError as error:
            show_refusal(form, error)
    breakdown = services.score_breakdown(application)
    context = {
        "application": application,
        "breakdown": breakdown,
        "total": services.total_score(breakdown),
        "score_form": score_form,
        "moderation_form": moderation_form,
        "award_form": award_form,
        "form": form,  # the form just sent, so its errors lead the page
    }
    return render(request, "experiments/application.html", context)


@login_required
@require_POST
def pay(request: HttpRequest, pk: int) -> HttpResponse:
    award = get_object_or_404(Award.objects.select_related("application__round__fund__area"), pk=pk)
    area = award.application.round.area
    require(request.user, services.fund_action(area), area)
    try:
        services.pay_prize(award)
    except ExperimentError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"The prize of £{award.amount:,} to {award.application.organisation} is paid."
        )
    return redirect("experiments:round", pk=award.application.round_id)
