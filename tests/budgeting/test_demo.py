"""The demo borough's participatory budgets: a round in voting and a published one to explore."""

import pytest

from commonweal.budgeting.ballots import home_neighbourhood
from commonweal.budgeting.demo import PAST_BALLOTS, load_budgeting_demo
from commonweal.budgeting.models import Process
from commonweal.places.demo import load_demo
from commonweal.places.models import User


@pytest.fixture
def budgets(db) -> dict[str, Process]:
    load_demo()
    load_budgeting_demo()
    return {p.phase: p for p in Process.objects.filter(area__code="E06000999")}


def test_demo_has_one_round_in_voting_and_one_published(budgets) -> None:
    assert set(budgets) == {Process.Phase.VOTING, Process.Phase.PUBLISHED}
    assert not budgets[Process.Phase.VOTING].ballots.exists()


def test_published_round_has_five_thousand_ballots_from_every_neighbourhood_counted(budgets) -> None:
    past = budgets[Process.Phase.PUBLISHED]
    assert past.ballots.count() == PAST_BALLOTS and past.ballots_sha256 and past.counted_at
    assert past.ballots.values("neighbourhood").distinct().count() == 12
    funded = past.proposals.filter(funded_rank__isnull=False)
    assert 0 < sum(p.cost for p in funded) <= past.budget


def test_youth_services_are_ring_fenced_and_their_projects_funded_first(budgets) -> None:
    for process in budgets.values():
        assert list(process.ring_fenced_services.values_list("slug", flat=True)) == ["youth-services"]
    past = budgets[Process.Phase.PUBLISHED]
    youth = past.proposals.filter(service__slug="youth-services", status="feasible")
    assert youth.exists()
    assert sorted(p.funded_rank for p in youth) == list(range(1, youth.count() + 1))


def test_demo_resident_can_vote_in_the_open_round(budgets) -> None:
    resident = User.objects.get(email="resident@example.org")
    assert home_neighbourhood(budgets[Process.Phase.VOTING], resident).name == "Abbey Fields"
