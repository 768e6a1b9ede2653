"""Proportionality audits of an outcome: EJR up to one project, and spend against voters by
neighbourhood."""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

import highspy
import numpy as np

from commonweal.budgeting.engine.rules.welfare import quiet_highs

if TYPE_CHECKING:
    from commonweal.budgeting.engine.allocation import Outcome
    from commonweal.budgeting.engine.election import Election, Profile

NEIGHBOURHOOD_COLUMNS = ("neighborhood", "neighbourhood", "district")


@dataclass(frozen=True)
class EJRViolation:
    """A cohesive group the outcome under-serves even after adding any one of its projects."""

    projects: tuple[str, ...]  # T: every voter in the group approves all of them
    voters: int  # |N'|, at least n * cost(T) / budget
    most_expensive_unfunded: str  # adding even this project leaves each voter below cost(T)
    groups: tuple[int, ...]  # the profile rows (distinct ballots) the voters cast


def ejr_up_to_one(election: Election, outcome: Outcome) -> EJRViolation | None:
    """Whether `outcome` satisfies EJR up to one project for the approval ballots (see below)."""
    profile = election.profile("approval")
    position = {pid: i for i, pid in enumerate(profile.project_ids)}
    return ejr_up_to_one_violation(profile, [position[pid] for pid in outcome.funded])


def ejr_up_to_one_violation(profile: Profile, funded: Collection[int]) -> EJRViolation | None:
    """A violation of EJR up to one project under cost utilities, or None if there is none.

    Definition (Peters, Pierczyński & Skowron, NeurIPS 2021; as pabutools 1.2.3's
    is_EJR_one_approval with Cost_Sat): voters N' are T-cohesive when each approves every project
    in T and |N'| >= n cost(T) / budget. The outcome W satisfies EJR up to one when every
    T-cohesive group has a voter i with u_i(W) + max over c in T minus W of cost(c) >= cost(T),
    where u_i(W) is the cost of the funded projects i approves.

    Checking EJR is coNP-hard even with unit costs (Aziz et al., Soc. Choice Welf. 2017), so no
    polynomial check exists unless P = NP; this one is exact and fast on real elections: for each
    unfunded c, taken as T's most expensive unfunded project, a small MIP (HiGHS) looks for T and
    N', after discarding voters who could never be in such a group.
    """
    check = _EJRCheck(profile, funded)
    for top in sorted(np.flatnonzero(~check.in_outcome).tolist(), key=lambda c: (-check.costs[c], c)):
        found = check.violation_topped_by(top)
        if found is not None:
            projects, groups = found
            return EJRViolation(
                projects=tuple(sorted(profile.project_ids[c] for c in projects)),
                voters=int(profile.weights[groups].sum()),
                most_expensive_unfunded=profile.project_ids[top],
                groups=tuple(groups),
            )
    return None


