"""Admin for processes, proposals and paper batches.

Ballots and their choices are deliberately not here: the admin must never offer a page that
sets a ballot beside the voter roll. The roll is shown alone and read-only: who voted and how,
never what they chose.
"""

from django.contrib import admin

from .models import PaperBatch, Process, Proposal, VoterRoll


class ProposalInline(admin.TabularInline):
    model = Proposal
    fields = ["code", "title", "neighbourhood", "estimated_cost", "final_cost", "status"]
    extra = 0
    show_change_link = True


@admin.register(Process)
class ProcessAdmin(admin.ModelAdmin):
    list_display = ["title", "area", "slug", "phase", "budget", "ballot_type", "rule"]
    list_filter = ["phase", "ballot_type", "rule"]
    search_fields = ["title", "slug", "area__name", "area__code"]
    filter_horizontal = ["ring_fenced_services"]
    readonly_fields = ["ballots_sha256", "counted_at"]
    inlines = [ProposalInline]


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "process", "neighbourhood", "estimated_cost", "final_cost", "status",
                    "funded_rank"]
    list_filter = ["status", "process"]
    search_fields = ["code", "title"]
    readonly_fields = ["funded_rank"]


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PaperBatch)
class PaperBatchAdmin(ReadOnly):
    # Batches are entered through the paper-ballot page, where the tally is checked.
    list_display = ["label", "process", "tally_total", "entered_by", "entered_at"]
    list_filter = ["process"]


@admin.register(VoterRoll)
class VoterRollAdmin(ReadOnly):
    list_display = ["process", "voter", "neighbourhood", "channel"]
    list_filter = ["process", "channel"]
