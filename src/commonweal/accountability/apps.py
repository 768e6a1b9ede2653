from django.apps import AppConfig


class AccountabilityConfig(AppConfig):
    name = "commonweal.accountability"
    label = "accountability"
    verbose_name = "Accountability: results, reviews and open data"
    # `commonweal demo` calls this after every other app's demo (this app is last in INSTALLED_APPS).
    demo_loader = "commonweal.accountability.demo.load_accountability_demo"

    def ready(self) -> None:
        from . import signals  # noqa: F401
