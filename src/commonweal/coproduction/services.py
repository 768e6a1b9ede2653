"""The ledger's rules applied to the database: each step one transaction, safe under concurrency.

Every posting locks the accounts it touches (`SELECT … FOR UPDATE`, always in primary-key order, so
two transfers between the same people in opposite directions cannot deadlock), checks the pure
rules in `ledger.py` against the locked balances, writes the transaction and its postings, and
updates the cached balances, all before commit. The idempotency key is unique in the database, so
a retried request finds what the first one wrote instead of posting twice. A deadlock or
serialization failure (which PostgreSQL may still report under load) is retried a few times.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import BigIntegerField, Case, Count, F, Q, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone

from commonweal.places.models import Area, Role, Service, User
from commonweal.places.permissions import Action, allowed

from . import ledger
from .ledger import AccountKind, Kind, LedgerError, format_credits
from .models import (
    Account,
    Activity,
    CreditPolicy,
    Membership,
    Offer,
    Partner,
    Posting,
    TimeEntry,
    Transaction,
    VoucherUse,
    new_voucher_code,
)

T = TypeVar("T")
ATTEMPTS = 8
RETRYABLE_STATES = {"40001", "40P01", "55P03"}  # serialization failure, deadlock, lock not available


class CoproductionError(ValueError):
    """A refusal with a message for a person, naming the form field it is about (None for the form)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _retryable(error: OperationalError) -> bool:
    state = getattr(getattr(error, "__cause__", None), "sqlstate", None)
    return state in RETRYABLE_STATES or "deadlock" in str(error) or "database is locked" in str(error)


def in_transaction_with_retry(work: Callable[[], T], atomic: bool = True) -> T:
    """Run `work` in one database transaction, again from the start if the database asks for that.

    A unique-key clash is retried too: the second attempt finds the row the other request wrote.
    With `atomic` false, `work` is a single statement that is a transaction by itself.
    """
    for attempt in range(ATTEMPTS):
        try:
            with transaction.atomic() if atomic else nullcontext():
                return work()
        except (OperationalError, IntegrityError) as error:
            last = attempt == ATTEMPTS - 1
            if last or (isinstance(error, OperationalError) and not _retryable(error)):
                raise
            time.sleep(random.uniform(0, 0.005 * 2**attempt))
    raise AssertionError("unreachable")


# Accounts -------------------------------------------------------------------------------------


def authority_of(area: Area) -> Area:
    """Credits are held per local authority: the authority an area belongs to."""
    authority = area.authority()
    if authority is None:
        raise CoproductionError(f"{area.name} is not inside a local authority")
    return authority


def credit_rate(authority: Area) -> int:
    policy = CreditPolicy.objects.filter(area=authority).first()
    return policy.cents_per_hour if policy else ledger.CENTS_PER_CREDIT


def member_account(user: User, authority: Area) -> Account:
    account, _ = Account.objects.get_or_create(
        kind=AccountKind.MEMBER,
        area=authority,
        holder=user,
        defaults={"name": f"{user.full_name or user.email} ({authority.name})"},
    )
    return account


def issuing_account(service: Service, authority: Area) -> Account:
    account, _ = Account.objects.get_or_create(
        kind=AccountKind.ISSUANCE,
        area=authority,
        service=service,
        defaults={"name": f"{service.name} in {authority.name}: credits issued"},
    )
    return account


def partner_account(partner: Partner) -> Account:
    account, _ = Account.objects.get_or_create(
        kind=AccountKind.REDEMPTION,
        partner=partner,
        defaults={"area": authority_of(partner.area), "name": f"{partner.name}: credits redeemed"},
    )
    return account


def pot_account(authority: Area) -> Account:
    account, _ = Account.objects.get_or_create(
        kind=AccountKind.POT, area=authority, defaults={"name": f"{authority.name} community pot"}
    )
    return account


def expiry_account(authority: Area) -> Account:
    account, _ = Account.objects.get_or_create(
        kind=AccountKind.EXPIRY, area=authority, defaults={"name": f"{authority.name}: credits expired"}
    )
    return account


# Posting --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Posted:
    transaction: Transaction
    created: bool  # False when the key had already been used for this very request


def _as_core(tx: Transaction) -> ledger.Transaction:
    postings = tuple(ledger.Posting(str(p.account_id), p.amount) for p in tx.postings.all())
    return ledger.Transaction(
        key=tx.key,
        kind=Kind(tx.kind),
        postings=postings,
        by=str(tx.made_by_id),
        reason=tx.reason,
        reverses=tx.reverses.key if tx.reverses_id else None,
    )


