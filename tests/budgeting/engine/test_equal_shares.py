"""Method of Equal Shares on small elections worked out by hand."""

import json
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from commonweal.budgeting.engine import load
from commonweal.budgeting.engine.election import Profile
from commonweal.budgeting.engine.pabulib import parse
from commonweal.budgeting.engine.rules import RULES
from commonweal.budgeting.engine.rules.equal_shares import (
    _Ballots,
    _Search,
    _Walk,
    add1_trace,
    equal_shares_trace,
    exhaust_trace,
)


@pytest.fixture
def election(make_pb):
    def build(projects, votes, budget, **kwargs):
        return parse(make_pb(projects, votes, budget=budget, **kwargs))

    return build


def funded(profile, rule):
    return [profile.project_ids[p] for p in RULES[rule](profile)]


def test_cheapest_price_per_voter_wins_and_unaffordable_projects_are_left(election):
    # Share 10 each. B costs each of its 4 supporters 7.5 (rho 1/4), A and C 10 (rho 1/2).
    # After B everyone has 2.5 left: A's and C's supporters hold 5 < 20 and 5 < 15.
    profile = election(
        ["A;20;a", "B;30;b", "C;15;c"], ["1;A,B", "2;A,B", "3;B,C", "4;B,C"], "40"
    ).profile()
    assert funded(profile, "mes-plain") == ["B"]


def test_supporter_who_runs_short_pays_all_they_have_and_the_rest_pay_more(election):
    # A (24, rho 1/3) first: voters 1-3 keep 2, voter 4 keeps 10. B (11) from voters 3 and 4:
    # an equal 5.5 is more than voter 3 has, so voter 3 pays 2 and voter 4 pays 9.
    profile = election(
        ["A;24;a", "B;11;b"], ["1;A", "2;A", "3;A,B", "4;B"], "40"
    ).profile()
    trace = equal_shares_trace(profile)
    assert [p.project for p in trace.purchases] == [0, 1]
    assert trace.purchases[1].price == 9
    assert trace.purchases[1].rho == Fraction(9, 11)


def test_exact_tie_goes_to_the_smaller_id_as_a_string(election):
    # P10 and P9 both cost each of their 3 supporters a third of their cost (rho 1/3);
    # "P10" < "P9" as strings although 10 > 9 as numbers.
    profile = election(
        ["P9;9;x", "P10;12;y"], ["1;P9,P10", "2;P9,P10", "3;P9,P10"], "30"
    ).profile()
    assert funded(profile, "mes-plain") == ["P10", "P9"]


def test_add1_raises_shares_until_a_wanted_project_fits(election):
    # Share 10: A (12, one supporter) is out of reach and 18 is left unspent. At share 12
    # (two Add1 steps) voter 1 can pay for A alone.
    profile = election(
        ["A;12;a", "B;12;b"], ["1;A", "2;B", "3;B"], "30"
    ).profile()
    assert funded(profile, "mes-plain") == ["B"]
    assert funded(profile, "mes") == ["B", "A"]
    assert funded(profile, "mes-exhaust") == ["B", "A"]


def test_add1_keeps_the_last_outcome_within_budget_then_fills_greedily(election):
    # Shares 10/3 and 13/3 both buy only A (B ties A on rho 1/2 and loses on id, then its
    # supporters are short). At 16/3 they buy A, B and C for 14 > 10, so Add1 keeps [A] and
    # the greedy fill adds the most approved project that still fits: B.
    profile = election(
        ["A;6;a", "B;3;b", "C;5;c"], ["1;A,B", "2;A,B", "3;C"], "10"
    ).profile()
    assert funded(profile, "mes-plain") == ["A"]
    assert funded(profile, "mes") == ["A", "B"]


def test_points_change_who_pays_what(election):
    # Points: Y (4 points from voter 2, rho 1) beats X (1.5 per point), then voter 2's last 1
    # and voter 1's 5 buy X at 5/3 per point. As approvals X is cheaper per voter and wins,
    # leaving too little for Y.
    data = election(
        ["X;6;x", "Y;4;y"],
        ["1;X;3", "2;X,Y;1,4"],
        "10",
        vote_type="cumulative",
        vote_header="voter_id;vote;points",
    )
    assert funded(data.profile("points"), "mes-plain") == ["Y", "X"]
    assert funded(data.profile("approval"), "mes-plain") == ["X"]


