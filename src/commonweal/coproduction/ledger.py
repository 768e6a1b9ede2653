"""The time-credit ledger's rules, as plain data: double entry, no overdraft, idempotent, append-only.

Amounts are whole hundredths of a credit (an hour given at the default rate is 100), so every sum
is exact. A transaction is a set of postings that sum to zero; an account's balance is the sum of
its postings. Credits enter circulation only from a service's issuing account and leave it only to
a partner's redemption account or the expiry account, so at every moment

    credits held by members and pots = issued − redeemed − expired

(the bookkeeping identity of a closed double-entry system; see Pacioli, *Summa de arithmetica*,
1494, or any accounting text). The Django app stores what this module decides; nothing here
touches a database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

CENTS_PER_CREDIT = 100
MINUTES_PER_HOUR = 60


class AccountKind(StrEnum):
    MEMBER = "member"  # a resident's own credits
    ISSUANCE = "issuance"  # a service's source of credits: its balance is minus what it has issued
    REDEMPTION = "redemption"  # a partner's account: credits spent on its offers end here
    POT = "pot"  # an area's community pot, which members donate to
    EXPIRY = "expiry"  # an area's expired credits


class Kind(StrEnum):
    ISSUE = "issue"  # time confirmed: service issuance -> member
    GIFT = "gift"  # member -> member
    DONATION = "donation"  # member -> community pot
    GRANT = "grant"  # community pot -> member
    REDEMPTION = "redemption"  # member -> partner, for an offer
    EXPIRY = "expiry"  # member or pot -> expiry, when credits are older than the area's period
    REVERSAL = "reversal"  # the exact opposite of an earlier transaction, with who and why


# From which kind of account to which each kind of transaction moves credits.
ROUTES: dict[Kind, tuple[frozenset[AccountKind], frozenset[AccountKind]]] = {
    Kind.ISSUE: (frozenset({AccountKind.ISSUANCE}), frozenset({AccountKind.MEMBER})),
    Kind.GIFT: (frozenset({AccountKind.MEMBER}), frozenset({AccountKind.MEMBER})),
    Kind.DONATION: (frozenset({AccountKind.MEMBER}), frozenset({AccountKind.POT})),
    Kind.GRANT: (frozenset({AccountKind.POT}), frozenset({AccountKind.MEMBER})),
    Kind.REDEMPTION: (frozenset({AccountKind.MEMBER}), frozenset({AccountKind.REDEMPTION})),
    Kind.EXPIRY: (frozenset({AccountKind.MEMBER, AccountKind.POT}), frozenset({AccountKind.EXPIRY})),
}

# Only an issuing account is a source: every other account holds credits and cannot owe them.
MAY_GO_NEGATIVE = frozenset({AccountKind.ISSUANCE})


class LedgerError(ValueError):
    """A transaction the ledger refuses, with a message a person can act on."""


@dataclass(frozen=True)
class Posting:
    account: str
    amount: int  # hundredths of a credit; positive credits the account, negative debits it


@dataclass(frozen=True)
class Transaction:
    key: str  # the idempotency key: one request, one transaction, however often it is retried
    kind: Kind
    postings: tuple[Posting, ...]
    by: str  # who made it
    reason: str = ""
    reverses: str | None = None  # the key of the transaction this one reverses
    on: date | None = None

    def same_request(self, other: Transaction) -> bool:
        """Whether `other` asks for what this transaction did (a retry, not a clash of keys)."""
        return (self.kind, sorted(self.postings, key=_order), self.reverses) == (
            other.kind,
            sorted(other.postings, key=_order),
            other.reverses,
        )


def _order(posting: Posting) -> tuple[str, int]:
    return posting.account, posting.amount


def credits_for_minutes(minutes: int, cents_per_hour: int = CENTS_PER_CREDIT) -> int:
    """Credits (in hundredths) for time given: rounded down, so no fraction is ever minted."""
    return minutes * cents_per_hour // MINUTES_PER_HOUR


def check_amount(amount: object) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise LedgerError("An amount must be a whole number of hundredths of a credit")
    if amount <= 0:
        raise LedgerError("An amount must be more than zero")
    return amount


def move(
    kind: Kind,
    source: str,
    target: str,
    amount: int,
    *,
    key: str,
    by: str,
    reason: str = "",
    on: date | None = None,
) -> Transaction:
    """A transaction moving `amount` from one account to another: two postings summing to zero."""
    if kind is Kind.REVERSAL:
        raise LedgerError("Make a reversal with reversal_of, which names what it reverses")
    check_amount(amount)
    if source == target:
        raise LedgerError("Credits cannot move from an account to itself")
    if not key:
        raise LedgerError("Every transaction needs an idempotency key")
    postings = (Posting(source, -amount), Posting(target, amount))
    return Transaction(key=key, kind=kind, postings=postings, by=by, reason=reason, on=on)


def reversal_of(
    original: Transaction, *, key: str, by: str, reason: str, on: date | None = None
) -> Transaction:
    """The transaction that undoes `original` exactly, saying who reversed it and why."""
    if original.kind is Kind.REVERSAL:
        raise LedgerError("A reversal cannot itself be reversed: make the original transaction again")
    if not reason.strip():
        raise LedgerError("Say why the transaction is being reversed")
    postings = tuple(Posting(p.account, -p.amount) for p in original.postings)
    return Transaction(
        key=key, kind=Kind.REVERSAL, postings=postings, by=by, reason=reason, reverses=original.key, on=on
    )


def check_shape(tx: Transaction, kinds: Mapping[str, AccountKind]) -> None:
    """Refuse a transaction that is unbalanced, has a zero posting, or takes a route not allowed."""
    if not tx.postings:
        raise LedgerError("A transaction needs at least two postings")
    if any(isinstance(p.amount, bool) or not isinstance(p.amount, int) or p.amount == 0 for p in tx.postings):
        raise LedgerError("Every posting must be a whole, non-zero number of hundredths of a credit")
    if sum(p.amount for p in tx.postings) != 0:
        raise LedgerError("The postings of a transaction must sum to zero")
    unknown = [p.account for p in tx.postings if p.account not in kinds]
    if unknown:
        raise LedgerError(f"No such account: {unknown[0]}")
    if tx.kind is Kind.REVERSAL:
        if not tx.reverses:
            raise LedgerError("A reversal must name the transaction it reverses")
        return
    sources, targets = ROUTES[tx.kind]
    for posting in tx.postings:
        allowed = targets if posting.amount > 0 else sources
        if kinds[posting.account] not in allowed:
            direction = "to" if posting.amount > 0 else "from"
            account = kinds[posting.account].value
            article = "an" if account[0] in "aeiou" else "a"
            raise LedgerError(
                f"A {tx.kind.value} cannot move credits {direction} {article} {account} account"
            )


def apply(balances: Mapping[str, int], kinds: Mapping[str, AccountKind], tx: Transaction) -> dict[str, int]:
    """The new balances of the accounts `tx` touches, or LedgerError if any would go below zero."""
    check_shape(tx, kinds)
    after: dict[str, int] = {}
    for posting in tx.postings:
        after[posting.account] = after.get(posting.account, balances.get(posting.account, 0)) + posting.amount
    for account, balance in after.items():
        if balance < 0 and kinds[account] not in MAY_GO_NEGATIVE:
            short = -balance
            raise LedgerError(
                f"Not enough credits: this needs {format_credits(short)} more than the account holds"
            )
    return after


def balances_from(postings: Iterable[Posting]) -> dict[str, int]:
    """Every account's balance as the sum of its postings: the only definition of a balance."""
    totals: dict[str, int] = {}
    for posting in postings:
        totals[posting.account] = totals.get(posting.account, 0) + posting.amount
    return totals


