"""`commonweal procurement ocds [--area CODE]` prints tenders and awards as an OCDS 1.1 release package;
`commonweal procurement import FILE --area CODE` imports another publisher's package.

`ocds` writes only the package's JSON to standard output, so it can be piped into other tools;
anything else it has to say goes to standard error.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonweal.places.models import Area
from commonweal.procurement import ocds, services


class Command(BaseCommand):
    help = "Export tenders and awards as OCDS 1.1, or import another publisher's release package."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        export = actions.add_parser("ocds", help="Print an OCDS 1.1 release package to standard output.")
        export.add_argument("--area", help="An authority's code, e.g. E06000999 (default: every area).")
        export.add_argument("--prefix", help="ocid prefix, ocds- and 6 characters (default: OCID_PREFIX).")
        export.add_argument("--uri", default="https://commonweal.example/ocds.json",
                            help="The package's own address, published inside it.")
        imported = actions.add_parser("import", help="Import an OCDS release package for comparison.")
        imported.add_argument("file", type=Path)
        imported.add_argument("--area", required=True, help="The importing authority's code.")

    def handle(self, *args, action: str, **options) -> None:
        area = self._area(options["area"]) if options.get("area") else None
        if action == "ocds":
            try:
                package = services.release_package(area, uri=options["uri"], prefix=options["prefix"])
            except ocds.OcdsError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(json.dumps(package, indent=2))
            self.stderr.write(f"{len(package['releases'])} releases", ending="\n")
            return
        file: Path = options["file"]
        if not file.is_file():
            raise CommandError(f"{file}: there is no such file")
        try:
            count = services.import_package(area, file.read_bytes(), file.name, None)
        except ocds.OcdsError as error:
            raise CommandError(f"Nothing was imported.\n{error}") from None
        self.stdout.write(f"Imported {count} releases from {file.name} into {area.name}")

    def _area(self, code: str) -> Area:
        area = Area.objects.filter(code=code.strip().upper()).first()
        if area is None:
            raise CommandError(f"There is no area with code {code!r}: use a code like E06000999")
        return area
