"""Sequential Phragmén for participatory budgeting (Brill, Freeman, Janson & Lackner 2017; Los,
Christoff & Grossi 2022), as computed by pabutools 1.2.3 ``sequential_phragmen``.

Voters earn virtual money continuously; a project is bought as soon as its supporters together
hold its cost, and the load it puts on them is spread so that their loads become equal. The rule
stops when the next project to be bought does not fit in the budget (it is not exhaustive).
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from commonweal.budgeting.engine.election import Profile

# Loads are sums of non-negative terms, so float64 is within ~1e-13 of exact; only values this
# close to the smallest are compared exactly.
_TOLERANCE = 1e-9


def sequential_phragmen(profile: Profile) -> list[int]:
    """The projects Phragmén buys (approval ballots: any positive utility), listed by id as
    pabutools lists them, so that published results compare line by line."""
    approves = profile.utilities > 0
    supporters = [np.flatnonzero(approves[:, p]) for p in range(len(profile.costs))]
    weights = profile.weights
    scores = weights @ approves
    costs_f = np.array([float(c) for c in profile.costs])
    load = np.zeros(len(weights))
    carried = np.zeros(len(profile.costs))  # each project's supporters' total load
    # Each group's load is the load set by the last project it helped buy (index into
    # ``loads``), so exact loads are recovered from integer counts, never summed in floats.
    last = np.full(len(weights), -1, dtype=np.int64)
    loads: list[Fraction] = []
    remaining = [p for p in range(len(profile.costs)) if profile.costs[p] <= profile.budget]
    spent = Fraction(0)
    selection: list[int] = []
    while remaining:
        pool = np.array(remaining)
        with np.errstate(divide="ignore"):
            new_load = (carried[pool] + costs_f[pool]) / scores[pool]
        best = new_load.min()
        if np.isinf(best):
            tied = remaining  # nobody supports what is left: all tie at an infinite load
            best_exact = None
        else:
            close = pool[new_load <= best * (1 + _TOLERANCE)]
            exact = {int(p): _exact_load(profile, supporters[p], p, last, loads) for p in close}
            best_exact = min(exact.values())
            tied = [p for p, value in exact.items() if value == best_exact]
        # pabutools stops if any of the tied projects overspends, not just the one it would pick.
        if any(spent + profile.costs[p] > profile.budget for p in tied):
            break
        winner = min(tied)
        selection.append(winner)
        remaining.remove(winner)
        spent += profile.costs[winner]
        if best_exact is not None:
            # Only the winner's supporters change load, so only their rows update the totals.
            raised = supporters[winner]
            carried += (weights[raised] * (float(best_exact) - load[raised])) @ approves[raised]
            load[raised] = float(best_exact)
            last[raised] = len(loads)
            loads.append(best_exact)
    return sorted(selection)


def _exact_load(
    profile: Profile, supporters: np.ndarray, p: int, last: np.ndarray, loads: list[Fraction]
) -> Fraction:
    """(supporters' total load + cost) / supporters, in exact rationals."""
    per_load = np.bincount(last[supporters] + 1, profile.weights[supporters], len(loads) + 1)
    carried = sum((load * int(n) for load, n in zip(loads, per_load[1:], strict=True) if n), Fraction(0))
    return (carried + profile.costs[p]) / int(profile.weights[supporters].sum())
