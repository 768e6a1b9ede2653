import time

from django.core import serializers

from commonweal.coproduction import services
from commonweal.coproduction.demo import load_coproduction_demo
from commonweal.coproduction.models import (
    Account,
    Activity,
    Membership,
    Offer,
    Partner,
    Posting,
    TimeEntry,
    Transaction,
    VoucherUse,
)
from commonweal.places.models import Area, User


def snapshot() -> str:
    models = (Activity, Membership, TimeEntry, Partner, Offer, Account, Transaction, Posting, VoucherUse)
    rows = [row for model in models for row in model.objects.order_by("pk")]
    return serializers.serialize("json", rows)


def test_the_demo_fills_statements_and_dashboards_and_balances(demo_place) -> None:
    load_coproduction_demo()
    borough = Area.objects.get(code="E06000999")
    rita = User.objects.get(email="resident@example.org")
    lines = services.statement(rita, borough)
    assert lines and lines[-1].balance > 0 and any("voucher" in line.description for line in lines)
    summaries = services.service_summaries(borough)
    assert len(summaries) == 5 and all(s.hours > 0 for s in summaries)
    assert any(s.power_shift for s in summaries)
    assert len(services.hours_by_month(borough)) >= 5
    assert TimeEntry.objects.filter(status="pending").count() == 2
    assert Transaction.objects.filter(kind="expiry").exists()
    assert any(", used on " in line.description for line in lines)
    ada = User.objects.get(email="ada.patient@example.org")
    assert any("approved by Olu Officer" in line.description for line in services.statement(ada, borough))
    assert services.check_books(borough).ok


def test_loading_the_demo_twice_leaves_the_same_data_and_is_fast(demo_place) -> None:
    load_coproduction_demo()
    first = snapshot()
    started = time.perf_counter()
    load_coproduction_demo()
    assert time.perf_counter() - started < 5
    assert snapshot() == first