def _earlier(spec: ledger.Transaction) -> Posted | None:
    earlier = Transaction.objects.filter(key=spec.key).first()
    if earlier is None:
        return None
    if not _as_core(earlier).same_request(spec):
        raise CoproductionError(
            "This request was already made with different details: start again from the form"
        )
    return Posted(earlier, created=False)


def kinds_of(ids: list[int]) -> dict[int, AccountKind]:
    kinds = {
        pk: AccountKind(kind)
        for pk, kind in Account.objects.filter(pk__in=ids).order_by().values_list("pk", "kind")
    }
    if len(kinds) != len(ids):
        raise LedgerError("One of the accounts does not exist")
    return kinds


# An account's kind never changes and its id is never reused, so a process remembers the kinds it has
# read. The PostgreSQL statement below compares them with the table and writes nothing if one differs.
_kinds_seen: dict[int, AccountKind] = {}


def _remembered_kinds(ids: list[int], forget: bool = False) -> dict[int, AccountKind]:
    unseen = ids if forget else [pk for pk in ids if pk not in _kinds_seen]
    if unseen:
        _kinds_seen.update(kinds_of(unseen))
    return {pk: _kinds_seen[pk] for pk in ids}


def _needs_lock(kind: AccountKind, debited: bool) -> bool:
    """A member account, or one credits are taken from that may not owe: its balance is checked."""
    return kind is AccountKind.MEMBER or (debited and kind not in ledger.MAY_GO_NEGATIVE)


# PostgreSQL: lock, check and write a transaction in one statement, so that outside a transaction it
# is one round trip and atomic by itself. `locked` takes the row locks in primary-key order, like
# select_for_update().order_by("pk"), as NO KEY UPDATE: only the balance changes, so another
# transaction's posting that merely refers to the account is not held up. The aggregates in
# `verdict` read every locked row, so all are locked before anything is written. The transaction is
# inserted only if every account has the kind its rules were checked with and no locked balance goes
# below zero; a key already used inserts nothing (the unique index decides, waiting for a concurrent
# insert of the same key to commit or roll back). Without that insert no posting is written and no
# balance moves. A locked row changed by another transaction after this statement began is updated
# in its newest version (PostgreSQL re-reads it under READ COMMITTED): the version locked and checked.
POST_SQL = """
WITH change(id, change, kind) AS (
    SELECT * FROM unnest(%(changed)s::bigint[], %(changes)s::bigint[], %(kinds)s::text[])
), locked AS MATERIALIZED (
    SELECT id, balance FROM {account} WHERE id = ANY(%(checked)s::bigint[]) ORDER BY id FOR NO KEY UPDATE
), verdict AS MATERIALIZED (
    SELECT
        (SELECT count(*) FROM {account} AS a JOIN change AS c ON c.id = a.id AND c.kind = a.kind)
            = cardinality(%(changed)s::bigint[]) AS kinds_hold,
        coalesce(bool_and(locked.balance + c.change >= 0), true) AS covered,
        coalesce(array_agg(locked.id), '{{}}') AS ids,
        coalesce(array_agg(locked.balance), '{{}}') AS balances
    FROM locked JOIN change AS c ON c.id = locked.id
), tx AS (
    INSERT INTO {transaction}
        (area_id, kind, key, made_by_id, made_at, reason, reverses_id, offer_id, voucher)
    SELECT %(area)s::bigint, %(kind)s::text, %(key)s::text, %(made_by)s::bigint, %(made_at)s::timestamptz,
           %(reason)s::text, %(reverses)s::bigint, %(offer)s::bigint, %(voucher)s::text
    FROM verdict WHERE kinds_hold AND covered
    ON CONFLICT (key) DO NOTHING
    RETURNING id
), postings AS (
    INSERT INTO {posting} (transaction_id, account_id, amount)
    SELECT tx.id, p.account, p.amount
    FROM tx, unnest(%(accounts)s::bigint[], %(amounts)s::bigint[]) WITH ORDINALITY AS p(account, amount, n)
    ORDER BY p.n
), balances AS (
    UPDATE {account} AS a SET balance = a.balance + c.change
    FROM change AS c
    WHERE a.id = c.id AND EXISTS (SELECT 1 FROM tx)
)
SELECT (SELECT id FROM tx), kinds_hold, covered, ids, balances FROM verdict
"""


@cache
def _prepared_cursor_class() -> type:
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparedCursor(ServerBindingCursor):
        def execute(self, query, params=None, **kwargs):
            return super().execute(query, params, prepare=True, **kwargs)

    return PreparedCursor


