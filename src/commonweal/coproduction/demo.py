"""The demo borough's co-production: activities in five services, time given and confirmed, credits
spent, given, granted from the pot and expired, a voucher used at the partner, and some time still
waiting for the organiser.

Loading is idempotent like the rest of the demo: activities, partners and offers are found by their
natural keys, time by its request key, and every ledger transaction by its idempotency key, so a
second load finds everything already there and posts nothing.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from commonweal.places.demo import DEMO_PASSWORD
from commonweal.places.models import Area, Role, Service, User

from . import ledger, services
from .ledger import Kind
from .models import Activity, CreditPolicy, Offer, Partner, TimeEntry, Transaction, VoucherUse

BOROUGH = "E06000999"
ORGANISER = ("organiser@example.org", "Orla Organiser", "Castle Hill")
OFFICER = "officer@example.org"  # made by the places demo; grants from the community pot
PARTNER_STAFF = ("partner@example.org", "Pat Partner")  # at the leisure centre's till
# email, name, neighbourhood: residents who give time (the demo resident is one of them).
HELPERS = [
    ("resident@example.org", "Rita Resident", "Abbey Fields"),
    ("dev.helper@example.org", "Dev Helper", "Brookside"),
    ("mei.volunteer@example.org", "Mei Volunteer", "Dunmore"),
    ("tom.parent@example.org", "Tom Parent", "Harbour End"),
    ("ada.patient@example.org", "Ada Patient", "Elm Green"),
]
ACTIVITIES = [  # title, service, involvement, description, when, where
    (
        "Patient peer-support group",
        "gp-access",
        "deliver",
        "Patients with long-term conditions meet and support one another, alongside the practice nurse.",
        "Wednesdays, 2pm to 4pm",
        "Castle Hill surgery, community room",
    ),
    (
        "Patient participation group",
        "gp-access",
        "decide",
        "Patients and the practice decide together how appointments are offered.",
        "First Monday of the month, 6pm",
        "Castle Hill surgery",
    ),
    (
        "Reading helpers",
        "school-readiness",
        "deliver",
        "Read with reception children who need more practice, trained by the school's staff.",
        "Term time, weekday mornings",
        "Brookside primary school",
    ),
    (
        "Library of things volunteers",
        "libraries",
        "deliver",
        "Check in, clean and lend tools and equipment at the library of things.",
        "Saturdays, 10am to 1pm",
        "Larkrise library",
    ),
    (
        "Design the new youth centre",
        "youth-services",
        "design",
        "Young people and parents design the new youth centre with the architects and youth workers.",
        "Fortnightly workshops, Thursday evenings",
        "Dunmore scout hut",
    ),
    (
        "Friends of Abbey Fields park",
        "parks",
        "deliver",
        "Plant, weed and pick litter with the parks team.",
        "Second Sunday of the month",
        "Abbey Fields park gates",
    ),
]
# helper index, activity index, year, month, day, minutes; all confirmed by the organiser.
TIME_GIVEN = [
    (0, 2, 2026, 1, 14, 90),
    (0, 2, 2026, 2, 11, 120),
    (0, 5, 2026, 3, 8, 180),
    (0, 1, 2026, 4, 6, 60),
    (1, 0, 2026, 1, 21, 120),
    (1, 0, 2026, 2, 18, 120),
    (1, 0, 2026, 3, 18, 120),
    (1, 1, 2026, 3, 2, 60),
    (2, 4, 2026, 2, 5, 150),
    (2, 4, 2026, 2, 19, 150),
    (2, 4, 2026, 3, 5, 150),
    (2, 3, 2026, 4, 11, 180),
    (3, 2, 2026, 3, 10, 90),
    (3, 2, 2026, 4, 14, 90),
    (3, 5, 2026, 4, 12, 120),
    (4, 0, 2026, 4, 22, 120),
    (4, 1, 2026, 4, 6, 60),
    (4, 3, 2026, 5, 9, 180),
    (2, 4, 2026, 5, 14, 150),
    (1, 0, 2026, 5, 20, 120),
]
WAITING = [(0, 2, 2026, 5, 12, 90), (3, 5, 2026, 5, 10, 60)]  # time the organiser has still to confirm
PARTNERS = [  # partner, [(offer, price in hundredths of a credit)]
    ("Thornbury Vale Leisure Centre", [("A swim", 100), ("A gym session", 200)]),
    ("Vale Picturehouse", [("A cinema ticket", 300)]),
]


def load_coproduction_demo() -> None:
    """Create or refresh the demo borough's activities, time and credits."""
    with transaction.atomic():
        borough = Area.objects.get(code=BOROUGH)
        places = {area.name: area for area in borough.children.all()}
        CreditPolicy.objects.update_or_create(
            area=borough, defaults={"cents_per_hour": 100, "expiry_months": 12}
        )
        organiser = _resident(*ORGANISER, places)
        helpers = [_resident(*row, places) for row in HELPERS]
        services_by_slug = {service.slug: service for service in Service.objects.all()}
        activities = []
        for title, slug, involvement, description, when, where in ACTIVITIES:
            activity, _ = Activity.objects.update_or_create(
                area=borough,
                title=title,
                defaults={
                    "service": services_by_slug[slug],
                    "involvement": involvement,
                    "description": description,
                    "when": when,
                    "where": where,
                    "organiser": organiser,
                },
            )
            activities.append(activity)
        for number, (helper, activity, year, month, day, minutes) in enumerate(TIME_GIVEN):
            entry = _time(
                helpers[helper], activities[activity], date(year, month, day), minutes, f"demo-{number}"
            )
            services.confirm_time(entry, organiser)
        for number, (helper, activity, year, month, day, minutes) in enumerate(WAITING):
            _time(
                helpers[helper], activities[activity], date(year, month, day), minutes, f"demo-wait-{number}"
            )
        offers = {}
        for partner_name, rows in PARTNERS:
            partner, _ = Partner.objects.get_or_create(area=borough, name=partner_name)
            for title, price in rows:
                offers[title], _ = Offer.objects.update_or_create(
                    partner=partner, title=title, defaults={"price": price, "active": True}
                )
        rita, dev, mei, tom, ada = helpers
        services.redeem(rita, offers["A swim"], "demo-swim-1")
        services.redeem(mei, offers["A cinema ticket"], "demo-cinema-1")
        services.redeem(dev, offers["A gym session"], "demo-gym-1")
        services.give(mei, borough, tom, 150, "demo-gift-1")
        services.donate(dev, borough, 100, "demo-donation-1")
        officer = User.objects.get(email=OFFICER)
        services.grant(
            officer, borough, ada, 50, "Thanks for running the hospital transport rota", "demo-grant-1"
        )
        till = _partner_staff(*PARTNER_STAFF, offers["A swim"].partner)
        swim = Transaction.objects.get(key=f"{Kind.REDEMPTION}:{rita.pk}:demo-swim-1")
        if not VoucherUse.objects.filter(transaction=swim).exists():
            services.use_voucher(offers["A swim"].partner, swim.voucher, till)
        # One expiry, posted with a fixed key so the demo shows it without depending on today's date.
        ada_account = services.member_account(ada, borough)
        expiry = ledger.move(
            Kind.EXPIRY,
            str(ada_account.pk),
            str(services.expiry_account(borough).pk),
            100,
            key="demo-expiry-1",
            by="",
            reason="Credits received more than 12 months ago and not spent",
        )
        services.post(expiry, area=borough, made_by=None)


def _resident(email: str, full_name: str, neighbourhood: str, places: dict[str, Area]) -> User:
    user, created = User.objects.get_or_create(email=email, defaults={"full_name": full_name})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    role, _ = Role.objects.get_or_create(user=user, kind=Role.Kind.RESIDENT, area=places[neighbourhood])
    if not role.is_verified:
        role.verified_at = user.date_joined
        role.save(update_fields=["verified_at"])
    return user


def _partner_staff(email: str, full_name: str, partner: Partner) -> User:
    user, created = User.objects.get_or_create(email=email, defaults={"full_name": full_name})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    partner.staff.add(user)
    return user


def _time(member: User, activity: Activity, given_on: date, minutes: int, key: str) -> TimeEntry:
    services.join(activity, member)
    return services.log_time(activity, member, minutes, given_on, "", key)
