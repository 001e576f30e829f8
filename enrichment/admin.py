"""AI proposals, budget days and batches in the admin: read-only records."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import BudgetDay, Enrichment, EnrichmentBatch


class EnrichmentInline(admin.TabularInline):
    model = Enrichment
    fk_name = "article"
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    fields = [
        "created_at",
        "status",
        "backend",
        "model",
        "prompt_version",
        "importance",
        "sentiment",
        "cost_usd",
        "latency_ms",
        "attempts",
        "error",
    ]
    readonly_fields = fields
    verbose_name_plural = _("AI runs (newest first)")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Enrichment)
class EnrichmentAdmin(ReadOnlyAdmin):
    """AI proposals are immutable: editors change the article's copy, never these rows."""

    list_display = [
        "created_at",
        "article",
        "status",
        "backend",
        "model",
        "importance",
        "sentiment",
        "warning_count",
        "input_tokens",
        "output_tokens",
        "cache_read_tokens",
        "cost_usd",
        "latency_ms",
    ]
    list_filter = ["status", "backend", "model", "prompt_version", "via_batch"]
    list_select_related = ["article"]
    search_fields = ["article__title", "error"]
    date_hierarchy = "created_at"

    @admin.display(description=_("warnings"))
    def warning_count(self, obj: Enrichment) -> int:
        return len(obj.warnings)


@admin.register(BudgetDay)
class BudgetDayAdmin(ReadOnlyAdmin):
    list_display = ["day", "spent_usd", "reserved_usd"]


@admin.register(EnrichmentBatch)
class EnrichmentBatchAdmin(ReadOnlyAdmin):
    list_display = [
        "batch_id",
        "status",
        "model",
        "applied",
        "failed",
        "reserved_usd",
        "submitted_at",
        "ended_at",
    ]