def _prepared_cursor():
    """A cursor that sends the parameters apart from the statement and has PostgreSQL prepare it on
    first use, so each connection plans POST_SQL once: planning its CTEs cost more than running them.
    Django's own cursors bind on the client and prepare nothing, which keeps poolers like PgBouncer
    in transaction mode working; this one statement needs a session of its own (conn_max_age)."""
    connection.ensure_connection()
    raw = _prepared_cursor_class()(connection.connection)
    return connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)


@cache
def _post_sql() -> str:
    return POST_SQL.format(
        account=Account._meta.db_table, transaction=Transaction._meta.db_table, posting=Posting._meta.db_table
    )


@dataclass(frozen=True)
class _Outcome:
    """What the statement did: the new transaction's id, or why it wrote nothing."""

    pk: int | None
    kinds_hold: bool
    covered: bool  # no locked balance would go below zero
    balances: dict[int, int]  # the locked accounts' balances before the transaction


def _post_in_one_statement(
    tx: Transaction, spec: ledger.Transaction, kinds: dict[int, AccountKind], change: dict[int, int]
) -> _Outcome:
    debited = {int(p.account) for p in spec.postings if p.amount < 0}
    params = {
        "changed": list(change),
        "changes": list(change.values()),
        "kinds": [kinds[pk].value for pk in change],
        "checked": [pk for pk, kind in kinds.items() if _needs_lock(kind, pk in debited)],
        "area": tx.area_id,
        "kind": tx.kind,
        "key": tx.key,
        "made_by": tx.made_by_id,
        "made_at": tx.made_at,
        "reason": tx.reason,
        "reverses": tx.reverses_id,
        "offer": tx.offer_id,
        "voucher": tx.voucher,
        "accounts": [int(p.account) for p in spec.postings],
        "amounts": [p.amount for p in spec.postings],
    }
    with _prepared_cursor() as cursor:
        cursor.execute(_post_sql(), params)
        pk, kinds_hold, covered, ids, balances = cursor.fetchone()
    return _Outcome(pk, kinds_hold, covered, dict(zip(ids, balances, strict=True)))


def _lock(ids: list[int], debited: set[int]) -> tuple[dict[int, AccountKind], dict[int, int]]:
    """Every touched account's kind, and the balances of those locked for the check (the ORM's way)."""
    kinds = kinds_of(ids)
    checked = [pk for pk in ids if _needs_lock(kinds[pk], pk in debited)]
    balances = dict(
        Account.objects.select_for_update().filter(pk__in=checked).order_by("pk").values_list("pk", "balance")
    )
    return kinds, balances


def _write(tx: Transaction, spec: ledger.Transaction, change: dict[int, int]) -> bool:
    """Store `tx`, its postings and the new cached balances; False, writing nothing, if its key is used."""
    if Transaction.objects.filter(key=tx.key).exists():
        return False
    tx.save(force_insert=True)
    Posting.objects.bulk_create(
        [Posting(transaction=tx, account_id=int(p.account), amount=p.amount) for p in spec.postings]
    )
    Account.objects.filter(pk__in=list(change)).update(
        balance=Case(
            *(When(pk=pk, then=F("balance") + Value(amount)) for pk, amount in change.items()),
            default="balance",
            output_field=BigIntegerField(),
        )
    )
    return True


def _as_text(mapping: dict[int, T]) -> dict[str, T]:
    return {str(pk): value for pk, value in mapping.items()}


def _write_on_postgresql(tx: Transaction, spec: ledger.Transaction, change: dict[int, int]) -> bool:
    """Check the rules and write `tx` in one statement; False, writing nothing, if its key is used."""
    for forget in (False, True):  # a second time only if a remembered kind was wrong
        kinds = _remembered_kinds(list(change), forget)
        try:
            ledger.check_shape(spec, _as_text(kinds))
        except LedgerError:
            if forget:
                raise
            continue
        outcome = _post_in_one_statement(tx, spec, kinds, change)
        if outcome.kinds_hold:
            break
    if outcome.pk is None:
        if not outcome.covered:
            ledger.apply(_as_text(outcome.balances), _as_text(kinds), spec)  # says which account is short
        return False
    tx.pk = outcome.pk
    tx._state.adding, tx._state.db = False, connection.alias
    return True


