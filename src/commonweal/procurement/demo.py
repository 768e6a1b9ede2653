"""The demo borough's procurement: a supplier register, two awarded tenders and one open, evaluation
with a moderated score, delivery against commitments, an LM3 survey, and a neighbour's open
contracting data to compare with.

Loading is idempotent like the rest of the demo: suppliers, tenders and imported releases are found
by their natural keys, and a tender that already exists is left as it is, so a second load writes
nothing. Every tender goes through the same services an officer's clicks do.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from commonweal.places.demo import DEMO_PASSWORD
from commonweal.places.models import Area, Role, Service, User

from . import ocds, services
from .models import Criterion, ImportedRelease, SocialValueMeasure, Supplier, Tender
from .scoring import PriceMethod, Weights

BOROUGH = "E06000999"
NEIGHBOUR = "E06000997"  # Ashcombe publishes its own contracts, which the borough imports
LONDON = ZoneInfo("Europe/London")
EVALUATOR = ("evaluator@example.org", "Eve Evaluator")
D = Decimal

SUPPLIERS = [  # name, legal form, locality, size
    ("Vale Care Co-operative", "cooperative", "local", "small"),
    ("Brookside Home Support CIC", "social_enterprise", "local", "micro"),
    ("National Care Group plc", "large", "national", "large"),
    ("Harbour End Community Kitchen", "charity", "local", "small"),
    ("Meals Direct Ltd", "sme", "regional", "medium"),
    ("National Catering plc", "large", "national", "large"),
    ("Thornbury Vale Youth Mutual", "mutual", "local", "small"),
    ("Larkrise Parks Trust", "charity", "local", "micro"),
]


def when(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=LONDON)


# Each tender: its terms, then per lot the bids as
# (supplier, price, quality scores, social-value scores, {measure code: quantity}).
TENDERS = [
    {
        "title": "Home care for older people",
        "description": "Personal care at home for older people, in two lots by area of the borough.",
        "service": "adult-social-care",
        "budget": D(1_150_000),
        "weights": Weights(40, 40, 20),
        "method": PriceMethod.LOWEST,
        "published": when(2025, 1, 10),
        "deadline": when(2025, 2, 28, 17),
        "awarded": when(2025, 3, 20),
        "measures": ["CW-EMP", "CW-APP", "CW-VOL", "CW-LOC"],
        "lots": [
            ("North of the borough", D(600_000), [
                ("Vale Care Co-operative", D(560_000), [78, 74], [85, 80],
                 {"CW-EMP": D(6), "CW-APP": D(104), "CW-VOL": D(400), "CW-LOC": D(90_000)}),
                ("National Care Group plc", D(520_000), [50, 80], [40, 45],
                 {"CW-EMP": D(2), "CW-VOL": D(100)}),
                ("Brookside Home Support CIC", D(585_000), [70, 72], [90, 88],
                 {"CW-EMP": D(4), "CW-APP": D(52), "CW-LOC": D(60_000)}),
            ]),
            ("South of the borough", D(550_000), [
                ("Vale Care Co-operative", D(540_000), [72, 70], [80, 78],
                 {"CW-EMP": D(5), "CW-APP": D(52), "CW-LOC": D(70_000)}),
                ("National Care Group plc", D(470_000), [76, 80], [45, 50],
                 {"CW-EMP": D(2), "CW-VOL": D(200)}),
            ]),
        ],
        # National Care Group's quality scores for the north lot were 30 points apart: moderated.
        "moderations": [("North of the borough", "National Care Group plc", 62,
                         "Evaluators agreed the staffing plan was sound but the rota cover was thin.")],
        "delivered": {"North of the borough": {"CW-EMP": D(6), "CW-APP": D(78), "CW-VOL": D(260),
                                               "CW-LOC": D(71_500)},
                      "South of the borough": {"CW-EMP": D(1), "CW-VOL": D(120)}},
        "surveys": {"North of the borough": (D(168_000), D(252_000), date(2026, 3, 31), [
            ("Vale Bakery", D(12_000), D(6_100)),
            ("Castle Hill Cabs", D(8_500), D(4_900)),
            ("A care worker living in Brookside", D(21_000), D(13_200)),
        ]), "South of the borough": (D(42_000), D(61_000), date(2026, 3, 31), [
            ("A care worker living in Dunmore", D(19_000), D(10_400)),
        ])},
    },
    {
        "title": "Community meals service",
        "description": "Hot meals delivered to residents who cannot cook for themselves, seven days a week.",
        "service": "adult-social-care",
        "budget": D(180_000),
        "weights": Weights(50, 30, 20),
        "method": PriceMethod.BUDGET,
        "published": when(2026, 1, 12),
        "deadline": when(2026, 2, 13, 17),
        "awarded": when(2026, 3, 2),
        "measures": ["CW-EMP", "CW-NEET", "CW-VOL", "CW-CO2"],
        "lots": [
            ("Whole borough", None, [
                ("Harbour End Community Kitchen", D(172_000), [74, 78], [88, 84],
                 {"CW-EMP": D(3), "CW-NEET": D(60), "CW-VOL": D(300), "CW-CO2": D(12)}),
                ("Meals Direct Ltd", D(158_000), [70, 66], [60, 58],
                 {"CW-EMP": D(1), "CW-CO2": D(5)}),
                ("National Catering plc", D(149_000), [62, 60], [35, 40], {"CW-CO2": D(4)}),
            ]),
        ],
        "moderations": [],
        "delivered": {"Whole borough": {"CW-EMP": D(2), "CW-NEET": D(20), "CW-VOL": D(90)}},
        "surveys": {},
    },
]
OPEN_TENDER = {
    "title": "Youth work in Dunmore and Brookside",
    "description": "Detached and centre-based youth work for 13 to 19 year olds, evenings and weekends.",
    "service": "youth-services",
    "budget": D(240_000),
    "weights": Weights(35, 40, 25),
    "measures": ["CW-EMP", "CW-APP", "CW-NEET", "CW-VOL"],
    "lots": [("Dunmore and Brookside", None)],
    "bids": [
        ("Thornbury Vale Youth Mutual", D(228_000), {"CW-EMP": D(4), "CW-NEET": D(80)}),
        ("National Care Group plc", D(205_000), {"CW-VOL": D(120)}),
    ],
}


def load_procurement_demo() -> None:
    """Create the demo borough's procurement, once; a second call finds it all and writes nothing."""
    with transaction.atomic():
        services.ensure_illustrative_measures()
        borough = Area.objects.get(code=BOROUGH)
        officer = User.objects.get(email="officer@example.org")
        evaluator = _evaluator(borough)
        suppliers = {
            name: Supplier.objects.get_or_create(
                area=borough, name=name, defaults={"legal_form": form, "locality": locality, "size": size}
            )[0]
            for name, form, locality, size in SUPPLIERS
        }
        measures = {m.code: m for m in SocialValueMeasure.objects.filter(area__isnull=True)}
        services_by_slug = {s.slug: s for s in Service.objects.all()}
        for spec in TENDERS:
            if not Tender.objects.filter(area=borough, title=spec["title"]).exists():
                _awarded_tender(borough, spec, suppliers, measures, services_by_slug, officer, evaluator)
        if not Tender.objects.filter(area=borough, title=OPEN_TENDER["title"]).exists():
            _open_tender(borough, suppliers, measures, services_by_slug, officer)
        _neighbours_releases(borough)


