"""National floors: mandatory projects first, category minimum shares, clear infeasibility."""

from fractions import Fraction

import pytest

from commonweal.budgeting.engine import ConstraintError, allocate
from commonweal.budgeting.engine.constraints import category_minimums, greedy_with_minimums
from commonweal.budgeting.engine.pabulib import parse

HEADER = "project_id;cost;name;category"
PROJECTS = ["A;40;Road;roads", "B;30;Clinic;health", "C;30;Surgery;health", "D;50;Bridge;roads"]
# A and D are popular; the health projects have few supporters.
VOTES = ["1;A,D", "2;A,D", "3;A,D", "4;A", "5;B", "6;C"]


@pytest.fixture
def election(make_pb):
    return parse(make_pb(PROJECTS, VOTES, project_header=HEADER))


def test_mandatory_projects_are_funded_first_and_the_rule_gets_the_rest(election):
    outcome = allocate(election, rule="max-welfare", mandatory=["C"])
    assert outcome.funded[0] == "C"
    assert outcome.mandatory == ("C",)
    # 70 is left: A and B (40 + 30) beat D alone (50) on approvals x cost.
    assert outcome.funded == ["C", "A", "B"]
    assert outcome.total_cost == Fraction(100)


def test_mandatory_projects_over_budget_say_by_how_much(election):
    with pytest.raises(ConstraintError, match="cost 120, which is 20 more than the budget of 100"):
        allocate(election, rule="max-welfare", mandatory=["A", "D", "B"])


def test_an_unknown_mandatory_project_is_refused(election):
    with pytest.raises(ConstraintError, match="Mandatory project 'Z' is not in this election"):
        allocate(election, rule="max-welfare", mandatory=["Z"])


def test_max_welfare_meets_a_category_minimum_share(election):
    plain = allocate(election, rule="max-welfare")
    assert plain.funded == ["A", "D"]
    floored = allocate(election, rule="max-welfare", category_min_share={"health": 0.3})
    assert floored.funded == ["A", "B", "C"]


def test_greedy_funds_a_category_up_to_its_minimum_before_the_rest(election):
    profile = election.profile()
    minimums = category_minimums(election, profile, {"health": Fraction(3, 10)})
    chosen = [profile.project_ids[i] for i in greedy_with_minimums(profile, minimums)]
    assert chosen[0] == "B"  # health's most supported project (tie with C: smaller id)
    assert chosen == ["B", "A", "C"]  # then greedy by approvals: A, D does not fit, C does


def test_mandatory_spend_counts_towards_its_category(election):
    profile = election.profile(exclude=["B"], budget=Fraction(70))
    minimums = category_minimums(election, profile, {"health": "0.3"}, fenced=["B"])
    assert minimums[0][2] == 0


def test_a_minimum_larger_than_the_category_says_how_short_it_is(election):
    with pytest.raises(ConstraintError, match=r"'health' needs 70 more.*cost 60 \(short by 10\)"):
        allocate(election, rule="max-welfare", category_min_share={"health": 0.7})


def test_a_minimum_the_budget_cannot_hold_with_another_is_refused(election):
    with pytest.raises(ConstraintError, match="cannot all be met"):
        allocate(election, rule="max-welfare", category_min_share={"health": 0.6, "roads": 0.5})


def test_greedy_that_cannot_reach_a_minimum_says_so(election):
    profile = election.profile(budget=Fraction(50))
    minimums = category_minimums(election, profile, {"roads": Fraction(9, 10)})
    with pytest.raises(ConstraintError, match=r"greedy could fund only 40.*short by 50"):
        greedy_with_minimums(profile, minimums)


def test_an_unknown_category_is_refused(election):
    with pytest.raises(ConstraintError, match="No project is in category 'parks'"):
        allocate(election, rule="max-welfare", category_min_share={"parks": 0.1})


def test_category_shares_are_refused_for_rules_that_cannot_honour_them(election, monkeypatch):
    from commonweal.budgeting.engine import allocation

    monkeypatch.setitem(allocation.RULES, "mes", lambda profile: [])
    with pytest.raises(ValueError, match="work with greedy and max-welfare, not 'mes'"):
        allocate(election, rule="mes", category_min_share={"health": 0.1})
