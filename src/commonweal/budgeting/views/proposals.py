"""Proposing a project one question at a time, and officers reviewing proposals."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from commonweal.places.models import Service
from commonweal.places.permissions import Action, require

from ..forms import CostForm, IdeaForm, PlaceForm, ReviewForm
from ..models import Process, Proposal
from ..services import PhaseError, neighbourhoods_of, review_proposal, submit_proposal
from .common import get_process

# The question pages in order: (url name, the answers each one stores).
STEPS = [("propose", ("title", "description")), ("propose-place", ("neighbourhood", "service")),
         ("propose-cost", ("estimated_cost",))]


def answers_key(process: Process) -> str:
    return f"proposal-{process.pk}"


def proposing(request: HttpRequest, code: str, slug: str) -> tuple[Process, dict]:
    """The process a verified resident is proposing in, with their answers so far."""
    process = get_process(code, slug)
    require(request.user, Action.PARTICIPATE, process.area)
    return process, request.session.get(answers_key(process), {})


def closed(request: HttpRequest, process: Process) -> HttpResponse:
    return render(request, "budgeting/propose_closed.html", {"process": process}, status=409)


def next_step(request: HttpRequest, process: Process, answers: dict) -> HttpResponse:
    """The first question not yet answered, or the check page (always, when changing an answer)."""
    if request.GET.get("change") != "1":
        for name, keys in STEPS:
            if any(key not in answers for key in keys):
                return redirect(f"budgeting:{name}", code=process.area.code, slug=process.slug)
    return redirect("budgeting:propose-check", code=process.area.code, slug=process.slug)


def question(request: HttpRequest, code: str, slug: str, form_class, template: str, **form_kwargs):
    process, answers = proposing(request, code, slug)
    if process.phase != Process.Phase.PROPOSALS:
        return closed(request, process)
    if form_kwargs.pop("needs_process", False):
        form_kwargs["process"] = process
    form = form_class(request.POST or None, initial=answers, **form_kwargs)
    if request.method == "POST" and form.is_valid():
        for key, value in form.cleaned_data.items():
            answers[key] = value.pk if hasattr(value, "pk") else value
        request.session[answers_key(process)] = answers
        return next_step(request, process, answers)
    context = {"process": process, "form": form, "changing": request.GET.get("change") == "1"}
    return render(request, template, context)


@login_required
def propose_idea(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    return question(request, code, slug, IdeaForm, "budgeting/propose_idea.html")


@login_required
def propose_place(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    return question(request, code, slug, PlaceForm, "budgeting/propose_place.html", needs_process=True)


@login_required
def propose_cost(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    return question(request, code, slug, CostForm, "budgeting/propose_cost.html", needs_process=True)


@login_required
def propose_check(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    process, answers = proposing(request, code, slug)
    if process.phase != Process.Phase.PROPOSALS:
        return closed(request, process)
    if any(key not in answers for _, keys in STEPS for key in keys):
        return next_step(request, process, answers)
    neighbourhood = neighbourhoods_of(process).filter(pk=answers["neighbourhood"]).first()
    service = Service.objects.filter(pk=answers["service"]).first() if answers["service"] else None
    if neighbourhood is None:
        answers.pop("neighbourhood")
        request.session[answers_key(process)] = answers
        return next_step(request, process, answers)
    if request.method == "POST":
        try:
            proposal = submit_proposal(
                process, request.user, answers["title"], answers["description"], neighbourhood, service,
                answers["estimated_cost"],
            )
        except PhaseError:
            return closed(request, process)
        del request.session[answers_key(process)]
        request.session[f"proposed-{process.pk}"] = proposal.code
        return redirect("budgeting:propose-done", code=code, slug=slug)
    context = {"process": process, "answers": answers, "neighbourhood": neighbourhood, "service": service}
    return render(request, "budgeting/propose_check.html", context)


@login_required
def propose_done(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    process = get_process(code, slug)
    require(request.user, Action.PARTICIPATE, process.area)
    proposal = get_object_or_404(
        process.proposals, code=request.session.get(f"proposed-{process.pk}", ""), proposer=request.user
    )
    return render(request, "budgeting/propose_done.html", {"process": process, "proposal": proposal})


@login_required
def review_list(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    process = get_process(code, slug)
    require(request.user, Action.MANAGE_AREA, process.area)
    proposals = process.proposals.select_related("neighbourhood", "service", "proposer")
    return render(request, "budgeting/review_list.html", {"process": process, "proposals": proposals})


@login_required
def review(request: HttpRequest, code: str, slug: str, proposal: str) -> HttpResponse:
    process = get_process(code, slug)
    require(request.user, Action.MANAGE_AREA, process.area)
    item = get_object_or_404(process.proposals.select_related("neighbourhood", "service"), code=proposal)
    initial = {}
    if item.status != Proposal.Status.SUBMITTED:
        initial = {"feasible": "yes" if item.status == Proposal.Status.FEASIBLE else "no",
                   "reason": item.review_reason, "final_cost": item.final_cost or ""}
    form = ReviewForm(request.POST or None, initial=initial)
    open_for_review = process.phase in (Process.Phase.PROPOSALS, Process.Phase.REVIEW)
    if request.method == "POST" and open_for_review and form.is_valid():
        data = form.cleaned_data
        review_proposal(item, request.user, data["feasible"], data["reason"].strip(), data["final_cost"])
        messages.success(request, f"{item.code} {item.title} is marked {item.get_status_display().lower()}.")
        return redirect("budgeting:review-list", code=code, slug=slug)
    context = {"process": process, "proposal": item, "form": form, "open_for_review": open_for_review}
    return render(request, "budgeting/review.html", context, status=200 if open_for_review else 409)
