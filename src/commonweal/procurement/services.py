"""What procurement does with its data: publish, bid, evaluate, award, record delivery and LM3,
export and import OCDS, and the numbers on the dashboards. Views call these; the rules live in the
pure cores (scoring, lm3, ocds) or here, where a test can reach them without a request.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from commonweal.places.models import Area, Service, User

from . import lm3 as lm3_core
from . import ocds
from .models import (
    Award,
    Bid,
    Commitment,
    Criterion,
    Evaluation,
    ImportedRelease,
    Lot,
    Moderation,
    ProcurementPolicy,
    Respend,
    SocialValueMeasure,
    SpendSurvey,
    Supplier,
    Tender,
    pounds,
)
from .scoring import (
    NATIONAL_SOCIAL_VALUE_FLOOR,
    PriceMethod,
    Scoring,
    ScoringError,
    Weights,
    check_price,
    check_weights,
    moderated_score,
    needs_moderation,
    score_bids,
)
from .scoring import Bid as ScoringBid

DEFAULT_OCID_PREFIX = "ocds-cmnwl0"
OCDS_STATUS = {
    Tender.Status.OPEN: "active",
    Tender.Status.AWARDED: "complete",
    Tender.Status.CANCELLED: "cancelled",
}


class ProcurementError(Exception):
    """A request procurement refuses; `field` names the form field to correct, when there is one."""

    def __init__(self, field: str | None, message: str) -> None:
        self.field = field
        super().__init__(message)


# Places -------------------------------------------------------------------------------------------


def social_value_floor(area: Area) -> int:
    """The least social-value weight a tender in `area` may set: the highest floor on its lineage,
    never lower than the national one."""
    floors = ProcurementPolicy.objects.filter(area__in=area.lineage()).values_list(
        "social_value_floor", flat=True
    )
    return max([NATIONAL_SOCIAL_VALUE_FLOOR, *floors])


def ensure_illustrative_measures() -> None:
    """Bring the shipped measures back if a test flush or an administrator removed them."""
    from .measures import ILLUSTRATIVE_MEASURES

    for code, name, unit, proxy in ILLUSTRATIVE_MEASURES:
        SocialValueMeasure.objects.update_or_create(
            code=code, defaults={"name": name, "unit": unit, "proxy_value": proxy, "illustrative": True}
        )


def measures_for(area: Area) -> QuerySet[SocialValueMeasure]:
    """The shipped measures and the area's own."""
    return SocialValueMeasure.objects.filter(Q(area__isnull=True) | Q(area=area))


def tenders_in(area: Area) -> QuerySet[Tender]:
    return Tender.objects.filter(area=area).select_related("area", "service")


def awards_in(area: Area) -> QuerySet[Award]:
    return Award.objects.filter(lot__tender__area=area).select_related(
        "lot", "lot__tender", "bid", "bid__supplier"
    )


# Tenders and bids ---------------------------------------------------------------------------------


@transaction.atomic
def publish_tender(
    area: Area,
    *,
    title: str,
    description: str,
    budget: Decimal,
    weights: Weights,
    deadline: datetime,
    lots: Sequence[tuple[str, Decimal | None]],
    measures: Iterable[SocialValueMeasure],
    by: User | None,
    service: Service | None = None,
    price_method: PriceMethod = PriceMethod.LOWEST,
    proxy_share: int = 50,
) -> Tender:
    """Publish a tender with its lots and measures, or refuse it and store nothing."""
    try:
        check_weights(weights, social_value_floor(area))
        check_price(budget, "budget")
    except ScoringError as error:
        raise ProcurementError(error.field, str(error)) from None
    if not lots:
        raise ProcurementError("lots", "Enter at least one lot")
    tender = Tender.objects.create(
        area=area,
        title=title,
        description=description,
        service=service,
        budget=budget,
        price_weight=weights.price,
        quality_weight=weights.quality,
        social_value_weight=weights.social_value,
        price_method=price_method,
        proxy_share=proxy_share,
        deadline=deadline,
        created_by=by,
    )
    for number, (lot_title, lot_budget) in enumerate(lots, start=1):
        Lot.objects.create(tender=tender, number=number, title=lot_title, budget=lot_budget)
    tender.measures.set(measures)
    return tender


