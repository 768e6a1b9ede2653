"""Procurement pages: public tenders, awards, suppliers and dashboards; officers' tender, bid,
evaluation, scoring, delivery, LM3 and OCDS import pages; CSV and JSON downloads."""

from __future__ import annotations

import csv
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from commonweal.places.models import Area
from commonweal.places.permissions import Action, allowed, require

from . import services
from .charts import share_bars
from .forms import (
    BidForm,
    DeliveryForm,
    EvaluationForm,
    ModerationForm,
    OcdsImportForm,
    PolicyForm,
    SupplierFilterForm,
    SupplierForm,
    SurveyForm,
    TenderForm,
)
from .models import Award, Bid, Criterion, ProcurementPolicy, Supplier, Tender
from .ocds import OcdsError
from .scoring import PriceMethod, Weights
from .services import ProcurementError


def get_authority(code: str) -> Area:
    return get_object_or_404(Area.objects.select_related("parent"), code=code, kind=Area.Kind.AUTHORITY)


def get_tender(authority: Area, pk: int) -> Tender:
    return get_object_or_404(services.tenders_in(authority), pk=pk)


def get_award(authority: Area, pk: int) -> Award:
    return get_object_or_404(services.awards_in(authority), pk=pk)


def show_refusal(form, error: ProcurementError) -> None:
    form.add_error(error.field if error.field in form.fields else None, str(error))


def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    authority = get_authority(code)
    require(request.user, Action.VIEW, authority)
    years = services.spend_by_year(authority)
    shares = services.supplier_shares(authority)
    surveyed, overall = services.area_lm3(authority)
    total = sum((value for _, value in shares), 0)
    context = {
        "area": authority,
        "tenders": services.tenders_in(authority)[:20],
        "years": years,
        "chart": share_bars(years, f"Share of awarded value by kind of supplier in {authority.name}"),
        "shares": [(s, v, float(v / total * 100) if total else 0.0) for s, v in shares],
        "hhi": services.hhi(v for _, v in shares),
        "deliveries": services.deliveries(authority),
        "surveyed": surveyed,
        "lm3": overall,
        "floor": services.social_value_floor(authority),
        "can_manage": allowed(request.user, Action.MANAGE_AREA, authority),
    }
    return render(request, "procurement/dashboard.html", context)


def supplier_list(request: HttpRequest, code: str) -> HttpResponse:
    authority = get_authority(code)
    require(request.user, Action.VIEW, authority)
    filters = SupplierFilterForm(request.GET or None)
    suppliers = filters.apply(Supplier.objects.filter(area=authority))
    context = {
        "area": authority,
        "filters": filters,
        "suppliers": suppliers,
        "can_manage": allowed(request.user, Action.MANAGE_AREA, authority),
    }
    return render(request, "procurement/supplier_list.html", context)


@login_required
def supplier_new(request: HttpRequest, code: str) -> HttpResponse:
    authority = get_authority(code)
    require(request.user, Action.MANAGE_AREA, authority)
    form = SupplierForm(request.POST or None, area=authority)
    if request.method == "POST" and form.is_valid():
        supplier = form.save(commit=False)
        supplier.area = authority
        supplier.save()
        messages.success(request, f"{supplier.name} is on the supplier register.")
        return redirect("procurement:suppliers", code=code)
    return render(request, "procurement/supplier_new.html", {"area": authority, "form": form})


@login_required
def policy(request: HttpRequest, code: str) -> HttpResponse:
    authority = get_authority(code)
    require(request.user, Action.MANAGE_AREA, authority)
    current = ProcurementPolicy.objects.filter(area=authority).first() or ProcurementPolicy(area=authority)
    form = PolicyForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        form.save()
        floor = current.social_value_floor
        messages.success(request, f"Tenders in {authority.name} now weight social value at least {floor}%.")
        return redirect("procurement:dashboard", code=code)
    return render(request, "procurement/policy.html", {"area": authority, "form": form})


@login_required
def tender_new(request: HttpRequest, code: str) -> HttpResponse:
    authority = get_authority(code)
    require(request.user, Action.MANAGE_AREA, authority)
    form = TenderForm(request.POST or None, area=authority)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            tender = services.publish_tender(
                authority,
                title=data["title"],
                description=data["description"],
                service=data["service"],
                budget=data["budget"],
                weights=Weights(data["price_weight"], data["quality_weight"], data["social_value_weight"]),
                price_method=PriceMethod(data["price_method"]),
                proxy_share=data["proxy_share"],
                deadline=data["deadline"],
                lots=data["lots"],
                measures=data["measures"],
                by=request.user,
            )
        except ProcurementError as error:
            show_refusal(form, error)
        else:
            messages.success(request, f"{tender.title} is published and open for bids.")
            return redirect("procurement:tender", code=code, pk=tender.pk)
    context = {"area": authority, "form": form, "floor": form.floor}
    return render(request, "procurement/tender_new.html", context)


