from django.apps import AppConfig


class CoproductionConfig(AppConfig):
    name = "commonweal.coproduction"
    label = "coproduction"
    verbose_name = "Co-production and time credits"
    # `commonweal demo` calls this after the demo place is loaded.
    demo_loader = "commonweal.coproduction.demo.load_coproduction_demo"
