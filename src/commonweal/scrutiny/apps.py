from django.apps import AppConfig


class ScrutinyConfig(AppConfig):
    name = "commonweal.scrutiny"
    label = "scrutiny"
    verbose_name = "Scrutiny: the postcode-lottery monitor"
    # `commonweal demo` calls this after the demo place is loaded.
    demo_loader = "commonweal.scrutiny.demo.load_scrutiny_demo"
