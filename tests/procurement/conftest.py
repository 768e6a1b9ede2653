from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from commonweal.places.models import Area, Role, User
from commonweal.procurement import services
from commonweal.procurement.models import SocialValueMeasure, Supplier, Tender
from commonweal.procurement.scoring import Weights


@pytest.fixture
def borough(db) -> Area:
    nation = Area.objects.create(code="E92000001", name="England", kind=Area.Kind.NATION)
    region = Area.objects.create(code="E12000009", name="South West", kind=Area.Kind.REGION, parent=nation)
    borough = Area.objects.create(code="E06000999", name="Thornbury Vale", kind="authority", parent=region)
    Area.objects.create(code="E02999001", name="Abbey Fields", kind="neighbourhood", parent=borough)
    Area.objects.create(code="E06000997", name="Ashcombe", kind="authority", parent=region)
    services.ensure_illustrative_measures()
    return borough


def person(email: str, kind: str | None = None, area: str | None = None) -> User:
    user = User.objects.create_user(email=email, full_name=email.split("@")[0].title(), password="pw-123456")
    if kind:
        Role.objects.create(
            user=user, kind=kind, area=Area.objects.get(code=area), verified_at=timezone.now()
        )
    return user


@pytest.fixture
def officer(borough) -> User:
    return person("olu@example.net", Role.Kind.OFFICER, "E06000999")


@pytest.fixture
def second_officer(borough) -> User:
    return person("eve@example.net", Role.Kind.OFFICER, "E06000999")


@pytest.fixture
def other_officer(borough) -> User:
    return person("asha@example.net", Role.Kind.OFFICER, "E06000997")


@pytest.fixture
def resident(borough) -> User:
    return person("rita@example.net", Role.Kind.RESIDENT, "E02999001")


@pytest.fixture
def suppliers(borough) -> dict[str, Supplier]:
    rows = [
        ("Vale Co-op", "cooperative", "local", "small"),
        ("Big plc", "large", "national", "large"),
        ("Kitchen CIC", "social_enterprise", "local", "micro"),
    ]
    return {
        name: Supplier.objects.create(area=borough, name=name, legal_form=form, locality=where, size=size)
        for name, form, where, size in rows
    }


@pytest.fixture
def measures(borough) -> dict[str, SocialValueMeasure]:
    return {m.code: m for m in SocialValueMeasure.objects.all()}


@pytest.fixture
def make_tender(borough, officer, measures) -> Callable[..., Tender]:
    def make(weights=None, lots=(("Whole borough", None),), days=10, **extra) -> Tender:
        return services.publish_tender(
            borough,
            title=extra.pop("title", "Home care"),
            description="Care at home.",
            budget=Decimal(100_000),
            weights=weights or Weights(40, 40, 20),
            deadline=timezone.now() + timedelta(days=days),
            lots=list(lots),
            measures=[measures["CW-EMP"], measures["CW-VOL"]],
            by=officer,
            **extra,
        )

    return make


@pytest.fixture
def tender(make_tender) -> Tender:
    return make_tender()


@pytest.fixture
def close() -> Callable[[Tender], None]:
    """Let a tender's deadline pass, as time would."""

    def pass_deadline(tender: Tender) -> None:
        Tender.objects.filter(pk=tender.pk).update(deadline=timezone.now() - timedelta(minutes=1))
        tender.refresh_from_db()

    return pass_deadline
