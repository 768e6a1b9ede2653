"""Co-production pages: activities, logging and confirming time, statements, offers, dashboards."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from commonweal.places.models import Area, Service
from commonweal.places.permissions import Action, allowed, require

from . import services
from .charts import monthly_bars
from .forms import (
    ActivityForm,
    DecisionForm,
    GiveForm,
    GrantForm,
    LogTimeForm,
    ReverseForm,
    SpendForm,
    VoucherForm,
)
from .ledger import AccountKind, format_credits
from .models import Account, Activity, Membership, Offer, Partner, TimeEntry, Transaction
from .services import CoproductionError

VOUCHERS_PER_PAGE = 50


def get_authority(code: str) -> Area:
    return get_object_or_404(Area.objects.select_related("parent"), code=code, kind=Area.Kind.AUTHORITY)


def get_activity(authority: Area, pk: int) -> Activity:
    activities = services.activities_in(authority).select_related("area", "service", "organiser")
    return get_object_or_404(activities, pk=pk)


def show_refusal(form, error: CoproductionError) -> None:
    form.add_error(error.field if error.field in form.fields else None, str(error))


def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    authority = get_authority(code)
    require(request.user, Action.VIEW, authority)
    context = {
        "area": authority,
        "summaries": services.service_summaries(authority),
        "people": services.people_involved(authority),
        "months": services.hours_by_month(authority),
        "activities": services.activities_in(authority).select_related("service", "area"),
        "books": services.check_books(authority),
        "can_manage": allowed(request.user, Action.MANAGE_AREA, authority),
        "can_participate": allowed(request.user, Action.PARTICIPATE, authority),
        "partners": services.partners_for(request.user, authority),
    }
    context["chart"] = monthly_bars(context["months"], f"Hours co-produced each month in {authority.name}")
    return render(request, "coproduction/dashboard.html", context)


def service_dashboard(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    authority = get_authority(code)
    require(request.user, Action.VIEW, authority)
    service = get_object_or_404(Service, slug=slug)
    months = services.hours_by_month(authority, service)
    summary = next(iter(services.service_summaries(authority, service)), None)
    context = {
        "area": authority,
        "service": service,
        "summary": summary,
        "months": months,
        "people": services.people_involved(authority, service),
        "activities": services.activities_in(authority).filter(service=service).select_related("area"),
        "chart": monthly_bars(months, f"Hours co-produced each month in {service.name}, {authority.name}"),
    }
    return render(request, "coproduction/service_dashboard.html", context)


@login_required
def activity_new(request: HttpRequest, code: str) -> HttpResponse:
    authority = get_authority(code)
    require(request.user, Action.MANAGE_AREA, authority)
    form = ActivityForm(request.POST or None, authority=authority)
    if request.method == "POST" and form.is_valid():
        activity = form.save(commit=False)
        activity.organiser = form.cleaned_data["organiser_email"]
        activity.save()
        messages.success(request, f"{activity.title} is published.")
        return redirect("coproduction:activity", code=code, pk=activity.pk)
    return render(request, "coproduction/activity_new.html", {"area": authority, "form": form})


def activity_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    authority = get_authority(code)
    activity = get_activity(authority, pk)
    require(request.user, Action.VIEW, activity.area)
    user = request.user
    context = {
        "area": authority,
        "activity": activity,
        "members": activity.memberships.count(),
        "joined": user.is_authenticated
        and Membership.objects.filter(activity=activity, member=user).exists(),
        "can_join": allowed(user, Action.PARTICIPATE, activity.area),
        "can_confirm": user.is_authenticated and services.may_confirm(user, activity),
    }
    return render(request, "coproduction/activity_detail.html", context)


@login_required
@require_POST
def activity_join(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    authority = get_authority(code)
    activity = get_activity(authority, pk)
    require(request.user, Action.PARTICIPATE, activity.area)
    services.join(activity, request.user)
    messages.success(request, f"You have joined {activity.title}.")
    return redirect("coproduction:activity", code=code, pk=pk)


@login_required
def log_time(request: HttpRequest, code: str) -> HttpResponse:
    authority = get_authority(code)
    require(request.user, Action.PARTICIPATE, authority)
    activities = services.activities_in(authority).order_by("title")
    initial = {"activity": request.GET.get("activity")}
    form = LogTimeForm(request.POST or None, activities=activities, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            require(request.user, Action.PARTICIPATE, data["activity"].area)
            entry = services.log_time(
                data["activity"], request.user, data["hours"], data["given_on"], data["note"], data["key"]
            )
        except CoproductionError as error:
            show_refusal(form, error)
        else:
            messages.success(
                request,
                f"You logged {entry.hours_text} at {entry.activity.title}. The organiser will confirm it.",
            )
            return redirect("coproduction:statement", code=code)
    return render(request, "coproduction/log_time.html", {"area": authority, "form": form})


@login_required
def confirmations(request: HttpRequest, code: str) -> HttpResponse:
    authority = get_authority(code)
    if not allowed(request.user, Action.MANAGE_AREA, authority):
        require(request.user, Action.PARTICIPATE, authority)
    entries = services.confirmation_queue(request.user, authority)
    return render(request, "coproduction/confirmations.html", {"area": authority, "entries": entries})


@login_required
def decide(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    authority = get_authority(code)
    entry = get_object_or_404(
        TimeEntry.objects.select_related("activity", "activity__area", "activity__service", "member").filter(
            activity__in=services.activities_in(authority)
        ),
        pk=pk,
    )
    require(request.user, Action.VIEW, entry.activity.area)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == "confirm":
                entry = services.confirm_time(entry, request.user)
                credits = format_credits(entry.credit.postings.get(amount__gt=0).amount)
                messages.success(
                    request,
                    f"Confirmed: {entry.member.full_name} has {credits} for "
                    f"{entry.hours_text} at {entry.activity.title}.",
                )
            else:
                services.decline_time(entry, request.user, form.cleaned_data["reason"])
                messages.success(
                    request, f"Declined {entry.member.full_name}'s time at {entry.activity.title}."
                )
        except CoproductionError as error:
            show_refusal(form, error)
        else:
            return redirect("coproduction:confirmations", code=code)
    elif not services.may_confirm(request.user, entry.activity):
        require(request.user, Action.MANAGE_AREA, authority)
    return render(request, "coproduction/decide.html", {"area": authority, "entry": entry, "form": form})


@login_required
def statement(request: HttpRequest, code: str) -> HttpResponse:
    authority = get_authority(code)
    require(request.user, Action.PARTICIPATE, authority)
    lines = services.statement(request.user, authority)
    pending = (
        TimeEntry.objects.filter(member=request.user, activity__in=services.activities_in(authority))
        .exclude(status=TimeEntry.Status.CONFIRMED)
        .select_related("activity")
    )
    context = {
        "area": authority,
        "lines": lines[::-1],
        "balance": format_credits(lines[-1].balance if lines else 0),
        "entries": pending,
        "activities": Activity.objects.filter(memberships__member=request.user).filter(
            pk__in=services.activities_in(authority)
        ),
    }
    return render(request, "coproduction/statement.html", context)


@login_required
def statement_csv(request: HttpRequest, code: str) -> HttpResponse:
    authority = get_authority(code)
    require(request.user, Action.PARTICIPATE, authority)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="time-credits-{authority.code}.csv"'
    writer = csv.writer(response)
    writer.writerow(["date", "description", "credits", "balance", "reference"])
    for line in services.statement(request.user, authority):
        writer.writerow(
            [
                line.made_at.date().isoformat(),
                line.description,
                f"{line.amount / 100:.2f}",
                f"{line.balance / 100:.2f}",
                line.key,
            ]
        )
    return response


def offers(request: HttpRequest, code: str) -> HttpResponse:
    authority = get_authority(code)
    require(request.user, Action.VIEW, authority)
    rows = Offer.objects.filter(partner__area__in=[authority, *authority.children.all()], active=True)
    context = {
        "area": authority,
        "offers": rows.select_related("partner"),
        "can_spend": allowed(request.user, Action.PARTICIPATE, authority),
    }
    return render(request, "coproduction/offers.html", context)


@login_required
def spend(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    authority = get_authority(code)
    require(request.user, Action.PARTICIPATE, authority)
    offer = get_object_or_404(
        Offer.objects.select_related("partner", "partner__area"),
        pk=pk,
        partner__area__in=[authority, *authority.children.all()],
    )
    form = SpendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            posted = services.redeem(request.user, offer, form.cleaned_data["key"])
        except CoproductionError as error:
            show_refusal(form, error)
        else:
            if posted.created:
                messages.success(
                    request,
                    f"You spent {offer.price_text} on {offer.title}. Your voucher code is "
                    f"{posted.transaction.voucher}: show it at {offer.partner.name}.",
                )
            else:
                messages.success(
                    request,
                    f"You had already spent credits on this: you were not charged again. "
                    f"Your voucher code is {posted.transaction.voucher}.",
                )
            return redirect("coproduction:statement", code=code)
    account = Account.objects.filter(kind="member", area=authority, holder=request.user).first()
    context = {
        "area": authority,
        "offer": offer,
        "form": form,
        "balance": format_credits(account.balance if account else 0),
    }
    return render(request, "coproduction/spend.html", context)


@login_required
def give(request: HttpRequest, code: str) -> HttpResponse:
    authority = get_authority(code)
    require(request.user, Action.PARTICIPATE, authority)
    form = GiveForm(request.POST or None, authority=authority)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["recipient"] == "pot":
                services.donate(request.user, authority, data["amount"], data["key"])
                to = "the community pot"
            else:
                services.give(request.user, authority, data["person"], data["amount"], data["key"])
                to = data["person"].full_name
        except CoproductionError as error:
            show_refusal(form, error)
        else:
            messages.success(request, f"You gave {format_credits(data['amount'])} to {to}.")
            return redirect("coproduction:statement", code=code)
    return render(request, "coproduction/give.html", {"area": authority, "form": form})


@login_required
def reverse_transaction(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    authority = get_authority(code)
    require(request.user, Action.MANAGE_AREA, authority)
    original = get_object_or_404(
        Transaction.objects.prefetch_related("postings__account"), pk=pk, area=authority
    )
    form = ReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reverse(original, request.user, form.cleaned_data["reason"], form.cleaned_data["key"])
        except CoproductionError as error:
            show_refusal(form, error)
        else:
            messages.success(
                request, "The transaction is reversed. Both it and its reversal stay on the record."
            )
            return redirect("coproduction:dashboard", code=code)
    context = {
        "area": authority,
        "original": original,
        "form": form,
        "description": services.describe(original),
    }
    return render(request, "coproduction/reverse.html", context)


@login_required
def grant(request: HttpRequest, code: str) -> HttpResponse:
    authority = get_authority(code)
    require(request.user, Action.MANAGE_AREA, authority)
    form = GrantForm(request.POST or None, authority=authority)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            posted = services.grant(
                request.user, authority, data["email"], data["amount"], data["reason"], data["key"]
            )
        except CoproductionError as error:
            show_refusal(form, error)
        else:
            granted = f"{format_credits(data['amount'])} from the community pot to {data['email'].full_name}"
            messages.success(
                request,
                f"You granted {granted}."
                if posted.created
                else f"You had already granted {granted}: nothing was granted again.",
            )
            return redirect("coproduction:dashboard", code=code)
    pot = Account.objects.filter(kind=AccountKind.POT, area=authority).first()
    context = {"area": authority, "form": form, "pot": format_credits(pot.balance if pot else 0)}
    return render(request, "coproduction/grant.html", context)


@login_required
def vouchers(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    authority = get_authority(code)
    partner = get_object_or_404(
        Partner.objects.select_related("area"), pk=pk, area__in=[authority, *authority.children.all()]
    )
    if not services.may_use_vouchers(request.user, partner):
        require(request.user, Action.MANAGE_AREA, partner.area)
    form = VoucherForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            use = services.use_voucher(partner, form.cleaned_data["code"], request.user)
        except CoproductionError as error:
            show_refusal(form, error)
        else:
            messages.success(
                request, f"Voucher {use.transaction.voucher} for {use.transaction.offer.title} is now used."
            )
            return redirect("coproduction:vouchers", code=code, pk=pk)
    # get_page never fails: a page that is not a number shows the first page, one past the end the last.
    page = Paginator(services.vouchers_of(partner), VOUCHERS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [(tx, services.voucher_status(tx)) for tx in page]
    context = {
        "area": authority,
        "partner": partner,
        "form": form,
        "vouchers": rows,
        "page": page,
        "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1),
    }
    return render(request, "coproduction/vouchers.html", context)
