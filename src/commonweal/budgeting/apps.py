from django.apps import AppConfig


class BudgetingConfig(AppConfig):
    name = "commonweal.budgeting"
    label = "budgeting"
    verbose_name = "Participatory budgeting"
    # `commonweal demo` calls this after the demo place is loaded.
    demo_loader = "commonweal.budgeting.demo.load_budgeting_demo"
