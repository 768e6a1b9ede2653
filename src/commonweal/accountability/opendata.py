"""What the open-data API publishes: for each list, its row, its filters and where its rows come from.

A row names places, services, projects, contracts and organisations, never a person: proposers,
officers, voters, members and their balances stay out, and the ledger is published only as totals.
"""

import csv
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.http import HttpResponse
from ninja import Schema
from pydantic import Field

from commonweal.budgeting.models import Process, Proposal
from commonweal.coproduction.models import Posting
from commonweal.places.models import Area, Measurement, NationalStandard
from commonweal.procurement.models import Award, Tender
from commonweal.scrutiny.analysis import analyse_standard, area_profile
from commonweal.scrutiny.periods import parse_period

from .models import Result, Review


class FilterError(ValueError):
    """A filter value the API cannot use, with a message naming the parameter."""


def financial_year(day: date | datetime) -> str:
    """The UK financial year a day falls in: 2025-03-31 is in 2024-25, 2025-04-01 in 2025-26."""
    year = day.year if day.month >= 4 else day.year - 1
    return f"{year}-{(year + 1) % 100:02d}"


def chosen_area(code: str | None) -> Area | None:
    if not code:
        return None
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise FilterError(f"area: no area has the code '{code}'. List codes at /api/areas")
    return area


def chosen_period(text: str | None) -> str | None:
    if not text:
        return None
    try:
        return parse_period(text).text
    except ValueError as error:
        raise FilterError(f"period: {error}") from None


def chosen_standard(slug: str | None) -> NationalStandard | None:
    if not slug:
        return None
    standard = NationalStandard.objects.filter(service__slug=slug).select_related("service").first()
    if standard is None:
        raise FilterError(f"standard: no national standard has the service '{slug}'. See /api/standards")
    return standard


def in_area(field: str, area: Area | None) -> Q:
    """Rows in the area or any area inside it (areas are at most four deep)."""
    if area is None:
        return Q()
    q = Q(**{f"{field}": area})
    for depth in range(1, 4):
        q |= Q(**{f"{field}{'__parent' * depth}": area})
    return q


AREA = Field(None, description="An area code, like E06000999: rows in that area and the areas inside it.")
PERIOD = Field(None, description="A period: a financial year like 2024-25, a year like 2024, or 2025-Q1.")
STANDARD = Field(None, description="A service slug, like youth-services (see /api/standards).")


@dataclass(frozen=True)
class Source:
    rows: Callable[[dict], Sequence[Any]]
    to_row: Callable[[Any], dict]


@dataclass(frozen=True)
class Resource:
    name: str
    path: str
    row: type[Schema]
    filters: type[Schema]
    source: Source


# --- areas and standards ---------------------------------------------------------------------


class AreaRow(Schema):
    code: str
    name: str
    kind: str
    parent: str | None
    population: int | None
    deprivation_decile: int | None


class AreaFilters(Schema):
    area: str | None = AREA
    kind: Area.Kind | None = Field(None, description="nation, region, authority or neighbourhood")


def areas(f: dict) -> QuerySet:
    rows = Area.objects.select_related("parent").order_by("code")
    if area := chosen_area(f["area"]):
        rows = rows.filter(Q(pk=area.pk) | in_area("parent", area))
    return rows.filter(kind=f["kind"]) if f["kind"] else rows


def area_row(a: Area) -> dict:
    return {
        "code": a.code,
        "name": a.name,
        "kind": a.kind,
        "parent": a.parent.code if a.parent else None,
        "population": a.population,
        "deprivation_decile": a.deprivation_decile,
    }


class StandardRow(Schema):
    service: str
    service_name: str
    indicator: str
    unit: str
    multiplier: int
    floor: float
    higher_is_better: bool


class NoFilters(Schema):
    pass


def standard_row(s: NationalStandard) -> dict:
    return {
        "service": s.service.slug,
        "service_name": s.service.name,
        "indicator": s.indicator,
        "unit": s.unit,
        "multiplier": s.multiplier,
        "floor": float(s.floor),
        "higher_is_better": s.higher_is_better,
    }


# --- measurements and findings ---------------------------------------------------------------


class MeasurementFilters(Schema):
    area: str | None = AREA
    period: str | None = PERIOD
    standard: str | None = STANDARD


class ValueRow(Schema):
    standard: str
    area: str
    period: str
    numerator: int
    denominator: int
    value: float
    meets_floor: bool


