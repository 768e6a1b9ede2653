"""The `commonweal` command: Django's manage with Commonweal's settings already set."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a management command, e.g. `commonweal demo` or `commonweal migrate`."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonweal.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["commonweal", *(sys.argv[1:] if argv is None else argv)])
