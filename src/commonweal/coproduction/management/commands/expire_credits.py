"""`commonweal expire_credits`: post the expiry of old unspent credits in every area that sets a period."""

from datetime import date

from django.core.management.base import BaseCommand, CommandParser

from commonweal.coproduction.models import CreditPolicy
from commonweal.coproduction.services import check_books, expire_credits


class Command(BaseCommand):
    help = "Expire unspent time credits older than each area's period, then check the books."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            default=date.today(),
            help="The day to expire as of, YYYY-MM-DD (today). Safe to run twice for a day.",
        )

    def handle(self, *args, as_of: date, **options) -> None:
        for policy in CreditPolicy.objects.filter(expiry_months__isnull=False).select_related("area"):
            posted = expire_credits(policy.area, as_of)
            self.stdout.write(f"{policy.area.name}: {sum(p.created for p in posted)} accounts expired")
        books = check_books()
        if not books.ok:
            raise SystemExit(
                f"The books do not balance: {len(books.mismatched)} accounts differ from their postings"
            )
        self.stdout.write(self.style.SUCCESS(f"The books balance across {books.accounts:,} accounts."))
