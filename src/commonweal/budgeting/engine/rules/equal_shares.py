"""Method of Equal Shares (Peters & Skowron 2020; Peters, Pierczyński & Skowron 2021) with the
Add1 and budget-increase completions, giving exactly pabutools 1.2.3's outcomes.

Each voter starts with an equal share of the budget. In each round the project whose supporters
can pay for it at the lowest price per unit of satisfaction is funded; a supporter pays that price
times their satisfaction, or everything they have left. Money is tracked in float64 for speed;
every quantity that decides an outcome (which project wins a round, who runs out, whether a
project is still affordable) is settled in exact rationals whenever float64 cannot be trusted.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

from commonweal.budgeting.engine.rules.greedy import (
    greedy_fill,
    satisfaction_density,
    satisfaction_scales,
)

if TYPE_CHECKING:
    from commonweal.budgeting.engine.election import Profile

# Float budgets drift from the exact ones by at most ~1e-9 of a voter's share (rounds x voters x
# machine epsilon); anything closer than this to a deciding threshold is recomputed exactly.
_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Purchase:
    """One funded project: ``price`` is what a supporter who could afford it paid per unit of
    utility (per approval, or per point); ``rho`` is MES's price per unit of satisfaction."""

    project: int
    price: Fraction
    rho: Fraction


@dataclass(frozen=True)
class EqualSharesTrace:
    """A run of MES with its payments, for explanations.

    A group of identical ballots pays ``price * utility`` for every purchase it supports until
    the purchase at index ``ran_out_at[group]``, where it pays what it had left and then nothing
    (``-1``: never ran out).
    """

    per_voter_budget: Fraction
    purchases: tuple[Purchase, ...]
    ran_out_at: np.ndarray

    def budget_left(self, profile: Profile, groups: np.ndarray) -> list[Fraction]:
        """Exact money left to each of ``groups`` (one voter of the group) at the end."""
        projects = [purchase.project for purchase in self.purchases]
        utilities = profile.utilities[np.ix_(groups, projects)]
        prices = [purchase.price for purchase in self.purchases]
        return [
            Fraction(0)
            if self.ran_out_at[g] >= 0
            else self.per_voter_budget
            - sum(
                (price * int(u) for price, u in zip(prices, row, strict=True) if u),
                Fraction(0),
            )
            for g, row in zip(groups, utilities, strict=True)
        ]