def values(f: dict) -> QuerySet:
    rows = Measurement.objects.select_related("standard__service", "area").filter(
        in_area("area", chosen_area(f["area"]))
    )
    if period := chosen_period(f["period"]):
        rows = rows.filter(period=period)
    if standard := chosen_standard(f["standard"]):
        rows = rows.filter(standard=standard)
    return rows.order_by("standard__service__slug", "area__code", "period")


def value_row(m: Measurement) -> dict:
    return {
        "standard": m.standard.service.slug,
        "area": m.area.code,
        "period": m.period,
        "numerator": m.numerator,
        "denominator": m.denominator,
        "value": m.value,
        "meets_floor": m.meets_floor,
    }


class FindingRow(Schema):
    standard: str
    area: str
    period: str
    value: float
    lower_95: float
    upper_95: float
    england: float
    against_floor: str = Field(description="Better, Similar or Worse: the 95% interval against the floor")
    against_england: str
    funnel: str
    meets_floor: bool


def findings(f: dict) -> list:
    """Scrutiny's classification of each authority: for one area every period, else the latest or chosen."""
    area, period, standard = (
        chosen_area(f["area"]),
        chosen_period(f["period"]),
        chosen_standard(f["standard"]),
    )
    rows = []
    if area is not None:
        for indicator in area_profile(area):
            if standard is None or indicator.standard.pk == standard.pk:
                rows += [(indicator.standard, r) for r in indicator.trend if period in (None, r.period)]
        return rows
    standards = [standard] if standard else NationalStandard.objects.select_related("service")
    for s in standards:
        analysis = analyse_standard(s, period)
        if period is None or analysis.period == period:
            rows += [(s, r) for r in sorted(analysis.results, key=lambda r: r.area.code)]
    return rows


def finding_row(item) -> dict:
    standard, r = item
    return {
        "standard": standard.service.slug,
        "area": r.area.code,
        "period": r.period,
        "value": r.value,
        "lower_95": r.lower,
        "upper_95": r.upper,
        "england": r.england,
        "against_floor": r.against_floor,
        "against_england": r.against_england,
        "funnel": r.funnel,
        "meets_floor": r.meets_floor,
    }


# --- budgeting ---------------------------------------------------------------------------------


class ProcessFilters(Schema):
    area: str | None = AREA
    period: str | None = Field(None, description="The financial year voting closed in, like 2024-25.")


class ProcessRow(Schema):
    area: str
    slug: str
    title: str
    phase: str
    budget: int
    rule: str
    ballot_type: str
    voting_opens: date | None
    voting_closes: date | None


def processes(f: dict) -> Sequence:
    rows = Process.objects.select_related("area").filter(in_area("area", chosen_area(f["area"])))
    rows = rows.order_by("area__code", "slug")
    if period := chosen_period(f["period"]):
        return [p for p in rows if p.voting_closes and financial_year(p.voting_closes) == period]
    return rows


def process_row(p: Process) -> dict:
    return {
        "area": p.area.code,
        "slug": p.slug,
        "title": p.title,
        "phase": p.phase,
        "budget": p.budget,
        "rule": p.rule,
        "ballot_type": p.ballot_type,
        "voting_opens": p.voting_opens,
        "voting_closes": p.voting_closes,
    }


class ProposalFilters(Schema):
    area: str | None = AREA
    process: str | None = Field(None, description="A process slug.")
    funded: bool | None = Field(None, description="true for funded proposals only, false for the rest.")


class ProposalRow(Schema):
    area: str
    process: str
    code: str
    title: str
    neighbourhood: str
    service: str | None
    cost: int
    status: str
    funded_rank: int | None


def proposals(f: dict) -> QuerySet:
    rows = Proposal.objects.select_related("process__area", "neighbourhood", "service")
    rows = rows.filter(in_area("process__area", chosen_area(f["area"])))
    if f["process"]:
        rows = rows.filter(process__slug=f["process"])
    if f["funded"] is not None:
        rows = rows.filter(funded_rank__isnull=not f["funded"])
    return rows.order_by("process__area__code", "process__slug", "code")


def proposal_row(p: Proposal) -> dict:
    return {
        "area": p.process.area.code,
        "process": p.process.slug,
        "code": p.code,
        "title": p.title,
        "neighbourhood": p.neighbourhood.code,
        "service": p.service.slug if p.service else None,
        "cost": p.cost,
        "status": p.status,
        "funded_rank": p.funded_rank,
    }


# --- results and reviews --------------------------------------------------------------------