def post_locked(
    spec: ledger.Transaction,
    *,
    area: Area,
    made_by: User | None,
    offer: Offer | None = None,
    voucher: str = "",
) -> Posted:
    """Write `spec` inside the caller's database transaction (if any), or find it if its key was used.

    Locked first, in primary-key order: every member account the transaction touches and every
    other account it takes credits from (except an issuing account, which may owe). The accounts
    it only pays into (a pot, a partner, expiry) and issuing accounts are not locked up front but
    incremented in the final UPDATE: a payment in can never take a balance below zero, and these
    few accounts are shared by everyone, so holding their lock for the whole transaction would
    queue every redemption in the area behind one another. The locked accounts are incremented
    too: nobody else can change them until this transaction ends, so that gives the checked balance.

    On PostgreSQL the lock, the no-overdraft check and the writes are one statement (see POST_SQL),
    checked first against the pure rules with the accounts' kinds; elsewhere the ORM locks, the
    pure rules check, and the ORM writes. The idempotency key is checked by the insert itself (its
    unique index), not by reading first, except where a reversal or a refusal needs to know before:
    a retried request then finds what the first one wrote, even if the balances have moved since.
    """
    change: dict[int, int] = {}
    for posting in sorted(spec.postings, key=lambda p: int(p.account)):
        change[int(posting.account)] = change.get(int(posting.account), 0) + posting.amount
    debited = {int(p.account) for p in spec.postings if p.amount < 0}
    on_postgresql = connection.vendor == "postgresql"
    kinds, balances = ({}, {}) if on_postgresql else _lock(list(change), debited)
    reverses = None
    if spec.reverses:
        # After the lock, or the unique key decides: a concurrent request with this key is settled.
        earlier = _earlier(spec)
        if earlier is not None:
            return earlier
        reverses = Transaction.objects.filter(key=spec.reverses).first()
        if reverses is None:
            raise LedgerError("There is no transaction with that key to reverse")
        if Transaction.objects.filter(reverses=reverses).exists():
            raise CoproductionError("That transaction has already been reversed")
    tx = Transaction(
        area=area,
        kind=spec.kind,
        key=spec.key,
        made_by=made_by,
        reason=spec.reason,
        reverses=reverses,
        offer=offer,
        voucher=voucher,
    )
    try:
        if on_postgresql:
            written = _write_on_postgresql(tx, spec, change)
        else:
            # Unlocked accounts enter the check at zero: they are only paid into, or may owe.
            ledger.apply(_as_text(balances), _as_text(kinds), spec)
            written = _write(tx, spec, change)
    except LedgerError:
        earlier = _earlier(spec)  # a retry of a request that was posted is not refused now
        if earlier is not None:
            return earlier
        raise
    if not written:
        earlier = _earlier(spec)
        if earlier is None:  # the clashing insert rolled back after all: ask for another attempt
            raise IntegrityError(f"Transaction key {spec.key} was taken and released; try again")
        return earlier
    return Posted(tx, created=True)


def post(
    spec: ledger.Transaction,
    *,
    area: Area,
    made_by: User | None,
    offer: Offer | None = None,
    voucher: str = "",
) -> Posted:
    """Write `spec` as a transaction of its own, retried if the database asks.

    On PostgreSQL, called outside any transaction, it needs none: its one statement is atomic by
    itself, so a transfer is one round trip. A reversal reads what it reverses first, so it takes one.
    """
    alone = connection.vendor == "postgresql" and not spec.reverses and not connection.in_atomic_block
    return in_transaction_with_retry(
        lambda: post_locked(spec, area=area, made_by=made_by, offer=offer, voucher=voucher), atomic=not alone
    )


def _refusal(error: LedgerError, field: str | None) -> CoproductionError:
    return CoproductionError(str(error), field)


# Activities and time --------------------------------------------------------------------------


def may_confirm(user: User, activity: Activity) -> bool:
    """The activity's organiser confirms its time, as may an officer of its authority."""
    return activity.organiser_id == user.pk or allowed(user, Action.MANAGE_AREA, activity.area)


def join(activity: Activity, member: User) -> Membership:
    membership, _ = Membership.objects.get_or_create(activity=activity, member=member)
    return membership


def log_time(
    activity: Activity, member: User, minutes: int, given_on: date, note: str, key: str
) -> TimeEntry:
    """Record time given, waiting for the organiser; the same key twice records it once."""
    if not Membership.objects.filter(activity=activity, member=member).exists():
        raise CoproductionError(
            f"You have not joined {activity.title}: join the activity before you log time for it", "activity"
        )
    if minutes <= 0:
        raise CoproductionError("Enter the hours you gave, like 1.5", "hours")
    entry, created = TimeEntry.objects.get_or_create(
        key=f"log:{member.pk}:{key}",
        defaults={
            "activity": activity,
            "member": member,
            "minutes": minutes,
            "given_on": given_on,
            "note": note,
        },
    )
    if not created and (entry.activity_id, entry.minutes, entry.given_on) != (activity.pk, minutes, given_on):
        raise CoproductionError(
            "This request was already made with different details: start again from the form"
        )
    return entry


