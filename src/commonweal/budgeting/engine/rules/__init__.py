"""Budgeting rules: each takes a Profile and returns the indices of the funded projects in the
order the rule selected them."""

from collections.abc import Callable
from typing import TYPE_CHECKING

from commonweal.budgeting.engine.rules.equal_shares import (
    equal_shares,
    equal_shares_add1,
    equal_shares_exhaust,
)
from commonweal.budgeting.engine.rules.greedy import greedy, greedy_per_cost
from commonweal.budgeting.engine.rules.phragmen import sequential_phragmen
from commonweal.budgeting.engine.rules.welfare import max_welfare

if TYPE_CHECKING:
    from commonweal.budgeting.engine.election import Profile

RULES: dict[str, Callable[["Profile"], list[int]]] = {
    "mes": equal_shares_add1,
    "mes-exhaust": equal_shares_exhaust,
    "mes-plain": equal_shares,
    "phragmen": sequential_phragmen,
    "greedy": greedy,
    "greedy-per-cost": greedy_per_cost,
    "max-welfare": max_welfare,
}
