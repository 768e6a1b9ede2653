"""Reviews open as soon as new measurements land, so residents do not wait for a nightly run."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from commonweal.scrutiny.models import MeasurementImport


@receiver(post_save, sender=MeasurementImport, dispatch_uid="accountability-open-reviews-after-import")
def open_reviews_after_import(sender, instance: MeasurementImport, created: bool, **kwargs) -> None:
    if created:
        from .services import open_reviews

        # After the import's transaction commits: a failed import must not open reviews.
        transaction.on_commit(open_reviews)