def confirmation_queue(user: User, authority: Area):
    """Time waiting for this person's decision: on activities they organise, or any, for an officer."""
    entries = TimeEntry.objects.filter(status=TimeEntry.Status.PENDING).select_related(
        "activity", "activity__service", "member"
    )
    entries = entries.filter(Q(activity__area=authority) | Q(activity__area__parent=authority))
    if not allowed(user, Action.MANAGE_AREA, authority):
        entries = entries.filter(activity__organiser=user)
    return entries.exclude(member=user).order_by("given_on", "pk")


def _decide(entry: TimeEntry, by: User) -> TimeEntry:
    if not may_confirm(by, entry.activity):
        raise PermissionDenied("Only the activity's organiser or an officer can confirm time given to it.")
    if entry.member_id == by.pk:
        raise CoproductionError(
            "You cannot confirm or decline your own time: another organiser or an officer must do it",
            "decision",
        )
    locked = (
        TimeEntry.objects.select_for_update()
        .select_related("activity__service", "activity__area")
        .get(pk=entry.pk)
    )
    return locked


def confirm_time(entry: TimeEntry, by: User) -> TimeEntry:
    """Confirm time given and issue its credits from the service's issuing account, once."""

    def work() -> TimeEntry:
        locked = _decide(entry, by)
        if locked.status == TimeEntry.Status.CONFIRMED:
            return locked  # a second click, or a second organiser at the same moment
        if locked.status == TimeEntry.Status.DECLINED:
            raise CoproductionError("This time has already been declined", "decision")
        authority = authority_of(locked.activity.area)
        amount = ledger.credits_for_minutes(locked.minutes, credit_rate(authority))
        source = issuing_account(locked.activity.service, authority)
        target = member_account(locked.member, authority)
        try:
            spec = ledger.move(
                Kind.ISSUE,
                str(source.pk),
                str(target.pk),
                amount,
                key=f"issue:time:{locked.pk}",
                by=str(by.pk),
                reason=f"{locked.hours_text} at {locked.activity.title} on {locked.given_on:%-d %B %Y}",
            )
            posted = post_locked(spec, area=authority, made_by=by)
        except LedgerError as error:
            raise _refusal(error, "decision") from error
        locked.status, locked.decided_by, locked.decided_at = TimeEntry.Status.CONFIRMED, by, timezone.now()
        locked.credit = posted.transaction
        locked.save(update_fields=["status", "decided_by", "decided_at", "credit"])
        return locked

    return in_transaction_with_retry(work)


def decline_time(entry: TimeEntry, by: User, reason: str) -> TimeEntry:
    if not reason.strip():
        raise CoproductionError("Enter why you are declining this time, so the resident knows", "reason")

    def work() -> TimeEntry:
        locked = _decide(entry, by)
        if locked.status != TimeEntry.Status.PENDING:
            raise CoproductionError(
                f"This time has already been {locked.get_status_display().lower()}", "decision"
            )
        locked.status, locked.decided_by, locked.decided_at = TimeEntry.Status.DECLINED, by, timezone.now()
        locked.decline_reason = reason.strip()
        locked.save(update_fields=["status", "decided_by", "decided_at", "decline_reason"])
        return locked

    return in_transaction_with_retry(work)


# Using credits --------------------------------------------------------------------------------


def resident_of(authority: Area, email: str) -> User | None:
    """A verified resident of a neighbourhood of the authority with this email address."""
    role = (
        Role.objects.filter(
            kind=Role.Kind.RESIDENT,
            verified_at__isnull=False,
            user__email__iexact=email.strip(),
        )
        .filter(Q(area=authority) | Q(area__parent=authority))
        .select_related("user")
        .first()
    )
    return role.user if role else None


def _spend(
    kind: Kind,
    by: User,
    source: Account,
    target: Account,
    amount: int,
    key: str,
    authority: Area,
    reason: str,
    field: str | None,
    offer: Offer | None = None,
    holder: str = "You have",
) -> Posted:
    """Move `amount` out of `source`, which `holder` names in the refusal when it holds too little."""
    try:
        spec = ledger.move(
            kind,
            str(source.pk),
            str(target.pk),
            amount,
            key=f"{kind}:{by.pk}:{key}",
            by=str(by.pk),
            reason=reason,
        )
    except LedgerError as error:
        raise _refusal(error, field) from error

    def work() -> Posted:
        try:
            return post_locked(
                spec, area=authority, made_by=by, offer=offer, voucher=new_voucher_code() if offer else ""
            )
        except LedgerError as error:
            held = Account.objects.get(pk=source.pk).balance
            if "Not enough credits" in str(error):
                raise CoproductionError(
                    f"{holder} {format_credits(held)}: enter an amount of {format_credits(held)} or less"
                    if field == "amount"
                    else f"{holder} {format_credits(held)} and this costs {format_credits(amount)}: "
                    "give more time to earn the rest",
                    field,
                ) from error
            raise _refusal(error, field) from error

    return in_transaction_with_retry(work)


