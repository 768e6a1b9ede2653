from decimal import Decimal

import pytest

from commonweal.places.models import Area, NationalStandard, Postcode, StandardChange, User


@pytest.mark.parametrize(
    ("postcode", "sector"),
    [("tv1 2ab", "TV1 2"), ("TV12 1XY", "TV12 1"), ("TV121XY", "TV12 1"), ("TV1", "TV1")],
)
def test_sector_of_postcode(postcode: str, sector: str) -> None:
    assert Postcode.sector_of(postcode) == sector


def test_neighbourhood_lies_within_its_authority_and_nation_but_not_another(demo) -> None:
    abbey = Area.objects.get(code="E02999001")
    assert abbey.is_within(Area.objects.get(code="E06000999"))
    assert abbey.is_within(Area.objects.get(code="E92000001"))
    assert not abbey.is_within(Area.objects.get(code="E06000997"))
    assert abbey.authority().code == "E06000999"


def test_an_area_reads_no_parent_to_find_itself_inside_its_own_parent(
    demo, django_assert_num_queries
) -> None:
    abbey = Area.objects.get(code="E02999001")
    authority, nation = Area.objects.get(code="E06000999"), Area.objects.get(code="E92000001")
    with django_assert_num_queries(0):
        assert abbey.is_within(abbey) and abbey.is_within(authority)
    between = len(Area.objects.get(code="E02999001").lineage()) - 2  # above abbey, below the nation
    with django_assert_num_queries(between):  # each read once, the nation never
        assert abbey.is_within(nation)


@pytest.mark.parametrize(
    ("higher_is_better", "value", "meets"),
    [(True, 85, True), (True, 84.99, False), (False, 10, True), (False, 10.01, False)],
)
def test_floor_is_met_at_the_floor_itself(db, higher_is_better: bool, value: float, meets: bool) -> None:
    standard = NationalStandard(floor=Decimal(85 if higher_is_better else 10),
                                higher_is_better=higher_is_better)
    assert standard.meets(value) is meets


def test_changing_a_floor_records_who_when_old_and_new(demo) -> None:
    standard = NationalStandard.objects.get(service__slug="gp-access")
    steward = User.objects.get(email="steward@example.org")
    standard.change_floor(Decimal("87.5"), steward, "Raised after consultation")
    standard.refresh_from_db()
    change = StandardChange.objects.get(standard=standard)
    assert (standard.floor, change.old_floor, change.new_floor) == (
        Decimal("87.5"), Decimal(85), Decimal("87.5")
    )
    assert change.changed_by == steward and change.changed_at is not None
