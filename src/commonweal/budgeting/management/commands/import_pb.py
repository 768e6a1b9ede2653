"""`commonweal import_pb FILE.pb --area CODE`: bring a finished election in as a published process."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonweal.budgeting.engine import PabulibError
from commonweal.budgeting.importing import ImportRefused, import_pb
from commonweal.places.models import Area


class Command(BaseCommand):
    help = "Import a past participatory-budgeting round from a pabulib .pb file as a published process."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--area", required=True, help="The area's code, e.g. E06000999.")
        parser.add_argument("--slug", help="The process's address part (default: from the file name).")
        parser.add_argument("--title", help="The process's title (default: the file's description).")

    def handle(self, *args, file: Path, area: str, slug: str | None, title: str | None, **options) -> None:
        place = Area.objects.filter(code=area.strip().upper()).first()
        if place is None:
            raise CommandError(f"There is no area with code {area!r}: use a code like E06000999")
        started = time.perf_counter()
        try:
            process = import_pb(file, place, slug=slug, title=title)
        except (PabulibError, ImportRefused) as error:
            raise CommandError(str(error)) from None
        funded = process.proposals.filter(funded_rank__isnull=False).count()
        self.stdout.write(
            f"Imported {process.title!r} into {place.name} as {process.slug!r}: "
            f"{process.ballots.count():,} ballots, {process.proposals.count()} projects, "
            f"{funded} funded by {process.rule} ({time.perf_counter() - started:.1f} s)"
        )
