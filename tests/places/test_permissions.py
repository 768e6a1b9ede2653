"""Every role × action × own area / other area, decided by the one permission function."""

import pytest
from django.contrib.auth.models import AnonymousUser

from commonweal.places.models import Area, User
from commonweal.places.permissions import Action, allowed

AREAS = {
    "own neighbourhood": "E02999001",  # Abbey Fields, where the verified resident lives
    "other neighbourhood": "E02999002",  # Brookside, same borough
    "own authority": "E06000999",  # Thornbury Vale
    "other authority": "E06000997",  # Ashcombe
    "nation": "E92000001",
}
ROLES = {
    "anonymous": None,
    "unverified resident": "newcomer@example.org",  # lives in Brookside, not yet verified
    "verified resident": "resident@example.org",
    "officer": "officer@example.org",
    "steward": "steward@example.org",
}
A = Action
# (role, action) -> the areas (by label) where it is allowed; everywhere else it is refused.
ALLOWED_IN = {
    ("verified resident", A.PARTICIPATE): {"own neighbourhood", "own authority", "nation"},
    ("officer", A.VERIFY_RESIDENTS): {"own neighbourhood", "other neighbourhood", "own authority"},
    ("officer", A.MANAGE_AREA): {"own neighbourhood", "other neighbourhood", "own authority"},
    ("steward", A.SET_STANDARDS): set(AREAS),
}
CASES = [
    (role, action, area, action is A.VIEW or area in ALLOWED_IN.get((role, action), set()))
    for role in ROLES
    for action in Action
    for area in AREAS
]


@pytest.mark.parametrize(("role", "action", "area", "expected"), CASES)
def test_permission_table(demo_for_module, db, role: str, action: Action, area: str, expected: bool) -> None:
    email = ROLES[role]
    user = AnonymousUser() if email is None else User.objects.get(email=email)
    assert allowed(user, action, Area.objects.get(code=AREAS[area])) is expected


def test_closed_account_is_refused_everything_but_viewing(demo_for_module, db) -> None:
    officer = User.objects.get(email="officer@example.org")
    officer.is_active = False
    officer.save()
    borough = Area.objects.get(code=AREAS["own authority"])
    assert not allowed(officer, Action.VERIFY_RESIDENTS, borough)
    assert allowed(officer, Action.VIEW, borough)
