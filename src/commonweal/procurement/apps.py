from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    name = "commonweal.procurement"
    label = "procurement"
    verbose_name = "Procurement and social value"
