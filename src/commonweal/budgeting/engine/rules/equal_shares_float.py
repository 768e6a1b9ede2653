"""Fast float64 runs of the Method of Equal Shares, used to search the Add1 and budget-increase
steps; the step finally chosen is run again exactly (``equal_shares._Run``).

A float run gives up (returns None) as soon as any decision is too close for float64 to be
trusted: a project whose supporters hold about its cost, or two projects about equally cheap
that cannot be told apart exactly. Every decision it does take has a margin of at least
``_TOLERANCE`` of a voter's share, far above the float error (at most ~1e-12 of a share), so its
purchases are exactly those of the exact rule.

A run also bounds how far the share can rise before its outcome might change (its ``reach``):
with the same purchases in the same order, raising the share by d raises each voter's money at
each round by at most d * growth, where growth starts at 1 and grows by what each purchase's
price can fall; so each rival's rho can fall by at most d times a rate known from the run, and
each unaffordable project's supporters can gain at most d times theirs (less what they would
owe, for those who ran out). The smallest d at which any rival could catch its round's winner,
or any project left out become affordable and cheaper than some round's winner (or affordable
at the end), is the reach. A rho that all its payers pay in full, the others having surely
nothing left, stays the same as the share rises, so an exact tie between two such rhos stays a
tie. (Compare Kraiczy, Robinson & Elkind, "Streamlining Equal Shares", 2025, who compute the
next budget at which Exact Equal Shares changes.)

The search needs the projects a share buys, not their order (only the share it settles on is run
again for that), so a rival that shares no supporter with its round's winner need not limit the
reach if it is bought before any project that shares one with it: coming earlier, it only swaps
places with projects whose supporters it leaves alone. Until the run knows, such a rival's limit
waits (``pending``); it binds once a winner shares a supporter with it, or at the end. Why that
is safe: at a higher share within the reach, suppose the run has bought a set closed under
"bought earlier here and sharing a supporter", and let t be the first round here whose winner A
it lacks. The projects it holds beyond the first t - 1 rounds share no supporter with A, so A's
rho is what it was at round t, and every other project's rho is at least what it was there. A
rival whose limit at round t was dropped needs none of those not yet bought, and every other
rival stays dearer than A, so the next purchase keeps the set closed; where the run ends, it
holds what it held here, everyone holding the same. At Toulouse 2022, where a project shares
supporters with one in seven others, more than four in five changes of order between
neighbouring shares that buy the same projects are such swaps.

Long dot products use ``np.einsum``, not BLAS: OpenBLAS threads a dot product over more than
10,000 elements, and on a busy machine waiting for those threads costs far more than the product
(100,000 elements on a busy machine: 2.2 ms instead of 0.06 ms). Shorter ones use the arrays' own
``dot`` (``np.dot`` without its dispatch through ``__array_function__``), with a third of einsum's
overhead; most supporter sets are short.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Callable
    from fractions import Fraction

    from commonweal.budgeting.engine.rules.equal_shares import _Ballots

# Still ~10^3 times the worst float error of a sum (a dot product over 50,000 voter groups errs by
# at most ~6e-12 of its size), and ~50 times what a voter's money can drift over 30 purchases of
# projects with 20,000 supporting groups each. 1e-6 gave up on one Add1 float run in 20-30
# (Budapest, Toulouse); 1e-7 on 6 of Budapest's 510 and 11 over the shared files, each costing
# an exact run; 1e-8 on none of them.
_TOLERANCE = 1e-8
# Relative error of a rho computed by one float division of exact integers.
_EXACT = 1e-12
# Newton steps on the piecewise-linear payment function reach its root in a few steps; past
# this many the price is found by sorting instead.
_NEWTON_STEPS = 30
# Machine epsilon: a sum of n positive float64 terms errs by at most n times this, relatively.
_EPSILON = 2.0**-52
# A price above the first price by this factor is above it by far more than float error.
_RISEN = 1 + 1e-9


# A rival's bound is taken along its tangent (``_tangent_reach``) only from a rise of this many
# steps: it costs about an evaluation and saves a run only if it carries the reach a step or more
# further, and over a few steps the tangent and the line from the rival's last evaluation nearly
# coincide (Budapest 2024: rises below 8 steps gained 1.5 steps in 102 such steps, rises above it
# 4,266 in 256).
_TANGENT_FROM = 8


class _Record(NamedTuple):
    """What a run knew at one round, for the run below it: each project's bound on its rho and
    which were still running, once every contender was evaluated (its Newton starts are in the
    run's ``prices``); the winner, its price, and the least bound of any other project still
    running."""

    bound: np.ndarray
    running: np.ndarray
    winner: int
    price: float
    second: float


class _Close(Exception):
    """A decision within float error of its threshold."""


# OpenBLAS computes a dot product of up to 10,000 elements in one thread.
_SHORT = 8192


def _long_dot(a: np.ndarray, b: np.ndarray) -> float:
    return np.einsum("i,i->", a, b)


def _dot_for(size: int) -> Callable[[np.ndarray, np.ndarray], float]:
    """The quicker dot product for vectors of ``size`` elements."""
    return np.ndarray.dot if size <= _SHORT else _long_dot


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    return float(_dot_for(len(a))(a, b))


# Over a few hundred elements, a min or max reduction costs several times an argmin or argmax
# (the ufunc reduction's setup), and item gives a Python float.


def _least(a: np.ndarray) -> float:
    return a.item(a.argmin())


def _most(a: np.ndarray) -> float:
    return a.item(a.argmax())


class FloatRun:
    """One float run at a per-voter ``share``. ``run`` buys projects in MES order and sets
    ``reach``: every share below ``share + reach`` surely buys the same projects, in the same
    order but for swaps of projects that share no supporter (see above). The reach is bounded
    for rises up to a finite ``cap`` and tracked only while it exceeds ``step`` (a smaller one is
    no use), so not at all given a cap of at most one step (the default cap, 0, leaves it at 0).

    An untracked run may follow a run ``above`` at a higher share, which ``records`` what it
    knew at each round. While both have bought the same projects in the same order, every voter
    here holds at most what it holds there (more money only lowers each price, so each payer
    pays less), so every price here is at least the price there: the run above's bounds on
    each rho and its prices stay lower bounds here, and a project it found unaffordable is
    unaffordable here too. Most rivals then need no evaluation at all.

    What matters is the same projects bought and no voter holding more here, not the order: two
    runs that part often buy the same few projects in another order and meet again (at
    Toulouse 2022, nine in ten rounds after a parting come after such a meeting). Where they
    meet, and the supporters of what either bought meanwhile hold no more here than there, this
    run follows again.
    """

    def __init__(
        self,
        ballots: _Ballots,
        share: Fraction,
        step: Fraction | None = None,
        cap: float = 0.0,
        above: FloatRun | None = None,
        record: bool = False,
        guide: list[np.ndarray] | None = None,
    ) -> None:
        self.ballots = ballots
        share_f = float(share)
        self.share = share_f
        self.tolerance = _TOLERANCE * share_f
        self.budget = np.full(len(ballots.profile.weights), share_f)
        # A lower bound on each project's rho within this run: budgets only fall, so prices
        # only rise from round to round.
        self.bound = ballots.first_rho.copy()
        self.purchases: list[int] = []
        # Bounds below hold for rises up to ``cap``: a supporter who ran short by more than the
        # cap could bring still has nothing left.
        self.reach = self.cap = cap
        self.step = 0.0 if step is None else float(step)
        self.tracking = step is not None and cap > self.step
        # Per voter group: how much more money it may hold at this round per unit of extra share.
        self.growth = np.ones(len(ballots.profile.weights))
        # At least the largest growth of any voter group.
        self.growth_max = 1.0
        # Per voter group: what it would still owe had it paid in full every purchase it
        # supports, its money being then at most its growth times the rise less that debt.
        self.debt = np.zeros(len(ballots.profile.weights))
        # Per voter group: how much more money it may hold per unit of extra share, on average
        # over any rise up to the cap. One that ran out gains nothing until the rise pays off its
        # debt, then its growth: below the cap, that stays under the chord, its growth less its
        # debt spread over the cap.
        self.gain = np.ones(len(ballots.profile.weights))
        # Projects found unaffordable that might become affordable within the reach: the least
        # rho each might then have, and the least rise at which it might (see ``_defer``).
        self.deferred: dict[int, tuple[float, float]] = {}
        # Per voter group: how much more money it surely holds at this round per unit of extra
        # share, for rises up to the reach (which only falls through the run).
        self.low = np.ones(len(ballots.profile.weights))
        # Per project, as of its last evaluation: its rho less that rho's float error (see
        # ``_error``), and how fast that rho may fall per unit of extra share; rows of one array,
        # so that one gather serves ``_reach``. A first rho errs by one division.
        self.rival = np.empty((2, len(ballots.costs_f)))
        self.near, self.fall = self.rival
        np.multiply(ballots.first_rho, 1 - _EXACT, out=self.near)
        self.fall[:] = 0.0
        # How fast its price may fall, kept for the purchase (see ``_spend``).
        self.price_fall = [0.0] * len(ballots.costs_f)
        # Per voter group: whether it ended a purchase within float error of nothing, so that a
        # float budget of 0 may not be exactly 0.
        self.fuzzy = np.zeros(len(ballots.profile.weights), dtype=bool)
        # Per project: what its last evaluation found, and whether a purchase since has changed
        # what any of its supporters holds (so that it must be evaluated again).
        self.found: list[tuple[float, bool] | None] = [None] * len(ballots.costs_f)
        # Per project: what its supporters held at its last evaluation that found it affordable,
        # still what they hold while it is not touched (so for the winner of a round).
        self.held: list[np.ndarray | None] = [None] * len(ballots.costs_f)
        self.touched = np.ones(len(ballots.costs_f), dtype=bool)
        # Per project: a price at most its current one, where Newton steps start.
        self.start = ballots.first_price.copy()
        # A run above is no use to a tracked run, which must find each unaffordable project
        # itself to bound the reach.
        self.above = None if self.tracking else above
        self.guide = guide
        # Per round, each project's last price found (its Newton start), once every contender
        # was evaluated: for the next tracked run (see ``guide``) and the run below.
        self.prices: list[np.ndarray] = []
        # Per round, what this run knew, for the run below (see ``_Record``), and what the
        # winner's supporters held after paying for it.
        self.records: list[_Record] | None = [] if record else None
        self.kept: list[np.ndarray] | None = [] if record else None
        # While this run and the run above have parted: the first round where their purchases
        # differed, and the projects either has bought and the other has not.
        self.parted: int | None = None
        self.unmatched: set[int] = set()
        # Whether the run bought all it could (rather than gave up).
        self.ended = False
        # Per rival that shares no supporter with any winner since: the least reach it set.
        self.pending: dict[int, float] = {}

    def run(self) -> list[int] | None:
        """The projects MES buys, in order, or None if a decision was too close to call."""
        try:
            self._run()
        except _Close:
            return None
        finally:
            self.above = None  # done with it: let it go
        return self.purchases

    def _run(self) -> None:
        ballots = self.ballots
        scales = ballots.scale_list
        # Projects still in the running: neither bought nor found unaffordable.
        running = np.zeros(len(ballots.costs_f), dtype=bool)
        running[ballots.candidates] = True
        # Nobody ever holds more than the share, so a project that its supporters could not pay
        # for (less float error) holding a whole share each is unaffordable in every round, and
        # with the reach tracked, at every share up to the cap: it need not be evaluated.
        most = self.share + self.cap if self.tracking else self.share
        slack = self.tolerance * ballots.weight_sums
        running &= most * ballots.weight_sums >= ballots.costs_f - slack
        self._open(running)
        bound = self.bound
        while True:
            record = self._repeat(running)
            if record is not None:
                self._follow(record, running)
            (pool,) = running.nonzero()
            # By bound, ties by id (a stable sort of ids in order).
            bounds = bound[pool]
            order = bounds.argsort(kind="stable")
            best = math.inf
            # The least bound of the projects left unevaluated.
            rest = math.inf
            contenders: list[tuple[float, int, float, bool]] = []
            for p, least in zip(pool[order].tolist(), bounds[order].tolist(), strict=True):
                if least > best:
                    rest = least
                    break
                found = self._evaluate(p)
                if found is None:
                    running[p] = False
                    continue
                price, uncapped = found
                scale = scales[p]
                rho = price / scale
                contenders.append((rho, p, price, uncapped))
                # Anything whose rho may be within float error of this one stays in the running.
                best = min(best, rho + 2 * self.tolerance / scale)
            if not contenders:
                for p in self.deferred if self.tracking else ():
                    self._catch_up_limit(p)
                for least in self.pending.values():
                    self._limit(least)
                self.ended = True
                return
            contenders.sort()
            rho, winner, price, uncapped = contenders[0]
            self.prices.append(self.start.copy())
            error = self._error(winner, rho, uncapped)
            close = [
                contender
                for contender in contenders[1:]
                if contender[0] - rho <= error + self._error(contender[1], contender[0], contender[3])
            ]
            settled: list[int] = []
            if close:
                # Too close for float: settle exactly, by rho and then id.
                exact = {}
                for contender in [contenders[0], *close]:
                    exact_rho = self._exact_rho(contender[1], contender[3])
                    if exact_rho is None:
                        raise _Close
                    exact[contender] = (exact_rho, contender[1])
                rho, winner, price, uncapped = min(exact, key=exact.__getitem__)
                if self.tracking and self._frozen(winner):
                    settled = [
                        contender[1]
                        for contender in exact
                        if contender[1] != winner and self._frozen(contender[1])
                    ]
            if self.records is not None:
                # Every other project still running was evaluated this round, or is bounded by
                # the least bound left unevaluated.
                second = min([rest, *(float(bound[c[1]]) for c in contenders if c[1] != winner)])
                self.records.append(_Record(bound.copy(), running.copy(), winner, price, second))
            running[winner] = False
            left = self._left(winner, price)
            sure = until = 0.0
            low: np.ndarray | None = None
            if self.tracking:
                (rivals,) = running.nonzero()
                # With no rival left, this round is the last: no later one needs how far the
                # winner's price surely falls, nor what its supporters surely gain.
                # At a higher share, the winner's rho is at most this.
                ceiling = rho + self._error(winner, rho, uncapped)
                if len(rivals):
                    low = self.low.take(ballots.supporters[winner])
                    # The winner's price surely falls at ``sure`` per unit of rise up to ``until``
                    # (not at all if uncapped: it is its cost over its supporters' weight).
                    if not uncapped:
                        sure, until = self._sure_fall(winner, price, left, low)
                    rate = sure / scales[winner]
                    self._rivals_reach(winner, ceiling, rivals, running, settled, rate, until)
                self._undefer(ceiling)
            self._spend(winner, left, uncapped, sure, low)
            self.purchases.append(winner)
            if self.pending:
                self._settle_pending(winner)

    def _open(self, running: np.ndarray) -> None:
        """Buy the rounds that open every run at this share (see ``Opening``) at once, recording
        them for the run below as they would have been recorded one by one. (A run that follows
        the run above opens too: that run bought the same, at a share that opens with no fewer
        rounds.)"""
        opening = self.ballots.opening
        rounds = opening.rounds(self.share, self.tolerance, running)
        if not rounds:
            return
        bought = opening.order[:rounds]
        # Neither the bounds nor the Newton starts change over these rounds.
        self.prices.extend([self.start.copy()] * rounds)
        if self.records is not None and self.kept is not None:
            ballots = self.ballots
            bound = self.bound.copy()
            for j, winner in enumerate(bought):
                # The least bound of the others is at least the next project's first rho.
                second = float(ballots.first_rho[opening.order[j + 1]])
                alive = running.copy()
                alive[bought[:j]] = False
                price = ballots.first_price_list[winner]
                self.records.append(_Record(bound, alive, winner, price, second))
                self.kept.append(self.share - opening.paid[j + 1].take(ballots.supporters[winner]))
        np.subtract(self.share, opening.paid[rounds], out=self.budget)
        running[bought] = False
        self.purchases.extend(bought)

    def _settle_pending(self, winner: int) -> None:
        """After ``winner`` is bought: its own waiting limits lapse (bought before any project it
        shares a supporter with, it could only have come earlier), and those of the rivals it
        shares a supporter with bind."""
        self.pending.pop(winner, None)
        overlap = self.ballots.overlap[winner]
        for rival in [r for r in self.pending if overlap[r]]:
            self._limit(self.pending.pop(rival))

    def _above_record(self, running: np.ndarray) -> _Record | None:
        """The run above's record of this round, while this run may follow it (see ``FloatRun``);
        called once a round.

        Once this run has bought all the run above bought, where that run ended (rather than
        gave up), nothing else is affordable here either: every project left was unaffordable
        there, where each voter held no less. Then nothing is left ``running``.
        """
        above = self.above
        if above is None:
            return None
        assert above.records is not None
        done = len(self.purchases)
        if done and not self._alongside(above, done):
            return None
        if done == len(above.records):
            self.above = None
            if above.ended:
                running.fill(False)
            return None
        return above.records[done]

    def _alongside(self, above: FloatRun, done: int) -> bool:
        """Whether, after ``done`` rounds, this run may follow the run above: they have bought
        the same projects so far, in the same order or meeting again (see ``FloatRun``). Where
        they can no longer meet, it stops following for good."""
        if done > len(above.purchases):  # parted, and the run above ended first
            self.above = None
            return False
        mine, theirs = self.purchases[done - 1], above.purchases[done - 1]
        if mine != theirs:
            if self.parted is None:
                self.parted = done - 1
            self.unmatched ^= {mine, theirs}
        if self.parted is None:
            return True
        if self.unmatched:
            return False
        if not self._holds_no_more(above, done):
            self.above = None
            return False
        self.parted = None
        return True

    def _holds_no_more(self, above: FloatRun, done: int) -> bool:
        """Whether, the two runs having bought the same projects in ``done`` rounds, no voter
        holds more here than in the run above. Before they parted none did; since, only the
        supporters of the projects bought meanwhile (the same in both runs) paid anything."""
        assert above.kept is not None and self.parted is not None
        supporters = self.ballots.supporters
        there = np.full(len(self.budget), np.inf)
        for t in range(self.parted, done):
            there[supporters[above.purchases[t]]] = above.kept[t]
        return bool((self.budget <= there).all())

    def _repeat(self, running: np.ndarray) -> _Record | None:
        """Buy, round after round, the project the run above bought, without a search, while its
        rho here is clearly below every other project's bound there (so it would be the only
        contender); return the run above's record of the first round where it is not, or None
        past the run above's last round.

        The bounds stay lower bounds here, so they are passed on unchanged to the run below.
        """
        record = self._above_record(running)
        if record is None:
            return None
        twice = 2 * self.tolerance
        scales = self.ballots.scale_list
        start = self.start
        purchases = self.purchases
        while True:
            winner = record.winner
            # Its price there is at most its price here: Newton steps start from it.
            if start[winner] < record.price:
                start[winner] = record.price
            found = self._evaluate(winner)
            if found is None:
                return record
            price, uncapped = found
            if not record.second > (price + twice) / scales[winner]:
                return record
            # The run above's starts there stay starts here (its prices are at most these).
            self.prices.append(self._above_prices())
            if self.records is not None:
                self.records.append(_Record(record.bound, record.running, winner, price, record.second))
            running[winner] = False
            self._spend(winner, self._left(winner, price), uncapped, 0.0, None)
            purchases.append(winner)
            record = self._above_record(running)
            if record is None:
                return None

    def _follow(self, record: _Record, running: np.ndarray) -> None:
        """Take the run above's bounds, unaffordable projects and Newton starts for this round."""
        np.maximum(self.bound, record.bound, out=self.bound)
        running &= record.running
        np.maximum(self.start, self._above_prices(), out=self.start)

    def _above_prices(self) -> np.ndarray:
        """The run above's Newton starts at this round, which it recorded along with the round
        (this run follows it still)."""
        assert self.above is not None
        return self.above.prices[len(self.purchases)]

    def _error(self, p: int, rho: float, uncapped: bool) -> float:
        """A bound on the float error of p's rho: a first rho is a single division."""
        return _EXACT * rho if uncapped else self.tolerance / self.ballots.scale_list[p]

    def _exact_rho(self, p: int, uncapped: bool) -> Fraction | None:
        """p's exact rho when float can vouch for it: every supporter either pays the price in
        full with room to spare or has surely nothing left; else None."""
        ballots = self.ballots
        if uncapped:
            return ballots.first_rho_exact[p]
        groups = ballots.supporters[p]
        money = self.budget[groups]
        dead = money == 0
        if (dead & self.fuzzy[groups]).any():
            return None
        alive = ~dead
        paying = int(ballots.profile.weights[groups[alive]] @ ballots.profile.utilities[groups[alive], p])
        price = ballots.profile.costs[p] / paying
        ratio = money[alive] / ballots.utilities[p][alive]
        if not (ratio > float(price) + self.tolerance).all():
            return None
        return price / ballots.scales[p]

    def _rivals_reach(
        self,
        winner: int,
        ceiling: float,
        rivals: np.ndarray,
        running: np.ndarray,
        settled: list[int],
        sure: float,
        until: float,
    ) -> None:
        """Lower the reach to where one of the ``rivals`` (those still ``running``) could first be
        as cheap as the winner, whose rho is at most ``ceiling`` and surely falls at ``sure`` per
        unit of rise up to ``until``; ``settled`` rivals were compared with it exactly and
        neither's rho can change. A rival sharing no supporter with the winner leaves its limit in
        ``pending`` instead.

        A rival's rho and fall are those of its last evaluation, which stay bounds as its price
        only rises through the run. When such a stale bound would cut the reach, the rival is
        evaluated again (it may have risen far, or become unaffordable): lazy evaluation leaves
        most rivals stale, and one stale rival can cut the reach of the whole run. A rival as it
        is now is then bounded again from where its line ends (see ``_tangent_reach``).
        """
        reach = self._reach(ceiling, rivals, settled, sure, until)
        apart = ~self.ballots.overlap[winner].take(rivals)
        stepped: set[int] = set()
        while self.tracking:
            nearest = int(reach.argmin())
            rival = int(rivals[nearest])
            least = reach.item(nearest)
            if least >= self.reach:
                return
            if self.touched[rival] and self._refresh(rival, running):
                reach[nearest] = (
                    self._reach(ceiling, rivals[nearest : nearest + 1], settled, sure, until)[0]
                    if running[rival]
                    else np.inf
                )
            elif rival not in stepped and not self.touched[rival] and least >= _TANGENT_FROM * self.step:
                stepped.add(rival)
                reach[nearest] = self._tangent_reach(rival, ceiling, sure, until, least)
            elif apart[nearest]:
                self.pending[rival] = min(self.pending.get(rival, math.inf), least)
                reach[nearest] = np.inf
            else:
                self._limit(least)
                return

    def _tangent_reach(self, rival: int, ceiling: float, sure: float, until: float, rise: float) -> float:
        """The least rise, at least ``rise``, at which an untouched ``rival`` could be as cheap as
        a winner whose rho is at most ``ceiling`` and surely falls at ``sure`` per unit of rise
        up to ``until``; no rise below ``rise`` could.

        The rival's price is at least what it would be were each supporter to hold ``gain``
        times the rise more, a convex function of the rise (see ``_sure_fall_over``), which stays
        above its tangent at ``rise``. ``_reach`` follows the tangent at no rise, from the
        rival's last evaluation; one step along the tangent where that one ends goes further.
        """
        ballots = self.ballots
        money = self.held[rival]
        assert money is not None  # untouched since it was found affordable
        ratio = self._ratio(rival, money + self.gain.take(ballots.supporters[rival]) * rise)
        price = self._price_holding(rival, ratio, self._fallen(rival, rise))
        scale = ballots.scale_list[rival]
        gap = (price - self.tolerance) / scale - (ceiling - sure * min(rise, until))
        if gap <= 0:
            return rise
        fall = self._fall(rival, ratio, price) / scale
        return rise + float(_closing(np.float64(gap), np.float64(fall), sure, max(until - rise, 0.0)))

    def _refresh(self, rival: int, running: np.ndarray) -> bool:
        """Evaluate a stale rival again, taking it out of the ``running`` if it is unaffordable;
        False if that is too close to call (its stale bound stands)."""
        try:
            found = self._evaluate(rival)
        except _Close:
            self.touched[rival] = True
            return False
        if found is None:
            running[rival] = False
        return True

    def _reach(
        self, ceiling: float, rivals: np.ndarray, settled: list[int], sure: float, until: float
    ) -> np.ndarray:
        """For each rival, the least rise at which it could be as cheap as a winner whose rho is
        at most ``ceiling`` and surely falls at ``sure`` up to ``until`` (see ``_closing``)."""
        near, fall = self.rival.take(rivals, axis=1)
        gap = near - ceiling
        # Both rhos stay what they are over the cap, so an exact comparison (a tie included,
        # broken by id) stays as it is.
        if settled:
            gap[np.isin(rivals, settled)] = np.inf
        reach = _closing(gap, fall, sure, until)
        # Where the gap is not positive the quotient means nothing: the rival has caught up.
        reach[gap <= 0] = 0.0
        return reach

    def _frozen(self, p: int) -> bool:
        """Whether p's exact rho (settled by ``_exact_rho``) stays the same for every rise below
        the cap: its supporters who pay in full keep doing so as money only grows and prices only
        fall, and those with nothing left surely stay so (no growth)."""
        groups = self.ballots.supporters[p]
        dead = self.budget[groups] == 0
        return not (self.growth[groups[dead]] > 0).any()

    def _sure_fall(self, p: int, price: float, left: np.ndarray, low: np.ndarray) -> tuple[float, float]:
        """(rate, until): p's price falls by at least rate * d when the share rises by d <= until
        (p being untouched since its evaluation); its supporters would keep ``left`` paying it
        in full, and hold at least ``low`` times the rise more at a higher share.

        While those who pay less than the price stay short of it, that extra money of theirs
        lowers the price by at least its sum over the weight of the rest. Rises past the reach
        need no bound, so ``until`` is at most the reach (the cap being finite).
        """
        ballots = self.ballots
        approval = ballots.approval[p]
        utilities = ballots.utilities[p]
        poor = left < -self.tolerance if approval else left < -self.tolerance * utilities
        rest = _dot(ballots.weighted[p], ~poor)
        if rest <= 0:
            return 0.0, 0.0
        # Masks rather than the poor by index: fewer numpy calls, which is what costs here.
        poor_low = low * poor
        rate = _dot(ballots.weights[p], poor_low) / rest  # 0 if none is poor
        if rate == 0:
            return 0.0, 0.0
        gain = poor_low + (rate if approval else utilities * rate)
        # The reach only falls through the run, so a bound for rises up to it now will do.
        horizon = self.reach
        # Whether a poor supporter's sure extra money might cover the price within the horizon.
        if ((left + gain * horizon > 0) & poor).any():
            money = self.held[p]
            assert money is not None
            return self._sure_fall_over(p, price, money, low, horizon)
        return rate, horizon

    def _sure_fall_over(
        self, p: int, price: float, money: np.ndarray, low: np.ndarray, horizon: float
    ) -> tuple[float, float]:
        """(rate, horizon): p's price falls by at least rate * d for every rise d up to
        ``horizon``.

        The rate of ``_sure_fall`` holds only until a short supporter's sure extra money might
        cover the price; one group of thousands can cut that to a step or two. But the price
        when every supporter holds ``low`` times the rise more is a convex function of the rise
        (the least x at which a sum of minima of functions linear in x and the rise reaches the
        cost), so it lies below its chord: the fall over the whole horizon, pro rata, holds at every
        rise up to it.
        """
        more = self._ratio(p, money + low * horizon)
        fall = price - self._price_holding(p, more, self._fallen(p, horizon)) - self.tolerance
        if fall <= 0:
            return 0.0, 0.0
        return fall / horizon, horizon

    def _limit(self, reach: float) -> None:
        self.reach = min(self.reach, reach)
        if self.reach <= self.step:
            self.tracking = False

    def _evaluate(self, p: int) -> tuple[float, bool] | None:
        """(price per unit of utility at which p's supporters can just pay for it, whether all of
        them pay it in full with room to spare), or None if they cannot pay for it; refreshes
        p's bound."""
        if not self.touched[p]:
            return self.found[p]
        self.touched[p] = False
        ballots = self.ballots
        groups = ballots.supporters[p]
        # (take gathers a third quicker than indexing over thousands of supporters.)
        money = self.budget.take(groups)
        cost = ballots.cost_list[p]
        total = _dot(ballots.weights[p], money)
        slack = self.tolerance * ballots.weight_sum_list[p]
        if total <= cost + slack:
            if total >= cost - slack:
                raise _Close
            short = cost - slack - total
            # Unaffordable now, so for the rest of this run. Its supporters gain at most their
            # weight times the largest growth: only if that could cover the shortfall within the
            # reach is their exact gain worth summing (it rarely is).
            if self.tracking and short < self.reach * ballots.weight_sum_list[p] * self.growth_max:
                self._defer(p, money, cost - slack, short)
            self.found[p] = None
            return None
        self.held[p] = money
        ratio = self._ratio(p, money)
        price = ballots.first_price_list[p]
        start = float(self.start[p])
        # A start clearly above the first price was a price p's supporters could not all pay in
        # full (here or in the run above, where they held no less): some are short of it still,
        # their money having only fallen since, so their least ratio need not be found.
        lowest = -math.inf if start > price * _RISEN else _least(ratio)
        uncapped = lowest > price + self.tolerance
        if lowest < price:
            scratch = ballots.scratch[: len(groups)]
            guide = self.guide
            guess = guide[min(len(self.purchases), len(guide) - 1)].item(p) if guide else start
            price = _price(ratio, ballots.weighted[p], cost, start, scratch, guess)
            self.start[p] = price
        scale = ballots.scale_list[p]
        self.bound[p] = (price - self.tolerance) / scale
        if self.tracking:
            # Only the reach needs these (see ``_reach``), and a run stops tracking for good.
            rho = price / scale
            self.near[p] = rho - self._error(p, rho, uncapped)
            fall = 0.0 if uncapped else self._fall(p, ratio, price)
            self.price_fall[p] = fall
            self.fall[p] = fall / scale
        self.found[p] = (price, uncapped)
        return price, uncapped

    def _defer(self, p: int, money: np.ndarray, cost: float, short: float) -> None:
        """p's supporters, holding ``money``, are ``short`` of its ``cost`` (less float error).
        If they might catch up within the reach, p might then be bought in some round: but only
        if it is then cheaper than that round's winner, so the limit is put off to the first
        round whose winner might cost as much as the least p then could (see ``_undefer``), or
        else to the end of the run, where anything affordable is bought.
        """
        ballots = self.ballots
        groups = ballots.supporters[p]
        gain = _dot(ballots.weights[p], self.growth.take(groups, out=ballots.scratch[: len(groups)]))
        if gain > 0 and short / gain < self.reach:
            self.deferred[p] = (-math.inf, short / gain)

    def _undefer(self, ceiling: float) -> None:
        """Limit the reach by when each project put off might become affordable, if then it might
        cost no more than this round's winner, who costs at most ``ceiling`` at a higher share.
        Budgets only fall through a run, so what p's supporters hold now bounds what they hold
        in every later round."""
        for p, (least, rise) in list(self.deferred.items()):
            if least > ceiling:
                continue
            found = self._catch_up_now(p, rise)
            if found is None:
                del self.deferred[p]
                continue
            least, rise = found
            if least <= ceiling:
                self._limit(rise)
                del self.deferred[p]
            else:
                self.deferred[p] = (least, rise)

    def _catch_up_now(self, p: int, rise: float) -> tuple[float, float] | None:
        """(least rho, least rise) p might have and be affordable at within the reach, its
        supporters holding what they hold now; None if it surely stays unaffordable. ``rise`` is
        a lower bound on the rise."""
        ballots = self.ballots
        groups = ballots.supporters[p]
        cost = ballots.costs_f[p] - self.tolerance * ballots.weight_sums[p]
        money = self.budget[groups]
        rise = self._catch_up(p, money, cost, rise)
        if rise >= self.reach:
            return None
        # The most each supporter might hold at any rise within the reach gives the least price.
        most = np.maximum(money - self.debt[groups] + self.growth[groups] * self.reach, 0.0)
        if _dot(ballots.weights[p], most) <= ballots.costs_f[p] * (1 + _EXACT):
            return -math.inf, rise  # within float error of its cost: take no chances
        price = self._price_holding(p, self._ratio(p, most))
        return (price - self.tolerance) / ballots.scale_list[p], rise

    def _ratio(self, p: int, money: np.ndarray) -> np.ndarray:
        """What p's supporters holding ``money`` hold per unit of their utility, to be compared
        with a price (approval utilities are all 1: ``money`` itself)."""
        ballots = self.ballots
        return money if ballots.approval[p] else money / ballots.utilities[p]

    def _price_holding(self, p: int, ratio: np.ndarray, guess: float = -math.inf) -> float:
        """p's price per unit of utility were its supporters to hold ``ratio`` per unit of their
        utility, Newton steps starting at ``guess`` if it is above p's first price."""
        ballots = self.ballots
        return _price(
            ratio,
            ballots.weighted[p],
            ballots.cost_list[p],
            ballots.first_price_list[p],
            ballots.scratch[: len(ratio)],
            guess,
        )

    def _fallen(self, p: int, rise: float) -> float:
        """The least p's price can fall to over ``rise``, by its fall bound (p untouched since
        its evaluation, so at least as much money at that rise as now; see ``_fall``)."""
        found = self.found[p]
        assert found is not None  # untouched since it was found affordable
        return found[0] - self.price_fall[p] * rise

    def _catch_up_limit(self, p: int) -> None:
        """Limit the reach by when p, left unaffordable at the end of the run, might become
        affordable, and so be bought."""
        found = self._catch_up_now(p, self.deferred[p][1])
        if found is not None:
            self._limit(found[1])

    def _catch_up(self, p: int, money: np.ndarray, cost: float, rise: float) -> float:
        """The least rise, at least ``rise``, at which p's supporters (holding ``money``) might
        hold ``cost``, or the reach if none below it.

        Each holds at most its growth times the rise less its debt, or nothing: a convex function
        of the rise in all, which stays below its chords, so where a chord first reaches the cost
        it cannot yet have; ``rise`` (every group's money growing from now) is one such point.
        """
        groups = self.ballots.supporters[p]
        weights = self.ballots.weights[p]
        base = money - self.debt[groups]
        growth = self.growth[groups]

        def held(d: float) -> float:
            return _dot(weights, np.maximum(base + growth * d, 0.0))

        high, most = self.reach, held(self.reach)
        if most < cost:
            return self.reach
        for _ in range(3):
            now = held(rise)
            if most <= now:
                break
            rise += (high - rise) * (cost - now) / (most - now)
        return rise

    def _fall(self, p: int, ratio: np.ndarray, price: float) -> float:
        """How fast p's price may fall per unit of extra share: the extra money of supporters
        who cannot (or may not) pay it in full, spread over those who surely can.

        At a higher share p's payment function exceeds this one by at most the poor supporters'
        extra money, and below the price it rises at least as fast as the sure payers' weight;
        so the price falls by at most the one over the other (see ``gain``).
        """
        ballots = self.ballots
        poor = ratio < price + self.tolerance
        extra = self.gain.take(ballots.supporters[p])
        extra *= ballots.weights[p]
        rich_weight = ballots.weighted_sums[p] - _dot(ballots.weighted[p], poor)
        if rich_weight <= 0:
            return math.inf
        return _dot(extra, poor) / rich_weight

    def _left(self, p: int, price: float) -> np.ndarray:
        """What p's supporters would keep paying ``price`` per unit of utility in full (less than
        nothing for those who cannot), p being untouched since its evaluation."""
        ballots = self.ballots
        money = self.held[p]
        assert money is not None
        # Approval utilities are all 1: the products by them are left out.
        return money - price if ballots.approval[p] else money - price * ballots.utilities[p]

    def _spend(
        self, p: int, left: np.ndarray, uncapped: bool, sure: float, low: np.ndarray | None
    ) -> None:
        """p's supporters pay its price, or all they have, keeping ``left`` (see ``_left``);
        ``uncapped`` is what p's evaluation found (every supporter pays in full with room to
        spare), p being untouched since; with the reach tracked, ``sure`` is the rate of
        ``_sure_fall`` (which holds up to the reach), and ``low`` what ``self.low`` holds for p's
        supporters, or None in the last round, after which neither ``low`` nor ``gain`` is
        used."""
        ballots = self.ballots
        groups = ballots.supporters[p]
        approval = ballots.approval[p]
        utilities = ballots.utilities[p]
        self.touched |= ballots.overlap[p]
        if self.tracking:
            if low is not None:
                # Who pays in full here keeps at least what the price surely falls by; who pays
                # all they have may have nothing left.
                keeps = left > self.tolerance if approval else left > self.tolerance * utilities
                if sure > 0:
                    low += sure if approval else sure * utilities
                low *= keeps
                self.low[groups] = low
            # As found when p was last evaluated: no supporter's money or growth changed since.
            fall = self.price_fall[p]
            if math.isinf(fall):
                self._limit(0.0)
            else:
                growth = self.growth.take(groups)
                debt = self.debt.take(groups)
                # Uncapped, p's price cannot fall (``fall`` is 0) and every payer keeps money.
                if not uncapped:
                    growth += fall if approval else fall * utilities
                    self.growth_max = max(self.growth_max, _most(growth))
                    debt -= np.minimum(left, 0.0)
                    self.debt[groups] = debt
                # What each may gain on average over rises up to the reach: nothing at all for
                # those owing more than the reach could bring, who stay out of money (the reach
                # only falls through the run).
                gain = growth - debt / self.reach
                if low is not None:
                    self.gain[groups] = np.maximum(gain, 0.0)
                growth *= gain > 0
                self.growth[groups] = growth
        if uncapped:
            # Every supporter keeps more than the tolerance: none comes near nothing.
            kept = left
        else:
            # Whoever ends within float error of nothing may or may not have run out exactly.
            # (Few do: marking them alone spares a gather and a scatter over every supporter.)
            gap = np.abs(left)
            if _least(gap) <= self.tolerance:
                self.fuzzy[groups[(gap <= self.tolerance) & (self.held[p] > 0)]] = True
            kept = np.maximum(left, 0.0)
        self.budget[groups] = kept
        if self.kept is not None:
            self.kept.append(kept)


