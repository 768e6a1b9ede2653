"""Admin for activities, time, partners and offers; the ledger is shown read-only.

Transactions, postings and accounts cannot be added, changed or deleted here: time banks whose
admins could delete a posting ended with balances nobody could explain. A correction is a
reversing transaction, made on the area's reversal page by an officer, naming who and why.
"""

from django.contrib import admin

from .models import (
    Account,
    Activity,
    CreditPolicy,
    Membership,
    Offer,
    Partner,
    Posting,
    TimeEntry,
    Transaction,
    VoucherUse,
)


@admin.register(CreditPolicy)
class CreditPolicyAdmin(admin.ModelAdmin):
    list_display = ["area", "cents_per_hour", "expiry_months"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    readonly_fields = ["member", "joined_at"]
    can_delete = False


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["title", "service", "area", "involvement", "organiser"]
    list_filter = ["involvement", "service"]
    search_fields = ["title", "area__name"]
    inlines = [MembershipInline]


@admin.register(TimeEntry)
class TimeEntryAdmin(admin.ModelAdmin):
    list_display = ["member", "activity", "given_on", "minutes", "status", "decided_by"]
    list_filter = ["status"]
    readonly_fields = ["status", "decided_by", "decided_at", "credit", "key"]


class OfferInline(admin.TabularInline):
    model = Offer
    extra = 0


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "area"]
    filter_horizontal = ["staff"]  # who may see the partner's vouchers and mark them used
    inlines = [OfferInline]


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class PostingInline(admin.TabularInline):
    model = Posting
    fields = ["account", "amount"]
    readonly_fields = fields
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Transaction)
class TransactionAdmin(ReadOnly):
    list_display = ["made_at", "kind", "area", "made_by", "reason", "reverses"]
    list_filter = ["kind"]
    search_fields = ["key", "reason"]
    inlines = [PostingInline]


@admin.register(Account)
class AccountAdmin(ReadOnly):
    list_display = ["name", "kind", "area", "balance"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(VoucherUse)
class VoucherUseAdmin(ReadOnly):
    list_display = ["used_at", "partner", "transaction", "used_by"]
    list_filter = ["partner"]
