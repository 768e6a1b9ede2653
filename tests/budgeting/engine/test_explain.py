"""Explanations of MES outcomes, checked on an election worked out by hand."""

import math
from fractions import Fraction

import pytest

from commonweal.budgeting.engine.explain import explain
from commonweal.budgeting.engine.pabulib import parse


@pytest.fixture
def profile(make_pb):
    # Share 10. A (24) is bought first from voters 1-3 (8 each). B (11) then needs voters 3
    # and 4: voter 3 has only 2 left and pays it, voter 4 pays 9. C (30, voter 4 alone) is left
    # with voter 4's last 1.
    return parse(
        make_pb(
            ["A;24;a", "B;11;b", "C;30;c"],
            ["1;A", "2;A", "3;A,B", "4;B,C"],
            budget="40",
        )
    ).profile()


def test_funded_project_shows_the_price_and_who_paid_it_in_full(profile):
    first = explain(profile, "mes-plain").funded[0]
    assert (first.project, first.price, first.rho) == ("A", 8, Fraction(1, 3))
    assert (first.paid_in_full, first.ran_out, first.already_spent) == (3, 0, 0)


def test_supporter_who_ran_out_is_counted_with_what_they_paid(profile):
    second = explain(profile, "mes-plain").funded[1]
    assert (second.project, second.price) == ("B", 9)
    assert (second.paid_in_full, second.ran_out) == (1, 1)
    assert second.paid_by_those_who_ran_out == 2


def test_unfunded_project_shows_its_shortfall_in_full_shares(profile):
    (left_out,) = explain(profile, "mes-plain").unfunded
    assert (left_out.project, left_out.money_left, left_out.shortfall) == ("C", 1, 29)
    assert left_out.more_supporters_needed == math.ceil(Fraction(29, 10)) == 3


def test_projects_funded_by_the_greedy_fill_are_listed_apart(make_pb):
    # As in the Add1 test: MES keeps [A] and the fill adds B.
    profile = parse(
        make_pb(["A;6;a", "B;3;b", "C;5;c"], ["1;A,B", "2;A,B", "3;C"], budget="10")
    ).profile()
    explanation = explain(profile, "mes")
    assert [f.project for f in explanation.funded] == ["A"]
    assert explanation.completed == ("B",)
    assert [u.project for u in explanation.unfunded] == ["C"]


def test_rules_other_than_equal_shares_are_refused(profile):
    with pytest.raises(ValueError, match="Choose a rule from mes, mes-plain"):
        explain(profile, "greedy")
