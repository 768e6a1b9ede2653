"""The budgeting engine: pabulib elections in, funded projects out. Pure Python and numpy."""

from commonweal.budgeting.engine.election import Election, Profile, Project
from commonweal.budgeting.engine.pabulib import PabulibError, load, save

__all__ = ["Election", "PabulibError", "Profile", "Project", "load", "save"]
