from django.contrib import admin

from .models import MeasurementImport


@admin.register(MeasurementImport)
class MeasurementImportAdmin(admin.ModelAdmin):
    list_display = ["imported_at", "file_name", "standard", "area", "imported_by", "created", "updated"]
    list_filter = ["standard"]
    search_fields = ["file_name", "area__code", "area__name"]
    readonly_fields = [f.name for f in MeasurementImport._meta.fields]
