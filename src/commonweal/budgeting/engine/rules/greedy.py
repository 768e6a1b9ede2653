"""Greedy utilitarian rules: fund projects by satisfaction per unit of cost, skipping what does
not fit (the classic city count; pabutools 1.2.3 ``greedy_utilitarian_welfare``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from commonweal.budgeting.engine.election import Profile


def satisfaction_scales(profile: Profile) -> tuple[Fraction, ...]:
    """Satisfaction per unit of utility for each project: its cost when ballots are approvals
    (pabutools' ``Cost_Sat``), 1 when utilities are points (``Additive_Cardinal_Sat``)."""
    if profile.utility == "points":
        return (Fraction(1),) * len(profile.costs)
    return profile.costs


def greedy_fill(
    profile: Profile, density: Sequence[Fraction | float], funded: Iterable[int] = ()
) -> list[int]:
    """Extend ``funded`` by scanning projects from the highest ``density`` down (ties: smallest
    id) and funding each one that still fits in the budget. Returns the whole selection."""
    selection = list(funded)
    remaining = profile.budget - sum((profile.costs[p] for p in selection), Fraction(0))
    chosen = set(selection)
    for p in sorted(range(len(profile.project_ids)), key=lambda p: (-density[p], p)):
        if p not in chosen and profile.costs[p] <= remaining:
            selection.append(p)
            remaining -= profile.costs[p]
    return selection


def satisfaction_density(profile: Profile) -> list[Fraction | float]:
    """Total satisfaction of each project's supporters per unit of its cost: the number of
    approvals under cost utilities (a project's cost cancels; a free one satisfies nobody), points
    per unit cost otherwise, where a free project that someone wants comes first (infinite
    density), as in pabutools."""
    points = profile.weights @ profile.utilities
    if profile.utility == "approval":
        # Satisfaction is the cost for each approval, so the cost cancels (a free project's is 0).
        return [int(s) if cost else 0 for s, cost in zip(points.tolist(), profile.costs, strict=True)]
    return _per_cost(profile, [int(s) for s in points])


def greedy(profile: Profile) -> list[int]:
    """Greedy by total satisfaction per unit cost (approval count under cost utilities)."""
    return greedy_fill(profile, satisfaction_density(profile))


def greedy_per_cost(profile: Profile) -> list[int]:
    """Greedy by supporters per unit of cost (pabutools' ``Cardinality_Sat``)."""
    # Approval utilities are already 0/1: no need to build (and cast) a mask the size of them.
    approves = profile.utilities if profile.utility == "approval" else profile.utilities > 0
    supporters = profile.weights @ approves
    return greedy_fill(profile, _per_cost(profile, [int(s) for s in supporters]))


def _per_cost(profile: Profile, totals: Sequence[Fraction | int]) -> list[Fraction | float]:
    return [
        (Fraction(total) / cost if cost else np.inf) if total else Fraction(0)
        for total, cost in zip(totals, profile.costs, strict=True)
    ]
