from django.apps import AppConfig


class CoproductionConfig(AppConfig):
    name = "commonweal.coproduction"
    label = "coproduction"
    verbose_name = "Co-production and time credits"
