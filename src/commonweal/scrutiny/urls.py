from django.urls import path

from . import views

app_name = "scrutiny"
urlpatterns = [
    path("scrutiny/standards/<slug:slug>/", views.standard_detail, name="standard"),
    path("scrutiny/areas/<str:code>/", views.area_detail, name="area"),
    path("scrutiny/areas/<str:code>/import/", views.import_measurements, name="import"),
]
