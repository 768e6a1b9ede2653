"""Admin for the supplier register, measures and policies; awards are shown, never edited.

An award's breakdown is what was published: changing it here would make the public page disagree
with the scoring that decided it, so awards are read-only.
"""

from django.contrib import admin

from .models import (
    Award,
    Bid,
    Commitment,
    ImportedRelease,
    Lot,
    ProcurementPolicy,
    SocialValueMeasure,
    Supplier,
    Tender,
)


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ["name", "area", "legal_form", "locality", "size"]
    list_filter = ["legal_form", "locality", "size"]
    search_fields = ["name", "identifier"]
    filter_horizontal = ["members"]


@admin.register(SocialValueMeasure)
class SocialValueMeasureAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "unit", "proxy_value", "area", "illustrative"]


@admin.register(ProcurementPolicy)
class ProcurementPolicyAdmin(admin.ModelAdmin):
    list_display = ["area", "social_value_floor"]


class LotInline(admin.TabularInline):
    model = Lot
    extra = 0


@admin.register(Tender)
class TenderAdmin(admin.ModelAdmin):
    list_display = ["title", "area", "status", "deadline", "social_value_weight"]
    list_filter = ["status"]
    search_fields = ["title", "area__name"]
    inlines = [LotInline]


class CommitmentInline(admin.TabularInline):
    model = Commitment
    extra = 0


@admin.register(Bid)
class BidAdmin(admin.ModelAdmin):
    list_display = ["supplier", "lot", "price", "received_at"]
    inlines = [CommitmentInline]


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):
    list_display = ["lot", "bid", "value", "awarded_at", "tie_broken"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ImportedRelease)
class ImportedReleaseAdmin(admin.ModelAdmin):
    list_display = ["ocid", "release_id", "publisher", "area", "date"]
    search_fields = ["ocid", "publisher"]
