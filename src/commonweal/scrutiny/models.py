"""A record of every indicator file imported: measurements belong to `places`, imports to scrutiny."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from commonweal.places.models import Area, NationalStandard


class MeasurementImport(models.Model):
    """One file of measurements written for one standard, by whom, into which area's scope."""

    standard = models.ForeignKey(NationalStandard, on_delete=models.CASCADE, related_name="imports")
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="measurement_imports",
        help_text="Every row of the file was for this area or an area inside it.",
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="Empty when the file came in through the command line.",
    )
    imported_at = models.DateTimeField(default=timezone.now)
    file_name = models.CharField(max_length=255)
    created = models.PositiveIntegerField(help_text="Measurements that were new.")
    updated = models.PositiveIntegerField(help_text="Measurements that replaced earlier figures.")

    class Meta:
        ordering = ["-imported_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} for {self.standard} in {self.area}"

    @property
    def rows(self) -> int:
        return self.created + self.updated
