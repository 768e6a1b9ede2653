from django.contrib import admin
from django.urls import include, path

from commonweal.accountability.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("commonweal.places.urls")),
    path("", include("commonweal.scrutiny.urls")),
    path("", include("commonweal.budgeting.urls")),
    path("", include("commonweal.coproduction.urls")),
    path("", include("commonweal.procurement.urls")),
    path("", include("commonweal.experiments.urls")),
    path("", include("commonweal.accountability.urls")),
]