class ResultFilters(Schema):
    area: str | None = AREA
    status: Result.Status | None = None
    since: date | None = Field(
        None, description="Only results changed on or after this date, like 2026-01-31."
    )


class ResultRow(Schema):
    id: int
    area: str
    title: str
    kind: str = Field(description="project (funded by a participatory budget) or contract")
    status: str
    progress: int
    planned_spend: float
    actual_spend: float
    process: str | None
    proposal: str | None
    award: int | None
    supplier: str | None
    indicators: list[str]
    updated_at: datetime
    url: str


def results(f: dict) -> QuerySet:
    rows = Result.objects.select_related("area", "proposal__process", "award__bid__supplier")
    rows = rows.prefetch_related("spends", "indicators__service").filter(
        in_area("area", chosen_area(f["area"]))
    )
    if f["status"]:
        rows = rows.filter(status=f["status"])
    if f["since"]:
        rows = rows.filter(updated_at__date__gte=f["since"])
    return rows.order_by("pk")


def result_row(r: Result) -> dict:
    return {
        "id": r.pk,
        "area": r.area.code,
        "title": r.title,
        "kind": r.kind,
        "status": r.status,
        "progress": r.progress,
        "planned_spend": float(r.planned_spend),
        "actual_spend": float(r.actual_spend),
        "process": r.proposal.process.slug if r.proposal else None,
        "proposal": r.proposal.code if r.proposal else None,
        "award": r.award_id,
        "supplier": r.award.bid.supplier.name if r.award else None,
        "indicators": sorted(s.service.slug for s in r.indicators.all()),
        "updated_at": r.updated_at,
        "url": f"/results/{r.pk}/",
    }


class ReviewFilters(Schema):
    area: str | None = AREA
    period: str | None = PERIOD
    standard: str | None = STANDARD


class ReviewRow(Schema):
    id: int
    area: str
    standard: str
    period: str
    value: float
    lower_95: float
    upper_95: float
    opened_at: datetime
    due_on: date
    status: str
    overdue: bool
    response: str


def reviews(f: dict) -> QuerySet:
    rows = Review.objects.select_related("area", "standard__service").filter(
        in_area("area", chosen_area(f["area"]))
    )
    if period := chosen_period(f["period"]):
        rows = rows.filter(period=period)
    if standard := chosen_standard(f["standard"]):
        rows = rows.filter(standard=standard)
    return rows.order_by("pk")


def review_row(r: Review) -> dict:
    return {
        "id": r.pk,
        "area": r.area.code,
        "standard": r.standard.service.slug,
        "period": r.period,
        "value": r.value,
        "lower_95": r.lower,
        "upper_95": r.upper,
        "opened_at": r.opened_at,
        "due_on": r.due_on,
        "status": r.status,
        "overdue": r.is_overdue,
        "response": r.response,
    }


# --- the time-credit ledger, as totals only ---------------------------------------------------


class LedgerFilters(Schema):
    area: str | None = AREA
    period: str | None = Field(None, description="A financial year, like 2024-25.")


class LedgerRow(Schema):
    area: str
    period: str
    kind: str = Field(description="issue, gift, donation, grant, redemption, expiry or reversal")
    transactions: int
    credits: float = Field(description="Credits moved, in whole credits")


def ledger(f: dict) -> list:
    """Credits moved per area, financial year and kind of transaction: never an account or a member."""
    area, period = chosen_area(f["area"]), chosen_period(f["period"])
    postings = Posting.objects.filter(amount__gt=0).filter(in_area("transaction__area", area))
    sums = postings.values(
        "transaction_id", "transaction__area__code", "transaction__kind", "transaction__made_at"
    )
    totals: dict[tuple[str, str, str], list] = defaultdict(lambda: [0, 0])
    for row in sums.annotate(moved=Sum("amount")):
        key = (
            row["transaction__area__code"],
            financial_year(row["transaction__made_at"]),
            row["transaction__kind"],
        )
        totals[key][0] += 1
        totals[key][1] += row["moved"]
    return [(k, v) for k, v in sorted(totals.items()) if period in (None, k[1])]


def ledger_row(item) -> dict:
    (area, period, kind), (count, hundredths) = item
    return {"area": area, "period": period, "kind": kind, "transactions": count, "credits": hundredths / 100}


# --- procurement --------------------------------------------------------------------------------


class TenderFilters(Schema):
    area: str | None = AREA
    status: Tender.Status | None = None
    period: str | None = Field(None, description="The financial year it was published in, like 2025-26.")


