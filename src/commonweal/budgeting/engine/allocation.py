"""Counting an election: national floors first, then the chosen rule on what is left."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from fractions import Fraction

from commonweal.budgeting.engine.constraints import WITH_MINIMUMS, category_minimums, ring_fence
from commonweal.budgeting.engine.election import Election
from commonweal.budgeting.engine.rules import RULES


@dataclass(frozen=True)
class Outcome:
    """The funded projects, mandatory ones first, then in the order the rule selected them."""

    funded: list[str]
    total_cost: Fraction
    rule: str
    utility: str
    budget: Fraction
    mandatory: tuple[str, ...]


def allocate(
    election: Election,
    rule: str = "mes",
    utility: str = "approval",
    mandatory: Collection[str] = (),
    category_min_share: Mapping[str, Fraction | float | str] | None = None,
) -> Outcome:
    """Fund the mandatory projects, then run `rule` on the others with the budget that is left,
    guaranteeing each category in `category_min_share` that share of the whole budget."""
    if rule not in RULES:
        raise ValueError(f"Choose a rule from {', '.join(sorted(RULES))}, not {rule!r}")
    fenced, remaining = ring_fence(election, mandatory)
    profile = election.profile(utility, exclude=fenced, budget=remaining)
    if category_min_share:
        if rule not in WITH_MINIMUMS:
            raise ValueError(f"Category minimum shares work with {' and '.join(WITH_MINIMUMS)}, not {rule!r}")
        minimums = category_minimums(election, profile, category_min_share, fenced)
        chosen = WITH_MINIMUMS[rule](profile, minimums)
    else:
        chosen = RULES[rule](profile)
    funded = [*fenced, *(profile.project_ids[i] for i in chosen)]
    cost = {project.id: project.cost for project in election.projects}
    return Outcome(
        funded=funded,
        total_cost=sum((cost[pid] for pid in funded), Fraction(0)),
        rule=rule,
        utility=utility,
        budget=election.budget,
        mandatory=fenced,
    )