def _evaluator(borough: Area) -> User:
    user, created = User.objects.get_or_create(email=EVALUATOR[0], defaults={"full_name": EVALUATOR[1]})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    Role.objects.get_or_create(user=user, kind=Role.Kind.OFFICER, area=borough)
    return user


def _awarded_tender(borough, spec, suppliers, measures, services_by_slug, officer, evaluator) -> None:
    tender = services.publish_tender(
        borough, title=spec["title"], description=spec["description"], budget=spec["budget"],
        weights=spec["weights"], price_method=spec["method"], deadline=spec["deadline"],
        lots=[(title, budget) for title, budget, _ in spec["lots"]],
        measures=[measures[code] for code in spec["measures"]], by=officer,
        service=services_by_slug.get(spec["service"]),
    )
    Tender.objects.filter(pk=tender.pk).update(published_at=spec["published"])
    lots = {lot.title: lot for lot in tender.lots.all()}
    bids = {}
    for offset, (lot_title, _, rows) in enumerate(spec["lots"]):
        for number, (name, price, quality, social, commitments) in enumerate(rows):
            received = spec["deadline"] - timedelta(days=10 - number, hours=offset)
            bid = services.enter_bid(
                lots[lot_title], suppliers[name], price,
                {measures[code]: quantity for code, quantity in commitments.items()}, officer, at=received,
            )
            bids[(lot_title, name)] = bid
            for person, q, s in ((officer, quality[0], social[0]), (evaluator, quality[1], social[1])):
                services.evaluate(bid, person, Criterion.QUALITY, D(q))
                services.evaluate(bid, person, Criterion.SOCIAL_VALUE, D(s))
    for lot_title, name, score, reason in spec["moderations"]:
        services.moderate(bids[(lot_title, name)], Criterion.QUALITY, D(score), reason, officer)
    for award in services.award_tender(tender, officer, at=spec["awarded"]):
        delivered = spec["delivered"].get(award.lot.title, {})
        for commitment in award.bid.commitments.select_related("measure"):
            if commitment.measure.code in delivered:
                services.record_delivery(commitment, delivered[commitment.measure.code])
        if award.lot.title in spec["surveys"]:
            suppliers_spend, staff_spend, surveyed_on, sample = spec["surveys"][award.lot.title]
            services.record_survey(
                award, local_supplier_spend=suppliers_spend, local_staff_spend=staff_spend,
                surveyed_on=surveyed_on, sample=sample, by=officer,
            )