def test_voters_without_any_approval_still_get_a_share_that_goes_unspent(election):
    # Three voters share 30 but only one approves anything: A (15) is out of her reach.
    profile = election(["A;15;a"], ["1;A", "2;", "3;"], "30").profile()
    assert funded(profile, "mes-plain") == []


def test_choose_one_ballots_buy_each_project_its_own_supporters_can_pay_for(election):
    # Share 10. A's three supporters hold 30 (its cost: each pays all of it), C's two hold 20
    # for 10, B's one holds 10 of 20. By weight, A then C. Add1 reaches B at share 20, where
    # A, C and B spend all 60 and nobody pays all they hold.
    profile = election(
        ["A;30;a", "B;20;b", "C;10;c"], ["1;A", "2;A", "3;A", "4;B", "5;C", "6;C"], "60"
    ).profile()
    plain = equal_shares_trace(profile)
    assert plain.funded == [0, 2]
    assert [purchase.price for purchase in plain.purchases] == [10, 5]
    assert [purchase.rho for purchase in plain.purchases] == [Fraction(1, 3), Fraction(1, 2)]
    assert plain.ran_out_at.tolist() == [0, -1, -1]  # groups: voters 1-3, 4, 5-6
    add1 = add1_trace(profile)
    assert add1.per_voter_budget == 20
    assert add1.funded == [0, 2, 1]
    assert add1.ran_out_at.tolist() == [-1, 2, -1]  # B's supporter pays all 20 of 20 for B


@st.composite
def choose_one_profiles(draw):
    """Small elections where no ballot supports two projects (some support none)."""
    count = draw(st.integers(1, 6))
    costs = draw(st.lists(st.integers(0, 30), min_size=count, max_size=count))
    choices = draw(st.lists(st.integers(-1, count - 1), min_size=1, max_size=count + 2, unique=True))
    utilities = np.zeros((len(choices), count), dtype=np.int64)
    for group, choice in enumerate(choices):
        if choice >= 0:
            utilities[group, choice] = 1
    return Profile(
        project_ids=tuple(f"p{n}" for n in range(count)),
        costs=tuple(Fraction(cost) for cost in costs),
        budget=Fraction(draw(st.integers(1, 80)), draw(st.integers(1, 3))),
        utilities=utilities,
        weights=np.array(draw(st.lists(st.integers(1, 5), min_size=len(choices), max_size=len(choices)))),
    )


def same_trace(shortcut, general):
    assert shortcut.per_voter_budget == general.per_voter_budget
    assert shortcut.free == general.free
    assert shortcut.purchases == general.purchases
    assert shortcut.ran_out_at.tolist() == general.ran_out_at.tolist()


@settings(max_examples=200, deadline=None)
@given(choose_one_profiles())
def test_choose_one_shortcut_pays_exactly_as_the_round_by_round_rule(profile):
    ballots = _Ballots(profile)  # the round-by-round rule, whatever the ballots
    same_trace(equal_shares_trace(profile), ballots.trace(profile.budget / profile.num_voters))
    same_trace(add1_trace(profile), ballots.trace(ballots.raised(Fraction(1), ballots.candidates)[0]))
    step = profile.budget / 100 / profile.num_voters
    limit = profile.budget * (profile.num_voters + 1) / profile.num_voters
    everything = range(len(profile.costs))
    same_trace(exhaust_trace(profile), ballots.trace(ballots.raised(step, everything, limit)[0]))


@st.composite
def approval_profiles(draw):
    """Small approval elections, some ballots empty."""
    count = draw(st.integers(1, 6))
    costs = draw(st.lists(st.integers(1, 60), min_size=count, max_size=count))
    rows = draw(st.lists(st.lists(st.booleans(), min_size=count, max_size=count), min_size=1, max_size=8))
    return Profile(
        project_ids=tuple(f"p{n}" for n in range(count)),
        costs=tuple(Fraction(cost) for cost in costs),
        budget=Fraction(draw(st.integers(1, 100))),
        utilities=np.array(rows, dtype=np.int64),
        weights=np.array(draw(st.lists(st.integers(1, 5), min_size=len(rows), max_size=len(rows)))),
    )


