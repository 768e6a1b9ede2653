"""Every co-production page: happy paths, refusals by role, and bad input that stores nothing."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.test import Client

from commonweal.coproduction import services
from commonweal.coproduction.models import Activity, Membership, TimeEntry, Transaction, VoucherUse

BASE = "/areas/E06000999/co-production/"
YESTERDAY = date.today() - timedelta(days=1)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def log_form(activity, hours="1.5", key="k1", **extra) -> dict:
    return {
        "activity": activity.pk,
        "hours": hours,
        "given_on": YESTERDAY.strftime("%d/%m/%Y"),
        "key": key,
        **extra,
    }


def test_the_dashboard_is_public_and_shows_hours_people_and_power_shift(client, activity, member, organiser):
    entry = services.log_time(activity, member, 90, YESTERDAY, "", "k")
    services.confirm_time(entry, organiser)
    page = client.get(BASE).content.decode()
    assert "Reading helpers" in page and "Libraries" in page and "Balanced" in page
    assert "<svg" in page and "Hours co-produced each month" in page
    service_page = client.get(f"{BASE}services/libraries/").content.decode()
    assert "1.5" in service_page and "0 of 1 (0%)" in service_page


def test_a_resident_joins_an_activity(activity, resident):
    user = resident("joiner@example.net")
    response = client_for(user).post(f"{BASE}activities/{activity.pk}/join/")
    assert response.status_code == 302
    assert Membership.objects.filter(activity=activity, member=user).exists()


def test_an_unverified_resident_cannot_join(activity, resident):
    user = resident("new@example.net", verified=False)
    assert client_for(user).post(f"{BASE}activities/{activity.pk}/join/").status_code == 403
    assert not Membership.objects.exists()


def test_logging_time_puts_it_in_the_organisers_queue(activity, member, organiser):
    response = client_for(member).post(f"{BASE}log-time/", log_form(activity))
    assert response.status_code == 302
    queue = client_for(organiser).get(f"{BASE}confirm/").content.decode()
    assert "Ann" in queue and "1 hours 30 minutes" not in queue and "1 hour 30 minutes" in queue


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("lots", "Enter the hours you gave as a number, like 1.5"),
        ("0.1", "Enter at least a quarter of an hour, like 0.25"),
        ("1.1", "Enter the hours in quarter hours, like 1.25 or 1.5"),
        ("-2", "The hours you gave must be more than 0"),
        ("30", "Enter no more than 24 hours for one day"),
        ("", "Enter the hours you gave, like 1.5"),
    ],
)
def test_bad_hours_are_refused_with_a_message_naming_the_field_and_nothing_is_stored(
    activity, member, hours, message
):
    response = client_for(member).post(f"{BASE}log-time/", log_form(activity, hours=hours))
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and message in page and 'href="#id_hours"' in page
    assert not TimeEntry.objects.exists()


def test_logging_time_on_an_activity_you_are_not_in_names_the_activity_field(activity, resident):
    outsider = resident("outsider@example.net")
    response = client_for(outsider).post(f"{BASE}log-time/", log_form(activity))
    page = response.content.decode()
    assert "You have not joined Reading helpers: join the activity before you log time for it" in page
    assert 'href="#id_activity"' in page and not TimeEntry.objects.exists()


def test_a_date_in_the_future_is_refused(activity, member):
    tomorrow = (date.today() + timedelta(days=1)).strftime("%d/%m/%Y")
    page = (
        client_for(member)
        .post(f"{BASE}log-time/", {**log_form(activity), "given_on": tomorrow})
        .content.decode()
    )
    assert (
        "The date you gave the time must be today or in the past" in page and not TimeEntry.objects.exists()
    )


def test_the_organiser_confirms_and_the_statement_shows_the_credit(activity, member, organiser):
    entry = services.log_time(activity, member, 120, YESTERDAY, "", "k")
    response = client_for(organiser).post(f"{BASE}confirm/{entry.pk}/", {"decision": "confirm"})
    assert response.status_code == 302
    statement = client_for(member).get(f"{BASE}statement/").content.decode()
    assert "+2 credits" in statement and "2 hours at Reading helpers" in statement


def test_confirming_your_own_time_shows_a_message_naming_the_decision_and_stores_nothing(activity, organiser):
    services.join(activity, organiser)
    entry = services.log_time(activity, organiser, 60, YESTERDAY, "", "k")
    response = client_for(organiser).post(f"{BASE}confirm/{entry.pk}/", {"decision": "confirm"})
    page = response.content.decode()
    assert "You cannot confirm or decline your own time" in page and 'href="#id_decision"' in page
    assert not Transaction.objects.exists()


def test_someone_who_is_not_the_organiser_cannot_open_the_decision_page(activity, member, resident):
    entry = services.log_time(activity, member, 60, YESTERDAY, "", "k")
    nosy = client_for(resident("nosy@example.net"))
    assert nosy.get(f"{BASE}confirm/{entry.pk}/").status_code == 403
    assert nosy.post(f"{BASE}confirm/{entry.pk}/", {"decision": "confirm"}).status_code == 403
    assert not Transaction.objects.exists()


def test_declining_without_a_reason_names_the_reason_field(activity, member, organiser):
    entry = services.log_time(activity, member, 60, YESTERDAY, "", "k")
    page = client_for(organiser).post(f"{BASE}confirm/{entry.pk}/", {"decision": "decline"}).content.decode()
    assert (
        "Enter why you are declining this time, so the resident knows" in page and 'href="#id_reason"' in page
    )
    entry.refresh_from_db()
    assert entry.status == TimeEntry.Status.PENDING


def test_redeeming_an_offer_twice_with_one_key_charges_once_and_says_so(activity, member, organiser, swim):
    services.confirm_time(services.log_time(activity, member, 120, YESTERDAY, "", "k"), organiser)
    client = client_for(member)
    client.post(f"{BASE}offers/{swim.pk}/spend/", {"key": "same-click"})
    second = client.post(
        f"{BASE}offers/{swim.pk}/spend/", {"key": "same-click"}, follow=True
    ).content.decode()
    assert "You had already spent credits on this: you were not charged again" in second
    assert Transaction.objects.filter(kind="redemption").count() == 1
    assert "1 credit" in client.get(f"{BASE}statement/").content.decode()


def test_spending_without_enough_credits_is_refused_and_nothing_is_stored(member, swim):
    page = client_for(member).post(f"{BASE}offers/{swim.pk}/spend/", {"key": "k"}).content.decode()
    assert "There is a problem" in page and "You have 0 credits and this costs 1 credit" in page
    assert not Transaction.objects.exists()


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("two", "Enter the number of credits, like 1.5"),
        ("0", "The number of credits must be more than 0"),
        ("-1", "The number of credits must be more than 0"),
        ("0.005", "Enter credits to no more than 2 decimal places, like 1.25"),
    ],
)
def test_giving_a_bad_amount_names_the_amount_field(member, amount, message):
    form = {"recipient": "pot", "amount": amount, "key": "k"}
    page = client_for(member).post(f"{BASE}give/", form).content.decode()
    assert message in page and 'href="#id_amount"' in page and not Transaction.objects.exists()


def test_giving_to_someone_who_is_not_a_resident_names_the_email_field(member):
    form = {"recipient": "person", "email": "nobody@example.net", "amount": "1", "key": "k"}
    page = client_for(member).post(f"{BASE}give/", form).content.decode()
    assert "Enter the email address of a resident of Thornbury Vale" in page and 'href="#id_email"' in page


def test_the_statement_downloads_as_csv_with_a_running_balance(activity, member, organiser, swim):
    services.confirm_time(services.log_time(activity, member, 150, YESTERDAY, "", "k"), organiser)
    services.redeem(member, swim, "s")
    response = client_for(member).get(f"{BASE}statement.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["date", "description", "credits", "balance", "reference"]
    assert [(r[2], r[3]) for r in rows[1:]] == [("2.50", "2.50"), ("-1.00", "1.50")]


def test_only_officers_publish_activities(borough, officer, organiser, libraries, member):
    form = {
        "title": "Patient panel",
        "service": libraries.pk,
        "area": borough.pk,
        "involvement": "decide",
        "description": "Decide opening hours.",
        "when": "Monthly",
        "where": "Town hall",
        "organiser_email": organiser.email,
    }
    assert client_for(member).post(f"{BASE}activities/new/", form).status_code == 403
    response = client_for(officer).post(f"{BASE}activities/new/", form)
    assert response.status_code == 302
    assert Activity.objects.get(title="Patient panel").organiser == organiser


def test_an_officer_reverses_a_transaction_with_a_reason(activity, member, organiser, officer):
    entry = services.confirm_time(services.log_time(activity, member, 60, YESTERDAY, "", "k"), organiser)
    url = f"{BASE}transactions/{entry.credit.pk}/reverse/"
    assert client_for(member).get(url).status_code == 403
    page = client_for(officer).post(url, {"key": "r"}).content.decode()
    assert "Enter why you are reversing this transaction" in page
    client_for(officer).post(url, {"key": "r", "reason": "Logged on the wrong activity"})
    assert Transaction.objects.get(kind="reversal").reverses == entry.credit


def voucher_for(activity, member, organiser, offer) -> Transaction:
    services.confirm_time(services.log_time(activity, member, 120, YESTERDAY, "", "k"), organiser)
    return services.redeem(member, offer, "spend").transaction


def test_partner_staff_see_their_vouchers_and_use_one_and_the_member_sees_it_used(
    activity, member, organiser, swim, till
):
    voucher = voucher_for(activity, member, organiser, swim)
    url = f"{BASE}partners/{swim.partner.pk}/vouchers/"
    staff = client_for(till)
    listing = staff.get(url).content.decode()
    assert voucher.voucher in listing and "A swim" in listing and "Not used yet" in listing
    typed = voucher.voucher.lower()[:4] + " " + voucher.voucher.lower()[4:]  # as read out at a till
    page = staff.post(url, {"code": typed}, follow=True).content.decode()
    assert f"Voucher {voucher.voucher} for A swim is now used." in page and "Used on " in page
    statement = client_for(member).get(f"{BASE}statement/").content.decode()
    assert f"(voucher {voucher.voucher}, used on " in statement
    assert VoucherUse.objects.get().used_by == till


def test_vouchers_are_shown_fifty_a_page_with_govuk_pagination(activity, member, organiser, swim, till):
    swim.price = 1  # a hundredth of a credit, so two hours buy every voucher the test needs
    swim.save()
    services.confirm_time(services.log_time(activity, member, 120, YESTERDAY, "", "k"), organiser)
    codes = [services.redeem(member, swim, f"spend-{n}").transaction.voucher for n in range(53)]
    on_first, on_second = codes[::-1][:50], codes[::-1][50:]
    url = f"{BASE}partners/{swim.partner.pk}/vouchers/"
    staff = client_for(till)
    first = staff.get(url).content.decode()
    assert all(code in first for code in on_first) and not any(code in first for code in on_second)
    assert 'class="govuk-pagination"' in first and 'href="?page=2" rel="next"' in first
    assert 'aria-label="Page 1" aria-current="page"' in first and 'rel="prev"' not in first
    second = staff.get(url, {"page": 2}).content.decode()
    assert all(code in second for code in on_second) and not any(code in second for code in on_first)
    assert 'href="?page=1" rel="prev"' in second and 'rel="next"' not in second
    assert 'aria-label="Page 2" aria-current="page"' in second


@pytest.mark.parametrize(("asked", "shown"), [("two", 1), ("0", 2), ("99", 2)])
def test_a_vouchers_page_that_is_not_there_shows_the_first_or_last_as_get_page_does(
    activity, member, organiser, swim, till, asked, shown
):
    swim.price = 1
    swim.save()
    services.confirm_time(services.log_time(activity, member, 120, YESTERDAY, "", "k"), organiser)
    for n in range(51):
        services.redeem(member, swim, f"spend-{n}")
    response = client_for(till).get(f"{BASE}partners/{swim.partner.pk}/vouchers/", {"page": asked})
    assert response.status_code == 200
    assert f'aria-label="Page {shown}" aria-current="page"' in response.content.decode()


def test_the_dashboard_links_partner_staff_to_their_vouchers(swim, till, member):
    url = f"{BASE}partners/{swim.partner.pk}/vouchers/"
    assert url in client_for(till).get(BASE).content.decode()
    assert url not in client_for(member).get(BASE).content.decode()


def test_a_voucher_used_twice_names_the_code_field_and_stores_nothing_more(
    activity, member, organiser, swim, till
):
    voucher = voucher_for(activity, member, organiser, swim)
    url = f"{BASE}partners/{swim.partner.pk}/vouchers/"
    client_for(till).post(url, {"code": voucher.voucher})
    page = client_for(till).post(url, {"code": voucher.voucher}).content.decode()
    assert f"Voucher {voucher.voucher} was already used on" in page and 'href="#id_code"' in page
    assert VoucherUse.objects.count() == 1


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "Enter the voucher code, like 7KQ2MXRA"),
        ("ABC", "Enter the voucher code as shown: 8 letters and numbers, like 7KQ2MXRA"),
        ("ABCDEFG0", "Enter the voucher code as shown: 8 letters and numbers, like 7KQ2MXRA"),
        ("ABCDEFGH", "There is no voucher ABCDEFGH: check the code with the resident and enter it again"),
    ],
)
def test_a_bad_voucher_code_names_the_code_field_and_stores_nothing(swim, till, code, message):
    page = (
        client_for(till).post(f"{BASE}partners/{swim.partner.pk}/vouchers/", {"code": code}).content.decode()
    )
    assert "There is a problem" in page and message in page and 'href="#id_code"' in page
    assert not VoucherUse.objects.exists()


def test_a_code_for_another_partners_offer_is_refused(activity, member, organiser, swim, cinema, till):
    voucher = voucher_for(activity, member, organiser, cinema)
    page = (
        client_for(till)
        .post(f"{BASE}partners/{swim.partner.pk}/vouchers/", {"code": voucher.voucher})
        .content.decode()
    )
    assert "is for another partner&#x27;s offer: it cannot be used at Vale Leisure Centre" in page
    assert not VoucherUse.objects.exists()


def test_only_partner_staff_and_officers_open_a_partners_vouchers(
    activity, member, organiser, swim, cinema, till, officer, client
):
    voucher = voucher_for(activity, member, organiser, swim)
    url = f"{BASE}partners/{swim.partner.pk}/vouchers/"
    cinema.partner.staff.add(organiser)
    for outsider in (member, organiser):
        assert client_for(outsider).get(url).status_code == 403
        assert client_for(outsider).post(url, {"code": voucher.voucher}).status_code == 403
    assert client.get(url).status_code == 302  # signed out: to the sign-in page
    assert client_for(officer).get(url).status_code == 200
    assert not VoucherUse.objects.exists()


def test_a_partner_is_found_only_under_its_own_authority(swim, till, borough):
    from commonweal.places.models import Area

    Area.objects.create(code="E06000998", name="Ashcombe", kind="authority", parent=borough.parent)
    elsewhere = f"/areas/E06000998/co-production/partners/{swim.partner.pk}/vouchers/"
    assert client_for(till).get(elsewhere).status_code == 404


def pot_of(activity, member, organiser, borough, cents: int) -> None:
    services.confirm_time(services.log_time(activity, member, 240, YESTERDAY, "", "pot"), organiser)
    services.donate(member, borough, cents, "to-pot")


def grant_form(email="ann@example.net", amount="1", reason="Helped at the flood centre", key="g") -> dict:
    return {"email": email, "amount": amount, "reason": reason, "key": key}


def test_an_officer_grants_pot_credits_and_the_resident_sees_who_and_why(
    activity, member, organiser, officer, resident, borough
):
    pot_of(activity, member, organiser, borough, 200)
    newcomer = resident("new@example.net", "E02999002")
    form_page = client_for(officer).get(f"{BASE}grant/").content.decode()
    assert 'id="pot">2 credits<' in form_page
    response = client_for(officer).post(f"{BASE}grant/", grant_form(email="NEW@example.net", amount="1.5"))
    assert response.status_code == 302
    statement = client_for(newcomer).get(f"{BASE}statement/").content.decode()
    assert "Grant from the community pot, approved by Olu Officer: Helped at the flood centre" in statement
    assert "+1.5 credits" in statement


def test_only_an_officer_opens_the_grant_page(activity, member, organiser, borough):
    pot_of(activity, member, organiser, borough, 200)
    assert client_for(organiser).get(f"{BASE}grant/").status_code == 403
    assert client_for(member).post(f"{BASE}grant/", grant_form()).status_code == 403
    assert not Transaction.objects.filter(kind="grant").exists()


@pytest.mark.parametrize(
    ("field", "form", "message"),
    [
        ("amount", grant_form(amount="lots"), "Enter the number of credits, like 1.5"),
        ("amount", grant_form(amount="0"), "The number of credits must be more than 0"),
        ("amount", grant_form(amount="-3"), "The number of credits must be more than 0"),
        ("amount", grant_form(amount=""), "Enter the number of credits to grant, like 1.5"),
        (
            "amount",
            grant_form(amount="2.01"),
            "The community pot holds 2 credits: enter an amount of 2 credits",
        ),
        (
            "email",
            grant_form(email="nobody@example.net"),
            "Enter the email address of a resident of Thornbury",
        ),
        ("email", grant_form(email="not-an-email"), "Enter their email address in the right format"),
        ("reason", grant_form(reason=""), "Enter why you are granting these credits, so the resident knows"),
    ],
)
def test_a_bad_grant_names_its_field_and_nothing_is_granted(
    activity, member, organiser, officer, borough, field, form, message
):
    pot_of(activity, member, organiser, borough, 200)
    page = client_for(officer).post(f"{BASE}grant/", form).content.decode()
    assert "There is a problem" in page and message in page and f'href="#id_{field}"' in page
    assert not Transaction.objects.filter(kind="grant").exists()
