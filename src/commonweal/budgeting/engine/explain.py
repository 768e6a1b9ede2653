"""Why each project was or was not funded under the Method of Equal Shares, for results pages
(payments as in Peters & Skowron 2020; read from the rule's own trace, never recomputed)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

from commonweal.budgeting.engine.rules.equal_shares import (
    EqualSharesTrace,
    add1_trace,
    equal_shares_trace,
    with_greedy_fill,
)

if TYPE_CHECKING:
    from commonweal.budgeting.engine.election import Profile

# rule -> (its MES run, whether greedy fills the leftover budget)
_RUNS = {"mes": (add1_trace, True), "mes-plain": (equal_shares_trace, False)}


@dataclass(frozen=True)
class Funded:
    """A project bought by MES. Each supporter who still had enough paid ``price`` per
    approval (per point under points); a supporter who had less paid everything left."""

    project: str
    cost: Fraction
    price: Fraction
    rho: Fraction  # price per unit of satisfaction: what MES minimises each round
    paid_in_full: int  # voters who paid the full price
    ran_out: int  # voters who paid less, because it took all they had left
    paid_by_those_who_ran_out: Fraction
    already_spent: int  # supporters with nothing left, who paid nothing


@dataclass(frozen=True)
class Unfunded:
    """A project left out when MES stopped.

    ``shortfall`` is its cost less all the money its supporters still held when the rule
    stopped; ``more_supporters_needed`` is the smallest number of additional supporters, each
    bringing one full per-voter share, that would have covered that shortfall.
    """

    project: str
    cost: Fraction
    supporters: int
    money_left: Fraction
    shortfall: Fraction
    more_supporters_needed: int


@dataclass(frozen=True)
class Explanation:
    per_voter_budget: Fraction  # each voter's share in the run explained
    funded: tuple[Funded, ...]  # in the order MES bought them
    completed: tuple[str, ...]  # funded afterwards by the greedy fill, with leftover money
    unfunded: tuple[Unfunded, ...]  # in id order


def explain(profile: Profile, rule: str = "mes") -> Explanation:
    """Explain the outcome of ``rule`` ("mes" or "mes-plain") on ``profile``."""
    if rule not in _RUNS:
        raise ValueError(f"Choose a rule from {', '.join(sorted(_RUNS))}, not {rule!r}")
    run, filled = _RUNS[rule]
    trace = run(profile)
    outcome = with_greedy_fill(profile, trace.funded) if filled else trace.funded
    bought = {purchase.project for purchase in trace.purchases}
    return Explanation(
        per_voter_budget=trace.per_voter_budget,
        funded=tuple(_funded(profile, trace, round_) for round_ in range(len(trace.purchases))),
        completed=tuple(profile.project_ids[p] for p in outcome if p not in bought),
        unfunded=tuple(
            _unfunded(profile, trace, p) for p in range(len(profile.project_ids)) if p not in outcome
        ),
    )


def _funded(profile: Profile, trace: EqualSharesTrace, round_: int) -> Funded:
    purchase = trace.purchases[round_]
    p = purchase.project
    supporters = profile.utilities[:, p] > 0
    ran_out_at = trace.ran_out_at
    full = supporters & ((ran_out_at < 0) | (ran_out_at > round_))
    ran_out = supporters & (ran_out_at == round_)
    paid_in_full = int(profile.weights[full] @ profile.utilities[full, p])
    return Funded(
        project=profile.project_ids[p],
        cost=profile.costs[p],
        price=purchase.price,
        rho=purchase.rho,
        paid_in_full=int(profile.weights[full].sum()),
        ran_out=int(profile.weights[ran_out].sum()),
        # Together the supporters paid exactly the cost.
        paid_by_those_who_ran_out=profile.costs[p] - purchase.price * paid_in_full,
        already_spent=int(profile.weights[supporters & ~full & ~ran_out].sum()),
    )


def _unfunded(profile: Profile, trace: EqualSharesTrace, p: int) -> Unfunded:
    supporters = np.flatnonzero(profile.utilities[:, p] > 0)
    money = trace.money_left(profile, supporters)
    shortfall = max(profile.costs[p] - money, Fraction(0))
    return Unfunded(
        project=profile.project_ids[p],
        cost=profile.costs[p],
        supporters=int(profile.weights[supporters].sum()),
        money_left=money,
        shortfall=shortfall,
        more_supporters_needed=math.ceil(shortfall / trace.per_voter_budget),
    )
