from django.urls import path

from . import views

app_name = "accountability"
urlpatterns = [
    path("areas/<str:code>/accountability/", views.area_page, name="area"),
    path("results/<int:pk>/", views.result_detail, name="result"),
    path("results/<int:pk>/history/", views.result_history, name="history"),
    path("results/<int:pk>/update/", views.update, name="update"),
    path("results/<int:pk>/follow/", views.follow, name="follow"),
    path("results/<int:pk>/comment/", views.comment, name="comment"),
    path("comments/<int:pk>/hide/", views.hide, name="hide"),
    path("reviews/<int:pk>/", views.review_detail, name="review"),
]
