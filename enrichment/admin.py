"""AI proposals, budget days and batches in the admin: read-only records."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from articles.models import Article

from .models import BudgetDay, Enrichment, EnrichmentBatch


class EnrichmentInline(admin.TabularInline):
    model = Enrichment
    fk_name = "article"
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    fields = (
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
    )
    readonly_fields = fields
    verbose_name_plural = _("AI runs (newest first)")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of what the AI did and cost: nobody adds, changes or deletes them here,
    superusers included."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Enrichment)
class EnrichmentAdmin(ReadOnlyAdmin):
    """AI proposals are immutable: editors change the article's copy, never these rows."""

    list_display = [
        "created_at",
        "article_link",
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
    search_fields = ["article__title", "error"]
    date_hierarchy = "created_at"
    exclude = ["article"]
    readonly_fields = ["article_link"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Enrichment]:
        # A proposal outlives its article: a subquery (not a join) keeps such rows listed.
        title = Article.objects.filter(pk=OuterRef("article_id")).values("title")[:1]
        return super().get_queryset(request).annotate(article_title=Subquery(title))

    @admin.display(description=_("article"), ordering="article_id")
    def article_link(self, obj: Enrichment) -> str:
        title = getattr(obj, "article_title", None)
        if title is None:
            return format_html("#{} <em>{}</em>", obj.article_id, _("deleted"))
        url = reverse("admin:articles_article_change", args=[obj.article_id])
        return format_html('<a href="{}">{}</a>', url, title)

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
