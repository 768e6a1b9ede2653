from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    name = "commonweal.procurement"
    label = "procurement"
    verbose_name = "Procurement and social value"
    # `commonweal demo` calls this after the demo place is loaded.
    demo_loader = "commonweal.procurement.demo.load_procurement_demo"