class Opening:
    """The rounds that open a run at any share high enough, the same at every such share.

    Until a run has evaluated anything but its winners, each project's bound is its first rho.
    A round whose least first rho is clearly below the next one (by the margin of a round's
    contenders), and whose project every supporter can pay in full at that price with room to
    spare, evaluates that project alone and buys it at its first price: no rival's rho has been
    found, so none limits the reach; nobody runs short, so the bounds on what voters may hold
    stay as they were. A run of such rounds leaves each voter the share less fixed payments,
    and it opens every run at a share from which its supporters' money suffices. At Budapest
    2024 the first four rounds of every run are such rounds, paid for by the projects with the
    most supporters: a seventh of the search's time.

    The payments are summed as runs need them, up to the first round that is not of this kind at
    the share asked.
    """

    def __init__(self, ballots: _Ballots) -> None:
        self.ballots = ballots
        first_rho = ballots.first_rho
        # Projects by first rho, ties by id, as a run orders its bounds.
        self.order: list[int] = sorted(ballots.candidates, key=lambda p: (first_rho[p], p))
        # What each voter group has paid before each round, and the most any supporter of that
        # round's project has paid.
        self.paid: list[np.ndarray] = [np.zeros(len(ballots.profile.weights))]
        self.most_paid: list[float] = []

    def rounds(self, share: float, tolerance: float, running: np.ndarray) -> int:
        """How many rounds of this kind open a run at ``share``, deciding with ``tolerance``,
        among the projects ``running``."""
        ballots = self.ballots
        order = self.order
        done = 0
        while done + 1 < len(order):
            p = order[done]
            if not (running[p] and ballots.approval[p]):
                break
            price, scale = ballots.first_price_list[p], ballots.scale_list[p]
            if not ballots.first_rho[order[done + 1]] > price / scale + 2 * tolerance / scale:
                break
            if not share - self._most_paid(done) > price + tolerance:
                break
            done += 1
        return done

    def _most_paid(self, done: int) -> float:
        """The most any supporter of the project of round ``done`` has paid before it."""
        ballots = self.ballots
        while len(self.most_paid) <= done:
            j = len(self.most_paid)
            p = self.order[j]
            groups = ballots.supporters[p]
            self.most_paid.append(_most(self.paid[j].take(groups)))
            paid = self.paid[j].copy()
            paid[groups] += ballots.first_price_list[p]
            self.paid.append(paid)
        return self.most_paid[done]