def enter_bid(
    lot: Lot,
    supplier: Supplier,
    price: Decimal,
    commitments: dict[SocialValueMeasure, Decimal],
    by: User | None,
    at: datetime | None = None,
) -> Bid:
    """Record a bid received `at` (now by default) with its social-value commitments, or refuse it."""
    at = at or timezone.now()
    with transaction.atomic():
        tender = Tender.objects.select_for_update().get(pk=lot.tender_id)
        if not tender.takes_bids(at):
            closed = timezone.localtime(tender.deadline).strftime("%-d %B %Y at %H:%M")
            raise ProcurementError(
                None, f"Bids for this tender closed on {closed}: a late bid cannot be entered"
            )
        if supplier.area_id != tender.area_id:
            raise ProcurementError("supplier", "Choose a supplier on this authority's register")
        if Bid.objects.filter(lot=lot, supplier=supplier).exists():
            raise ProcurementError("supplier", f"{supplier.name} has already bid for this lot")
        try:
            price = check_price(price)
        except ScoringError as error:
            raise ProcurementError("price", str(error)) from None
        allowed = set(tender.measures.values_list("pk", flat=True))
        for measure, quantity in commitments.items():
            if measure.pk not in allowed:
                raise ProcurementError(None, f"{measure.code} is not one of this tender's measures")
            if quantity <= 0:
                raise ProcurementError(
                    f"measure_{measure.pk}", f"Enter a quantity above 0 for {measure.code}"
                )
        bid = Bid.objects.create(lot=lot, supplier=supplier, price=price, received_at=at, entered_by=by)
        Commitment.objects.bulk_create(
            Commitment(bid=bid, measure=measure, quantity=quantity)
            for measure, quantity in commitments.items()
        )
    return bid


def evaluate(bid: Bid, evaluator: User, criterion: str, score: Decimal, note: str = "") -> Evaluation:
    """Record or replace one evaluator's score; nobody scores a bid from their own organisation."""
    if not _still_open(bid):
        raise ProcurementError(None, "This tender has been awarded: its scores can no longer change")
    if bid.supplier.members.filter(pk=evaluator.pk).exists():
        raise ProcurementError(
            "score", f"You work for {bid.supplier.name}, so you cannot score its bid: ask another evaluator"
        )
    if not 0 <= score <= 100:
        raise ProcurementError("score", "Enter a score from 0 to 100")
    evaluation, _ = Evaluation.objects.update_or_create(
        bid=bid,
        evaluator=evaluator,
        criterion=criterion,
        defaults={"score": score, "note": note, "scored_at": timezone.now()},
    )
    return evaluation


def moderate(bid: Bid, criterion: str, score: Decimal, reason: str, by: User) -> Moderation:
    """Record the score evaluators agreed, replacing the mean of their scores for this criterion."""
    if not _still_open(bid):
        raise ProcurementError(None, "This tender has been awarded: its scores can no longer change")
    if bid.supplier.members.filter(pk=by.pk).exists():
        raise ProcurementError(
            "score", f"You work for {bid.supplier.name}, so you cannot moderate its bid: ask another officer"
        )
    moderation, _ = Moderation.objects.update_or_create(
        bid=bid,
        criterion=criterion,
        defaults={"score": score, "reason": reason, "moderated_by": by, "moderated_at": timezone.now()},
    )
    return moderation


def _still_open(bid: Bid) -> bool:
    # Read afresh: the bid's cached tender may predate an award made since.
    return Tender.objects.filter(pk=bid.lot.tender_id, status=Tender.Status.OPEN).exists()


@dataclass(frozen=True)
class BidScores:
    """A bid's evaluations for one criterion, the score it carries, and whether it needs moderation."""

    scores: list[Decimal]
    moderated: Decimal | None
    carried: Fraction | None
    needs_moderation: bool


def bid_scores(bid: Bid, criterion: str) -> BidScores:
    scores = [e.score for e in bid.evaluations.all() if e.criterion == criterion]
    moderated = next((m.score for m in bid.moderations.all() if m.criterion == criterion), None)
    carried = moderated_score(scores, moderated) if scores or moderated is not None else None
    return BidScores(scores, moderated, carried, moderated is None and needs_moderation(scores))