def give(giver: User, authority: Area, recipient: User, amount: int, key: str) -> Posted:
    if recipient.pk == giver.pk:
        raise CoproductionError(
            "Enter the email address of someone else: you cannot give credits to yourself", "recipient"
        )
    return _spend(
        Kind.GIFT,
        giver,
        member_account(giver, authority),
        member_account(recipient, authority),
        amount,
        key,
        authority,
        f"Gift from {giver.full_name} to {recipient.full_name}",
        "amount",
    )


def donate(giver: User, authority: Area, amount: int, key: str) -> Posted:
    return _spend(
        Kind.DONATION,
        giver,
        member_account(giver, authority),
        pot_account(authority),
        amount,
        key,
        authority,
        f"Donation from {giver.full_name} to the community pot",
        "amount",
    )


def redeem(member: User, offer: Offer, key: str) -> Posted:
    """Spend credits on a partner's offer; the same key again returns the first voucher, uncharged."""
    if not offer.active:
        raise CoproductionError(f"{offer.partner.name} no longer offers {offer.title}: choose another offer")
    authority = authority_of(offer.partner.area)
    return _spend(
        Kind.REDEMPTION,
        member,
        member_account(member, authority),
        partner_account(offer.partner),
        offer.price,
        key,
        authority,
        f"{offer.title} at {offer.partner.name}",
        None,
        offer=offer,
    )


def grant(officer: User, authority: Area, recipient: User, amount: int, reason: str, key: str) -> Posted:
    """Give `amount` from the authority's community pot to a resident, naming the officer and why."""
    if not allowed(officer, Action.MANAGE_AREA, authority):
        raise PermissionDenied("Only an officer of the area can grant credits from the community pot.")
    if not reason.strip():
        raise CoproductionError("Enter why you are granting these credits, so the resident knows", "reason")
    return _spend(
        Kind.GRANT,
        officer,
        pot_account(authority),
        member_account(recipient, authority),
        amount,
        key,
        authority,
        reason.strip(),
        "amount",
        holder="The community pot holds",
    )


def reverse(original: Transaction, by: User, reason: str, key: str) -> Posted:
    """Post the exact opposite of `original`, naming it, who reversed it and why (officers only)."""
    if not allowed(by, Action.MANAGE_AREA, original.area):
        raise PermissionDenied("Only an officer of the area can reverse a transaction.")
    try:
        spec = ledger.reversal_of(_as_core(original), key=f"reversal:{key}", by=str(by.pk), reason=reason)
    except LedgerError as error:
        raise _refusal(error, "reason") from error

    def work() -> Posted:
        # Locked as use_voucher locks it, so a voucher is either used or cancelled, never both.
        Transaction.objects.select_for_update(of=("self",)).filter(pk=original.pk).first()
        use = VoucherUse.objects.filter(transaction=original).first()
        if use is not None:
            raise CoproductionError(
                f"Voucher {original.voucher} was used at {use.partner.name} on {_day(use.used_at)}: "
                "its credits cannot be given back",
                "reason",
            )
        try:
            return post_locked(spec, area=original.area, made_by=by)
        except LedgerError as error:
            raise _refusal(error, "reason") from error

    return in_transaction_with_retry(work)


# Vouchers at the partner -------------------------------------------------------------------------


def may_use_vouchers(user: User, partner: Partner) -> bool:
    """The partner's own staff (set in the admin) see and use its vouchers, as may an officer of its area."""
    return partner.staff.filter(pk=user.pk).exists() or allowed(user, Action.MANAGE_AREA, partner.area)


def partners_for(user: User, authority: Area):
    """The partners in the authority whose vouchers this person may see: all of them, for an officer."""
    partners = Partner.objects.filter(Q(area=authority) | Q(area__parent=authority))
    if allowed(user, Action.MANAGE_AREA, authority):
        return partners
    return partners.filter(staff=user) if user.is_authenticated else partners.none()


def vouchers_of(partner: Partner):
    """Every voucher issued on the partner's offers, newest first, with its use and any reversal."""
    return (
        Transaction.objects.filter(kind=Kind.REDEMPTION, offer__partner=partner)
        .select_related("offer", "use", "reversed_by")
        .order_by("-made_at", "-pk")
    )


