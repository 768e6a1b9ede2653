"""Method of Equal Shares (Peters & Skowron 2020; Peters, Pierczyński & Skowron 2021) with the
Add1 and budget-increase completions, giving exactly pabutools 1.2.3's outcomes.

Each voter starts with an equal share of the budget. In each round the project whose supporters
can pay for it at the lowest price per unit of satisfaction is funded; a supporter pays that price
times their satisfaction, or everything they have left. Money is tracked in float64 for speed;
every quantity that decides an outcome (which project wins a round, who runs out, whether a
project is still affordable) is settled in exact rationals whenever float64 cannot be trusted.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Literal

import numpy as np

from commonweal.budgeting.engine.forked import Forked, can_fork
from commonweal.budgeting.engine.rules.equal_shares_float import FloatRun, Opening
from commonweal.budgeting.engine.rules.greedy import (
    greedy_fill,
    satisfaction_density,
    satisfaction_scales,
)

if TYPE_CHECKING:
    from commonweal.budgeting.engine.election import Profile

# The first rise of the share a run's reach is bounded for, in steps: a wide cap loosens the
# bounds less than the runs it saves where outcomes last (Budapest 2024), and where they do not
# the runs go untracked anyway. (96 rather than 64: Budapest 2024 3.5% fewer evaluations,
# Warszawa 2026 11%, the other large instances the same; from 104 up Budapest needs more.)
_FIRST_CAP = 96
# Later caps are twice the last reach, or else twice the outcomes' average length so far, from
# _SHORTEST_CAP to _FIRST_CAP steps: where outcomes last a few steps (Katowice 2023) a narrow cap
# keeps the bounds tight enough to vouch for those few.
_SHORTEST_CAP = 16
# The most runs in a row left untracked (see ``_raise_shares``).
_LONGEST_PAUSE = 32
# A tracked run vouching for fewer shares than this past its own saves less than it costs. (Since
# reaches let swaps pass, 2 rather than 4: Toulouse 2022 -4% instructions, the rest within 0.3%.)
_SHORT_REACH = 2
# A walk that has gone on for _SHARE_AFTER seconds (many times what forking and guessing where the
# search ends cost), in a search that looks to go on for as many steps again, shares the rest
# with a child process (see ``_raise_shares``). Where it ends is guessed by doubling the step
# until a run ends it, then halving the last doubling _HALVINGS times; this process walks the
# first _LOWER_PART of the steps to there, the first runs of a search costing a little more
# (Budapest 2024 and Toulouse 2022: 55% of the time below half the steps; at 0.45, 49% and 45%).
# Where the search is shared out depends on the time, the answer it gives does not.
_SHARE_AFTER = 0.02
_HALVINGS = 3
_LOWER_PART = 0.45
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
    free: tuple[int, ...]  # wanted projects costing nothing, funded before the first round
    purchases: tuple[Purchase, ...]
    ran_out_at: np.ndarray

    @property
    def funded(self) -> list[int]:
        return [*self.free, *(purchase.project for purchase in self.purchases)]

    def money_left(self, profile: Profile, groups: np.ndarray) -> Fraction:
        """Exact money left at the end to all voters of ``groups`` together."""
        live = groups[self.ran_out_at[groups] < 0]
        return _money_held(profile, self.per_voter_budget, self.purchases, live)


def _money_held(
    profile: Profile, share: Fraction, purchases: Sequence[Purchase], groups: np.ndarray
) -> Fraction:
    """Exact money held by all voters of ``groups``, none of which has run out: their shares
    less every price paid in full, as integer utility counts times exact prices."""
    weights = profile.weights[groups]
    total = share * int(weights.sum())
    if len(groups) and purchases:
        bought = [purchase.project for purchase in purchases]
        counts = weights @ profile.utilities[np.ix_(groups, bought)]
        total -= sum(
            (purchase.price * int(c) for purchase, c in zip(purchases, counts, strict=True) if c),
            Fraction(0),
        )
    return total


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
        self.weighted = []  # weights * utilities
        self.weight_sums = np.zeros(len(profile.costs))
        self.approval = []  # whether every supporter's utility is 1
        self.first_price = np.full(len(profile.costs), np.inf)  # price when nobody runs short
        self.candidates = []
        self.first_rho = np.full(len(profile.costs), np.inf)
        self.first_rho_exact: dict[int, Fraction] = {}
        # Each project's supporters from a row per project: the utilities' columns are strided.
        approves = profile.utilities > 0
        wants = np.ascontiguousarray(approves.T)
        for p in range(len(profile.project_ids)):
            groups = np.flatnonzero(wants[p])
            self.supporters.append(groups)
            self.weights.append(weights[groups])
            counts = profile.weights[groups]
            if profile.utility == "approval":
                self.utilities.append(np.ones(len(groups)))
                self.weighted.append(self.weights[p])
                total = int(counts.sum())  # total utility, exactly
            else:
                utilities = profile.utilities[groups, p]
                self.utilities.append(utilities.astype(np.float64))
                self.weighted.append(self.weights[p] * self.utilities[p])
                total = int(counts @ utilities)
            self.weight_sums[p] = self.weights[p].sum()
            self.approval.append(bool((self.utilities[p] == 1).all()))
            if len(groups) and profile.costs[p] > 0:
                self.candidates.append(p)
                self.first_price[p] = self.costs_f[p] / total
                self.first_rho[p] = self.first_price[p] / self.scales_f[p]
                self.first_rho_exact[p] = profile.costs[p] / (total * self.scales[p])
        # pabutools funds wanted free projects before the first round (in no particular order;
        # we take id order) and leaves projects nobody wants to the completion.
        self.free = [
            p for p in range(len(profile.project_ids)) if profile.costs[p] == 0 and len(self.supporters[p])
        ]

        self.weighted_sums = np.array([float(w.sum()) for w in self.weighted])
        # The same per-project floats as Python floats, quicker to read one at a time.
        self.cost_list: list[float] = self.costs_f.tolist()
        self.first_price_list: list[float] = self.first_price.tolist()
        self.scale_list: list[float] = self.scales_f.tolist()
        self.weight_sum_list: list[float] = self.weight_sums.tolist()
        # Which projects share a supporter with each project: buying one changes the others' prices.
        self.overlap = [approves[groups].any(axis=0) for groups in self.supporters]
        largest = max((len(groups) for groups in self.supporters), default=0)
        # Room for one value per supporter of any project, overwritten by each use.
        self.scratch = np.empty(largest)
        self.opening = Opening(self)

    def raised(
        self, step: Fraction, available: Iterable[int], limit: Fraction | None = None
    ) -> tuple[Fraction, list[int]]:
        """The share a completion settles on and the outcome there (see ``_raise_shares``)."""
        return _raise_shares(self.profile, self, step, available, limit)

    def trace(self, share: Fraction) -> EqualSharesTrace:
        """The exact run at ``share``, with its payments."""
        run = _Run(self, share)
        run.run()
        return run.trace()


class _Run:
    """One run of MES at a given per-voter budget (the share)."""

    def __init__(self, ballots: _Ballots, share: Fraction, exact: bool = True) -> None:
        self.ballots = ballots
        self.share = share
        # Without exact prices (a run that only bounds another), a close call counts as
        # affordable, which is the cautious answer there.
        self.exact = exact
        groups = len(ballots.profile.weights)
        self.tolerance = _TOLERANCE * float(share)
        self.budget = np.full(groups, float(share))
        self.ran_out_at = np.full(groups, -1, dtype=np.int64)
        self.purchases: list[Purchase] = []
        # A lower bound on each project's rho: prices only rise from round to round, so the
        # last price seen (less float error) stays a bound for the rest of the run.
        self.bound = ballots.first_rho.copy()
        # Whether each project's last evaluation found every supporter clearly able to pay the
        # price in full: its rho is then exactly its first one.
        self.uncapped = np.zeros(len(ballots.costs_f), dtype=bool)

    def run(self) -> list[int]:
        """Fund projects round by round until none is affordable; return them in order."""
        ballots = self.ballots
        pool = list(ballots.candidates)
        while pool:
            # Lazy evaluation: only projects whose bound beats the best price found so far
            # can win this round, so the others are not recomputed.
            pool.sort(key=lambda p: (self.bound[p], p))
            best_high = np.inf
            contenders: list[tuple[int, float]] = []
            evaluated = 0
            for p in pool:
                if self.bound[p] > best_high:
                    break
                evaluated += 1
                price = self._evaluate(p)
                if price is not None:
                    contenders.append((p, price))
                    best_high = min(best_high, (price + self.tolerance) / ballots.scales_f[p])
            pool = [p for p, _ in contenders] + pool[evaluated:]
            tied = [(p, price) for p, price in contenders if self.bound[p] <= best_high]
            if not tied:
                break
            if len(tied) == 1:
                ((winner, price_f),) = tied
                price, ran_out = self._exact_price(winner, price_f)
            else:
                exact = {p: self._exact_price(p, price_f) for p, price_f in tied}
                # Exact tie: smallest project id as a string, which is the index order.
                winner = min(exact, key=lambda p: (exact[p][0] / ballots.scales[p], p))
                price, ran_out = exact[winner]
            pool.remove(winner)
            self._spend(winner, float(price), ran_out)
            self.purchases.append(Purchase(winner, price, price / ballots.scales[winner]))
        return [purchase.project for purchase in self.purchases]

    def trace(self) -> EqualSharesTrace:
        return EqualSharesTrace(
            self.share, tuple(self.ballots.free), tuple(self.purchases), self.ran_out_at.copy()
        )

    def _evaluate(self, p: int) -> float | None:
        """Price per unit of utility at which p's supporters can just pay for it (refreshing its
        bound), or None if they cannot pay for it at all."""
        ballots = self.ballots
        groups = ballots.supporters[p]
        budget = self.budget[groups]
        weights, utilities, cost = ballots.weights[p], ballots.utilities[p], ballots.costs_f[p]
        money = weights * budget
        total = money.sum()
        slack = self.tolerance * weights.sum() + 1e-9 * cost
        close = total <= cost + slack
        if total < cost - slack or (close and self.exact and self._money_exactly(p) < cost):
            return None  # unaffordable now, so for good within this run: budgets never grow
        weighted = weights * utilities
        price = cost / weighted.sum()
        margin = budget - price * utilities
        self.uncapped[p] = bool((margin > self.tolerance * utilities).all())
        if not (margin >= 0).all():
            ratio = budget / utilities
            order = np.argsort(ratio, kind="stable")
            paid_before = np.concatenate(([0.0], np.cumsum(money[order])[:-1]))
            still_paying = np.cumsum(weighted[order][::-1])[::-1]
            prices = (cost - paid_before) / still_paying
            affordable = prices <= ratio[order]
            affordable[-1] = True  # total money covers the cost (checked exactly above)
            price = float(prices[np.argmax(affordable)])
        self.bound[p] = (price - self.tolerance) / ballots.scales_f[p]
        return price

    def _exact_price(self, p: int, price_f: float) -> tuple[Fraction, np.ndarray]:
        """Exact price for p and which of its live supporters run out paying it (a mask). Float
        decides only who is clearly above or below the price; those near it are settled
        exactly."""
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
        paid = self._money(groups[below])
        paying = int(ballots.weighted[p].sum(where=above))
        near_at = np.flatnonzero(near)
        near_sorted = sorted(
            zip(
                self._money_each(groups[near_at]),
                weights[near_at].astype(int),
                utilities[near_at].astype(int),
                near_at,
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
        ran_out = below
        ran_out[[at for budget, _, u, at in near_sorted if budget <= price * u]] = True
        return price, ran_out

    def _spend(self, p: int, price: float, ran_out: np.ndarray) -> None:
        """Supporters of p pay ``price`` per unit of utility; those in ``ran_out`` (a mask over
        p's supporters) pay all they have left."""
        groups = self.ballots.supporters[p]
        live = self.ran_out_at[groups] < 0
        ran_out = ran_out & live
        pays = live & ~ran_out
        self.budget[groups[pays]] -= price * self.ballots.utilities[p][pays]
        self.budget[groups[ran_out]] = 0.0
        self.ran_out_at[groups[ran_out]] = len(self.purchases)

    def _money_exactly(self, p: int) -> Fraction:
        groups = self.ballots.supporters[p]
        return self._money(groups[self.ran_out_at[groups] < 0])

    def _money(self, groups: np.ndarray) -> Fraction:
        return _money_held(self.ballots.profile, self.share, self.purchases, groups)

    def _money_each(self, groups: np.ndarray) -> list[Fraction]:
        """Exact money each voter of each of ``groups`` holds."""
        weights = self.ballots.profile.weights
        return [self._money(groups[i : i + 1]) / int(weights[groups[i]]) for i in range(len(groups))]


def equal_shares_trace(profile: Profile) -> EqualSharesTrace:
    """Plain MES: each voter's share is budget / voters, no completion."""
    return _counter(profile).trace(profile.budget / profile.num_voters)


def add1_trace(profile: Profile) -> EqualSharesTrace:
    """MES with the Add1 completion used by equalshares.net: raise every voter's share by one
    currency unit until no wanted project that fits is left out, keeping the last outcome
    within the budget."""
    counter = _counter(profile)
    return counter.trace(_add1(counter)[0])


def exhaust_trace(profile: Profile) -> EqualSharesTrace:
    """MES with the budget raised 1% at a time (pabutools' ``exhaustion_by_budget_increase``)
    until no project at all fits beside the outcome, keeping the last outcome within the
    budget."""
    counter = _counter(profile)
    return counter.trace(_exhaust(counter)[0])


def with_greedy_fill(profile: Profile, funded: list[int]) -> list[int]:
    """``funded``, then what greedy adds with the money left over."""
    return greedy_fill(profile, satisfaction_density(profile), funded)


def equal_shares(profile: Profile) -> list[int]:
    """Plain MES (may leave money unspent)."""
    return equal_shares_trace(profile).funded


# The completed rules need only the outcome, which the search already has: no exact run.
def equal_shares_add1(profile: Profile) -> list[int]:
    """MES with Add1, then greedy fill: the city standard."""
    return with_greedy_fill(profile, _add1(_counter(profile))[1])


def equal_shares_exhaust(profile: Profile) -> list[int]:
    """MES with 1% budget increases, then greedy fill."""
    return with_greedy_fill(profile, _exhaust(_counter(profile))[1])


def _counter(profile: Profile) -> _Ballots | _Apart:
    """What counts MES on this profile: the choose-one shortcut where it applies."""
    return _Apart(profile) if _Apart.fits(profile) else _Ballots(profile)


def _add1(counter: _Ballots | _Apart) -> tuple[Fraction, list[int]]:
    return counter.raised(Fraction(1), counter.candidates)


def _exhaust(counter: _Ballots | _Apart) -> tuple[Fraction, list[int]]:
    profile = counter.profile
    step = profile.budget / 100 / profile.num_voters
    everything = range(len(profile.project_ids))
    # pabutools gives up once the budget exceeds budget * (voters + 1).
    limit = profile.budget * (profile.num_voters + 1) / profile.num_voters
    return counter.raised(step, everything, limit)


def _raise_shares(
    profile: Profile,
    ballots: _Ballots,
    step: Fraction,
    available: Iterable[int],
    limit: Fraction | None = None,
) -> tuple[Fraction, list[int]]:
    """The first share budget/voters + k*step (k = 0, 1, ...) whose outcome leaves no
    ``available`` project that fits, or else the last share before a run overspends or the share
    passes ``limit``; and the outcome there. (The first run cannot overspend: it shares out
    exactly the budget.) The float runs' outcomes are the exact rule's, so it needs no exact run.

    Steps are searched with float runs (exact runs only where float cannot decide), and steps
    that surely buy the last outcome's projects (below a float run's ``reach``) are skipped, in
    the spirit of Kraiczy, Robinson & Elkind, "Streamlining Equal Shares" (2025).

    The answer is the first step that ends the search, whichever way the steps are covered, so
    they can be shared out: given a second processor, a search that goes on past the first steps
    has a child process search from about halfway (see ``_Search.split``) while this one searches
    the steps below, and the child's answer counts only if none of those ends the search.
    """
    search = _Search(profile, ballots, step, available, limit)
    walk = _Walk(search, 0)
    found = walk.until(seconds=_SHARE_AFTER) if can_fork() else walk.until()
    if found is None:  # a walk that lasts shares out the steps it has not come to
        middle = search.split(walk.k)
        if middle is None:
            found = walk.until()
        else:
            with Forked(lambda: _Walk(search, middle).until()) as upper:
                found = walk.until(middle) or upper.result()
    assert found is not None  # a walk with no stop ends somewhere
    k, outcome = found
    return search.share(k), search.outcome(k) if outcome is None else outcome


class _Search:
    """The steps ``_raise_shares`` searches, and whether the outcome at a step ends it."""

    def __init__(
        self,
        profile: Profile,
        ballots: _Ballots,
        step: Fraction,
        available: Iterable[int],
        limit: Fraction | None,
    ) -> None:
        self.ballots = ballots
        # Sums of integers are exact and far quicker than sums of fractions, once per run.
        unit = _unit(profile)
        self.cost_units = [int(cost * unit) for cost in profile.costs]
        self.budget_units = int(profile.budget * unit)
        # Whether any project left out fits is whether the cheapest one left out does.
        self.by_cost = sorted(available, key=lambda p: self.cost_units[p])
        # The search counts the shares first + k * step by k: integers are far quicker than
        # fractions (which are made only for the runs and the answer).
        self.first = profile.budget / profile.num_voters
        self.step = step
        self.last_k = _last_step(self.first, step, limit)

    def share(self, k: int) -> Fraction:
        return self.first + k * self.step

    def outcome(self, k: int) -> list[int]:
        """The outcome at step k, in its order."""
        return self.complete(k, FloatRun(self.ballots, self.share(k)).run())

    def complete(self, k: int, bought: list[int] | None) -> list[int]:
        """The free projects, then what a float run at step k ``bought``, or what the exact run
        there buys where the float run could not decide (None)."""
        return self.ballots.free + (_Run(self.ballots, self.share(k)).run() if bought is None else bought)

    def ending(self, outcome: list[int]) -> Literal["overspends", "exhausts"] | None:
        """Whether ``outcome`` overspends, leaves no available project that fits, or neither."""
        spent = sum(self.cost_units[p] for p in outcome)
        if spent > self.budget_units:
            return "overspends"
        chosen = set(outcome)
        cheapest = next((p for p in self.by_cost if p not in chosen), None)
        if cheapest is None or spent + self.cost_units[cheapest] > self.budget_units:
            return "exhausts"
        return None

    def split(self, k: int) -> int | None:
        """The step from which a child process is to search, a walk having reached step k, or
        None if the search looks to end within k more steps (too few to share out). Where it
        ends is guessed from untracked runs; outcomes are not monotone in the share, so it is
        only a guess, and the answer does not depend on it."""
        low = 2 * k
        if self._ends_by(low):
            return None
        while not self._ends_by(2 * low):
            low *= 2
        high = 2 * low
        for _ in range(_HALVINGS):
            middle = (low + high) // 2
            if self._ends_by(middle):
                high = middle
            else:
                low = middle
        return max(k, int(high * _LOWER_PART))

    def _ends_by(self, k: int) -> bool:
        """Whether the outcome at step k ends the search, or k is past the last step."""
        return (self.last_k is not None and k > self.last_k) or self.ending(self.outcome(k)) is not None


class _Walk:
    """A search of the steps from ``k`` up, taken as far as asked at a time (see ``until``)."""

    def __init__(self, search: _Search, k: int) -> None:
        self.search = search
        self.k = k
        self.start = k
        # The last step known to buy what the last run bought (a step that overspends settles
        # on the step before it).
        self.previous: int | None = k - 1 if k else None
        step_f = float(search.step)
        # How far past a share its run vouches for at most (see _SHORTEST_CAP).
        self.cap = _FIRST_CAP * step_f
        # Tracking a run's reach costs two to three untracked runs (which follow one another, see
        # ``_untracked_runs``), or more where following is cheap. While it vouches for fewer than
        # _SHORT_REACH shares past its own, the next runs go untracked (one step each), twice as
        # many each time.
        self.untracked = self.pause = 0
        self.ahead: dict[int, tuple[float, list[int] | None]] = {}
        self.guide: list[np.ndarray] | None = None
        # How many outcomes so far, the last and its step.
        self.outcomes, self.last, self.last_at = 0, [], None

    def until(
        self, stop: int | None = None, seconds: float = math.inf
    ) -> tuple[int, list[int] | None] | None:
        """Walk on: the step the search settles on and its outcome (None if it is to be run
        again there for its order), or None if the walk reaches ``stop`` or has walked for
        ``seconds`` first (never past the last step)."""
        search = self.search
        ballots, step, last_k = search.ballots, search.step, search.last_k
        step_f = float(step)
        deadline = time.perf_counter() + seconds
        while True:
            k, previous = self.k, self.previous
            if last_k is not None and k > last_k and previous is not None:
                return self._previous()
            if (stop is not None and k >= stop) or (k > self.start and time.perf_counter() > deadline):
                return None
            if self.untracked and k not in self.ahead:
                # The run past them is tracked, with the cap the last tracked run left.
                self.ahead, self.guide = _untracked_runs(search, k, self.untracked, self.cap, self.guide)
            if k in self.ahead:
                reach, bought = self.ahead.pop(k)
            else:
                run = FloatRun(ballots, search.share(k), step, self.cap, guide=self.guide)
                bought, reach = run.run(), run.reach
                self.guide = run.prices
            if bought is None:
                reach = 0.0
            outcome = search.complete(k, bought)
            ending = search.ending(outcome)
            if ending == "overspends":
                return (k, outcome) if previous is None else self._previous()
            if ending == "exhausts":
                return k, outcome
            if not self.outcomes or outcome != self.last:
                self.outcomes += 1
            self.last, self.last_at = outcome, k
            # Every share below share + reach buys these projects: skip to the first step past it.
            if math.isinf(reach):  # every wanted project bought; only a limit ends the search
                steps = 1 if last_k is None else last_k - k + 1
            else:
                steps = max(1, math.ceil(reach * (1 - 1e-9) / step_f))
                typical = 2 * (k - self.start) / self.outcomes
                self.cap = max(min(_FIRST_CAP, max(_SHORTEST_CAP, typical)) * step_f, 2 * reach)
            if self.untracked:
                self.untracked -= 1
            elif steps <= _SHORT_REACH:
                self.pause = min(2 * self.pause or 1, _LONGEST_PAUSE)
                self.untracked = self.pause
            else:
                self.pause = 0
            self.previous = k + steps - 1
            if last_k is not None and self.previous > last_k:
                self.previous = last_k
            self.k = k + steps

    def _previous(self) -> tuple[int, list[int] | None]:
        """The last step known to buy what the last run bought, where the search settles, and its
        outcome if that run was there."""
        assert self.previous is not None
        return self.previous, self.last if self.previous == self.last_at else None


def _last_step(first: Fraction, step: Fraction, limit: Fraction | None) -> int | None:
    """The last k with first + k * step within ``limit`` (less than 0 if none; None: no limit)."""
    return None if limit is None else (limit - first) // step


def _unit(profile: Profile, *amounts: Fraction) -> int:
    """The largest unit of which the budget, every cost and ``amounts`` are whole multiples."""
    return math.lcm(
        profile.budget.denominator,
        *(amount.denominator for amount in amounts),
        *(cost.denominator for cost in profile.costs),
    )


def _untracked_runs(
    search: _Search, k: int, count: int, cap: float, guide: list[np.ndarray] | None = None
) -> tuple[dict[int, tuple[float, list[int] | None]], list[np.ndarray]]:
    """Untracked float runs at the ``count`` steps from ``k`` up, and the tracked run (with
    ``cap``, ``guide``d as ``FloatRun`` says) at the step past them, which the search comes to
    next: each one's reach and what it bought, by step, and the tracked run's prices to guide the
    next. They run from the highest down, each following the one above it (see ``FloatRun``):
    consecutive shares mostly buy the same projects for most rounds. Only the run just above is
    kept while the next one runs."""
    ballots, step = search.ballots, search.step
    top = k + count
    above = FloatRun(ballots, search.share(top), step, cap, record=True, guide=guide)
    bought = above.run()
    prices = above.prices
    runs = {top: (above.reach, bought)}
    for j in reversed(range(k, top)):
        run = FloatRun(ballots, search.share(j), step, 0.0, above=above, record=j > k)
        bought = run.run()
        runs[j] = (run.reach, bought)
        above = run
    return runs, prices


class _Apart:
    """MES when every ballot supports one project at most (choose-one voting), read as
    approvals, so that no purchase touches another project's supporters.

    At a share s every supporter of p holds s until p is bought, so p is bought exactly when its
    supporters' weight W_p gives s * W_p >= cost_p, at the price cost_p / W_p that each of them
    pays in full (running out only when that is all of s). Its rho is that price over its cost,
    1 / W_p, so the purchases come in order of weight, ties by id. Raising the share by steps,
    the outcome changes only where a project's threshold is passed, and ``_raised_share`` checks
    only those steps. Both give what ``_Ballots`` gives.
    """

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.support = [int(w) for w in profile.weights @ profile.utilities]
        self.candidates = [p for p, cost in enumerate(profile.costs) if cost > 0 and self.support[p]]
        self.free = [p for p, cost in enumerate(profile.costs) if cost == 0 and self.support[p]]

    @staticmethod
    def fits(profile: Profile) -> bool:
        """Whether no ballot read as approvals supports two projects."""
        if profile.utility != "approval":
            return False
        # More approvals than ballots rules it out in one quick count, as on most files.
        utilities = profile.utilities
        if np.count_nonzero(utilities) > len(utilities):
            return False
        return bool((np.count_nonzero(utilities, axis=1) <= 1).all())

    def raised(
        self, step: Fraction, available: Iterable[int], limit: Fraction | None = None
    ) -> tuple[Fraction, list[int]]:
        """The share ``_raise_shares`` settles on and the outcome there."""
        share = self._raised_share(step, available, limit)
        return share, self.trace(share).funded

    def _raised_share(self, step: Fraction, available: Iterable[int], limit: Fraction | None) -> Fraction:
        profile, support = self.profile, self.support
        first = profile.budget / profile.num_voters
        # Each threshold in integer arithmetic.
        unit = _unit(profile, first, step)
        first_units, step_units = int(first * unit), int(step * unit)
        costs = [int(cost * unit) for cost in profile.costs]
        budget = int(profile.budget * unit)
        # The least k >= 0 at which each candidate's supporters hold its cost.
        threshold = {
            p: max(0, -((first_units * support[p] - costs[p]) // (step_units * support[p])))
            for p in self.candidates
        }
        bought = sorted(threshold, key=threshold.__getitem__)
        # The cheapest project left out at each level: those available that are never bought
        # (nobody wants them) always are.
        chosen = set(self.free)
        never = min((costs[p] for p in available if p not in chosen and p not in threshold), default=math.inf)
        cheapest_after = [never] * (len(bought) + 1)
        for i in reversed(range(len(bought))):
            cheapest_after[i] = min(cheapest_after[i + 1], costs[bought[i]])
        last = _last_step(first, step, limit)
        spent = i = 0
        for level in sorted({0, *threshold.values()}):
            if level and last is not None and level > last:
                return first + last * step
            while i < len(bought) and threshold[bought[i]] <= level:
                spent += costs[bought[i]]
                i += 1
            if spent > budget:
                return first + (level - 1) * step  # the first share cannot overspend
            if spent + cheapest_after[i] > budget:
                return first + level * step
        assert last is not None  # with no limit every candidate is available: it stopped above
        return first + last * step

    def trace(self, share: Fraction) -> EqualSharesTrace:
        """The run at ``share``, as ``_Run.trace`` gives it."""
        profile, support = self.profile, self.support
        bought = sorted(
            (p for p in self.candidates if share * support[p] >= profile.costs[p]),
            key=lambda p: (-support[p], p),
        )
        purchases = []
        out_at = np.full(len(profile.costs) + 1, -1, dtype=np.int64)  # by project; last: none
        for at, p in enumerate(bought):
            price = profile.costs[p] / support[p]
            purchases.append(Purchase(p, price, price / profile.costs[p]))
            if price == share:
                out_at[p] = at
        wants = profile.utilities > 0
        project_of = np.where(wants.any(axis=1), wants.argmax(axis=1), len(profile.costs))
        return EqualSharesTrace(share, tuple(self.free), tuple(purchases), out_at[project_of])