def lot_bids(lot: Lot) -> list[Bid]:
    return list(
        lot.bids.select_related("supplier")
        .prefetch_related("evaluations", "moderations", "commitments__measure")
        .order_by("received_at", "pk")
    )


def score_lot(lot: Lot) -> tuple[Scoring, dict[str, Bid]]:
    """Score every bid for a lot with the tender's weights and methods, or say what is missing."""
    tender = lot.tender
    bids = lot_bids(lot)
    if not bids:
        raise ProcurementError(None, f"Lot {lot.number} has no bids to score")
    inputs = []
    for bid in bids:
        quality, social = bid_scores(bid, Criterion.QUALITY), bid_scores(bid, Criterion.SOCIAL_VALUE)
        for criterion, result in ((Criterion.QUALITY, quality), (Criterion.SOCIAL_VALUE, social)):
            if result.carried is None:
                raise ProcurementError(
                    None,
                    f"{bid.supplier.name}'s bid for lot {lot.number} has no {criterion.label.lower()} "
                    "score yet: every bid needs at least one evaluator's score",
                )
            if result.needs_moderation:
                raise ProcurementError(
                    None,
                    f"Evaluators' {criterion.label.lower()} scores for {bid.supplier.name} "
                    f"(lot {lot.number}) differ by more than 20 points: moderate them first",
                )
        inputs.append(_scoring_bid(bid, quality.carried, social.carried))
    try:
        result = score_bids(
            inputs,
            tender.weights,
            method=PriceMethod(tender.price_method),
            budget=lot.budget or tender.budget,
            proxy_share=tender.proxy_share,
            floor=social_value_floor(tender.area),
        )
    except ScoringError as error:
        raise ProcurementError(None, str(error)) from None
    return result, {str(bid.pk): bid for bid in bids}


def _scoring_bid(bid: Bid, quality: Fraction, social: Fraction) -> ScoringBid:
    return ScoringBid(
        id=str(bid.pk),
        price=bid.price,
        quality=quality,
        social_value_proxy=bid.proxy_value,
        social_value_quality=social,
        received=bid.received_at.timestamp(),
    )


def breakdown(scoring: Scoring, bids: dict[str, Bid]) -> list[dict]:
    """The published breakdown: every bid's scores (0 to 1) and points, best first."""
    rows = []
    for line in scoring.lines:
        bid = bids[line.bid]
        rows.append(
            {
                "bid": bid.pk,
                "supplier": bid.supplier.name,
                "legal_form": bid.supplier.get_legal_form_display(),
                "locality": bid.supplier.get_locality_display(),
                "price": str(bid.price),
                "social_value_proxy": str(bid.proxy_value),
                "price_score": round(float(line.price_score), 4),
                "quality_score": round(float(line.quality_score), 4),
                "proxy_score": round(float(line.proxy_score), 4),
                "social_quality_score": round(float(line.social_quality_score), 4),
                "price_points": round(float(line.price_points), 2),
                "quality_points": round(float(line.quality_points), 2),
                "social_value_points": round(float(line.social_points), 2),
                "total": round(float(line.total), 2),
                "rank": line.rank,
                "tied_on_total": line.tied_on_total,
            }
        )
    return rows


def award_tender(tender: Tender, by: User | None, at: datetime | None = None) -> list[Award]:
    """Score every lot with bids and award each to its best bid; all lots or none."""
    at = at or timezone.now()
    with transaction.atomic():
        tender = Tender.objects.select_for_update().select_related("area").get(pk=tender.pk)
        if tender.status != Tender.Status.OPEN:
            raise ProcurementError(None, "This tender has already been awarded or cancelled")
        if not tender.deadline_passed(at):
            closes = timezone.localtime(tender.deadline).strftime("%-d %B %Y at %H:%M")
            raise ProcurementError(None, f"Bids are open until {closes}: score them after the deadline")
        awards = []
        for lot in tender.lots.all():
            if not lot.bids.exists():
                continue
            result, bids = score_lot(lot)
            winner = bids[result.winner.bid]
            awards.append(
                Award.objects.create(
                    lot=lot,
                    bid=winner,
                    value=winner.price,
                    awarded_at=at,
                    awarded_by=by,
                    breakdown=breakdown(result, bids),
                    tie_broken=result.tie_broken,
                )
            )
        if not awards:
            raise ProcurementError(None, "No lot has a bid: there is nothing to award")
        tender.status = Tender.Status.AWARDED
        tender.save(update_fields=["status", "updated_at"])
    return awards