def _open_tender(borough, suppliers, measures, services_by_slug, officer) -> None:
    spec = OPEN_TENDER
    tender = services.publish_tender(
        borough, title=spec["title"], description=spec["description"], budget=spec["budget"],
        weights=spec["weights"], deadline=timezone.now() + timedelta(days=45), lots=spec["lots"],
        measures=[measures[code] for code in spec["measures"]], by=officer,
        service=services_by_slug.get(spec["service"]),
    )
    lot = tender.lots.get()
    for name, price, commitments in spec["bids"]:
        services.enter_bid(
            lot, suppliers[name], price, {measures[c]: q for c, q in commitments.items()}, officer
        )


def _neighbours_releases(borough: Area) -> None:
    """Ashcombe's street-cleaning contract as Ashcombe would publish it, imported by the borough."""
    neighbour = Area.objects.filter(code=NEIGHBOUR).first()
    if neighbour is None:
        return
    contractor = ocds.Party("GB-COH-00000001", "CleanStreets Ltd", ("tenderer",))
    tender = ocds.Tender(
        identifier=f"{NEIGHBOUR}-SC1", title="Street cleaning",
        description="Street cleaning across Ashcombe.",
        status="complete", buyer=ocds.Party(f"CW-AREA-{NEIGHBOUR}", neighbour.name, ("buyer",)),
        published=when(2025, 5, 1), updated=when(2025, 5, 1), deadline=when(2025, 6, 13, 17),
        budget=D(900_000), criteria="Price 60%, quality 30%, social value 10%",
        lots=(ocds.Lot("lot-1", "Whole of Ashcombe", D(900_000)),), tenderers=(contractor,),
        awards=(ocds.Award(f"{NEIGHBOUR}-SC1-lot-1", "lot-1", "Whole of Ashcombe", contractor, D(845_000),
                           when(2025, 7, 15)),),
    )
    for release in ocds.tender_releases(tender, "ocds-ashcm1"):
        ImportedRelease.objects.get_or_create(
            area=borough, ocid=release["ocid"], release_id=release["id"],
            defaults={"publisher": f"{neighbour.name} Council", "date": release["date"], "data": release},
        )
