"""`commonweal scrutiny import FILE.csv --indicator gp-access`: import one standard's measurements."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonweal.places.models import Area
from commonweal.scrutiny.importing import MeasurementFileError, find_standard, import_measurements


class ProgressBar:
    """A one-line bar per stage on stderr, redrawn at most ten times a second, for large files only."""

    WIDTH = 30
    # Below this many lines an import is over before a bar could say anything useful.
    SMALLEST = 5_000

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.drawn_at = 0.0
        self.drawn = False
        self.stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        if total < self.SMALLEST:
            return
        now = time.monotonic()
        if stage != self.stage:
            self.finish()
            self.stage, self.drawn_at = stage, 0.0
        if done < total and now - self.drawn_at < 0.1:
            return
        self.drawn_at = now
        filled = self.WIDTH * done // max(total, 1)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self.stream.write(f"\r{stage:<9} [{bar}] {done:,}/{total:,}")
        self.stream.flush()
        self.drawn = True

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False


class Command(BaseCommand):
    help = "Scrutiny data: `scrutiny import FILE.csv --indicator CODE` imports one standard's measurements."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        imports = actions.add_parser(
            "import",
            help="Import a CSV of area_code, period, numerator, denominator for one national standard.",
            description="Every line is checked first; the file is written in one transaction or not at all.",
        )
        imports.add_argument("file", type=Path, help="The CSV file (UTF-8).")
        imports.add_argument(
            "--indicator",
            required=True,
            help="The standard's code: its service slug, as in /standards/gp-access/ (gp-access).",
        )
        imports.add_argument(
            "--area",
            default=None,
            help="Only accept rows for this area and the areas inside it (default: the whole nation).",
        )
        imports.add_argument("--no-progress", action="store_true", help="Do not draw the progress bar.")

    def handle(self, *args, action: str, **options) -> None:
        if action == "import":
            self.import_file(options["file"], options["indicator"], options["area"], options["no_progress"])

    def import_file(self, path: Path, indicator: str, area_code: str | None, no_progress: bool) -> None:
        try:
            standard = find_standard(indicator)
        except LookupError as error:
            raise CommandError(str(error)) from None
        scope = self.scope(area_code)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: cannot be read ({error.strerror})") from None
        bar = None if no_progress else ProgressBar()
        try:
            result = import_measurements(
                data, file_name=path.name, standard=standard, scope=scope, progress=bar
            )
        except MeasurementFileError as error:
            if bar:
                bar.finish()
            for line in error.lines():
                self.stderr.write(line)
            raise CommandError(f"{path.name} was not imported: nothing was written.") from None
        if bar:
            bar.finish()
        self.stdout.write(self.style.SUCCESS(result.summary))

    def scope(self, code: str | None) -> Area:
        if code is None:
            scope = Area.objects.filter(kind=Area.Kind.NATION, parent=None).first()
            if scope is None:
                raise CommandError("There is no nation to import into: load or create the areas first")
            return scope
        scope = Area.objects.filter(code=code.upper()).first()
        if scope is None:
            raise CommandError(f"'{code}' is not an area code Commonweal knows")
        return scope