# After award --------------------------------------------------------------------------------------


def record_delivery(commitment: Commitment, delivered: Decimal) -> Commitment:
    """Record how much of a winning bid's commitment has been delivered so far."""
    if not Award.objects.filter(bid_id=commitment.bid_id).exists():
        raise ProcurementError(None, "Delivery is recorded only for commitments in a winning bid")
    if delivered < 0:
        raise ProcurementError(f"delivered_{commitment.pk}", "Enter what was delivered, 0 or more")
    commitment.delivered, commitment.delivered_recorded_at = delivered, timezone.now()
    commitment.save(update_fields=["delivered", "delivered_recorded_at"])
    return commitment


def parse_sample(text: str) -> list[tuple[str, Decimal, Decimal]]:
    """Sample lines "recipient, received, spent locally", one a line; errors name the line."""
    rows = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        parts = [p.strip() for p in raw.rsplit(",", 2)]
        if len(parts) != 3 or not parts[0]:
            raise ProcurementError(
                "sample",
                f"Line {number}: write the recipient, what they received and "
                "what they spent locally, like: Vale Bakery, 12000, 5000",
            )
        amounts = []
        for label, text_amount in (("received", parts[1]), ("spent locally", parts[2])):
            cleaned = text_amount.replace("£", "").replace(" ", "")
            try:
                amount = Decimal(cleaned)
            except ArithmeticError:
                amount = Decimal("NaN")
            if not amount.is_finite() or amount < 0:
                raise ProcurementError(
                    "sample", f"Line {number}: enter what was {label} in pounds, like 5000"
                )
            amounts.append(amount)
        rows.append((parts[0], amounts[0], amounts[1]))
    return rows


def record_survey(
    award: Award,
    *,
    local_supplier_spend: Decimal,
    local_staff_spend: Decimal,
    surveyed_on: date,
    sample: Sequence[tuple[str, Decimal, Decimal]],
    by: User | None,
) -> SpendSurvey:
    """Check the survey with the LM3 core, then replace the award's survey in one transaction."""
    try:
        lm3_core.lm3(
            lm3_core.SpendSurvey(
                award.value,
                local_supplier_spend,
                local_staff_spend,
                tuple(lm3_core.Respend(received, spent) for _, received, spent in sample),
            )
        )
    except lm3_core.Lm3Error as error:
        raise ProcurementError(error.field, str(error)) from None
    with transaction.atomic():
        SpendSurvey.objects.filter(award=award).delete()
        survey = SpendSurvey.objects.create(
            award=award,
            local_supplier_spend=local_supplier_spend,
            local_staff_spend=local_staff_spend,
            surveyed_on=surveyed_on,
            recorded_by=by,
        )
        Respend.objects.bulk_create(
            Respend(survey=survey, recipient=name, received=received, spent_locally=spent)
            for name, received, spent in sample
        )
    return survey


def award_lm3(award: Award) -> lm3_core.Lm3 | None:
    survey = getattr(award, "survey", None)
    if survey is None:
        return None
    return lm3_core.lm3(
        lm3_core.SpendSurvey(
            award.value,
            survey.local_supplier_spend,
            survey.local_staff_spend,
            tuple(lm3_core.Respend(r.received, r.spent_locally) for r in survey.sample.all()),
        )
    )


# Dashboards ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearSpend:
    year: int
    total: Decimal
    local: Decimal
    sme: Decimal
    vcse: Decimal
    mutual: Decimal

    def share(self, part: str) -> float:
        """Percent of the year's awarded value with suppliers of one kind."""
        return float(getattr(self, part) / self.total * 100) if self.total else 0.0


