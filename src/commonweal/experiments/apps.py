from django.apps import AppConfig


class ExperimentsConfig(AppConfig):
    name = "commonweal.experiments"
    label = "experiments"
    verbose_name = "Local experiments and the innovation fund"
    # `commonweal demo` calls this after the demo place is loaded.
    demo_loader = "commonweal.experiments.demo.load_experiments_demo"
