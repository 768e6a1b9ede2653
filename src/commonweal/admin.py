"""Django admin, for superusers only: officers and stewards work through the service's own pages."""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest


class SuperuserAdminSite(AdminSite):
    site_header = "Commonweal administration"

    def has_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser


class CommonwealAdminConfig(AdminConfig):
    default_site = "commonweal.admin.SuperuserAdminSite"