def tender_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    authority = get_authority(code)
    require(request.user, Action.VIEW, authority)
    tender = get_tender(authority, pk)
    can_manage = allowed(request.user, Action.MANAGE_AREA, authority)
    lots = []
    for lot in tender.lots.all():
        award = Award.objects.filter(lot=lot).select_related("bid__supplier").first()
        bids = services.lot_bids(lot) if can_manage else []
        rows = [
            (
                bid,
                services.bid_scores(bid, Criterion.QUALITY),
                services.bid_scores(bid, Criterion.SOCIAL_VALUE),
            )
            for bid in bids
        ]
        lots.append({"lot": lot, "award": award, "bids": rows, "bid_count": lot.bids.count()})
    context = {
        "area": authority,
        "tender": tender,
        "lots": lots,
        "measures": tender.measures.all(),
        "can_manage": can_manage,
    }
    return render(request, "procurement/tender_detail.html", context)


@login_required
def bid_new(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    authority = get_authority(code)
    require(request.user, Action.MANAGE_AREA, authority)
    tender = get_tender(authority, pk)
    form = BidForm(request.POST or None, tender=tender)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            bid = services.enter_bid(
                data["lot"], data["supplier"], data["price"], data["commitments"], request.user
            )
        except ProcurementError as error:
            show_refusal(form, error)
        else:
            messages.success(
                request, f"{bid.supplier.name}'s bid of {bid.price_text} for {bid.lot} is entered."
            )
            return redirect("procurement:tender", code=code, pk=pk)
    return render(request, "procurement/bid_new.html", {"area": authority, "tender": tender, "form": form})


def _bid(tender: Tender, bid_pk: int) -> Bid:
    return get_object_or_404(
        Bid.objects.select_related("supplier", "lot", "lot__tender"), pk=bid_pk, lot__tender=tender
    )


@login_required
def evaluate(request: HttpRequest, code: str, pk: int, bid_pk: int) -> HttpResponse:
    authority = get_authority(code)
    require(request.user, Action.MANAGE_AREA, authority)
    tender = get_tender(authority, pk)
    bid = _bid(tender, bid_pk)
    form = EvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.evaluate(bid, request.user, data["criterion"], data["score"], data["note"])
        except ProcurementError as error:
            show_refusal(form, error)
        else:
            messages.success(
                request,
                f"Your {Criterion(data['criterion']).label.lower()} score for {bid.supplier.name} is saved.",
            )
            return redirect("procurement:tender", code=code, pk=pk)
    context = {
        "area": authority,
        "tender": tender,
        "bid": bid,
        "form": form,
        "commitments": bid.commitments.select_related("measure"),
    }
    return render(request, "procurement/evaluate.html", context)


@login_required
def moderate(request: HttpRequest, code: str, pk: int, bid_pk: int) -> HttpResponse:
    authority = get_authority(code)
    require(request.user, Action.MANAGE_AREA, authority)
    tender = get_tender(authority, pk)
    bid = _bid(tender, bid_pk)
    form = ModerationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.moderate(bid, data["criterion"], data["score"], data["reason"], request.user)
        except ProcurementError as error:
            show_refusal(form, error)
        else:
            messages.success(request, f"The moderated score for {bid.supplier.name} is saved.")
            return redirect("procurement:tender", code=code, pk=pk)
    context = {
        "area": authority,
        "tender": tender,
        "bid": bid,
        "form": form,
        "evaluations": bid.evaluations.select_related("evaluator"),
    }
    return render(request, "procurement/moderate.html", context)


@login_required
def score(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Officers see every lot's breakdown before awarding; posting awards every lot at once."""
    authority = get_authority(code)
    require(request.user, Action.MANAGE_AREA, authority)
    tender = get_tender(authority, pk)
    problem = None
    if request.method == "POST":
        try:
            awards = services.award_tender(tender, request.user)
        except ProcurementError as error:
            problem = str(error)
        else:
            names = ", ".join(f"{a.lot.title} to {a.bid.supplier.name}" for a in awards)
            messages.success(request, f"Awarded: {names}.")
            return redirect("procurement:tender", code=code, pk=pk)
    previews = []
    for lot in tender.lots.all():
        if not lot.bids.exists():
            continue
        try:
            result, bids = services.score_lot(lot)
        except ProcurementError as error:
            problem = problem or str(error)
            continue
        previews.append(
            {"lot": lot, "rows": services.breakdown(result, bids), "tie_broken": result.tie_broken}
        )
    context = {
        "area": authority,
        "tender": tender,
        "previews": previews,
        "problem": problem,
        "deadline_passed": tender.deadline_passed(),
    }
    return render(request, "procurement/score.html", context, status=400 if request.method == "POST" else 200)


def award_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    authority = get_authority(code)
    require(request.user, Action.VIEW, authority)
    award = get_award(authority, pk)
    context = {
        "area": authority,
        "award": award,
        "tender": award.lot.tender,
        "commitments": award.bid.commitments.select_related("measure"),
        "lm3": services.award_lm3(award),
        "survey": getattr(award, "survey", None),
        "can_manage": allowed(request.user, Action.MANAGE_AREA, authority),
    }
    return render(request, "procurement/award_detail.html", context)


@login_required
def delivery(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    authority = get_authority(code)
    require(request.user, Action.MANAGE_AREA, authority)
    award = get_award(authority, pk)
    commitments = list(award.bid.commitments.select_related("measure"))
    form = DeliveryForm(request.POST or None, commitments=commitments)
    if request.method == "POST" and form.is_valid():
        try:
            for commitment, delivered in form.cleaned_data["delivered"].items():
                services.record_delivery(commitment, delivered)
        except ProcurementError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Delivery is recorded and published.")
            return redirect("procurement:award", code=code, pk=pk)
    return render(request, "procurement/delivery.html", {"area": authority, "award": award, "form": form})


@login_required
def survey(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    authority = get_authority(code)
    require(request.user, Action.MANAGE_AREA, authority)
    award = get_award(authority, pk)
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_survey(
                award,
                local_supplier_spend=data["local_supplier_spend"],
                local_staff_spend=data["local_staff_spend"],
                surveyed_on=data["surveyed_on"],
                sample=data["sample"],
                by=request.user,
            )
        except ProcurementError as error:
            show_refusal(form, error)
        else:
            messages.success(
                request, f"The spend survey is recorded: LM3 is {services.award_lm3(award).value:.2f}."
            )
            return redirect("procurement:award", code=code, pk=pk)
    return render(request, "procurement/survey.html", {"area": authority, "award": award, "form": form})


def awards_csv(request: HttpRequest, code: str) -> HttpResponse:
    """Every bid's breakdown for every award in the area, one row a bid."""
    authority = get_authority(code)
    require(request.user, Action.VIEW, authority)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="awards-{authority.code}.csv"'
    writer = csv.writer(response)
    columns = [
        "price",
        "social_value_proxy",
        "price_score",
        "quality_score",
        "proxy_score",
        "social_quality_score",
        "price_points",
        "quality_points",
        "social_value_points",
        "total",
        "rank",
    ]
    writer.writerow(["tender", "lot", "supplier", "legal_form", "locality", *columns, "won"])
    for award in services.awards_in(authority).order_by("pk"):
        for row in award.breakdown:
            writer.writerow(
                [
                    award.lot.tender.reference,
                    award.lot.number,
                    row["supplier"],
                    row["legal_form"],
                    row["locality"],
                    *(row[c] for c in columns),
                    row["bid"] == award.bid_id,
                ]
            )
    return response


def dashboard_json(request: HttpRequest, code: str) -> JsonResponse:
    authority = get_authority(code)
    require(request.user, Action.VIEW, authority)
    shares = services.supplier_shares(authority)
    _, overall = services.area_lm3(authority)
    data = {
        "area": authority.code,
        "years": [
            {
                "year": y.year,
                "awarded": str(y.total),
                "local": str(y.local),
                "sme": str(y.sme),
                "vcse": str(y.vcse),
                "mutual": str(y.mutual),
            }
            for y in services.spend_by_year(authority)
        ],
        "hhi": round(services.hhi(v for _, v in shares), 1),
        "suppliers": [{"name": s.name, "awarded": str(v)} for s, v in shares],
        "social_value": [
            {"award": d.award.pk, "committed": str(d.committed), "delivered": str(d.delivered)}
            for d in services.deliveries(authority)
        ],
        "lm3": None if overall is None else round(float(overall.value), 4),
    }
    return JsonResponse(data)


def ocds_package(request: HttpRequest, code: str) -> HttpResponse:
    authority = get_authority(code)
    require(request.user, Action.VIEW, authority)
    uri = request.build_absolute_uri(reverse("procurement:ocds", args=[code]))
    package = services.release_package(authority, uri=uri)
    return HttpResponse(json.dumps(package, indent=2), content_type="application/json")


@login_required
def ocds_import(request: HttpRequest, code: str) -> HttpResponse:
    authority = get_authority(code)
    require(request.user, Action.MANAGE_AREA, authority)
    form = OcdsImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["package"]
        try:
            count = services.import_package(authority, upload.read(), upload.name, request.user)
        except OcdsError as error:
            problems = error.problems
            form.add_error(
                "package",
                f"{upload.name} is not a valid OCDS 1.1 release package: nothing was "
                "imported. Correct the problems listed and try again",
            )
        else:
            messages.success(request, f"Imported {count} releases from {upload.name}.")
            return redirect("procurement:compare", code=code)
    return render(
        request, "procurement/ocds_import.html", {"area": authority, "form": form, "problems": problems}
    )


def compare(request: HttpRequest, code: str) -> HttpResponse:
    authority = get_authority(code)
    require(request.user, Action.VIEW, authority)
    context = {
        "area": authority,
        "processes": services.compared_processes(authority),
        "can_manage": allowed(request.user, Action.MANAGE_AREA, authority),
    }
    return render(request, "procurement/compare.html", context)
