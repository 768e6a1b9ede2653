"""Election.profile: the utility matrix every rule consumes."""

from fractions import Fraction

import numpy as np
import pytest

from commonweal.budgeting.engine.pabulib import parse

PROJECTS = ["9;10;Nine", "10;20;Ten", "2;30;Two"]


def rows(profile) -> dict[tuple[int, ...], int]:
    """Each distinct utility row with its number of voters."""
    return {
        tuple(row.tolist()): int(weight)
        for row, weight in zip(profile.utilities, profile.weights, strict=True)
    }


def test_projects_are_ordered_by_id_as_text(make_pb):
    profile = parse(make_pb(PROJECTS, ["1;9"])).profile()
    assert profile.project_ids == ("10", "2", "9")
    assert profile.costs == (Fraction(20), Fraction(30), Fraction(10))


def test_identical_ballots_in_any_order_become_one_weighted_row(make_pb):
    profile = parse(make_pb(PROJECTS, ["1;9,10", "2;10,9", "3;2", "4;9,10"])).profile()
    assert rows(profile) == {(1, 0, 1): 3, (0, 1, 0): 1}
    assert profile.num_voters == 4
    assert profile.utilities.dtype == profile.weights.dtype == np.int64


def test_empty_ballots_still_count_as_voters(make_pb):
    profile = parse(make_pb(PROJECTS, ["1;", "2;2"])).profile()
    assert rows(profile) == {(0, 0, 0): 1, (0, 1, 0): 1}


def test_cumulative_ballots_approve_only_projects_given_points(make_pb):
    election = parse(
        make_pb(PROJECTS, ["1;9,2;3,0", "2;10;3"], vote_type="cumulative", vote_header="voter_id;vote;points")
    )
    assert rows(election.profile()) == {(0, 0, 1): 1, (1, 0, 0): 1}
    assert rows(election.profile("points")) == {(0, 0, 3): 1, (3, 0, 0): 1}


def test_scoring_ballots_approve_every_listed_project(make_pb):
    election = parse(
        make_pb(PROJECTS, ["1;9,2;3,0"], vote_type="scoring", vote_header="voter_id;vote;points")
    )
    assert rows(election.profile()) == {(0, 1, 1): 1}


def test_ordinal_ballots_approve_every_ranked_project_and_have_no_points(make_pb):
    election = parse(make_pb(PROJECTS, ["1;2,9", "2;9,2"], vote_type="ordinal"))
    assert rows(election.profile()) == {(0, 1, 1): 2}
    with pytest.raises(ValueError, match="Ordinal ballots give ranks"):
        election.profile("points")


def test_points_on_approval_ballots_are_one_each(make_pb):
    profile = parse(make_pb(PROJECTS, ["1;9,2"])).profile("points")
    assert rows(profile) == {(0, 1, 1): 1}
    assert profile.utility == "points"


def test_excluded_projects_leave_the_profile_and_the_budget_can_be_reduced(make_pb):
    election = parse(make_pb(PROJECTS, ["1;9,10", "2;9"]))
    profile = election.profile(exclude=["10"], budget=Fraction(5))
    assert profile.project_ids == ("2", "9")
    assert rows(profile) == {(0, 1): 2}
    assert profile.budget == 5


def test_unknown_utility_or_excluded_project_is_refused(make_pb):
    election = parse(make_pb(PROJECTS, ["1;9"]))
    with pytest.raises(ValueError, match="Choose a utility"):
        election.profile("borda")
    with pytest.raises(ValueError, match="No project with id '7'"):
        election.profile(exclude=["7"])


def test_elections_differing_only_in_layout_are_equal(make_pb):
    data = make_pb(PROJECTS, ["1;9"])
    assert parse(data) == parse(data.replace(b"\n", b"\r\n"))
    assert parse(data) != parse(data.replace(b"1;9", b"1;10"))


def test_voter_columns_are_stored_once_per_distinct_value(make_pb):
    election = parse(
        make_pb(PROJECTS, ["1;9;North", "2;9;North", "3;2;South"], vote_header="voter_id;vote;district")
    )
    district = election.ballots.columns["district"]
    assert district.values == ("North", "South")
    assert list(district) == ["North", "North", "South"]
    assert election.ballots.num_distinct == 2


def test_rows_keep_the_order_ballots_were_first_cast_in_and_points_tell_them_apart(make_pb):
    election = parse(
        make_pb(
            PROJECTS,
            ["1;2;5", "2;9,10;1,2", "3;10,9;2,1", "4;2;4", "5;2;5"],
            vote_type="cumulative",
            vote_header="voter_id;vote;points",
        )
    )
    profile = election.profile("points")
    assert profile.utilities.tolist() == [[0, 5, 0], [2, 0, 1], [0, 4, 0]]
    assert profile.weights.tolist() == [2, 2, 1]
