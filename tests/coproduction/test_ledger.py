"""The pure ledger: hand-worked cases, then a Hypothesis state machine that keeps its own books."""

from __future__ import annotations

from datetime import date

import hypothesis.strategies as st
import pytest
from hypothesis import settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from commonweal.coproduction.ledger import (
    AccountKind,
    Kind,
    Ledger,
    LedgerError,
    Posting,
    Transaction,
    apply,
    balances_from,
    credits_for_minutes,
    expirable,
    format_credits,
    move,
    reversal_of,
)

KINDS = {
    "gp": AccountKind.ISSUANCE,
    "ann": AccountKind.MEMBER,
    "bob": AccountKind.MEMBER,
    "pot": AccountKind.POT,
    "swim": AccountKind.REDEMPTION,
    "gone": AccountKind.EXPIRY,
}


def test_an_hour_at_the_default_rate_is_one_credit_and_fractions_round_down() -> None:
    assert credits_for_minutes(60) == 100
    assert credits_for_minutes(90) == 150
    assert credits_for_minutes(50, cents_per_hour=150) == 125
    assert credits_for_minutes(1, cents_per_hour=100) == 1  # 1.67 hundredths -> 1, never 2


@pytest.mark.parametrize("amount", [0, -100, 1.5, True, "100"])
def test_zero_negative_and_non_whole_amounts_are_refused(amount) -> None:
    with pytest.raises(LedgerError):
        move(Kind.GIFT, "ann", "bob", amount, key="k", by="ann")


def test_a_transaction_whose_postings_do_not_sum_to_zero_is_refused() -> None:
    tx = Transaction("k", Kind.GIFT, (Posting("ann", -100), Posting("bob", 90)), by="ann")
    with pytest.raises(LedgerError, match="sum to zero"):
        apply({"ann": 500}, KINDS, tx)


def test_spending_more_than_the_balance_is_refused() -> None:
    with pytest.raises(LedgerError, match=r"Not enough credits: this needs 0\.5 credits more"):
        apply({"ann": 100}, KINDS, move(Kind.REDEMPTION, "ann", "swim", 150, key="k", by="ann"))


def test_only_an_issuing_account_goes_below_zero() -> None:
    after = apply({}, KINDS, move(Kind.ISSUE, "gp", "ann", 300, key="k", by="org"))
    assert after == {"gp": -300, "ann": 300}


def test_a_transaction_may_not_take_a_route_its_kind_does_not_allow() -> None:
    with pytest.raises(LedgerError, match="A gift cannot move credits to a redemption account"):
        apply({"ann": 500}, KINDS, move(Kind.GIFT, "ann", "swim", 100, key="k", by="ann"))
    with pytest.raises(LedgerError, match="cannot move credits from an issuance"):
        apply({}, KINDS, move(Kind.GIFT, "gp", "ann", 100, key="k", by="ann"))


def test_a_retried_request_posts_once_and_a_reused_key_for_something_else_is_refused() -> None:
    ledger = Ledger()
    for name, kind in KINDS.items():
        ledger.open(name, kind)
    first = ledger.post(move(Kind.ISSUE, "gp", "ann", 200, key="confirm-1", by="org"))
    assert ledger.post(move(Kind.ISSUE, "gp", "ann", 200, key="confirm-1", by="org")) is first
    assert ledger.balances["ann"] == 200 and len(ledger.journal) == 1
    with pytest.raises(LedgerError, match="already used"):
        ledger.post(move(Kind.ISSUE, "gp", "ann", 500, key="confirm-1", by="org"))


def test_a_reversal_names_what_it_reverses_and_cannot_be_made_twice() -> None:
    ledger = Ledger()
    for name, kind in KINDS.items():
        ledger.open(name, kind)
    issue = ledger.post(move(Kind.ISSUE, "gp", "ann", 200, key="i1", by="org"))
    undo = ledger.post(reversal_of(issue, key="r1", by="officer", reason="Logged twice"))
    assert undo.reverses == "i1" and undo.by == "officer" and undo.reason == "Logged twice"
    assert ledger.balances == {**dict.fromkeys(KINDS, 0)}
    with pytest.raises(LedgerError, match="already been reversed"):
        ledger.post(reversal_of(issue, key="r2", by="officer", reason="Again"))
    with pytest.raises(LedgerError, match="cannot itself be reversed"):
        reversal_of(undo, key="r3", by="officer", reason="Undo the undo")


def test_a_reversal_needs_a_reason() -> None:
    issue = move(Kind.ISSUE, "gp", "ann", 200, key="i1", by="org")
    with pytest.raises(LedgerError, match="Say why"):
        reversal_of(issue, key="r1", by="officer", reason="  ")


def test_expiry_takes_what_arrived_before_the_cut_off_and_is_still_unspent() -> None:
    inflows = [(date(2024, 1, 1), 300), (date(2024, 6, 1), 200), (date(2025, 3, 1), 100)]
    assert expirable(inflows, outflow=0, expired_before=date(2025, 1, 1)) == 500
    assert expirable(inflows, outflow=350, expired_before=date(2025, 1, 1)) == 150
    assert expirable(inflows, outflow=600, expired_before=date(2025, 1, 1)) == 0
    assert expirable(inflows, outflow=0, expired_before=date(2023, 1, 1)) == 0


def test_credits_are_written_as_people_read_them() -> None:
    assert [format_credits(c) for c in (100, 250, 25, 0, 120_000)] == [
        "1 credit",
        "2.5 credits",
        "0.25 credits",
        "0 credits",
        "1,200 credits",
    ]


