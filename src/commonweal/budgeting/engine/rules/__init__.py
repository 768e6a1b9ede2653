"""Every rule: a function from a Profile to the indices of the funded projects, in selection order."""

from collections.abc import Callable

from commonweal.budgeting.engine.election import Profile
from commonweal.budgeting.engine.rules.welfare import max_welfare

RULES: dict[str, Callable[[Profile], list[int]]] = {
    "max-welfare": max_welfare,
}
