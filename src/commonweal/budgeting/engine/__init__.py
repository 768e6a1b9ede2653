"""The budgeting engine: pabulib elections in, funded projects out. Pure Python and numpy."""

from commonweal.budgeting.engine.allocation import Outcome, allocate
from commonweal.budgeting.engine.constraints import ConstraintError
from commonweal.budgeting.engine.election import Election, Profile, Project
from commonweal.budgeting.engine.pabulib import PabulibError, load, save
from commonweal.budgeting.engine.rules import RULES

__all__ = [
    "RULES",
    "ConstraintError",
    "Election",
    "Outcome",
    "PabulibError",
    "Profile",
    "Project",
    "allocate",
    "load",
    "save",
]
