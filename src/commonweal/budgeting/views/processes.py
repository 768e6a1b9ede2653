"""Listing, creating and following a process through its phases."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from commonweal.places.models import Area
from commonweal.places.permissions import Action, allowed, require

from ..forms import ProcessForm
from ..models import Process, Proposal, VoterRoll
from ..services import PhaseError, advance_phase, next_phase
from .common import get_process


def process_list(request: HttpRequest, code: str) -> HttpResponse:
    area = get_object_or_404(Area.objects.select_related("parent"), code=code)
    require(request.user, Action.VIEW, area)
    processes = Process.objects.filter(Q(area=area) | Q(area__parent=area)).select_related("area")
    context = {
        "area": area,
        "processes": processes.order_by("area__name", "-pk"),
        "can_manage": allowed(request.user, Action.MANAGE_AREA, area),
    }
    return render(request, "budgeting/process_list.html", context)


@login_required
def process_new(request: HttpRequest, code: str) -> HttpResponse:
    area = get_object_or_404(Area.objects.select_related("parent"), code=code)
    require(request.user, Action.MANAGE_AREA, area)
    form = ProcessForm(request.POST or None, area=area)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.instance.area = area
            process = form.save()
        messages.success(request, f"{process.title} is open for proposals.")
        return redirect("budgeting:process", code=area.code, slug=process.slug)
    return render(request, "budgeting/process_new.html", {"area": area, "form": form})


def timeline(process: Process) -> list[dict]:
    """Each phase with its dates and whether it is done, happening now or still to come."""
    dates = {
        Process.Phase.PROPOSALS: f"until {process.proposals_close:%-d %B %Y}"
        if process.proposals_close else "",
        Process.Phase.VOTING: " to ".join(
            f"{d:%-d %B %Y}" for d in (process.voting_opens, process.voting_closes) if d
        ),
        Process.Phase.PUBLISHED: f"{process.counted_at:%-d %B %Y}" if process.counted_at else "",
    }
    phases = list(Process.Phase)
    now = phases.index(Process.Phase(process.phase))
    return [
        {"label": phase.label, "dates": dates.get(phase, ""),
         "state": "done" if i < now else "now" if i == now else "later"}
        for i, phase in enumerate(phases)
    ]


def process_detail(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    process = get_process(code, slug)
    require(request.user, Action.VIEW, process.area)
    return render(request, "budgeting/process_detail.html", detail_context(request, process))


def detail_context(request: HttpRequest, process: Process) -> dict:
    user = request.user
    feasible = process.proposals.filter(status=Proposal.Status.FEASIBLE)
    feasible = feasible.select_related("neighbourhood", "service")
    fenced = set(process.ring_fenced_services.values_list("pk", flat=True))
    context = {
        "process": process,
        "area": process.area,
        "timeline": timeline(process),
        "proposals": feasible,
        "fenced": fenced,
        "ring_fenced_services": process.ring_fenced_services.all(),
        "can_participate": allowed(user, Action.PARTICIPATE, process.area),
        "can_manage": allowed(user, Action.MANAGE_AREA, process.area),
        "next_phase": next_phase(process),
        "mine": process.proposals.filter(proposer=user) if user.is_authenticated else [],
        "voted": user.is_authenticated and VoterRoll.objects.filter(process=process, voter=user).first(),
        "waiting": process.proposals.filter(status=Proposal.Status.SUBMITTED).count(),
    }
    return context


@login_required
@require_POST
def process_phase(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    process = get_process(code, slug)
    require(request.user, Action.MANAGE_AREA, process.area)
    try:
        phase = advance_phase(process)
    except PhaseError as error:
        context = detail_context(request, process) | {"phase_error": str(error)}
        return render(request, "budgeting/process_detail.html", context, status=409)
    if phase == Process.Phase.COUNTING:
        messages.success(request, "Counting has started. The results are published when the count ends.")
    else:
        messages.success(request, f"{process.title} has moved to: {phase.label}.")
    return redirect("budgeting:process", code=code, slug=slug)
