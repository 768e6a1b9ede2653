"""The published result, the ballots file anyone can recount, and looking up a receipt."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from commonweal.places.permissions import Action, require

from ..forms import ReceiptForm
from ..models import Process
from ..report import result, turnout
from .common import get_process


def published(code: str, slug: str) -> Process:
    process = get_process(code, slug)
    if process.phase != Process.Phase.PUBLISHED or not process.ballots_sha256:
        raise Http404("The results of this budget have not been published yet")
    return process


def results(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    process = published(code, slug)
    require(request.user, Action.VIEW, process.area)
    by_place, by_decile = turnout(process)
    context = {
        "process": process, "result": result(process), "turnout": by_place, "deciles": by_decile,
        "receipt_form": ReceiptForm(process=process),
    }
    return render(request, "budgeting/results.html", context)


def ballots_download(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    process = published(code, slug)
    require(request.user, Action.VIEW, process.area)
    response = HttpResponse(bytes(process.ballots_pb), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{process.slug}.pb"'
    return response


def receipt_lookup(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    process = published(code, slug)
    require(request.user, Action.VIEW, process.area)
    form = ReceiptForm(request.GET or None, process=process)
    ballot = form.cleaned_data["code"] if form.is_valid() else None
    choices = ballot.choices.select_related("proposal").order_by("points", "proposal__code") if ballot else []
    context = {"process": process, "form": form, "ballot": ballot, "choices": choices}
    return render(request, "budgeting/receipt_lookup.html", context, status=404 if form.errors else 200)
