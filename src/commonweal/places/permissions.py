"""The one permission check: may this person do this action in this area?

Every view asks `allowed(user, action, area)`; nothing else decides access. Roles are held in an
area and reach every area inside it: an officer of an authority acts in its neighbourhoods, a
resident only in their own neighbourhood and the areas that contain it.
"""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from .models import Area, Role, User


class Action(StrEnum):
    VIEW = "view"  # public pages: anyone
    PARTICIPATE = "participate"  # propose and vote: verified residents of the area
    VERIFY_RESIDENTS = "verify_residents"  # officers of the authority
    MANAGE_AREA = "manage_area"  # officers of the authority: processes, activities, tenders
    SET_STANDARDS = "set_standards"  # national stewards


# Which role kinds grant each action, and whether a resident must be verified.
GRANTS: dict[Action, frozenset[Role.Kind]] = {
    Action.PARTICIPATE: frozenset({Role.Kind.RESIDENT}),
    Action.VERIFY_RESIDENTS: frozenset({Role.Kind.OFFICER}),
    Action.MANAGE_AREA: frozenset({Role.Kind.OFFICER}),
    Action.SET_STANDARDS: frozenset({Role.Kind.STEWARD}),
}


def allowed(user: User | AnonymousUser, action: Action, area: Area) -> bool:
    """Whether `user` may do `action` in `area`."""
    return action is Action.VIEW or granting_role(user, action, area) is not None


def granting_role(user: User | AnonymousUser, action: Action, area: Area) -> Role | None:
    """The role that lets `user` do `action` in `area`, or None if none does.

    For PARTICIPATE it is the verified resident's role in their own neighbourhood inside `area`,
    which is where their vote counts. VIEW needs no role, so it has none.
    """
    if action is Action.VIEW:
        return None
    if not user.is_authenticated or not user.is_active:
        return None
    kinds = GRANTS[action]
    # Each role comes with its area alone: is_within reads a parent only when the target lies two
    # or more levels above the role's area, so a resident acting in their neighbourhood or its
    # authority (what voting and joining ask) costs this one query.
    roles = user.roles.filter(kind__in=kinds).select_related("area")
    above: set[int] | None = None  # the target area and those containing it, read once
    for role in roles:
        if role.kind == Role.Kind.RESIDENT:
            # A resident acts where they live and in the areas that contain it, once verified.
            if role.is_verified and role.area.is_within(area):
                return role
        else:
            above = above if above is not None else {a.pk for a in area.lineage()}
            if role.area_id in above:
                return role
    return None


def require(user: User | AnonymousUser, action: Action, area: Area) -> Role | None:
    """Raise PermissionDenied (a 403) unless `user` may do `action` in `area`; else the role that
    lets them (None for VIEW, which anyone may)."""
    role = granting_role(user, action, area)
    if role is None and action is not Action.VIEW:
        raise PermissionDenied(f"You cannot {action.value.replace('_', ' ')} in {area.name}.")
    return role