def _use_of(tx: Transaction) -> VoucherUse | None:
    try:
        return tx.use
    except VoucherUse.DoesNotExist:
        return None


def _reversal_of(tx: Transaction) -> Transaction | None:
    try:
        return tx.reversed_by
    except Transaction.DoesNotExist:
        return None


def _day(moment) -> str:
    return f"{timezone.localtime(moment):%-d %B %Y}"


def voucher_status(tx: Transaction) -> str:
    """Whether a redemption's voucher was used at the partner, cancelled by a reversal, or not yet used."""
    use = _use_of(tx)
    if use is not None:
        return f"used on {_day(use.used_at)}"
    if _reversal_of(tx) is not None:
        return "cancelled, credits returned"
    return "not used yet"


def use_voucher(partner: Partner, code: str, by: User) -> VoucherUse:
    """Mark the voucher with this code, issued on one of the partner's offers, as used: once only.

    The voucher's transaction row is locked first, so two tills entering the same code at once
    queue: the second sees the first one's use and is refused. The unique one-to-one behind
    VoucherUse refuses a second use even without the lock.
    """
    if not may_use_vouchers(by, partner):
        raise PermissionDenied(f"Only {partner.name}'s staff or an officer of the area can use its vouchers.")

    def work() -> VoucherUse:
        issued = Transaction.objects.filter(kind=Kind.REDEMPTION, voucher=code)
        tx = issued.filter(offer__partner=partner).select_for_update(of=("self",)).first()
        if tx is None:
            if issued.exists():
                raise CoproductionError(
                    f"Voucher {code} is for another partner's offer: it cannot be used at {partner.name}",
                    "code",
                )
            raise CoproductionError(
                f"There is no voucher {code}: check the code with the resident and enter it again", "code"
            )
        use = _use_of(tx)
        if use is not None:
            raise CoproductionError(
                f"Voucher {code} was already used on {_day(use.used_at)}: a voucher can be used only once",
                "code",
            )
        if _reversal_of(tx) is not None:
            raise CoproductionError(
                f"Voucher {code} was cancelled and its credits given back: it cannot be used", "code"
            )
        return VoucherUse.objects.create(transaction=tx, area=tx.area, partner=partner, used_by=by)

    return in_transaction_with_retry(work)