def spend_by_year(area: Area) -> list[YearSpend]:
    """Awarded value each year and how much of it went to local, SME, VCSE and mutual suppliers."""
    years: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for award in awards_in(area):
        supplier = award.bid.supplier
        row = years[timezone.localtime(award.awarded_at).year]
        row["total"] += award.value
        for part, flag in (
            ("local", supplier.is_local),
            ("sme", supplier.is_sme),
            ("vcse", supplier.is_vcse),
            ("mutual", supplier.is_mutual),
        ):
            if flag:
                row[part] += award.value
    return [
        YearSpend(year, **{k: row[k] for k in ("total", "local", "sme", "vcse", "mutual")})
        for year, row in sorted(years.items())
    ]


def hhi(values: Iterable[Decimal]) -> float:
    """The Herfindahl–Hirschman index of market shares in percent: Σ sᵢ², from near 0 to 10,000.

    Competition authorities (the CMA's merger assessment guidelines, the US DOJ/FTC guidelines) read
    above 1,000 as concentrated and above 2,000 as highly concentrated.
    """
    values = [Decimal(v) for v in values]
    total = sum(values, Decimal(0))
    if total <= 0:
        return 0.0
    return float(sum(((v / total) * 100) ** 2 for v in values))


def supplier_shares(area: Area) -> list[tuple[Supplier, Decimal]]:
    """Each supplier's total awarded value in the area, largest first."""
    totals: dict[int, tuple[Supplier, Decimal]] = {}
    for award in awards_in(area):
        supplier = award.bid.supplier
        held = totals.get(supplier.pk, (supplier, Decimal(0)))[1]
        totals[supplier.pk] = (supplier, held + award.value)
    return sorted(totals.values(), key=lambda row: (-row[1], row[0].name))


@dataclass(frozen=True)
class Delivery:
    award: Award
    committed: Decimal
    delivered: Decimal
    recorded: bool

    @property
    def percent(self) -> float:
        return float(self.delivered / self.committed * 100) if self.committed else 0.0


def deliveries(area: Area) -> list[Delivery]:
    """Social value committed in each winning bid against what has been delivered."""
    rows = []
    for award in awards_in(area).prefetch_related("bid__commitments__measure"):
        commitments = list(award.bid.commitments.all())
        rows.append(
            Delivery(
                award=award,
                committed=sum((c.proxy_value for c in commitments), Decimal(0)),
                delivered=sum((c.delivered_value for c in commitments), Decimal(0)),
                recorded=any(c.delivered is not None for c in commitments),
            )
        )
    return rows


def area_lm3(area: Area) -> tuple[list[tuple[Award, lm3_core.Lm3]], lm3_core.Lm3 | None]:
    surveyed = [
        (a, award_lm3(a))
        for a in awards_in(area)
        .filter(survey__isnull=False)
        .select_related("survey")
        .prefetch_related("survey__sample")
    ]
    return surveyed, lm3_core.area_lm3(result for _, result in surveyed)


# OCDS ---------------------------------------------------------------------------------------------


def ocid_prefix() -> str:
    return getattr(settings, "OCID_PREFIX", DEFAULT_OCID_PREFIX)


def buyer_party(area: Area) -> ocds.Party:
    return ocds.Party(f"CW-AREA-{area.code}", area.name, ("buyer", "procuringEntity"))


def supplier_party(supplier: Supplier, role: str = "tenderer") -> ocds.Party:
    locality = supplier.area.name if supplier.is_local else ""
    return ocds.Party(supplier.ocds_id, supplier.name, (role,), locality=locality)


def ocds_tender(tender: Tender) -> ocds.Tender:
    """A tender and its awards as the OCDS core sees them."""
    lots = list(tender.lots.all())
    bids = Bid.objects.filter(lot__tender=tender).select_related("supplier", "supplier__area")
    tenderers = {bid.supplier.pk: supplier_party(bid.supplier) for bid in bids}
    awards = [
        ocds.Award(
            id=f"{tender.reference}-lot-{award.lot.number}",
            lot_id=f"lot-{award.lot.number}",
            title=award.lot.title,
            supplier=supplier_party(award.bid.supplier, "supplier"),
            value=award.value,
            date=award.awarded_at,
        )
        for award in Award.objects.filter(lot__tender=tender).select_related(
            "lot", "bid__supplier", "bid__supplier__area"
        )
    ]
    return ocds.Tender(
        identifier=tender.reference,
        title=tender.title,
        description=tender.description,
        status=OCDS_STATUS[Tender.Status(tender.status)],
        buyer=buyer_party(tender.area),
        published=tender.published_at,
        updated=max(tender.published_at, tender.updated_at),
        deadline=tender.deadline,
        budget=tender.budget,
        criteria=tender.criteria_text,
        lots=tuple(ocds.Lot(f"lot-{lot.number}", lot.title, lot.budget) for lot in lots),
        tenderers=tuple(tenderers.values()),
        awards=tuple(awards),
    )