MEMBERS = ["ann", "bob", "cat"]
amounts = st.integers(min_value=1, max_value=800)


class LedgerMachine(RuleBasedStateMachine):
    """Random issues, gifts, donations, grants, redemptions, expiries, reversals and retries.

    The machine keeps its own counters of what was issued, redeemed and expired, independently of
    the ledger, and checks after every step that the ledger's books agree with them.
    """

    def __init__(self) -> None:
        super().__init__()
        self.ledger = Ledger()
        for name, kind in [
            ("gp", AccountKind.ISSUANCE),
            ("school", AccountKind.ISSUANCE),
            ("pot", AccountKind.POT),
            ("swim", AccountKind.REDEMPTION),
            ("gone", AccountKind.EXPIRY),
            *((m, AccountKind.MEMBER) for m in MEMBERS),
        ]:
            self.ledger.open(name, kind)
        self.issued = self.redeemed = self.expired = 0
        self.posted: list[Transaction] = []
        self.counter = 0

    def key(self) -> str:
        self.counter += 1
        return f"k{self.counter}"

    def attempt(self, tx: Transaction) -> bool:
        before = dict(self.ledger.balances)
        try:
            self.ledger.post(tx)
        except LedgerError:
            assert self.ledger.balances == before, "a refused transaction changed a balance"
            return False
        self.posted.append(tx)
        return True

    @rule(source=st.sampled_from(["gp", "school"]), member=st.sampled_from(MEMBERS), amount=amounts)
    def issue(self, source: str, member: str, amount: int) -> None:
        assert self.attempt(move(Kind.ISSUE, source, member, amount, key=self.key(), by="organiser"))
        self.issued += amount

    @rule(giver=st.sampled_from(MEMBERS), taker=st.sampled_from(MEMBERS), amount=amounts)
    def gift(self, giver: str, taker: str, amount: int) -> None:
        if giver != taker:
            self.attempt(move(Kind.GIFT, giver, taker, amount, key=self.key(), by=giver))

    @rule(member=st.sampled_from(MEMBERS), amount=amounts)
    def donate(self, member: str, amount: int) -> None:
        self.attempt(move(Kind.DONATION, member, "pot", amount, key=self.key(), by=member))

    @rule(member=st.sampled_from(MEMBERS), amount=amounts)
    def grant(self, member: str, amount: int) -> None:
        self.attempt(move(Kind.GRANT, "pot", member, amount, key=self.key(), by="officer"))

    @rule(member=st.sampled_from(MEMBERS), amount=amounts)
    def redeem(self, member: str, amount: int) -> None:
        if self.attempt(move(Kind.REDEMPTION, member, "swim", amount, key=self.key(), by=member)):
            self.redeemed += amount

    @rule(holder=st.sampled_from([*MEMBERS, "pot"]), amount=amounts)
    def expire(self, holder: str, amount: int) -> None:
        if self.attempt(move(Kind.EXPIRY, holder, "gone", amount, key=self.key(), by="scheduler")):
            self.expired += amount

    @rule(amount=st.integers(min_value=-500, max_value=0))
    def zero_or_negative_is_refused(self, amount: int) -> None:
        with pytest.raises(LedgerError):
            move(Kind.GIFT, "ann", "bob", amount, key=self.key(), by="ann")

    @precondition(lambda self: self.posted)
    @rule(data=st.data())
    def retry(self, data: st.DataObject) -> None:
        tx = data.draw(st.sampled_from(self.posted))
        before, count = dict(self.ledger.balances), len(self.ledger.journal)
        assert self.ledger.post(tx) is self.ledger.by_key[tx.key]
        assert self.ledger.balances == before and len(self.ledger.journal) == count

    @precondition(lambda self: self.posted)
    @rule(data=st.data())
    def reverse(self, data: st.DataObject) -> None:
        original = data.draw(st.sampled_from(self.posted))
        if original.kind is Kind.REVERSAL or original.key in self.ledger.reversed_by:
            return
        if self.attempt(reversal_of(original, key=self.key(), by="officer", reason="Entered by mistake")):
            moved = next(p.amount for p in original.postings if p.amount > 0)
            if original.kind is Kind.ISSUE:
                self.issued -= moved
            elif original.kind is Kind.REDEMPTION:
                self.redeemed -= moved
            elif original.kind is Kind.EXPIRY:
                self.expired -= moved

    @invariant()
    def credits_are_conserved(self) -> None:
        totals = self.ledger.totals()
        assert (totals.issued, totals.redeemed, totals.expired) == (self.issued, self.redeemed, self.expired)
        assert totals.held == self.issued - self.expired - self.redeemed
        assert totals.conserved

    @invariant()
    def no_holding_account_is_below_zero(self) -> None:
        for account, balance in self.ledger.balances.items():
            if self.ledger.kinds[account] is not AccountKind.ISSUANCE:
                assert balance >= 0, account

    @invariant()
    def every_balance_is_the_sum_of_its_postings(self) -> None:
        summed = balances_from(p for tx in self.ledger.journal for p in tx.postings)
        assert {a: b for a, b in self.ledger.balances.items() if b} == {a: b for a, b in summed.items() if b}

    @invariant()
    def every_key_is_posted_once(self) -> None:
        keys = [tx.key for tx in self.ledger.journal]
        assert len(keys) == len(set(keys))


LedgerMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
TestLedgerRules = LedgerMachine.TestCase
