"""Where each area stands against each national floor, from its latest measurements."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .models import Area, Measurement, NationalStandard


@dataclass(frozen=True)
class FloorStatus:
    """One area against one national floor in the latest period measured."""

    area: Area
    standard: NationalStandard
    measurement: Measurement | None

    @property
    def meets_floor(self) -> bool | None:
        return None if self.measurement is None else self.measurement.meets_floor


def latest_measurements(
    areas: Iterable[Area], standards: Iterable[NationalStandard]
) -> dict[tuple[int, int], Measurement]:
    """The most recent measurement per (area id, standard id); periods sort as text (2024-25)."""
    latest: dict[tuple[int, int], Measurement] = {}
    rows = (
        Measurement.objects.filter(area__in=list(areas), standard__in=list(standards))
        .select_related("standard")
        .order_by("period")
    )
    for row in rows:
        latest[(row.area_id, row.standard_id)] = row
    return latest


def floor_statuses(area: Area) -> list[FloorStatus]:
    """The area against every national floor."""
    standards = list(NationalStandard.objects.select_related("service"))
    latest = latest_measurements([area], standards)
    return [FloorStatus(area, s, latest.get((area.pk, s.pk))) for s in standards]


def areas_against(standard: NationalStandard, kind: Area.Kind) -> list[FloorStatus]:
    """Every area of one kind against one national floor, those below it first."""
    areas = list(Area.objects.filter(kind=kind).select_related("parent"))
    latest = latest_measurements(areas, [standard])
    statuses = [FloorStatus(a, standard, latest.get((a.pk, standard.pk))) for a in areas]
    return sorted(statuses, key=lambda s: (s.meets_floor is not False, s.area.name))
