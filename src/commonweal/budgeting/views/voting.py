"""Casting and changing a ballot online, its receipt, and officers entering paper ballots.

The receipt code is the only thing that leads back to a ballot, so it is kept in one place only:
a signed cookie in the voter's own browser. Never in the session or anywhere tied to the
person on the server, where it would join the voter to their ballot.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from commonweal.places.permissions import Action, require

from ..ballots import BallotError, cast_online, change_online, enter_paper_batch
from ..forms import BallotForm, IssuePaperForm, PaperBatchForm, chosen_from_data
from ..models import Ballot, Process
from ..services import issue_paper_ballot, resident_by_email
from .common import get_process

COOKIE_SALT = "commonweal.budgeting.receipt"
COOKIE_AGE = 60 * 60 * 24 * 120  # long enough to outlast a voting period


def cookie_name(process: Process) -> str:
    return f"ballot-{process.pk}"


def kept_receipt(request: HttpRequest, process: Process) -> str | None:
    """The receipt code this browser holds for the process, if its signature is good."""
    try:
        return request.get_signed_cookie(cookie_name(process), default=None, salt=COOKIE_SALT)
    except signing.BadSignature:
        return None


def keep_receipt(request: HttpRequest, response: HttpResponse, process: Process, code: str) -> None:
    response.set_signed_cookie(
        cookie_name(process), code, salt=COOKIE_SALT, max_age=COOKIE_AGE, httponly=True, samesite="Lax",
        secure=request.is_secure(),
    )


def held_ballot(request: HttpRequest, process: Process) -> Ballot | None:
    code = kept_receipt(request, process)
    return process.ballots.filter(receipt_code=code, channel=Ballot.Channel.ONLINE).first() if code else None


def spending(process: Process, form: BallotForm, chosen: set[int]) -> dict:
    """What a knapsack ballot's choices cost and what remains of the budget."""
    spent = sum(p.cost for p in form.proposals if p.pk in chosen)
    return {"spent": spent, "left": process.budget - spent, "over": max(spent - process.budget, 0)}


@login_required
def vote(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    process = get_process(code, slug, voter=request.user)
    # The role that lets a resident vote is their verified home neighbourhood's: where the ballot counts.
    neighbourhood = require(request.user, Action.PARTICIPATE, process.area).area
    if process.phase != Process.Phase.VOTING:
        return render(request, "budgeting/vote_closed.html", {"process": process}, status=409)
    voted = process.voter_channel is not None
    if process.voter_channel == Ballot.Channel.PAPER:
        context = {"process": process, "on_paper": True}
        return render(request, "budgeting/vote_closed.html", context, status=409)
    held = held_ballot(request, process) if voted else None
    ask_receipt = voted and held is None
    form = BallotForm(request.POST or None, process=process, ask_receipt=ask_receipt, initial=_initial(held))
    if request.method == "POST" and form.is_valid():
        try:
            if not voted:
                ballot = cast_online(
                    process, request.user, form.choices(),
                    proposals=form.proposals, neighbourhood=neighbourhood,
                )
            else:
                receipt_code = held.receipt_code if held else form.cleaned_data["receipt_code"]
                ballot = change_online(
                    process, request.user, receipt_code, form.choices(), proposals=form.proposals
                )
        except BallotError as error:
            field = "receipt_code" if ask_receipt and "receipt code" in str(error) else form.first_field
            form.add_error(field or None, str(error))
        else:
            messages.success(request, f"Your ballot has been {'changed' if voted else 'cast'}.")
            response = redirect("budgeting:receipt", code=code, slug=slug)
            keep_receipt(request, response, process, ballot.receipt_code)
            return response
    chosen = chosen_from_data(form) if form.is_bound else set(_initial(held).get("project", []))
    context = {
        "process": process, "form": form.for_display(), "changing": voted, "chosen": chosen,
        "money": spending(process, form, chosen),
    }
    return render(request, "budgeting/vote.html", context, status=400 if form.errors else 200)


def _initial(held: Ballot | None) -> dict:
    """A held ballot's choices, to start a change from what the voter chose before."""
    if held is None:
        return {}
    rows = held.choices.values_list("proposal_id", "points")
    return {"project": [pk for pk, _ in rows], **{f"points-{pk}": points for pk, points in rows}}


@login_required
@require_POST
def remaining(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    """The htmx fragment under a knapsack ballot: what the ticked projects cost, what is left."""
    process = get_process(code, slug)
    require(request.user, Action.PARTICIPATE, process.area)
    form = BallotForm(request.POST, process=process)
    context = {"process": process, "money": spending(process, form, chosen_from_data(form))}
    return render(request, "budgeting/remaining.html", context)


def receipt(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    process = get_process(code, slug)
    require(request.user, Action.VIEW, process.area)
    ballot = held_ballot(request, process)
    choices = ballot.choices.select_related("proposal").order_by("points", "proposal__code") if ballot else []
    context = {"process": process, "ballot": ballot, "choices": choices}
    return render(request, "budgeting/receipt.html", context)


@login_required
def paper_batch(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    process = get_process(code, slug)
    require(request.user, Action.MANAGE_AREA, process.area)
    if process.phase != Process.Phase.VOTING:
        return render(request, "budgeting/paper_closed.html", {"process": process}, status=409)
    form = PaperBatchForm(request.POST or None, process=process)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = enter_paper_batch(
                process, request.user, data["label"], data["tally_total"], data["ballots"]
            )
        except BallotError as error:
            form.add_error("ballots", str(error))
        else:
            messages.success(request, f"Batch {batch.label}: {data['tally_total']} paper ballots entered.")
            return redirect("budgeting:paper", code=code, slug=slug)
    context = {"process": process, "form": form, "batches": process.paper_batches.order_by("-entered_at")}
    return render(request, "budgeting/paper.html", context, status=400 if form.errors else 200)


@login_required
def issue_paper(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    process = get_process(code, slug)
    require(request.user, Action.MANAGE_AREA, process.area)
    if process.phase != Process.Phase.VOTING:
        return render(request, "budgeting/paper_closed.html", {"process": process}, status=409)
    form = IssuePaperForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        voter = resident_by_email(process, form.cleaned_data["email"])
        if voter is None:
            form.add_error("email", f"No verified resident of {process.area.name} has that email address")
        else:
            try:
                issue_paper_ballot(process, voter)
            except BallotError as error:
                form.add_error("email", str(error))
            else:
                messages.success(request, f"{voter.full_name} is marked on the roll: give them a paper.")
                return redirect("budgeting:issue-paper", code=code, slug=slug)
    return render(request, "budgeting/issue_paper.html", {"process": process, "form": form},
                  status=400 if form.errors else 200)
