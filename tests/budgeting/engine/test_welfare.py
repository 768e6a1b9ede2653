"""max-welfare against brute force over every subset of small random elections."""

from fractions import Fraction
from itertools import combinations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from commonweal.budgeting.engine.election import Profile
from commonweal.budgeting.engine.rules.welfare import best_affordable_set, max_welfare


@st.composite
def profiles(draw, utility: str = "approval") -> Profile:
    m = draw(st.integers(1, 7))
    groups = draw(st.integers(1, 6))
    top = 1 if utility == "approval" else 5
    utilities = np.array(
        draw(
            st.lists(st.lists(st.integers(0, top), min_size=m, max_size=m), min_size=groups, max_size=groups)
        ),
        dtype=np.int64,
    )
    return Profile(
        project_ids=tuple(f"p{i}" for i in range(m)),
        costs=tuple(Fraction(draw(st.integers(1, 40)), draw(st.sampled_from([1, 2, 4]))) for _ in range(m)),
        budget=Fraction(draw(st.integers(1, 100))),
        utilities=utilities,
        weights=np.array(draw(st.lists(st.integers(1, 9), min_size=groups, max_size=groups)), dtype=np.int64),
        utility=utility,
    )


def brute_force(profile: Profile) -> list[int]:
    """Greatest welfare; among equals, the set funding the smallest id, then the next..."""
    support = profile.weights @ profile.utilities
    scale = profile.costs if profile.utility == "approval" else [1] * len(profile.costs)
    best, best_key = [], None
    m = len(profile.costs)
    for size in range(m + 1):
        for subset in combinations(range(m), size):
            if sum(profile.costs[i] for i in subset) > profile.budget:
                continue
            key = (sum(support[i] * scale[i] for i in subset), [int(i in subset) for i in range(m)])
            if best_key is None or key > best_key:
                best, best_key = list(subset), key
    return best


@settings(max_examples=150, deadline=None)
@given(profiles())
def test_max_welfare_equals_brute_force_including_its_tie_order(profile):
    assert max_welfare(profile) == brute_force(profile)


@settings(max_examples=60, deadline=None)
@given(profiles(utility="points"))
def test_max_welfare_with_points_maximises_total_points(profile):
    assert max_welfare(profile) == brute_force(profile)


def test_equal_welfare_goes_to_the_smallest_id():
    profile = Profile(
        project_ids=("a", "b", "c"),
        costs=(Fraction(10),) * 3,
        budget=Fraction(10),
        utilities=np.array([[1, 1, 1]], dtype=np.int64),
        weights=np.array([5], dtype=np.int64),
    )
    assert max_welfare(profile) == [0]


def test_a_minimum_spend_that_cannot_be_met_gives_none():
    profile = Profile(
        project_ids=("a", "b"),
        costs=(Fraction(6), Fraction(6)),
        budget=Fraction(10),
        utilities=np.array([[1, 1]], dtype=np.int64),
        weights=np.array([1], dtype=np.int64),
    )
    assert best_affordable_set(profile, [Fraction(1), Fraction(1)], [([0, 1], Fraction(12))]) is None
    assert best_affordable_set(profile, [Fraction(1), Fraction(2)], [([0], Fraction(6))]) == [0]
