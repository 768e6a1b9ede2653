"""Admin for experiments and the innovation fund; evaluations are read-only records of a computation."""

from django.contrib import admin

from .models import (
    Application,
    Award,
    ChallengeRound,
    Criterion,
    Evaluation,
    Experiment,
    Fund,
    Moderation,
    Score,
)


class EvaluationInline(admin.TabularInline):
    model = Evaluation
    fields = ["evaluated_at", "method", "effect", "low", "high", "verdict"]
    readonly_fields = fields
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Experiment)
class ExperimentAdmin(admin.ModelAdmin):
    list_display = ["title", "area", "standard", "starts", "status", "progress", "adopted_from"]
    list_filter = ["status", "standard__service"]
    search_fields = ["title", "area__name"]
    inlines = [EvaluationInline]


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


@admin.register(Fund)
class FundAdmin(admin.ModelAdmin):
    list_display = ["name", "area"]


@admin.register(ChallengeRound)
class ChallengeRoundAdmin(admin.ModelAdmin):
    list_display = ["title", "fund", "pot", "deadline", "status"]
    inlines = [CriterionInline]


class ScoreInline(admin.TabularInline):
    model = Score
    extra = 0


class ModerationInline(admin.TabularInline):
    model = Moderation
    extra = 0


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "kind", "area", "round", "amount"]
    list_filter = ["kind"]
    inlines = [ScoreInline, ModerationInline]


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):
    list_display = ["application", "kind", "amount", "published_at", "paid_at"]
    list_filter = ["kind"]
