"""Float runs that follow the run one step above buy exactly what the exact rule buys, including
where the two part and meet again; a tracked run's reach vouches for the projects every share
below it buys, in an order that differs at most by swapping projects with no common supporter."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonweal.budgeting.engine.election import Profile
from commonweal.budgeting.engine.rules.equal_shares import _Ballots, _Run, _Search, _untracked_runs
from commonweal.budgeting.engine.rules.equal_shares_float import FloatRun, _price


def approval_profile(
    utilities: list[list[int]], weights: list[int], costs: list[int], budget: int
) -> Profile:
    return Profile(
        project_ids=tuple("ABCDEFGH"[: len(costs)]),
        costs=tuple(Fraction(cost) for cost in costs),
        budget=Fraction(budget),
        utilities=np.array(utilities),
        weights=np.array(weights),
    )


def runs_below_and_above(profile: Profile, below: Fraction, above: Fraction) -> tuple[FloatRun, FloatRun]:
    """The float run at ``below`` after following the run at ``above``."""
    ballots = _Ballots(profile)
    step = above - below
    leader = FloatRun(ballots, above, step, 0.0, record=True)
    leader.run()
    follower = FloatRun(ballots, below, step, 0.0, above=leader)
    follower.run()
    return follower, leader


def test_a_run_that_parts_from_the_run_above_follows_it_again_where_they_meet():
    # Both runs buy B at 2 and C at 11/4. Then the run above (share 261/52) buys A at 1/5 and E
    # at 3/5, and the run below (63/13) E at 3/5 and A at 37/104: after four rounds both have
    # bought the same projects, every price here no lower, so nobody holds more here.
    profile = approval_profile(
        [
            [0, 0, 0, 1, 0],
            [0, 1, 0, 0, 1],
            [0, 1, 1, 1, 0],
            [1, 0, 1, 0, 0],
            [1, 0, 1, 0, 1],
            [1, 1, 1, 0, 0],
        ],
        [1, 4, 3, 1, 1, 3],
        [1, 20, 22, 1, 3],
        36,
    )
    below, above = runs_below_and_above(profile, Fraction(63, 13), Fraction(261, 52))
    assert above.purchases == [1, 2, 0, 4, 3]
    assert below.purchases == [1, 2, 4, 0, 3]
    assert below.parted is None  # it parted at the third round and followed again from the fifth
    assert below.purchases == _Run(_Ballots(profile), Fraction(63, 13)).run()


def test_a_run_that_meets_the_run_above_with_a_voter_holding_more_stops_following_it():
    # Both runs buy B and D. The run above (377/40) then buys E, leaving A to the fourth group
    # alone at 1 each; the run below (145/16) buys A first, shared with the fifth group at 1/2
    # each. After four rounds both have bought the same projects, but the fourth group holds
    # 29/16 here against 67/40 there: the run above's bounds are no longer bounds here.
    profile = approval_profile(
        [[0, 0, 0, 1, 0], [0, 1, 0, 0, 1], [0, 1, 0, 1, 1], [1, 1, 0, 1, 0], [1, 1, 1, 1, 1]],
        [2, 2, 2, 2, 2],
        [2, 25, 11, 29, 20],
        58,
    )
    below, above = runs_below_and_above(profile, Fraction(145, 16), Fraction(377, 40))
    assert above.purchases == [1, 3, 4, 0]
    assert below.purchases == [1, 3, 0, 4]
    exact_below, exact_above = (
        _Run(_Ballots(profile), Fraction(145, 16)),
        _Run(_Ballots(profile), Fraction(377, 40)),
    )
    assert exact_below.run() == below.purchases
    exact_above.run()
    assert exact_below._money_each(np.array([3])) == [Fraction(29, 16)]
    assert exact_above._money_each(np.array([3])) == [Fraction(67, 40)]
    assert below.parted == 2  # it parted at the third round and never followed again


@st.composite
def approval_profiles(draw, density: float = 0.5, most: int = 6, weight: int = 4, cost: int = 30) -> Profile:
    """Approval elections with overlapping ballots, where neighbouring shares often buy the same
    projects in another order: up to ``most`` projects costing up to ``cost`` and twice as many
    ballots of weight up to ``weight``, each approving each project with about ``density``."""
    count = draw(st.integers(3, most))
    approves = st.floats(0, 1).map(lambda x: x < density)
    ballots = draw(
        st.lists(st.lists(approves, min_size=count, max_size=count), min_size=3, max_size=2 * most)
    )
    utilities = np.unique(np.array(ballots, dtype=np.int64), axis=0)
    weights = draw(st.lists(st.integers(1, weight), min_size=len(utilities), max_size=len(utilities)))
    costs = draw(st.lists(st.integers(1, cost), min_size=count, max_size=count))
    return approval_profile(utilities.tolist(), weights, costs, draw(st.integers(cost // 3, 7 * cost // 2)))


@settings(max_examples=200, deadline=None)
@given(approval_profiles())
def test_every_run_of_a_following_block_buys_what_the_exact_rule_buys(profile):
    ballots = _Ballots(profile)
    first = profile.budget / profile.num_voters
    step = first / 16
    search = _Search(profile, ballots, step, ballots.candidates, None)
    for j, (_, bought) in _untracked_runs(search, 0, 24, 0.0)[0].items():
        if bought is not None:  # a run that gave up is run exactly by the search
            assert bought == _Run(ballots, first + j * step).run()


@pytest.mark.parametrize(
    ("budget", "decides"),
    [
        (Fraction(10), False),
        (10 + Fraction(1, 10**8), False),
        (10 - Fraction(1, 10**8), False),
        (10 + Fraction(1, 10**6), True),
        (10 - Fraction(1, 10**6), True),
    ],
)
def test_a_float_run_decides_only_with_a_margin_and_otherwise_gives_up(budget, decides):
    # A (10) has both voters, B (3) the second alone: at a share of budget/2 A's supporters hold
    # budget. The margin is 10^-8 of a share per supporter, 10^-7 here: within it, float cannot
    # tell whether A is affordable (exactly: from 10 on), and the search runs the share exactly.
    profile = approval_profile([[1, 0], [1, 1]], [1, 1], [10, 3], budget)
    ballots = _Ballots(profile)
    exact = _Run(ballots, budget / 2).run()
    assert exact == ([0] if budget >= 10 else [1])
    assert FloatRun(ballots, budget / 2).run() == (exact if decides else None)


def same_up_to_swaps(ballots: _Ballots, these: list[int], those: list[int]) -> bool:
    """Whether two outcomes buy the same projects, every two that share a supporter in the same
    order."""
    if sorted(these) != sorted(those):
        return False
    at = {p: n for n, p in enumerate(those)}
    return all(
        at[p] < at[q] for n, p in enumerate(these) for q in these[n + 1 :] if ballots.overlap[p][q]
    )


def test_a_tracked_run_vouches_for_shares_that_swap_two_projects_without_common_supporters():
    # At share 40/11 A (19, six supporters) and D (6, six) tie at rho 1/6, A first by id; A's
    # supporters keep 31/66 each. Then E costs its supporters 1.35 each against D's 2.06: A, E,
    # D. At 45/11 they keep 61/66, and D (1.15 each, rho 0.19) comes before E (1.05, rho 0.21).
    # D and E share no supporter: after both, everyone holds what they would have either way.
    profile = approval_profile(
        [[0, 0, 0, 0, 1], [0, 1, 0, 1, 0], [1, 0, 0, 1, 0], [1, 0, 1, 0, 1]],
        [3, 2, 4, 2],
        [19, 14, 16, 6, 5],
        40,
    )
    ballots = _Ballots(profile)
    first = Fraction(40, 11)
    step = first / 16
    run = FloatRun(ballots, first, step, float(64 * step))
    assert run.run() == [0, 4, 3]
    assert _Run(ballots, first + 2 * step).run() == [0, 3, 4]
    assert run.reach > 2 * step


def test_a_step_along_the_tangent_carries_the_reach_up_to_where_the_order_changes():
    # 95 voters with a share of 159/95 each buy C, D, B, A, and so they do for 44 steps of a
    # 256th of it higher; at 45 steps they buy A before B, which the five voters of the last
    # ballot both approve. From the rivals' last evaluations alone the reach ends at 15.4 steps;
    # one step along the tangent where that bound ends carries it to 44.8.
    profile = approval_profile(
        [
            [0, 0, 1, 1],
            [0, 1, 0, 0],
            [0, 1, 1, 1],
            [1, 0, 0, 0],
            [1, 0, 0, 1],
            [1, 0, 1, 0],
            [1, 0, 1, 1],
            [1, 1, 0, 1],
        ],
        [16, 15, 20, 10, 6, 16, 7, 5],
        [46, 4, 56, 12],
        159,
    )
    ballots = _Ballots(profile)
    first = Fraction(159, 95)
    step = first / 256
    run = FloatRun(ballots, first, step, float(64 * step))
    assert run.run() == [2, 3, 1, 0]
    assert all(_Run(ballots, first + j * step).run() == [2, 3, 1, 0] for j in range(1, 45))
    assert _Run(ballots, first + 45 * step).run() == [2, 3, 0, 1]
    assert 32 * step < run.reach <= 45 * step


@settings(max_examples=300, deadline=None)
@given(approval_profiles(density=0.4, most=8, weight=9, cost=60))
def test_every_share_within_a_tracked_runs_reach_buys_its_projects(profile):
    ballots = _Ballots(profile)
    first = profile.budget / profile.num_voters
    step = first / 16
    run = FloatRun(ballots, first, step, float(64 * step))
    bought = run.run()
    if bought is None:
        return
    j = 1
    while j * step < run.reach:
        assert same_up_to_swaps(ballots, bought, _Run(ballots, first + j * step).run())
        j += 1


def exact_price(ratios: list[int], weights: list[int], cost: Fraction) -> Fraction:
    """The x with sum(weight * min(ratio, x)) = cost, counted in fractions: the supporters short
    of x pay all they hold, the rest x each."""
    for poor in range(len(ratios)):
        paid = sum(w * r for r, w in sorted(zip(ratios, weights, strict=True))[:poor])
        rest = sum(w for r, w in sorted(zip(ratios, weights, strict=True))[poor:])
        price = (cost - paid) / rest
        if price <= sorted(ratios)[poor]:
            return price
    raise AssertionError("unaffordable")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 1000), st.integers(1, 5)), min_size=1, max_size=40),
    st.floats(0.01, 0.99),
    st.floats(0, 3),
)
def test_the_price_is_found_from_a_guess_below_it_above_it_or_past_every_ratio(pairs, spend, guess):
    ratios, weights = [r for r, _ in pairs], [w for _, w in pairs]
    # Short of all they hold: a guess past every ratio is not a root.
    cost = Fraction(spend) * sum(r * w for r, w in pairs)
    exact = exact_price(ratios, weights, cost)
    start = float(cost / sum(weights))  # the price were nobody short of it, at most the true one
    found = _price(
        np.array(ratios, dtype=float),
        np.array(weights, dtype=float),
        float(cost),
        start,
        np.empty(len(pairs)),
        guess * float(exact),
    )
    assert found == pytest.approx(float(exact), rel=1e-12)


@settings(max_examples=200, deadline=None)
@given(approval_profiles(density=0.4, most=8, weight=9, cost=60), st.integers(-8, 48))
def test_a_run_guided_by_the_prices_of_another_share_buys_and_vouches_as_it_would_alone(profile, offset):
    ballots = _Ballots(profile)
    first = profile.budget / profile.num_voters
    step = first / 16
    guide = FloatRun(ballots, first + offset * step, step, float(64 * step))
    guide.run()
    alone = FloatRun(ballots, first, step, float(64 * step))
    guided = FloatRun(ballots, first, step, float(64 * step), guide=guide.prices)
    assert guided.run() == alone.run()
    assert guided.reach == pytest.approx(alone.reach, rel=1e-9)


@pytest.mark.parametrize(("budget", "rounds"), [(4, 0), (10, 1), (14, 1), (20, 2)])
def test_a_run_opens_with_the_rounds_whose_projects_every_supporter_pays_in_full(budget, rounds):
    # By rho: A (4, its four supporters pay 1 each), C (6, three pay 2 each), B (4, two pay 2).
    # C's first two supporters pay 1 for A first, so C opens runs only from a share above 3;
    # A from a share above 1. B comes last: nothing follows it to be told apart from.
    profile = approval_profile(
        [[1, 1, 0], [1, 1, 0], [1, 0, 1], [1, 0, 1], [0, 0, 1]], [1, 1, 1, 1, 1], [4, 4, 6], budget
    )
    ballots = _Ballots(profile)
    share = float(profile.budget / profile.num_voters)
    running = np.ones(3, dtype=bool)
    assert ballots.opening.order == [0, 2, 1]
    assert ballots.opening.rounds(share, 1e-8 * share, running) == rounds
    assert FloatRun(ballots, profile.budget / profile.num_voters).run() == _Run(
        ballots, profile.budget / profile.num_voters
    ).run()


@settings(max_examples=300, deadline=None)
@given(approval_profiles(density=0.6, most=8, weight=9, cost=60), st.integers(0, 64))
def test_the_rounds_that_open_a_run_are_the_exact_rules_first_each_paid_in_full(profile, rise):
    ballots = _Ballots(profile)
    share = profile.budget / profile.num_voters * (1 + Fraction(rise, 16))
    running = np.zeros(len(profile.costs), dtype=bool)
    running[ballots.candidates] = True
    rounds = ballots.opening.rounds(float(share), 1e-8 * float(share), running)
    trace = ballots.trace(share)
    opened = trace.purchases[:rounds]
    assert [purchase.project for purchase in opened] == ballots.opening.order[:rounds]
    for purchase in opened:
        supporters = ballots.supporters[purchase.project]
        assert purchase.price == profile.costs[purchase.project] / int(profile.weights[supporters].sum())
    assert not np.isin(trace.ran_out_at, range(rounds)).any()
    bought = FloatRun(ballots, share).run()
    if bought is not None:  # a run that gave up is run exactly by the search
        assert bought == _Run(ballots, share).run()
