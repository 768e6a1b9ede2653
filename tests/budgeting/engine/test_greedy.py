"""Greedy rules on small elections worked out by hand."""

import pytest

from commonweal.budgeting.engine.pabulib import parse
from commonweal.budgeting.engine.rules import RULES

PROJECTS = ["a;6;A", "b;5;B", "c;3;C", "d;1;D"]
# Approvals: a 3, b 2, c 2, d none.
VOTES = ["1;a,b", "2;a,b", "3;a,c", "4;c"]


@pytest.fixture
def profile(make_pb):
    return parse(make_pb(PROJECTS, VOTES, budget="10")).profile()


def funded(profile, rule):
    return [profile.project_ids[p] for p in RULES[rule](profile)]


def test_greedy_by_votes_skips_what_does_not_fit_and_continues(profile):
    # a (3 votes, 6), then b (2) would overspend 4 left, c (2, tie with b broken by id) fits,
    # then d with no votes still fits the last 1.
    assert funded(profile, "greedy") == ["a", "c", "d"]


def test_greedy_per_cost_ranks_by_votes_per_unit_cost(profile):
    # c 2/3, a 3/6, b 2/5, d 0: c and a spend 9, b does not fit, d does.
    assert funded(profile, "greedy-per-cost") == ["c", "a", "d"]


def test_greedy_with_points_ranks_by_points_per_unit_cost(make_pb):
    # x: 9 points / 9, y: 4 points / 2: y first, then x no longer fits.
    data = parse(
        make_pb(
            ["x;9;X", "y;2;Y"],
            ["1;x;9", "2;y;4"],
            budget="10",
            vote_type="cumulative",
            vote_header="voter_id;vote;points",
        )
    )
    assert funded(data.profile("points"), "greedy") == ["y"]
    assert funded(data.profile("approval"), "greedy") == ["x"]