def expire_credits(authority: Area, as_of: date, months: int | None = None) -> list[Posted]:
    """Move credits older than the area's period and still unspent to its expiry account."""
    if months is None:
        policy = CreditPolicy.objects.filter(area=authority).first()
        months = policy.expiry_months if policy else None
    if not months:
        return []
    total_months = as_of.year * 12 + as_of.month - 1 - months
    cutoff = as_of.replace(year=total_months // 12, month=total_months % 12 + 1, day=min(as_of.day, 28))
    sink = expiry_account(authority)
    posted = []
    holders = Account.objects.filter(
        area=authority, kind__in=[AccountKind.MEMBER, AccountKind.POT], balance__gt=0
    )
    for account in holders:
        rows = Posting.objects.filter(account=account).values_list("amount", "transaction__made_at")
        inflows = [(made_at.date(), amount) for amount, made_at in rows if amount > 0]
        outflow = -sum(amount for amount, _ in rows if amount < 0)
        due = ledger.expirable(inflows, outflow, cutoff)
        if due <= 0:
            continue
        spec = ledger.move(
            Kind.EXPIRY,
            str(account.pk),
            str(sink.pk),
            due,
            key=f"expiry:{account.pk}:{as_of}",
            by="",
            reason=f"Credits received before {cutoff:%-d %B %Y} and not spent",
        )
        try:
            posted.append(post(spec, area=authority, made_by=None))
        except LedgerError:
            continue  # spent in the meantime: the next run looks again
    return posted


# Reading the books ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementLine:
    made_at: object
    description: str
    amount: int
    balance: int
    key: str

    @property
    def amount_text(self) -> str:
        return ("+" if self.amount > 0 else "") + format_credits(self.amount)

    @property
    def balance_text(self) -> str:
        return format_credits(self.balance)


def statement(user: User, authority: Area) -> list[StatementLine]:
    """Every posting to the person's account in the authority, oldest first, with a running balance."""
    account = Account.objects.filter(kind=AccountKind.MEMBER, area=authority, holder=user).first()
    if account is None:
        return []
    postings = (
        Posting.objects.filter(account=account)
        .select_related(
            "transaction",
            "transaction__made_by",
            "transaction__offer",
            "transaction__offer__partner",
            "transaction__reverses",
            "transaction__use",
            "transaction__reversed_by",
        )
        .order_by("transaction__made_at", "pk")
    )
    lines, balance = [], 0
    for posting in postings:
        balance += posting.amount
        lines.append(
            StatementLine(
                posting.transaction.made_at,
                describe(posting.transaction),
                posting.amount,
                balance,
                posting.transaction.key,
            )
        )
    return lines


def describe(tx: Transaction) -> str:
    if tx.kind == Kind.REDEMPTION and tx.offer:
        return f"{tx.reason} (voucher {tx.voucher}, {voucher_status(tx)})"
    if tx.kind == Kind.GRANT and tx.made_by:
        return f"Grant from the community pot, approved by {tx.made_by.full_name}: {tx.reason}"
    if tx.kind == Kind.REVERSAL and tx.reverses:
        return f"Reversal of “{describe(tx.reverses)}”: {tx.reason}"
    return tx.reason or tx.get_kind_display()


@dataclass(frozen=True)
class BalanceCheck:
    accounts: int
    mismatched: list[tuple[Account, int]]  # (account, sum of its postings) where the cache differs
    totals: ledger.Totals

    @property
    def ok(self) -> bool:
        return not self.mismatched and self.totals.conserved


def check_books(authority: Area | None = None) -> BalanceCheck:
    """Every cached balance against the sum of its postings, and the conservation identity."""
    accounts = Account.objects.all() if authority is None else Account.objects.filter(area=authority)
    accounts = accounts.annotate(summed=Sum("postings__amount"))
    mismatched = [(a, a.summed or 0) for a in accounts if a.balance != (a.summed or 0)]
    balances = {str(a.pk): a.summed or 0 for a in accounts}
    kinds = {str(a.pk): AccountKind(a.kind) for a in accounts}
    return BalanceCheck(len(balances), mismatched, ledger.totals(balances, kinds))


# Dashboards -----------------------------------------------------------------------------------


def activities_in(authority: Area):
    return Activity.objects.filter(Q(area=authority) | Q(area__parent=authority))


@dataclass(frozen=True)
class ServiceSummary:
    service: Service
    activities: int
    shifting_power: int  # activities where residents design or decide
    people: int  # residents with confirmed time
    minutes: int

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)

    @property
    def power_shift(self) -> float | None:
        """Share of activities where residents design or decide, not only deliver (0 to 100)."""
        return round(100 * self.shifting_power / self.activities) if self.activities else None


def service_summaries(authority: Area, service: Service | None = None) -> list[ServiceSummary]:
    activities = activities_in(authority)
    if service is not None:
        activities = activities.filter(service=service)
    confirmed = Q(time_entries__status=TimeEntry.Status.CONFIRMED)
    rows = activities.values("service").annotate(
        count=Count("pk", distinct=True),
        shifting=Count("pk", filter=Q(involvement__in=["design", "decide"]), distinct=True),
        people=Count("time_entries__member", filter=confirmed, distinct=True),
    )
    minutes = dict(
        TimeEntry.objects.filter(activity__in=activities, status=TimeEntry.Status.CONFIRMED)
        .values("activity__service")
        .annotate(total=Sum("minutes"))
        .values_list("activity__service", "total")
    )
    services = Service.objects.in_bulk([row["service"] for row in rows])
    summaries = [
        ServiceSummary(
            services[row["service"]],
            row["count"],
            row["shifting"],
            row["people"],
            minutes.get(row["service"], 0) or 0,
        )
        for row in rows
    ]
    return sorted(summaries, key=lambda s: s.service.name)


def hours_by_month(authority: Area, service: Service | None = None) -> list[tuple[date, float]]:
    """Confirmed hours given per calendar month, oldest first, by the month the time was given."""
    entries = TimeEntry.objects.filter(
        activity__in=activities_in(authority), status=TimeEntry.Status.CONFIRMED
    )
    if service is not None:
        entries = entries.filter(activity__service=service)
    rows = entries.annotate(month=TruncMonth("given_on")).values("month").annotate(total=Sum("minutes"))
    return sorted((row["month"], round(row["total"] / 60, 2)) for row in rows)


def people_involved(authority: Area, service: Service | None = None) -> dict[str, int]:
    memberships = Membership.objects.filter(activity__in=activities_in(authority))
    entries = TimeEntry.objects.filter(
        activity__in=activities_in(authority), status=TimeEntry.Status.CONFIRMED
    )
    if service is not None:
        memberships = memberships.filter(activity__service=service)
        entries = entries.filter(activity__service=service)
    return {
        "joined": memberships.values("member").distinct().count(),
        "gave_time": entries.values("member").distinct().count(),
    }
