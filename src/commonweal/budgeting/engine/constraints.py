"""National floors: mandatory projects are ring-fenced before the vote is counted, and categories
can be guaranteed a minimum share of the budget."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

from commonweal.budgeting.engine.rules.greedy import greedy_fill, satisfaction_density
from commonweal.budgeting.engine.rules.welfare import best_affordable_set, welfare_values

if TYPE_CHECKING:
    from collections.abc import Callable

    from commonweal.budgeting.engine.election import Election, Profile


class ConstraintError(ValueError):
    """A floor that cannot be met; the message names it and the shortfall."""


Minimum = tuple[str, list[int], Fraction]  # (category, its projects in the profile, least spend)


def ring_fence(election: Election, mandatory: Collection[str]) -> tuple[tuple[str, ...], Fraction]:
    """The mandatory projects (as given, each once) and the budget left once they are funded."""
    cost = {project.id: project.cost for project in election.projects}
    fenced = tuple(dict.fromkeys(mandatory))
    for pid in fenced:
        if pid not in cost:
            raise ConstraintError(f"Mandatory project {pid!r} is not in this election")
    spend = sum((cost[pid] for pid in fenced), Fraction(0))
    if spend > election.budget:
        raise ConstraintError(
            f"The mandatory projects cost {_money(spend)}, which is {_money(spend - election.budget)} "
            f"more than the budget of {_money(election.budget)}"
        )
    return fenced, election.budget - spend


def category_minimums(
    election: Election,
    profile: Profile,
    shares: Mapping[str, Fraction | float | str],
    fenced: Collection[str] = (),
) -> list[Minimum]:
    """What each category must still receive from the rule: its share of the whole budget, less
    what its mandatory projects already spend."""
    categories = {project.id: project.categories for project in election.projects}
    cost = {project.id: project.cost for project in election.projects}
    minimums = []
    for category, given in shares.items():
        share = Fraction(str(given))  # via str, so that 0.1 means one tenth, not a binary fraction
        if not 0 <= share <= 1:
            raise ConstraintError(f"The minimum share for {category!r} must be between 0 and 1")
        if not any(category in cats for cats in categories.values()):
            raise ConstraintError(f"No project is in category {category!r}")
        fenced_spend = sum((cost[pid] for pid in fenced if category in categories[pid]), Fraction(0))
        need = max(share * election.budget - fenced_spend, Fraction(0))
        members = [i for i, pid in enumerate(profile.project_ids) if category in categories[pid]]
        available = sum((profile.costs[i] for i in members), Fraction(0))
        if available < need:
            raise ConstraintError(
                f"Category {category!r} needs {_money(need)} more, but all its projects together "
                f"cost {_money(available)} (short by {_money(need - available)})"
            )
        minimums.append((category, members, need))
    return minimums


def greedy_with_minimums(profile: Profile, minimums: Sequence[Minimum]) -> list[int]:
    """Greedy, but each category is first funded in greedy order until it reaches its minimum."""
    density = satisfaction_density(profile)
    selection: list[int] = []
    remaining = profile.budget
    for category, members, need in minimums:
        spent = sum((profile.costs[i] for i in selection if i in members), Fraction(0))
        for project in sorted(members, key=lambda p: (-density[p], p)):
            if spent >= need:
                break
            if project not in selection and profile.costs[project] <= remaining:
                selection.append(project)
                remaining -= profile.costs[project]
                spent += profile.costs[project]
        if spent < need:
            raise ConstraintError(
                f"Category {category!r} needs {_money(need)}, but greedy could fund only "
                f"{_money(spent)} of its projects within the budget (short by {_money(need - spent)})"
            )
    return greedy_fill(profile, density, selection)


def welfare_with_minimums(profile: Profile, minimums: Sequence[Minimum]) -> list[int]:
    """max-welfare among the affordable sets that meet every category minimum."""
    chosen = best_affordable_set(
        profile, welfare_values(profile), [(members, need) for _, members, need in minimums]
    )
    if chosen is not None:
        return chosen
    for category, members, need in minimums:
        # The most this category alone could receive within the budget.
        spend_only = [cost if i in members else Fraction(0) for i, cost in enumerate(profile.costs)]
        best = best_affordable_set(profile, spend_only) or []
        most = sum((profile.costs[i] for i in best if i in members), Fraction(0))
        if most < need:
            raise ConstraintError(
                f"Category {category!r} needs {_money(need)}, but at most {_money(most)} of its "
                f"projects fit in the budget (short by {_money(need - most)})"
            )
    names = ", ".join(repr(category) for category, _, _ in minimums)
    raise ConstraintError(
        f"The minimums for {names} cannot all be met within the budget of {_money(profile.budget)}"
    )


WITH_MINIMUMS: dict[str, Callable[[Profile, Sequence[Minimum]], list[int]]] = {
    "greedy": greedy_with_minimums,
    "max-welfare": welfare_with_minimums,
}


def _money(amount: Fraction) -> str:
    return f"{int(amount):,}" if amount.denominator == 1 else f"{float(amount):,.2f}"
