"""max-welfare: the affordable set of projects with the greatest total satisfaction.

Utilitarian welfare as a 0/1 knapsack (Talmon & Faliszewski, AAAI 2019), solved exactly as a
mixed-integer programme with HiGHS (Huangfu & Hall, Math. Prog. Comp. 2018).
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Collection, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

import highspy

from commonweal.budgeting.engine.rules.greedy import satisfaction_scales

if TYPE_CHECKING:
    from commonweal.budgeting.engine.election import Profile

# A double holds every integer up to 2**53 exactly; beyond that HiGHS could not tell sets apart.
EXACT_LIMIT = 2**53

Minimum = tuple[Collection[int], Fraction]  # (projects, least total cost to fund among them)


def max_welfare(profile: Profile) -> list[int]:
    """Projects maximising the sum of (approvals x cost), or of points when utilities are points.

    Among sets of equal welfare the one funding the smallest project id wins, then the next
    smallest, and so on (pabutools' tie order). Returned in id order: the set has no sequence.
    """
    return best_affordable_set(profile, welfare_values(profile)) or []


def welfare_values(profile: Profile) -> list[Fraction]:
    """Each project's contribution to welfare: its supporters' total satisfaction."""
    totals = (profile.weights @ profile.utilities).tolist()
    return [total * scale for total, scale in zip(totals, satisfaction_scales(profile), strict=True)]


def best_affordable_set(
    profile: Profile, values: Sequence[Fraction], minimums: Sequence[Minimum] = ()
) -> list[int] | None:
    """The affordable set with the greatest total value that meets every minimum (ties as in
    max_welfare), or None when no affordable set meets them."""
    scale = math.lcm(
        *(c.denominator for c in profile.costs),
        profile.budget.denominator,
        *(need.denominator for _, need in minimums),
    )
    costs = [int(c * scale) for c in profile.costs]
    # Scaling every value by one factor keeps the best set the best, and makes them whole.
    value_scale = math.lcm(*(Fraction(v).denominator for v in values))
    values = [int(v * value_scale) for v in values]
    if sum(values) >= EXACT_LIMIT or sum(costs) >= EXACT_LIMIT:
        raise ValueError("This election is too large to solve exactly in double precision")
    solver = _Knapsack(values, costs, math.floor(profile.budget * scale), minimums, scale)
    best = solver.solve({})
    if best is None:
        return None
    target = sum(values[p] for p in best)
    solver.require_value(target)
    if solver.solve({}, excluding=best) is None:
        return sorted(best)  # the usual case: no other set is as good
    fixed: dict[int, int] = {}
    # Fix projects one at a time in id order, funding each when an optimal set still can.
    for project in range(len(costs)):
        committed = sum(costs[p] for p, funded in fixed.items() if funded)
        if project not in best and committed + costs[project] <= solver.capacity:
            trial = solver.solve({**fixed, project: 1})
            if trial is not None and sum(values[p] for p in trial) == target:
                best = trial
        fixed[project] = int(project in best)
    return sorted(best)


class _Knapsack:
    """max sum(values x) s.t. sum(costs x) <= capacity and each minimum, x binary."""

    def __init__(
        self,
        values: list[int],
        costs: list[int],
        capacity: int,
        minimums: Sequence[Minimum],
        scale: int,
    ) -> None:
        self.highs = highs = quiet_highs()
        highs.setOptionValue("mip_rel_gap", 0.0)
        # Values are whole numbers, so a gap below one proves the incumbent optimal.
        highs.setOptionValue("mip_abs_gap", 0.5)
        n = len(values)
        highs.addVars(n, [0.0] * n, [1.0] * n)
        highs.changeColsIntegrality(n, list(range(n)), [highspy.HighsVarType.kInteger] * n)
        highs.changeColsCost(n, list(range(n)), [float(v) for v in values])
        highs.changeObjectiveSense(highspy.ObjSense.kMaximize)
        highs.addRow(-highs.inf, float(capacity), n, list(range(n)), [float(c) for c in costs])
        for projects, need in minimums:
            members = sorted(projects)
            highs.addRow(
                float(need * scale), highs.inf, len(members), members, [float(costs[p]) for p in members]
            )
        self.costs, self.capacity, self.minimums, self.scale = costs, capacity, minimums, scale
        self.values = [float(v) for v in values]

    def require_value(self, target: int) -> None:
        """From now on, only sets worth at least `target` are feasible."""
        n = len(self.costs)
        self.highs.addRow(target - 0.5, self.highs.inf, n, list(range(n)), self.values)

    def solve(self, fixed: dict[int, int], excluding: set[int] | None = None) -> set[int] | None:
        """The best set with the projects in `fixed` funded (1) or not (0), other than
        `excluding`; None when there is none."""
        highs = self.highs
        n = len(self.costs)
        lower = [float(fixed.get(p, 0)) for p in range(n)]
        upper = [float(fixed.get(p, 1)) for p in range(n)]
        highs.changeColsBounds(n, list(range(n)), lower, upper)
        if excluding is not None:
            # Differ from `excluding` in at least one project: sum over it of (1 - x) plus
            # sum elsewhere of x is at least 1.
            signs = [-1.0 if p in excluding else 1.0 for p in range(n)]
            highs.addRow(1.0 - len(excluding), highs.inf, n, list(range(n)), signs)
        highs.run()
        status = highs.getModelStatus()
        chosen = {p for p, x in enumerate(highs.getSolution().col_value) if x > 0.5}
        if excluding is not None:
            highs.deleteRows(1, [highs.getNumRow() - 1])
        if status != highspy.HighsModelStatus.kOptimal:
            return None
        return chosen if self._feasible(chosen) else None

    def _feasible(self, chosen: set[int]) -> bool:
        """Re-check the solver's answer in exact integers, as float tolerances could admit a set
        a cent over budget."""
        if sum(self.costs[p] for p in chosen) > self.capacity:
            return False
        return all(
            sum(self.costs[p] for p in chosen if p in projects) >= need * self.scale
            for projects, need in self.minimums
        )


def quiet_highs() -> highspy.Highs:
    """A silent HiGHS instance. HiGHS prints a banner from C on its first creation in a process,
    which would corrupt JSON written to stdout, so that creation runs with stdout on /dev/null."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            highs = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    highs.silent()
    return highs