class _Ballots:
    """Each project's supporters (groups of identical ballots), prepared once per profile and
    shared by every run of the rule."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.scales = satisfaction_scales(profile)
        self.scales_f = np.array([float(s) for s in self.scales])
        self.costs_f = np.array([float(c) for c in profile.costs])
        weights = profile.weights.astype(np.float64)
        self.supporters = []
        self.weights = []
        self.utilities = []
        self.candidates = []
        for p in range(len(profile.project_ids)):
            groups = np.flatnonzero(profile.utilities[:, p] > 0)
            self.supporters.append(groups)
            self.weights.append(weights[groups])
            self.utilities.append(profile.utilities[groups, p].astype(np.float64))
            if len(groups) and profile.costs[p] > 0:
                self.candidates.append(p)
        # pabutools funds wanted free projects before the first round (in no particular order;
        # we take id order) and leaves projects nobody wants to the completion.
        self.free = [
            p for p in range(len(profile.project_ids)) if profile.costs[p] == 0 and len(self.supporters[p])
        ]


class _Run:
    """One run of MES at a given per-voter budget."""

    def __init__(self, ballots: _Ballots, per_voter_budget: Fraction) -> None:
        self.ballots = ballots
        self.share = per_voter_budget
        share = float(per_voter_budget)
        self.tolerance = _TOLERANCE * share
        self.budget = np.full(len(ballots.profile.weights), share)
        self.ran_out_at = np.full(len(ballots.profile.weights), -1, dtype=np.int64)
        self.purchases: list[Purchase] = []

    def run(self) -> list[int]:
        """Fund projects round by round until none is affordable; return them in order."""
        ballots = self.ballots
        # Lazy evaluation: a project's price only rises as budgets fall, so its last price is a
        # lower bound and only projects whose bound beats the current best need recomputing.
        heap = [(ballots.costs_f[p] / self._wanted(p) / ballots.scales_f[p], p) for p in ballots.candidates]
        heapq.heapify(heap)
        while heap:
            best_high = np.inf
            contenders = []
            while heap and heap[0][0] <= best_high:
                _, p = heapq.heappop(heap)
                price = self._float_price(p)
                if price is None:
                    continue  # unaffordable now, so for good: budgets never grow
                scale = ballots.scales_f[p]
                low, high = (price - self.tolerance) / scale, (price + self.tolerance) / scale
                contenders.append((low, p, price))
                best_high = min(best_high, high)
            if not contenders:
                break
            tied = [(p, price) for low, p, price in contenders if low <= best_high]
            if len(tied) == 1:
                ((winner, price_f),) = tied
                price, ran_out = self._exact_price(winner, price_f)
            else:
                exact = {p: self._exact_price(p, price_f) for p, price_f in tied}
                # Exact tie: smallest project id as a string, which is the index order.
                winner = min(exact, key=lambda p: (exact[p][0] / ballots.scales[p], p))
                price, ran_out = exact[winner]
            self._pay(winner, price, ran_out)
            for low, p, _ in contenders:
                if p != winner:
                    heapq.heappush(heap, (low, p))
        return [purchase.project for purchase in self.purchases]

    def trace(self) -> EqualSharesTrace:
        return EqualSharesTrace(self.share, tuple(self.purchases), self.ran_out_at.copy())

    def _wanted(self, p: int) -> float:
        return float(self.ballots.weights[p] @ self.ballots.utilities[p])

    def _float_price(self, p: int) -> float | None:
        """Price per unit of utility at which p's supporters can just pay for it, or None if
        they cannot pay for it at all."""
        ballots = self.ballots
        budget = self.budget[ballots.supporters[p]]
        weights, utilities, cost = ballots.weights[p], ballots.utilities[p], ballots.costs_f[p]
        money = weights * budget
        total = money.sum()
        slack = self.tolerance * weights.sum() + 1e-9 * cost
        if total < cost - slack:
            return None
        if total <= cost + slack and self._money_exactly(p) < cost:
            return None
        weighted = weights * utilities
        price = cost / weighted.sum()
        if (budget >= price * utilities).all():
            return price  # nobody runs out: the common case, no sort needed
        ratio = budget / utilities
        order = np.argsort(ratio, kind="stable")
        paid_before = np.concatenate(([0.0], np.cumsum(money[order])[:-1]))
        still_paying = np.cumsum(weighted[order][::-1])[::-1]
        prices = (cost - paid_before) / still_paying
        affordable = prices <= ratio[order]
        affordable[-1] = True  # total money covers the cost (checked exactly above)
        return float(prices[np.argmax(affordable)])

    def _exact_price(self, p: int, price_f: float) -> tuple[Fraction, np.ndarray]:
        """Exact price for p and the live supporters who run out paying it. Float decides only
        who is clearly above or below the price; those near it are settled exactly."""
        price, ran_out = self._settle(p, price_f, self.tolerance)
        if abs(float(price) - price_f) > self.tolerance / 2:
            # The float estimate was off by more than its error bound allows: settle everyone.
            price, ran_out = self._settle(p, price_f, np.inf)
        return price, ran_out

    def _settle(self, p: int, price_f: float, width: float) -> tuple[Fraction, np.ndarray]:
        ballots = self.ballots
        groups = ballots.supporters[p]
        weights, utilities = ballots.weights[p], ballots.utilities[p]
        live = self.ran_out_at[groups] < 0
        ratio = self.budget[groups] / utilities
        below = live & (ratio < price_f - width)
        near = live & ~below & (ratio <= price_f + width)
        above = live & ~below & ~near
        paid = self._money(groups[below], weights[below])
        paying = int(weights[above] @ utilities[above])
        near_groups = groups[near]
        near_sorted = sorted(
            zip(
                self._budgets(near_groups),
                weights[near].astype(int),
                utilities[near].astype(int),
                near_groups,
                strict=True,
            ),
            key=lambda item: item[0] / item[2],
        )
        paying += sum(w * u for _, w, u, _ in near_sorted)
        cost = ballots.profile.costs[p]
        for budget, w, u, _ in near_sorted:
            if (cost - paid) / paying * u <= budget:
                break  # this group and all richer ones pay the price in full
            paid += w * budget
            paying -= w * u
        price = (cost - paid) / paying
        ran_out = list(groups[below]) + [g for b, _, u, g in near_sorted if b <= price * u]
        return price, np.array(ran_out, dtype=np.int64)

    def _pay(self, p: int, price: Fraction, ran_out: np.ndarray) -> None:
        ballots = self.ballots
        groups = ballots.supporters[p]
        live = self.ran_out_at[groups] < 0
        self.budget[groups[live]] -= float(price) * ballots.utilities[p][live]
        self.budget[ran_out] = 0.0
        self.ran_out_at[ran_out] = len(self.purchases)
        self.purchases.append(Purchase(p, price, price / ballots.scales[p]))

    def _money_exactly(self, p: int) -> Fraction:
        groups = self.ballots.supporters[p]
        live = self.ran_out_at[groups] < 0
        return self._money(groups[live], self.ballots.weights[p][live])

    def _money(self, groups: np.ndarray, weights: np.ndarray) -> Fraction:
        """Exact money held by ``groups`` (weighted), none of which has run out: the initial
        share less every price paid in full, as integer utility counts times exact prices."""
        if not len(groups):
            return Fraction(0)
        total = self.share * int(weights.sum())
        if self.purchases:
            bought = [purchase.project for purchase in self.purchases]
            counts = weights.astype(np.int64) @ self.ballots.profile.utilities[np.ix_(groups, bought)]
            total -= sum(
                (purchase.price * int(c) for purchase, c in zip(self.purchases, counts, strict=True) if c),
                Fraction(0),
            )
        return total

    def _budgets(self, groups: np.ndarray) -> list[Fraction]:
        return [self._money(np.array([g]), np.ones(1)) for g in groups]


def _first_run(profile: Profile, per_voter_budget: Fraction | None = None) -> _Run:
    ballots = _Ballots(profile)
    run = _Run(ballots, per_voter_budget or profile.budget / profile.num_voters)
    run.run()
    return run


def equal_shares_trace(profile: Profile, per_voter_budget: Fraction | None = None) -> EqualSharesTrace:
    """The payments of one MES run (default share: budget / number of voters)."""
    return _first_run(profile, per_voter_budget).trace()


def equal_shares(profile: Profile) -> list[int]:
    """Plain MES: each voter gets budget / voters, no completion (may leave money unspent)."""
    ballots = _Ballots(profile)
    return ballots.free + _Run(ballots, profile.budget / profile.num_voters).run()


def _cost(profile: Profile, projects: list[int]) -> Fraction:
    return sum((profile.costs[p] for p in projects), Fraction(0))


def equal_shares_add1(profile: Profile) -> list[int]:
    """MES with the Add1 completion used by equalshares.net, then greedy fill: raise every
    voter's share by one currency unit until the outcome leaves no wanted project that fits,
    keeping the last outcome within the budget."""
    return greedy_fill(profile, satisfaction_density(profile), add1_outcome(profile)[0])


def add1_outcome(profile: Profile) -> tuple[list[int], Fraction]:
    """The Add1 outcome (before greedy fill) and the per-voter budget that produced it."""
    ballots = _Ballots(profile)
    share = profile.budget / profile.num_voters
    previous: tuple[list[int], Fraction] = (ballots.free, share)
    wanted = ballots.candidates
    while True:
        outcome = ballots.free + _Run(ballots, share).run()
        spent = _cost(profile, outcome)
        if spent > profile.budget:
            return previous
        chosen = set(outcome)
        if all(spent + profile.costs[p] > profile.budget for p in wanted if p not in chosen):
            return outcome, share
        previous = (outcome, share)
        share += 1
