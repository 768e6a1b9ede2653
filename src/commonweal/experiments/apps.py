from django.apps import AppConfig


class ExperimentsConfig(AppConfig):
    name = "commonweal.experiments"
    label = "experiments"
    verbose_name = "Local experiments and the innovation fund"
