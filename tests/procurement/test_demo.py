"""The demo borough's procurement: loaded once, quickly, and the same on a second load."""

from __future__ import annotations

import json
import time

import pytest

from commonweal.places.demo import load_demo
from commonweal.procurement import services
from commonweal.procurement.demo import load_procurement_demo
from commonweal.procurement.models import Award, Bid, Evaluation, ImportedRelease, Moderation, Tender
from commonweal.procurement.ocds import schema_problems


@pytest.fixture
def borough(db):
    load_demo()
    started = time.perf_counter()
    load_procurement_demo()
    return time.perf_counter() - started


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Tender, Bid, Evaluation, Moderation, Award, ImportedRelease))


def test_the_demo_has_two_awarded_tenders_and_one_open(borough) -> None:
    assert sorted(Tender.objects.values_list("status", flat=True)) == ["awarded", "awarded", "open"]
    assert Award.objects.count() == 3 and Moderation.objects.count() == 1


def test_loading_the_demo_twice_writes_nothing_more(borough) -> None:
    before = counts()
    load_procurement_demo()
    assert counts() == before


def test_the_demo_loads_in_under_five_seconds(borough) -> None:
    assert borough < 5


def test_the_demo_shows_lm3_delivery_and_a_neighbour_to_compare(borough) -> None:
    area = Tender.objects.first().area
    surveyed, overall = services.area_lm3(area)
    assert len(surveyed) == 2 and 1 < overall.value < 3
    assert any(d.recorded for d in services.deliveries(area))
    (neighbour,) = services.compared_processes(area)
    assert neighbour.suppliers == ["CleanStreets Ltd"]


def test_the_demo_exports_as_valid_ocds(borough, shared_data) -> None:
    folder = shared_data("ocds")
    schemas = [
        json.loads((folder / n).read_text()) for n in ("release-package-schema.json", "release-schema.json")
    ]
    area = Tender.objects.first().area
    package = services.release_package(area, uri="https://example.org/ocds.json")
    assert not schema_problems(package, *schemas)
    assert [r["tag"] for r in package["releases"]].count(["award"]) == 2
