"""Sequential Phragmén on small elections worked out by hand."""

from commonweal.budgeting.engine.pabulib import parse
from commonweal.budgeting.engine.rules import RULES

PROJECTS = ["a;4;A", "b;3;B", "c;2;C"]
VOTES = ["1;a,b", "2;a,c"]


def funded(make_pb, budget):
    profile = parse(make_pb(PROJECTS, VOTES, budget=budget)).profile()
    return [profile.project_ids[p] for p in RULES["phragmen"](profile)]


def test_buys_by_smallest_new_maximum_load_and_lists_by_id(make_pb):
    # Loads: a and c both reach 2 (a wins the tie by id), then c lifts voter 2 to 4 and b
    # voter 1 to 5; 9 of 10 is spent.
    assert funded(make_pb, "10") == ["a", "b", "c"]


def test_stops_at_the_first_project_that_does_not_fit(make_pb):
    # After a and c (6 of 8), b is next and would overspend: Phragmén stops there.
    assert funded(make_pb, "8") == ["a", "c"]