def release_package(area: Area | None, *, uri: str, prefix: str | None = None) -> dict:
    """Every tender and award in `area` (or everywhere) as one OCDS 1.1 release package."""
    tenders = Tender.objects.select_related("area").order_by("pk")
    if area is not None:
        tenders = tenders.filter(area=area)
    releases = []
    for tender in tenders:
        releases += ocds.tender_releases(ocds_tender(tender), prefix or ocid_prefix())
    latest = max((r["date"] for r in releases), default=None)
    published = datetime.fromisoformat(latest) if latest else timezone.now()
    return ocds.release_package(releases, uri=uri, publisher="Commonweal", published=published)


def schema_dir() -> Path:
    return Path(getattr(settings, "OCDS_SCHEMA_DIR", settings.BASE_DIR.parent / "shared" / "data" / "ocds"))


def load_schemas() -> tuple[dict, dict]:
    """The OCDS 1.1.5 package and release schemas from OCDS_SCHEMA_DIR; never from the network."""
    folder = schema_dir()
    try:
        return tuple(  # type: ignore[return-value]
            json.loads((folder / name).read_text(encoding="utf-8"))
            for name in ("release-package-schema.json", "release-schema.json")
        )
    except FileNotFoundError:
        raise ocds.OcdsError(
            [f"The OCDS schemas are not installed at {folder}: ask your administrator to set OCDS_SCHEMA_DIR"]
        ) from None


def import_package(area: Area, data: bytes, name: str, by: User | None) -> int:
    """Check a release package from another publisher against the schema, then store all of it or none."""
    package = ocds.parse_package(data, name)
    problems = ocds.schema_problems(package, *load_schemas())
    if problems:
        raise ocds.OcdsError([f"{name} {problem}" for problem in problems[:50]])
    publisher = str(package.get("publisher", {}).get("name", ""))[:200]
    with transaction.atomic():
        for release in package["releases"]:
            ImportedRelease.objects.update_or_create(
                area=area,
                ocid=release["ocid"],
                release_id=release["id"],
                defaults={
                    "publisher": publisher,
                    "date": release["date"],
                    "data": release,
                    "imported_by": by,
                },
            )
    return len(package["releases"])


@dataclass(frozen=True)
class ComparedProcess:
    ocid: str
    publisher: str
    title: str
    buyer: str
    awarded: Decimal
    suppliers: list[str]
    releases: int

    @property
    def awarded_text(self) -> str:
        return pounds(self.awarded) if self.awarded else "–"


def compared_processes(area: Area) -> list[ComparedProcess]:
    """Imported releases merged into records, summarised for comparison with the area's own."""
    imported = list(ImportedRelease.objects.filter(area=area))
    publishers = {r.ocid: r.publisher for r in imported}
    rows = []
    for record in ocds.merge(r.data for r in imported):
        compiled = record["compiledRelease"]
        awards = [a for a in compiled.get("awards", []) if a.get("status", "active") == "active"]
        awarded = sum((Decimal(str((a.get("value") or {}).get("amount") or 0)) for a in awards), Decimal(0))
        suppliers = sorted({s.get("name", "") for a in awards for s in a.get("suppliers", [])})
        rows.append(
            ComparedProcess(
                ocid=record["ocid"],
                publisher=publishers.get(record["ocid"], ""),
                title=(compiled.get("tender") or {}).get("title", "(untitled)"),
                buyer=(compiled.get("buyer") or {}).get("name", ""),
                awarded=awarded,
                suppliers=suppliers,
                releases=len(record["releases"]),
            )
        )
    return rows
