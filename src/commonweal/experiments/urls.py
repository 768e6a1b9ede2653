from django.urls import path

from . import views

app_name = "experiments"
urlpatterns = [
    path("experiments/", views.register, name="register"),
    path("experiments/<int:pk>/", views.detail, name="detail"),
    path("experiments/<int:pk>/panel.csv", views.panel_csv, name="panel-csv"),
    path("experiments/<int:pk>/evaluate/", views.run_evaluation, name="evaluate"),
    path("experiments/<int:pk>/adopt/", views.adopt, name="adopt"),
    path("areas/<str:code>/experiments/new/", views.new, name="new"),
    path("what-works/", views.library, name="library"),
    path("innovation-fund/", views.fund_list, name="funds"),
    path("innovation-fund/<int:pk>/", views.fund_detail, name="fund"),
    path("innovation-fund/<int:pk>/rounds/new/", views.round_new, name="round-new"),
    path("innovation-fund/rounds/<int:pk>/", views.round_detail, name="round"),
    path("innovation-fund/rounds/<int:pk>/next/", views.round_status, name="round-next"),
    path("innovation-fund/rounds/<int:pk>/apply/", views.apply, name="apply"),
    path("innovation-fund/applications/<int:pk>/", views.application_detail, name="application"),
    path("innovation-fund/awards/<int:pk>/pay/", views.pay, name="pay"),
]