class _EJRCheck:
    """One outcome's search for a violation, in whole-number costs."""

    def __init__(self, profile: Profile, funded: Collection[int]) -> None:
        scale = math.lcm(*(c.denominator for c in profile.costs), profile.budget.denominator)
        self.costs = np.array([int(c * scale) for c in profile.costs], dtype=object)
        self.budget, self.n = int(profile.budget * scale), profile.num_voters
        self.approves, self.weights = profile.utilities > 0, profile.weights
        self.in_outcome = np.zeros(len(self.costs), dtype=bool)
        self.in_outcome[list(funded)] = True
        # u_i(W): what each group's funded projects cost.
        self.served = self.approves[:, self.in_outcome].astype(object) @ self.costs[self.in_outcome]

    def violation_topped_by(self, top: int) -> tuple[list[int], list[int]] | None:
        """(T, groups) of a violation whose most expensive unfunded project is `top`, or None."""
        # A group can join only if it approves top and can be short even when its whole
        # cohesive share is spent: u + cost(top) < cost(T) <= budget * |N'| / n.
        candidates = np.flatnonzero(self.approves[:, top])
        while len(candidates):
            ceiling = Fraction(self.budget * int(self.weights[candidates].sum()), self.n)
            keep = candidates[self.served[candidates] + self.costs[top] < ceiling]
            if len(keep) == len(candidates):
                break
            candidates = keep
        if not len(candidates):
            return None
        # T's other unfunded projects cost no more than top.
        usable = [c for c in range(len(self.costs)) if self.in_outcome[c] or self.costs[c] <= self.costs[top]]
        chosen = self.solve(top, usable, candidates.tolist())
        return None if chosen is None else self.confirm(chosen)

    def solve(self, top: int, usable: list[int], candidates: list[int]) -> list[int] | None:
        """The MIP over x_c (c in T), z_g (group g in N') and K = cost(T); T, or None."""
        highs = quiet_highs()
        x = {c: i for i, c in enumerate(usable)}
        z = {g: len(usable) + j for j, g in enumerate(candidates)}
        k = len(usable) + len(z)
        inf = highs.inf
        highs.addVars(k + 1, [0.0] * (k + 1), [1.0] * k + [inf])
        highs.changeColsIntegrality(k, list(range(k)), [highspy.HighsVarType.kInteger] * k)
        highs.changeColBounds(x[top], 1.0, 1.0)
        highs.addRow(0.0, 0.0, len(x) + 1, [*x.values(), k], [*(float(self.costs[c]) for c in x), -1.0])
        # Cohesive: n K <= budget * (voters in N'), and N' is not empty.
        coefficients = [-float(self.budget * int(self.weights[g])) for g in z]
        highs.addRow(-inf, 0.0, len(z) + 1, [*z.values(), k], [*coefficients, float(self.n)])
        highs.addRow(1.0, inf, len(z), list(z.values()), [1.0] * len(z))
        for g, column in z.items():
            # Short even with top: K >= u_g + cost(top) + 1 when g is in N' (costs are whole).
            shortfall = float(self.served[g] + self.costs[top] + 1)
            highs.addRow(0.0, inf, 2, [k, column], [1.0, -shortfall])
        for c in usable:
            refusing = [z[g] for g in z if not self.approves[g, c]]
            if c != top and refusing:
                # If c is in T, no group in N' may refuse it.
                size = float(len(refusing))
                highs.addRow(-inf, size, len(refusing) + 1, [*refusing, x[c]], [1.0] * len(refusing) + [size])
        highs.run()
        if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        values = highs.getSolution().col_value
        return [c for c in usable if values[x[c]] > 0.5]

    def confirm(self, projects: list[int]) -> tuple[list[int], list[int]] | None:
        """Re-check a violation exactly, taking every short voter who approves all of T."""
        cost = sum(self.costs[c] for c in projects)
        top_cost = max(self.costs[c] for c in projects if not self.in_outcome[c])
        short = self.approves[:, projects].all(axis=1) & (self.served + top_cost < cost)
        groups = np.flatnonzero(short)
        if len(groups) and self.budget * int(self.weights[groups].sum()) >= self.n * cost:
            return projects, groups.tolist()
        return None


@dataclass(frozen=True)
class NeighbourhoodShare:
    """One neighbourhood's share of the voters and of the money spent for it."""

    name: str
    voters: int
    voter_share: float
    spend: Fraction
    spend_share: float


def spend_by_neighbourhood(election: Election, outcome: Outcome) -> list[NeighbourhoodShare]:
    """Each neighbourhood's share of spend against its share of voters.

    A funded project whose own neighbourhood column names a voters' neighbourhood is spent
    there; any other (city-wide) project's cost is split equally among the voters approving it.
    Spend on projects nobody approved is left out, so shares may sum to less than one.
    """
    column = next((c for c in NEIGHBOURHOOD_COLUMNS if c in election.ballots.columns), None)
    if column is None:
        raise ValueError("The ballots carry no neighbourhood column")
    names, voters, support = election.support_by(column)
    index = {name: i for i, name in enumerate(names)}
    spend = [Fraction(0)] * len(names)
    position = {project.id: i for i, project in enumerate(election.projects)}
    for pid in outcome.funded:
        project = election.projects[position[pid]]
        place = next((project.extra[c] for c in NEIGHBOURHOOD_COLUMNS if c in project.extra), None)
        supporters = support[:, position[pid]]
        if place in index:
            spend[index[place]] += project.cost
        elif supporters.sum():
            for i, count in enumerate(supporters.tolist()):
                spend[i] += project.cost * count / int(supporters.sum())
    total_voters = int(voters.sum())
    return [
        NeighbourhoodShare(
            name=name,
            voters=int(voters[i]),
            voter_share=int(voters[i]) / total_voters,
            spend=spend[i],
            spend_share=float(spend[i] / outcome.total_cost) if outcome.total_cost else 0.0,
        )
        for i, name in enumerate(names)
    ]
