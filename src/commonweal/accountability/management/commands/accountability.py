"""`commonweal accountability open_reviews`: open public reviews for every significant shortfall."""

from django.core.management.base import BaseCommand, CommandParser

from commonweal.accountability.services import open_reviews, track_results


class Command(BaseCommand):
    help = "open_reviews (after measurements change) or track_results (after counts and awards)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("task", choices=["open_reviews", "track_results"])

    def handle(self, *args, task: str, **options) -> None:
        if task == "open_reviews":
            opened = open_reviews()
            self.stdout.write(f"{opened.created} reviews opened; {opened.already_open} were already open.")
        else:
            self.stdout.write(f"{len(track_results())} new results tracked.")
