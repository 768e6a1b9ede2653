from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import (
    Area,
    Measurement,
    NationalStandard,
    Postcode,
    Role,
    Service,
    StandardChange,
    User,
)


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "population", "deprivation_decile"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]


@admin.register(NationalStandard)
class NationalStandardAdmin(admin.ModelAdmin):
    list_display = ["service", "indicator", "floor", "unit", "higher_is_better"]


@admin.register(StandardChange)
class StandardChangeAdmin(admin.ModelAdmin):
    list_display = ["standard", "old_floor", "new_floor", "changed_by", "changed_at"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # the history of a floor is only ever added to

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Measurement)
class MeasurementAdmin(admin.ModelAdmin):
    list_display = ["standard", "area", "period", "numerator", "denominator"]
    list_filter = ["standard", "period"]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "area", "verified_at"]
    list_filter = ["kind"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_superuser"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "full_name", "password"]}),
        ("Status", {"fields": ["is_active", "is_staff", "is_superuser"]}),
    ]
    add_fieldsets = [(None, {"fields": ["email", "full_name", "password1", "password2"]})]


admin.site.register([Service, Postcode])
