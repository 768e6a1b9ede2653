from django.contrib.auth.views import LogoutView
from django.urls import path

from . import views

app_name = "places"
urlpatterns = [
    path("", views.home, name="home"),
    path("areas/<str:code>/", views.area_detail, name="area"),
    path("areas/<str:code>/residents/", views.resident_list, name="residents"),
    path("areas/<str:code>/residents/verify/", views.resident_verify, name="verify-resident"),
    path("standards/", views.standard_list, name="standards"),
    path("standards/new/", views.standard_new, name="new-standard"),
    path("standards/<slug:slug>/", views.standard_detail, name="standard"),
    path("standards/<slug:slug>/change/", views.standard_change, name="change-standard"),
    path("sign-up/", views.sign_up, name="sign-up"),
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("sign-out/", LogoutView.as_view(), name="sign-out"),
    path("account/", views.account, name="account"),
]
