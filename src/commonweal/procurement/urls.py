from django.urls import path

from . import views

app_name = "procurement"
base = "areas/<str:code>/procurement/"
urlpatterns = [
    path(base, views.dashboard, name="dashboard"),
    path(f"{base}dashboard.json", views.dashboard_json, name="dashboard-json"),
    path(f"{base}awards.csv", views.awards_csv, name="awards-csv"),
    path(f"{base}ocds.json", views.ocds_package, name="ocds"),
    path(f"{base}ocds/import/", views.ocds_import, name="ocds-import"),
    path(f"{base}compare/", views.compare, name="compare"),
    path(f"{base}policy/", views.policy, name="policy"),
    path(f"{base}suppliers/", views.supplier_list, name="suppliers"),
    path(f"{base}suppliers/new/", views.supplier_new, name="supplier-new"),
    path(f"{base}tenders/new/", views.tender_new, name="tender-new"),
    path(f"{base}tenders/<int:pk>/", views.tender_detail, name="tender"),
    path(f"{base}tenders/<int:pk>/bids/new/", views.bid_new, name="bid-new"),
    path(f"{base}tenders/<int:pk>/bids/<int:bid_pk>/evaluate/", views.evaluate, name="evaluate"),
    path(f"{base}tenders/<int:pk>/bids/<int:bid_pk>/moderate/", views.moderate, name="moderate"),
    path(f"{base}tenders/<int:pk>/score/", views.score, name="score"),
    path(f"{base}awards/<int:pk>/", views.award_detail, name="award"),
    path(f"{base}awards/<int:pk>/delivery/", views.delivery, name="delivery"),
    path(f"{base}awards/<int:pk>/lm3/", views.survey, name="survey"),
]
