from django.apps import AppConfig


class ScrutinyConfig(AppConfig):
    name = "commonweal.scrutiny"
    label = "scrutiny"
    verbose_name = "Scrutiny: the postcode-lottery monitor"