@dataclass(frozen=True)
class Totals:
    issued: int
    redeemed: int
    expired: int
    held: int  # by members and community pots

    @property
    def conserved(self) -> bool:
        return self.held == self.issued - self.redeemed - self.expired


def totals(balances: Mapping[str, int], kinds: Mapping[str, AccountKind]) -> Totals:
    """The ledger's conservation sums from its balances."""
    by_kind = dict.fromkeys(AccountKind, 0)
    for account, balance in balances.items():
        by_kind[kinds[account]] += balance
    return Totals(
        issued=-by_kind[AccountKind.ISSUANCE],
        redeemed=by_kind[AccountKind.REDEMPTION],
        expired=by_kind[AccountKind.EXPIRY],
        held=by_kind[AccountKind.MEMBER] + by_kind[AccountKind.POT],
    )


def expirable(inflows: Iterable[tuple[date, int]], outflow: int, expired_before: date) -> int:
    """Credits to expire: what arrived before `expired_before` and has not been spent since.

    Spending takes the oldest credits first (first in, first out), so every credit that has ever
    left the account, expiry included, came out of the earliest arrivals; what remains of those
    that arrived before the cut-off is old and unspent.
    """
    old = sum(amount for when, amount in inflows if when < expired_before)
    return max(0, old - outflow)


def format_credits(cents: int) -> str:
    """Hundredths of a credit as people read them: "1 credit", "2.5 credits", "0.25 credits"."""
    whole, part = divmod(abs(cents), CENTS_PER_CREDIT)
    number = f"{whole:,}" if part == 0 else f"{whole:,}.{part:02d}".rstrip("0")
    sign = "-" if cents < 0 else ""
    return f"{sign}{number} credit" + ("" if abs(cents) == CENTS_PER_CREDIT else "s")


@dataclass
class Ledger:
    """An in-memory ledger that applies the rules above: the reference the database service must match."""

    kinds: dict[str, AccountKind] = field(default_factory=dict)
    balances: dict[str, int] = field(default_factory=dict)
    journal: list[Transaction] = field(default_factory=list)
    by_key: dict[str, Transaction] = field(default_factory=dict)
    reversed_by: dict[str, str] = field(default_factory=dict)

    def open(self, account: str, kind: AccountKind) -> None:
        self.kinds.setdefault(account, kind)
        self.balances.setdefault(account, 0)

    def post(self, tx: Transaction) -> Transaction:
        """Record `tx` once; a retry with the same key returns what was recorded the first time."""
        earlier = self.by_key.get(tx.key)
        if earlier is not None:
            if not earlier.same_request(tx):
                raise LedgerError("This request key was already used for a different transaction")
            return earlier
        if tx.kind is Kind.REVERSAL:
            original = self.by_key.get(tx.reverses or "")
            if original is None:
                raise LedgerError("There is no transaction with that key to reverse")
            if tx.reverses in self.reversed_by:
                raise LedgerError("That transaction has already been reversed")
            if reversal_of(original, key=tx.key, by=tx.by, reason=tx.reason or "-").postings != tx.postings:
                raise LedgerError("A reversal must undo exactly the postings of what it reverses")
        self.balances.update(apply(self.balances, self.kinds, tx))
        self.journal.append(tx)
        self.by_key[tx.key] = tx
        if tx.reverses:
            self.reversed_by[tx.reverses] = tx.key
        return tx

    def totals(self) -> Totals:
        return totals(self.balances, self.kinds)
