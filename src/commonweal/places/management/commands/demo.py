"""`commonweal demo`: migrate, load the demo place and each app's demo data, print the accounts, serve."""

import subprocess
import sys

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils.module_loading import import_string

from commonweal.places.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo place (Thornbury Vale) and serve it on http://127.0.0.1:PORT."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="Load the data, then stop.")
        parser.add_argument("--port", type=int, default=8000, help="Port to serve on (8000).")

    def handle(self, *args, no_serve: bool, port: int, **options) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        accounts = load_demo()
        self.stdout.write(self.style.SUCCESS("The demo place Thornbury Vale is loaded."))
        # Each capability names its own demo loader in its AppConfig, so places imports none of them;
        # they build on the place, so they load after it, in INSTALLED_APPS order.
        for config in apps.get_app_configs():
            loader = getattr(config, "demo_loader", None)
            if loader:
                import_string(loader)()
                self.stdout.write(f"  with demo data for {config.verbose_name}")
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for account in accounts:
            self.stdout.write(f"  {account.email:<32} {account.role}")
        if no_serve:
            return
        # Counting runs as a background task, so the demo needs a worker beside the web server.
        worker = subprocess.Popen([sys.executable, "-m", "commonweal", "db_worker", "--no-reload"])
        self.stdout.write(f"Serving on http://127.0.0.1:{port}/ with a task worker — Ctrl+C stops both.")
        try:
            call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)
        finally:
            worker.terminate()
            worker.wait(timeout=10)
