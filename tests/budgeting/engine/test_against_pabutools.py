"""Random small elections: every rule gives exactly what pabutools 1.2.3 gives, run live."""

from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from pabutools.election import (
    Additive_Cardinal_Sat,
    ApprovalBallot,
    ApprovalProfile,
    Cardinality_Sat,
    Cost_Sat,
    CumulativeBallot,
    CumulativeProfile,
    Instance,
    Project,
)
from pabutools.rules import (
    completion_by_rule_combination,
    exhaustion_by_budget_increase,
    greedy_utilitarian_welfare,
    method_of_equal_shares,
    sequential_phragmen,
)

from commonweal.budgeting.engine.election import Profile
from commonweal.budgeting.engine.rules import RULES

# The calls expected.json documents for each of our rules.
APPROVAL_CALLS = {
    "mes-plain": lambda i, p: method_of_equal_shares(i, p, sat_class=Cost_Sat),
    "mes": lambda i, p: completion_by_rule_combination(
        i,
        p,
        [method_of_equal_shares, greedy_utilitarian_welfare],
        [{"sat_class": Cost_Sat, "voter_budget_increment": 1}, {"sat_class": Cost_Sat}],
    ),
    "mes-exhaust": lambda i, p: completion_by_rule_combination(
        i,
        p,
        [exhaustion_by_budget_increase, greedy_utilitarian_welfare],
        [
            {"rule": method_of_equal_shares, "rule_params": {"sat_class": Cost_Sat}},
            {"sat_class": Cost_Sat},
        ],
    ),
    "phragmen": lambda i, p: sorted(sequential_phragmen(i, p)),
    "greedy": lambda i, p: greedy_utilitarian_welfare(i, p, sat_class=Cost_Sat),
    "greedy-per-cost": lambda i, p: greedy_utilitarian_welfare(i, p, sat_class=Cardinality_Sat),
}
POINTS_CALLS = {
    "mes-plain": lambda i, p: method_of_equal_shares(i, p, sat_class=Additive_Cardinal_Sat),
    "greedy": lambda i, p: greedy_utilitarian_welfare(i, p, sat_class=Additive_Cardinal_Sat),
}


@st.composite
def elections(draw, max_points: int, max_choices: int | None = None):
    """(ids, costs, budget, ballots): ids like "p10" and "p9" so string order matters; each
    ballot maps a project index to its points (1 for approval), at most ``max_choices`` of them."""
    count = draw(st.integers(1, 7))
    ids = [f"p{n}" for n in draw(st.lists(st.integers(1, 12), min_size=count, max_size=count, unique=True))]
    costs = draw(st.lists(st.integers(1, 30), min_size=count, max_size=count))
    budget = draw(st.integers(1, 60))
    ballot = st.dictionaries(
        st.integers(0, count - 1), st.integers(1, max_points), max_size=max_choices or count
    )
    ballots = draw(st.lists(ballot, min_size=1, max_size=9))
    return ids, costs, budget, ballots


def ours(ids, costs, budget, ballots, utility, rule):
    order = sorted(range(len(ids)), key=lambda p: ids[p])
    rows: dict[tuple, int] = {}
    for ballot in ballots:
        row = tuple(ballot.get(p, 0) for p in order)
        rows[row] = rows.get(row, 0) + 1
    profile = Profile(
        project_ids=tuple(ids[p] for p in order),
        costs=tuple(Fraction(costs[p]) for p in order),
        budget=Fraction(budget),
        utilities=np.array(list(rows), dtype=np.int64).reshape(len(rows), len(ids)),
        weights=np.array(list(rows.values()), dtype=np.int64),
        utility=utility,
    )
    return [profile.project_ids[p] for p in RULES[rule](profile)]


def theirs(ids, costs, budget, ballots, make_ballot, make_profile, call):
    projects = [Project(name, cost) for name, cost in zip(ids, costs, strict=True)]
    instance = Instance(projects, budget_limit=budget)
    profile = make_profile(
        [make_ballot({projects[p]: points for p, points in b.items()}) for b in ballots],
        instance=instance,
    ).as_multiprofile()
    return [project.name for project in call(instance, profile)]


@settings(max_examples=150, deadline=None)
@given(elections(max_points=1), st.sampled_from(sorted(APPROVAL_CALLS)))
def test_approval_rules_match_pabutools(election, rule):
    ids, costs, budget, ballots = election
    expected = theirs(
        ids, costs, budget, ballots, lambda b: ApprovalBallot(b), ApprovalProfile, APPROVAL_CALLS[rule]
    )
    assert ours(ids, costs, budget, ballots, "approval", rule) == expected


@settings(max_examples=100, deadline=None)
@given(elections(max_points=5), st.sampled_from(sorted(POINTS_CALLS)))
def test_points_rules_match_pabutools(election, rule):
    ids, costs, budget, ballots = election
    expected = theirs(ids, costs, budget, ballots, CumulativeBallot, CumulativeProfile, POINTS_CALLS[rule])
    assert ours(ids, costs, budget, ballots, "points", rule) == expected


@settings(max_examples=150, deadline=None)
@given(elections(max_points=1, max_choices=1), st.sampled_from(["mes", "mes-exhaust", "mes-plain"]))
def test_choose_one_equal_shares_match_pabutools(election, rule):
    # No ballot supports two projects: MES takes its shortcut (see equal_shares._Apart).
    ids, costs, budget, ballots = election
    expected = theirs(
        ids, costs, budget, ballots, lambda b: ApprovalBallot(b), ApprovalProfile, APPROVAL_CALLS[rule]
    )
    assert ours(ids, costs, budget, ballots, "approval", rule) == expected