def _closing(gap: np.ndarray, fall: np.ndarray, sure: float, until: float) -> np.ndarray:
    """The least rise at which each positive ``gap`` between a rival's rho and a winner's could
    close, the rival's falling at most ``fall`` per unit of rise and the winner's surely falling
    ``sure`` up to ``until`` and perhaps not at all after: the gap left is at least the smaller
    of two lines, so it first closes where the first of them reaches 0. A line whose slope is
    not positive never reaches 0 (dividing by 0 gives infinity)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        rise = (gap + until * sure) / fall
        if sure > 0:  # else the lines are one
            rise = np.minimum(rise, gap / np.maximum(fall - sure, 0.0))
    return rise


def _price(
    ratio: np.ndarray,
    weighted: np.ndarray,
    cost: float,
    price: float,
    scratch: np.ndarray,
    guess: float = -math.inf,
) -> float:
    """The price x with sum(weighted * min(ratio, x)) = cost, starting below it at ``price``, or at
    ``guess`` if higher, which may lie on either side.

    The left side is concave, increasing and piecewise linear in x, so Newton steps from the
    left land on the root of the current piece and climb monotonically to the true root. A
    shortfall within the rounding error of the left side's sum (n terms) could as well have been
    an excess, which would end the steps there: it ends them too, sparing steps that only chase
    rounding, and the price stays a hair below the root, as a start must be. A guess above the
    root takes one Newton step down first: the left side lies below its tangent there, so the
    step ends at or below the root (never below ``price``, which is; where every ratio is below
    the guess the tangent is flat, and the steps start from ``price``).
    """
    dot = _dot_for(len(ratio))
    rounding = cost * len(ratio) * _EPSILON
    right = guess > price
    floor = price
    if right:
        price = guess
    for _ in range(_NEWTON_STEPS):
        short = cost - float(dot(weighted, np.minimum(ratio, price, out=scratch)))
        if right and short < -rounding:
            right = False
            slope = float(dot(weighted, ratio > price))
            price = max(floor, price + short / slope) if slope > 0 else floor
            continue
        if short <= rounding:
            return price
        step = short / float(dot(weighted, ratio > price))
        if not price + step > price:
            return price
        price += step
    order = np.argsort(ratio)
    ratio, weighted = ratio[order], weighted[order]
    paid_before = np.concatenate(([0.0], np.cumsum(weighted * ratio)[:-1]))
    still_paying = np.cumsum(weighted[::-1])[::-1]
    prices = (cost - paid_before) / still_paying
    affordable = prices <= ratio
    affordable[-1] = True
    return float(prices[np.argmax(affordable)])
