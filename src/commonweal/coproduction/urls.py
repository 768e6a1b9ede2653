from django.urls import path

from . import views

app_name = "coproduction"
base = "areas/<str:code>/co-production/"
urlpatterns = [
    path(base, views.dashboard, name="dashboard"),
    path(f"{base}services/<slug:slug>/", views.service_dashboard, name="service"),
    path(f"{base}activities/new/", views.activity_new, name="activity-new"),
    path(f"{base}activities/<int:pk>/", views.activity_detail, name="activity"),
    path(f"{base}activities/<int:pk>/join/", views.activity_join, name="join"),
    path(f"{base}log-time/", views.log_time, name="log-time"),
    path(f"{base}confirm/", views.confirmations, name="confirmations"),
    path(f"{base}confirm/<int:pk>/", views.decide, name="decide"),
    path(f"{base}statement/", views.statement, name="statement"),
    path(f"{base}statement.csv", views.statement_csv, name="statement-csv"),
    path(f"{base}offers/", views.offers, name="offers"),
    path(f"{base}offers/<int:pk>/spend/", views.spend, name="spend"),
    path(f"{base}give/", views.give, name="give"),
    path(f"{base}grant/", views.grant, name="grant"),
    path(f"{base}partners/<int:pk>/vouchers/", views.vouchers, name="vouchers"),
    path(f"{base}transactions/<int:pk>/reverse/", views.reverse_transaction, name="reverse"),
]