@settings(max_examples=300, deadline=None)
@given(approval_profiles(), st.integers(-3, 3), st.one_of(st.none(), st.integers(0, 40)))
def test_a_search_shared_out_near_where_it_ends_settles_there_all_the_same(profile, offset, room):
    ballots = _Ballots(profile)
    if room is not None:  # budget-increase steps, up to a limit often reached
        step = profile.budget / 100 / profile.num_voters
        limit = profile.budget / profile.num_voters + (room + Fraction(1, 2)) * step
        search = _Search(profile, ballots, step, range(len(profile.costs)), limit)
    else:
        search = _Search(profile, ballots, Fraction(1), ballots.candidates, None)

    def settled(found):
        k, outcome = found
        return k, search.outcome(k) if outcome is None else outcome

    whole = settled(_Walk(search, 0).until())
    # The child's first step, as _Search.split gives it: past 0, and not past the last step.
    split = max(1, whole[0] + offset)
    if search.last_k is not None:
        assume(search.last_k >= 1)
        split = min(split, search.last_k)
    walk = _Walk(search, 0)
    found = walk.until(split)
    if found is None:
        # Where _raise_shares would have the child start: past the walk, not past the last step.
        middle = search.split(walk.k)
        assert middle is None or walk.k <= middle <= (math.inf if search.last_k is None else search.last_k)
        found = _Walk(search, split).until()
    assert settled(found) == whole


def test_a_group_of_voters_just_short_of_the_price_pays_all_it_holds():
    # Share 1. A (cost 4e-8) goes first to its four supporters (rho 1/4): the pair G, who also
    # want B, keep 1 - 1e-8 each, within float error of B's equal price c/3 but just short of it.
    # So G pays all it holds, 2 - 2e-8, and H pays the rest of B's cost c = 3 - 2.5e-8.
    eps = Fraction(1, 10**8)
    cost_b = 3 - Fraction(5, 2) * eps
    profile = Profile(
        project_ids=("A", "B"),
        costs=(4 * eps, cost_b),
        budget=Fraction(5),
        utilities=np.array([[1, 1], [1, 0], [0, 1]]),  # groups G, K, H
        weights=np.array([2, 2, 1]),
    )
    trace = equal_shares_trace(profile)
    assert trace.funded == [0, 1]
    assert trace.purchases[1].price == cost_b - 2 * (1 - eps)
    assert trace.ran_out_at.tolist() == [1, -1, -1]


@pytest.mark.reference_data
def test_a_long_search_is_shared_out_about_halfway(pabulib_dir):
    profile = load(pabulib_dir / "Poland_Warszawa_2023_Wawer.pb").profile()
    ballots = _Ballots(profile)
    search = _Search(profile, ballots, Fraction(1), ballots.candidates, None)
    walk = _Walk(search, 0)
    assert walk.until(20) is None
    middle = search.split(walk.k)
    end, _ = _Walk(search, 0).until()
    assert 0.3 * end < middle < 0.6 * end


@pytest.mark.reference_data
def test_a_search_shared_with_a_child_process_funds_what_pabutools_funded(pabulib_dir, expected, alone):
    name = "Poland_Warszawa_2023_Wawer.pb"
    printed = alone(f"""
        import json, resource
        from commonweal.budgeting import engine
        outcome = engine.allocate(engine.load({str(pabulib_dir / name)!r}), rule="mes")
        child = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(json.dumps({{"funded": outcome.funded, "child_cpu": child.ru_utime + child.ru_stime}}))
    """)
    answer = json.loads(printed)
    assert answer["child_cpu"] > 0  # a child process walked part of the search
    recorded = expected["instances"][name]["results"]["mes_cost_add1_greedy"]
    assert answer["funded"] == recorded["selected_in_order"]
