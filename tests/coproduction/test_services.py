"""The ledger service against the database: issuing, giving, spending, reversing, expiring, and refusals."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from commonweal.coproduction import ledger, services
from commonweal.coproduction.ledger import AccountKind, Kind
from commonweal.coproduction.models import Account, CreditPolicy, Posting, TimeEntry, Transaction, VoucherUse
from commonweal.coproduction.services import CoproductionError

YESTERDAY = date.today() - timedelta(days=1)


def confirmed(activity, member, organiser, minutes=90, key="k1"):
    entry = services.log_time(activity, member, minutes, YESTERDAY, "", key)
    return services.confirm_time(entry, organiser)


def balance(user, borough) -> int:
    account = Account.objects.filter(kind=AccountKind.MEMBER, holder=user, area=borough).first()
    return account.balance if account else 0


def test_confirming_time_issues_one_credit_an_hour_from_the_service(activity, member, organiser, borough):
    entry = confirmed(activity, member, organiser, minutes=90)
    assert entry.status == TimeEntry.Status.CONFIRMED and entry.decided_by == organiser
    assert balance(member, borough) == 150
    issuing = Account.objects.get(kind=AccountKind.ISSUANCE, service=activity.service)
    assert issuing.balance == -150
    assert services.check_books(borough).ok


def test_an_area_may_set_its_own_rate(activity, member, organiser, borough):
    CreditPolicy.objects.create(area=borough, cents_per_hour=200)
    confirmed(activity, member, organiser, minutes=45)
    assert balance(member, borough) == 150


def test_confirming_twice_issues_once(activity, member, organiser, borough):
    entry = confirmed(activity, member, organiser)
    services.confirm_time(entry, organiser)
    assert balance(member, borough) == 150 and Transaction.objects.count() == 1


def test_logging_time_on_an_activity_you_have_not_joined_is_refused_and_nothing_is_stored(activity, resident):
    outsider = resident("out@example.net")
    with pytest.raises(CoproductionError, match="You have not joined Reading helpers") as refused:
        services.log_time(activity, outsider, 60, YESTERDAY, "", "k1")
    assert refused.value.field == "activity"
    assert not TimeEntry.objects.exists()


def test_logging_the_same_request_twice_records_it_once(activity, member):
    first = services.log_time(activity, member, 60, YESTERDAY, "", "same")
    again = services.log_time(activity, member, 60, YESTERDAY, "", "same")
    assert first.pk == again.pk and TimeEntry.objects.count() == 1


def test_confirming_your_own_time_is_refused_and_nothing_is_stored(activity, organiser):
    services.join(activity, organiser)
    entry = services.log_time(activity, organiser, 60, YESTERDAY, "", "k1")
    with pytest.raises(CoproductionError, match="You cannot confirm or decline your own time") as refused:
        services.confirm_time(entry, organiser)
    assert refused.value.field == "decision"
    entry.refresh_from_db()
    assert entry.status == TimeEntry.Status.PENDING and not Transaction.objects.exists()


def test_only_the_organiser_or_an_officer_confirms(activity, member, resident, officer, borough):
    entry = services.log_time(activity, member, 60, YESTERDAY, "", "k1")
    with pytest.raises(PermissionDenied):
        services.confirm_time(entry, resident("nosy@example.net"))
    services.confirm_time(entry, officer)
    assert balance(member, borough) == 100


def test_declining_needs_a_reason_and_issues_nothing(activity, member, organiser):
    entry = services.log_time(activity, member, 60, YESTERDAY, "", "k1")
    with pytest.raises(CoproductionError, match="Enter why you are declining") as refused:
        services.decline_time(entry, organiser, " ")
    assert refused.value.field == "reason"
    services.decline_time(entry, organiser, "You were not at the session on that day")
    entry.refresh_from_db()
    assert entry.status == TimeEntry.Status.DECLINED and not Transaction.objects.exists()


def test_redeeming_an_offer_twice_with_one_key_charges_once(activity, member, organiser, swim, borough):
    confirmed(activity, member, organiser, minutes=180)
    first = services.redeem(member, swim, "click-1")
    second = services.redeem(member, swim, "click-1")
    assert first.created and not second.created
    assert (
        second.transaction.pk == first.transaction.pk
        and second.transaction.voucher == first.transaction.voucher
    )
    assert balance(member, borough) == 200
    assert Transaction.objects.filter(kind="redemption").count() == 1


def test_spending_more_than_you_hold_is_refused_and_nothing_is_stored(
    activity, member, organiser, swim, borough
):
    confirmed(activity, member, organiser, minutes=30)
    with pytest.raises(CoproductionError, match=r"You have 0\.5 credits and this costs 1 credit"):
        services.redeem(member, swim, "k")
    assert balance(member, borough) == 50 and Transaction.objects.count() == 1


def test_giving_and_donating_move_credits_between_members_and_the_pot(
    activity, member, organiser, resident, borough
):
    confirmed(activity, member, organiser, minutes=120)
    friend = resident("friend@example.net", "E02999002")
    services.give(member, borough, friend, 50, "g1")
    services.donate(member, borough, 25, "d1")
    assert balance(member, borough) == 125 and balance(friend, borough) == 50
    assert Account.objects.get(kind=AccountKind.POT, area=borough).balance == 25
    with pytest.raises(
        CoproductionError, match=r"You have 1\.25 credits: enter an amount of 1\.25 credits or less"
    ):
        services.give(member, borough, friend, 500, "g2")
    with pytest.raises(CoproductionError, match="cannot give credits to yourself") as refused:
        services.give(member, borough, member, 10, "g3")
    assert refused.value.field == "recipient"
    assert services.check_books(borough).ok


def test_a_reversal_names_what_it_reverses_who_and_why(activity, member, organiser, officer, borough):
    entry = confirmed(activity, member, organiser)
    undo = services.reverse(entry.credit, officer, "Logged twice by mistake", "r1").transaction
    assert (
        undo.reverses == entry.credit and undo.made_by == officer and undo.reason == "Logged twice by mistake"
    )
    assert balance(member, borough) == 0 and Posting.objects.count() == 4
    with pytest.raises(CoproductionError, match="already been reversed"):
        services.reverse(entry.credit, officer, "Again", "r2")
    with pytest.raises(PermissionDenied):
        services.reverse(entry.credit, organiser, "Not mine to reverse", "r3")


def test_a_reversal_that_would_overdraw_is_refused(activity, member, organiser, officer, swim, borough):
    entry = confirmed(activity, member, organiser, minutes=60)
    services.redeem(member, swim, "spent")
    with pytest.raises(CoproductionError, match="Not enough credits"):
        services.reverse(entry.credit, officer, "Too late", "r1")
    assert balance(member, borough) == 0


def test_credits_older_than_the_period_expire_into_the_expiry_account(activity, member, organiser, borough):
    CreditPolicy.objects.create(area=borough, expiry_months=12)
    confirmed(activity, member, organiser, minutes=120)
    assert services.expire_credits(borough, date.today()) == []
    later = date.today() + timedelta(days=400)
    assert len(services.expire_credits(borough, later)) == 1
    assert balance(member, borough) == 0
    assert Account.objects.get(kind=AccountKind.EXPIRY, area=borough).balance == 200
    assert services.expire_credits(borough, later) == []  # nothing left, nothing posted twice
    lines = services.statement(member, borough)
    assert [line.balance for line in lines] == [200, 0] and "not spent" in lines[-1].description


def test_ledger_rows_cannot_be_changed_or_deleted(activity, member, organiser):
    entry = confirmed(activity, member, organiser)
    posting = entry.credit.postings.first()
    posting.amount = 1_000_000
    with pytest.raises(PermissionError):
        posting.save()
    with pytest.raises(PermissionError):
        entry.credit.delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's")
def test_the_database_itself_refuses_to_rewrite_the_ledger_on_postgresql(activity, member, organiser):
    from django.db import DatabaseError, transaction

    confirmed(activity, member, organiser)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Posting.objects.update(amount=5)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Posting.objects.all()._raw_delete(Posting.objects.db)


def test_the_statement_runs_a_balance_through_every_posting(activity, member, organiser, swim, borough):
    confirmed(activity, member, organiser, minutes=150, key="a")
    services.redeem(member, swim, "s1")
    lines = services.statement(member, borough)
    assert [(line.amount, line.balance) for line in lines] == [(250, 250), (-100, 150)]
    assert "A swim at Vale Leisure Centre (voucher " in lines[1].description


def test_dashboards_count_hours_people_and_the_share_that_design_or_decide(
    activity, member, organiser, borough, libraries
):
    from commonweal.coproduction.models import Activity

    Activity.objects.create(
        area=borough,
        service=libraries,
        title="Library design panel",
        description="x",
        involvement="design",
        when="Monthly",
        where="Library",
        organiser=organiser,
    )
    confirmed(activity, member, organiser, minutes=90)
    [summary] = services.service_summaries(borough)
    assert (summary.activities, summary.shifting_power, summary.power_shift) == (2, 1, 50)
    assert (summary.people, summary.hours) == (1, 1.5)
    [(month, hours)] = services.hours_by_month(borough, libraries)
    assert hours == 1.5 and month.day == 1
    assert services.people_involved(borough) == {"joined": 1, "gave_time": 1}


def test_the_expiry_command_expires_old_credits_once_and_checks_the_books(
    activity, member, organiser, borough
):
    from django.core.management import call_command

    CreditPolicy.objects.create(area=borough, expiry_months=6)
    confirmed(activity, member, organiser, minutes=60)
    later = (date.today() + timedelta(days=200)).isoformat()
    call_command("expire_credits", "--as-of", later)
    call_command("expire_credits", "--as-of", later)
    assert balance(member, borough) == 0 and Transaction.objects.filter(kind="expiry").count() == 1


def spent_voucher(activity, member, organiser, offer) -> Transaction:
    confirmed(activity, member, organiser, minutes=120)
    return services.redeem(member, offer, "spend").transaction


def test_partner_staff_mark_a_voucher_used_and_the_statement_says_so(
    activity, member, organiser, swim, till, borough
):
    voucher = spent_voucher(activity, member, organiser, swim)
    assert services.voucher_status(voucher) == "not used yet"
    use = services.use_voucher(swim.partner, voucher.voucher, till)
    assert use.transaction == voucher and use.used_by == till and use.area == borough
    line = services.statement(member, borough)[-1]
    assert f"(voucher {voucher.voucher}, used on " in line.description


def test_a_voucher_used_twice_is_refused_the_second_time_and_nothing_more_is_stored(
    activity, member, organiser, swim, till
):
    voucher = spent_voucher(activity, member, organiser, swim)
    services.use_voucher(swim.partner, voucher.voucher, till)
    with pytest.raises(CoproductionError, match=f"Voucher {voucher.voucher} was already used on") as refused:
        services.use_voucher(swim.partner, voucher.voucher, till)
    assert refused.value.field == "code" and VoucherUse.objects.count() == 1


def test_an_unknown_voucher_code_is_refused(swim, till):
    with pytest.raises(CoproductionError, match="There is no voucher ABCDEFGH: check the code"):
        services.use_voucher(swim.partner, "ABCDEFGH", till)
    assert not VoucherUse.objects.exists()


def test_a_voucher_for_another_partners_offer_is_refused_and_stays_unused(
    activity, member, organiser, swim, cinema, till
):
    voucher = spent_voucher(activity, member, organiser, cinema)
    with pytest.raises(CoproductionError, match="is for another partner's offer: it cannot be used at Vale"):
        services.use_voucher(swim.partner, voucher.voucher, till)
    assert services.voucher_status(Transaction.objects.get(pk=voucher.pk)) == "not used yet"


def test_only_the_partners_staff_or_an_officer_use_its_vouchers(
    activity, member, organiser, swim, cinema, till, officer
):
    voucher = spent_voucher(activity, member, organiser, swim)
    cinema.partner.staff.add(organiser)  # staff of another partner
    for outsider in (member, organiser):
        with pytest.raises(PermissionDenied):
            services.use_voucher(swim.partner, voucher.voucher, outsider)
    assert not VoucherUse.objects.exists()
    assert services.use_voucher(swim.partner, voucher.voucher, officer).used_by == officer


def test_a_voucher_whose_redemption_was_reversed_cannot_be_used(
    activity, member, organiser, swim, till, officer
):
    voucher = spent_voucher(activity, member, organiser, swim)
    services.reverse(voucher, officer, "Pool closed", "r")
    with pytest.raises(CoproductionError, match="was cancelled and its credits given back"):
        services.use_voucher(swim.partner, voucher.voucher, till)
    assert services.voucher_status(voucher) == "cancelled, credits returned"


def pot_with(activity, member, organiser, borough, cents: int) -> None:
    confirmed(activity, member, organiser, minutes=240, key="pot")
    services.donate(member, borough, cents, "to-pot")


def test_an_officer_grants_pot_credits_and_the_statement_names_them_and_why(
    activity, member, organiser, officer, resident, borough
):
    pot_with(activity, member, organiser, borough, 150)
    newcomer = resident("new@example.net", "E02999002")
    posted = services.grant(officer, borough, newcomer, 100, "Helped at the flood centre", "g1")
    assert posted.created and posted.transaction.kind == "grant" and posted.transaction.made_by == officer
    assert balance(newcomer, borough) == 100
    assert Account.objects.get(kind=AccountKind.POT, area=borough).balance == 50
    line = services.statement(newcomer, borough)[-1]
    assert (
        line.description
        == "Grant from the community pot, approved by Olu Officer: Helped at the flood centre"
    )
    assert services.check_books(borough).ok


def test_granting_with_the_same_key_twice_grants_once(
    activity, member, organiser, officer, resident, borough
):
    pot_with(activity, member, organiser, borough, 150)
    newcomer = resident("new@example.net", "E02999002")
    services.grant(officer, borough, newcomer, 100, "Thanks", "g1")
    assert not services.grant(officer, borough, newcomer, 100, "Thanks", "g1").created
    assert balance(newcomer, borough) == 100


def test_granting_more_than_the_pot_holds_is_refused_and_nothing_is_stored(
    activity, member, organiser, officer, resident, borough
):
    pot_with(activity, member, organiser, borough, 150)
    newcomer = resident("new@example.net", "E02999002")
    with pytest.raises(
        CoproductionError,
        match=r"The community pot holds 1\.5 credits: enter an amount of 1\.5 credits or less",
    ) as refused:
        services.grant(officer, borough, newcomer, 151, "Thanks", "g1")
    assert refused.value.field == "amount"
    assert balance(newcomer, borough) == 0 and not Transaction.objects.filter(kind="grant").exists()


def test_only_an_officer_grants_and_always_with_a_reason(
    activity, member, organiser, officer, resident, borough
):
    pot_with(activity, member, organiser, borough, 150)
    with pytest.raises(PermissionDenied):
        services.grant(organiser, borough, member, 10, "For me", "g1")
    with pytest.raises(CoproductionError, match="Enter why you are granting these credits") as refused:
        services.grant(officer, borough, member, 10, "  ", "g2")
    assert refused.value.field == "reason" and not Transaction.objects.filter(kind="grant").exists()


on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the one-statement write is PostgreSQL's"
)


@on_postgresql
def test_a_transfer_outside_a_transaction_is_one_round_trip_on_postgresql(
    transactional_db, activity, member, organiser, resident, borough
):
    from django.test.utils import CaptureQueriesContext

    confirmed(activity, member, organiser, minutes=120)
    friend = resident("friend@example.net", "E02999002")
    source, target = services.member_account(member, borough), services.member_account(friend, borough)
    for n, expected in enumerate([2, 1, 1]):  # the accounts' kinds are read once, then remembered
        spec = ledger.move(Kind.GIFT, str(source.pk), str(target.pk), 10, key=f"gift-{n}", by="")
        with CaptureQueriesContext(connection) as queries:
            assert services.post(spec, area=borough, made_by=None).created
        assert len(queries) == expected, [q["sql"][:80] for q in queries]
    assert balance(member, borough) == 170 and balance(friend, borough) == 30
    assert services.check_books(borough).ok


@on_postgresql
@pytest.mark.parametrize("remembered", [AccountKind.POT, AccountKind.REDEMPTION])
def test_a_wrongly_remembered_kind_writes_nothing_and_is_read_again(
    activity, member, organiser, borough, remembered
):
    """A pot passes the shape check of an expiry but not the statement's; a partner fails the shape."""
    confirmed(activity, member, organiser, minutes=120)
    account = services.member_account(member, borough)
    services._kinds_seen[account.pk] = remembered
    sink = services.expiry_account(borough)
    spec = ledger.move(Kind.EXPIRY, str(account.pk), str(sink.pk), 50, key="expire", by="")
    assert services.post(spec, area=borough, made_by=None).created
    assert services._kinds_seen[account.pk] is AccountKind.MEMBER
    assert balance(member, borough) == 150 and Transaction.objects.filter(kind="expiry").count() == 1
    assert services.check_books(borough).ok


def test_a_used_voucher_cannot_be_reversed(activity, member, organiser, swim, till, officer, borough):
    voucher = spent_voucher(activity, member, organiser, swim)
    services.use_voucher(swim.partner, voucher.voucher, till)
    with pytest.raises(CoproductionError, match=r"was used at Vale Leisure Centre on .*cannot be given back"):
        services.reverse(voucher, officer, "Pool closed", "r")
    assert balance(member, borough) == 100 and not Transaction.objects.filter(kind="reversal").exists()
