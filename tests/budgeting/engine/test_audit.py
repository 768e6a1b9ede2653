"""Audits: EJR up to one project against brute force and MES, and spend by neighbourhood."""

from fractions import Fraction
from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonweal.budgeting.engine import allocate, load
from commonweal.budgeting.engine.allocation import Outcome
from commonweal.budgeting.engine.audit import ejr_up_to_one, ejr_up_to_one_violation, spend_by_neighbourhood
from commonweal.budgeting.engine.election import Profile
from commonweal.budgeting.engine.pabulib import parse


def profile_of(costs, budget, ballots, weights) -> Profile:
    return Profile(
        project_ids=tuple(f"p{i}" for i in range(len(costs))),
        costs=tuple(Fraction(c) for c in costs),
        budget=Fraction(budget),
        utilities=np.array(ballots, dtype=np.int64).reshape(len(weights), len(costs)),
        weights=np.array(weights, dtype=np.int64),
    )


def violated_by_brute_force(profile: Profile, funded: set[int]) -> bool:
    """Every T, with the largest group approving T whose voters are all short."""
    m, n = len(profile.costs), profile.num_voters
    served = [sum(profile.costs[c] for c in funded if row[c]) for row in profile.utilities]
    for size in range(1, m + 1):
        for T in combinations(range(m), size):
            unfunded = [profile.costs[c] for c in T if c not in funded]
            cost = sum(profile.costs[c] for c in T)
            short = [
                g
                for g, row in enumerate(profile.utilities)
                if all(row[c] for c in T) and served[g] + max(unfunded, default=0) < cost
            ]
            if short and sum(profile.weights[g] for g in short) * profile.budget >= n * cost:
                return True
    return False


@st.composite
def instances(draw):
    m = draw(st.integers(1, 5))
    groups = draw(st.integers(1, 5))
    profile = profile_of(
        draw(st.lists(st.integers(1, 12), min_size=m, max_size=m)),
        draw(st.integers(1, 30)),
        draw(st.lists(st.integers(0, 1), min_size=m * groups, max_size=m * groups)),
        draw(st.lists(st.integers(1, 6), min_size=groups, max_size=groups)),
    )
    funded = draw(st.sets(st.integers(0, m - 1)))
    return profile, funded


@settings(max_examples=300, deadline=None)
@given(instances())
def test_ejr_check_agrees_with_brute_force(instance):
    profile, funded = instance
    violation = ejr_up_to_one_violation(profile, funded)
    assert (violation is not None) == violated_by_brute_force(profile, funded)


def test_greedy_outcome_that_ignores_a_cohesive_minority_is_reported():
    # 51 voters want p0 (the whole budget); 49 want p1 and p2, which together cost 40.
    profile = profile_of([100, 20, 20], 100, [1, 0, 0, 0, 1, 1], [51, 49])
    violation = ejr_up_to_one_violation(profile, {0})
    assert violation is not None
    assert violation.projects == ("p1", "p2")
    assert violation.voters == 49
    assert violation.groups == (1,)


def test_funding_one_of_the_minority_projects_satisfies_it():
    profile = profile_of([100, 20, 20], 100, [1, 0, 0, 0, 1, 1], [51, 49])
    assert ejr_up_to_one_violation(profile, {1, 2}) is None


@pytest.mark.reference_data
@pytest.mark.parametrize(
    "name",
    [
        "Poland_Warszawa_2023_Wawer.pb",
        "France_Toulouse_2022.pb",
        "Poland_Krakow_2023_Pradnik_Bialy.pb",
        "Poland_Lodz_2025_Olechow-Janow.pb",
    ],
)
def test_pabutools_mes_outcomes_satisfy_ejr_up_to_one(pabulib_dir, expected, name):
    # MES satisfies EJR up to one (Peters, Pierczyński & Skowron 2021): a check that found a
    # violation here would be wrong.
    election = load(pabulib_dir / name)
    funded = expected["instances"][name]["results"]["mes_cost"]["selected"]
    outcome = Outcome(funded, Fraction(0), "mes", "approval", election.budget, ())
    assert ejr_up_to_one(election, outcome) is None


NEIGHBOURHOOD_FILE = (
    ["N1;60;North pool;North", "S1;30;South park;South", "C1;10;City app;"],
    ["1;N1;North", "2;N1,C1;North", "3;S1,C1;South", "4;C1;South"],
)


def test_spend_goes_to_a_projects_own_neighbourhood_or_is_split_among_supporters(make_pb):
    projects, votes = NEIGHBOURHOOD_FILE
    election = parse(
        make_pb(
            projects,
            votes,
            project_header="project_id;cost;name;neighborhood",
            vote_header="voter_id;vote;neighborhood",
        )
    )
    outcome = allocate(election, rule="max-welfare")
    assert sorted(outcome.funded) == ["C1", "N1", "S1"]
    shares = {share.name: share for share in spend_by_neighbourhood(election, outcome)}
    # The city app's 10 is split among its three supporters: one in the North, two in the South.
    assert shares["North"].spend == 60 + Fraction(10, 3)
    assert shares["South"].spend == 30 + Fraction(20, 3)
    assert shares["North"].voters == 2
    assert shares["South"].voter_share == 0.5
    assert shares["North"].spend_share == pytest.approx((60 + 10 / 3) / 100)


def test_spend_by_neighbourhood_needs_a_neighbourhood_column(make_pb):
    election = parse(make_pb(["A;1;A"], ["1;A"]))
    outcome = allocate(election, rule="max-welfare")
    with pytest.raises(ValueError, match="no neighbourhood column"):
        spend_by_neighbourhood(election, outcome)


@pytest.mark.reference_data
def test_spend_by_neighbourhood_covers_every_voter_of_a_real_city(pabulib_dir, expected):
    name = "Poland_Warszawa_2026.pb"
    election = load(pabulib_dir / name)
    funded = expected["instances"][name]["results"]["greedy_cost"]["selected"]
    cost = {p.id: p.cost for p in election.projects}
    outcome = Outcome(funded, sum(cost[p] for p in funded), "greedy", "approval", election.budget, ())
    shares = spend_by_neighbourhood(election, outcome)
    assert sum(share.voters for share in shares) == election.num_voters
    assert sum(share.spend_share for share in shares) == pytest.approx(1.0)