class TenderRow(Schema):
    id: int
    area: str
    title: str
    service: str | None
    budget: float
    status: str
    published_at: datetime
    deadline: datetime
    price_weight: int
    quality_weight: int
    social_value_weight: int


def tenders(f: dict) -> Sequence:
    rows = Tender.objects.select_related("area", "service").filter(in_area("area", chosen_area(f["area"])))
    if f["status"]:
        rows = rows.filter(status=f["status"])
    rows = rows.order_by("pk")
    if period := chosen_period(f["period"]):
        return [t for t in rows if financial_year(t.published_at) == period]
    return rows


def tender_row(t: Tender) -> dict:
    return {
        "id": t.pk,
        "area": t.area.code,
        "title": t.title,
        "service": t.service.slug if t.service else None,
        "budget": float(t.budget),
        "status": t.status,
        "published_at": t.published_at,
        "deadline": t.deadline,
        "price_weight": t.price_weight,
        "quality_weight": t.quality_weight,
        "social_value_weight": t.social_value_weight,
    }


class AwardFilters(Schema):
    area: str | None = AREA
    period: str | None = Field(None, description="The financial year of the award, like 2025-26.")
    since: date | None = Field(None, description="Only awards made on or after this date, like 2025-06-30.")


class AwardRow(Schema):
    id: int
    tender: int
    area: str
    lot: str
    supplier: str
    supplier_locality: str
    supplier_size: str
    supplier_legal_form: str
    value: float
    awarded_at: datetime
    social_value_committed: float = Field(description="£ proxy value of the social value committed")
    social_value_delivered: float = Field(description="£ proxy value delivered so far")


def awards(f: dict) -> Sequence:
    rows = Award.objects.select_related("lot__tender__area", "bid__supplier").prefetch_related(
        "bid__commitments__measure"
    )
    rows = rows.filter(in_area("lot__tender__area", chosen_area(f["area"]))).order_by("pk")
    if f["since"]:
        rows = rows.filter(awarded_at__date__gte=f["since"])
    if period := chosen_period(f["period"]):
        return [a for a in rows if financial_year(a.awarded_at) == period]
    return rows


def award_row(a: Award) -> dict:
    commitments = a.bid.commitments.all()
    supplier = a.bid.supplier
    return {
        "id": a.pk,
        "tender": a.lot.tender_id,
        "area": a.lot.tender.area.code,
        "lot": a.lot.title,
        "supplier": supplier.name,
        "supplier_locality": supplier.locality,
        "supplier_size": supplier.size,
        "supplier_legal_form": supplier.legal_form,
        "value": float(a.value),
        "awarded_at": a.awarded_at,
        "social_value_committed": float(sum((c.proxy_value for c in commitments), Decimal(0))),
        "social_value_delivered": float(sum((c.delivered_value for c in commitments), Decimal(0))),
    }


RESOURCES = [
    Resource("Areas", "/areas", AreaRow, AreaFilters, Source(areas, area_row)),
    Resource(
        "Standards",
        "/standards",
        StandardRow,
        NoFilters,
        Source(
            lambda f: NationalStandard.objects.select_related("service").order_by("service__slug"),
            standard_row,
        ),
    ),
    Resource("IndicatorValues", "/indicator-values", ValueRow, MeasurementFilters, Source(values, value_row)),
    Resource("Findings", "/findings", FindingRow, MeasurementFilters, Source(findings, finding_row)),
    Resource("Processes", "/processes", ProcessRow, ProcessFilters, Source(processes, process_row)),
    Resource("Proposals", "/proposals", ProposalRow, ProposalFilters, Source(proposals, proposal_row)),
    Resource("Results", "/results", ResultRow, ResultFilters, Source(results, result_row)),
    Resource("Reviews", "/reviews", ReviewRow, ReviewFilters, Source(reviews, review_row)),
    Resource("Ledger", "/ledger", LedgerRow, LedgerFilters, Source(ledger, ledger_row)),
    Resource("Tenders", "/tenders", TenderRow, TenderFilters, Source(tenders, tender_row)),
    Resource("Awards", "/awards", AwardRow, AwardFilters, Source(awards, award_row)),
]


def csv_response(filename: str, row: type[Schema], rows: list[dict]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    columns = list(row.model_fields)
    writer = csv.writer(response)
    writer.writerow(columns)
    for item in rows:
        writer.writerow(
            [
                ";".join(v) if isinstance(v, list) else ("" if v is None else v)
                for v in (item[c] for c in columns)
            ]
        )
    return response
