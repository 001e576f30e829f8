from __future__ import annotations

from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import services
from .models import (
    Article,
    BudgetDay,
    Category,
    Company,
    Enrichment,
    EnrichmentBatch,
    StoryCluster,
    Tombstone,
)


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


FROM_THE_FEED = [
    "guid",
    "canonical_url",
    "updated_at_source",
    "content",
    "text",
    "image_url",
    "language",
    "content_hash",
    "feed_revisions",
    "upstream_changed_at",
    "created_at",
    "updated_at",
    "version",
]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    # Django 6 makes https the default scheme for bare domains; ask for it now.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "title",
        "source",
        "status",
        "enrichment_state",
        "importance",
        "published_at",
        "original",
    ]
    list_filter = ["status", "waiting_for_budget", "source", "category", "language"]
    actions = ["rerun_enrichment"]
    inlines = [EnrichmentInline]
    list_select_related = ["source"]
    search_fields = ["title", "guid", "url"]
    date_hierarchy = "published_at"
    raw_id_fields = ["source"]
    autocomplete_fields = ["companies"]
    fieldsets = [
        (
            None,
            {"fields": ["title", "status", "source", "url", "published_at", "author"]},
        ),
        (
            _("Enrichment"),
            {"fields": ["enrichment", "enrichment_error", "waiting_for_budget"]},
        ),
        (
            _("Editorial copy"),
            {
                "fields": [
                    "summary",
                    "analysis",
                    "takeaways",
                    "sentiment",
                    "importance",
                    "category",
                    "companies",
                ]
            },
        ),
        (_("From the feed"), {"classes": ["collapse"], "fields": FROM_THE_FEED}),
    ]
    # What the feed said is never edited here; state changes go through services (the
    # workflow), never a raw field edit.
    readonly_fields = [
        "source",
        "url",
        "published_at",
        "author",
        *FROM_THE_FEED,
        "status",
        "enrichment",
        "enrichment_error",
        "waiting_for_budget",
    ]

    @admin.display(description=_("enrichment"))
    def enrichment_state(self, obj: Article) -> str:
        if obj.waiting_for_budget:
            return _("waiting for budget")
        if obj.status == Article.Status.FAILED:
            return _("failed: %(reason)s") % {"reason": obj.enrichment_error[:80]}
        if obj.enrichment_id:
            return _("done")
        return "—"

    @admin.action(description=_("Re-run enrichment"), permissions=["change"])
    def rerun_enrichment(
        self, request: HttpRequest, queryset: QuerySet[Article]
    ) -> None:
        queued = refused = 0
        for article in queryset:
            try:
                services.article_request_enrichment(
                    article=article, requested_by_id=request.user.pk
                )
                queued += 1
            except ValueError:
                refused += 1
        self.message_user(
            request, _("Enrichment queued for %d articles.") % queued, messages.SUCCESS
        )
        if refused:
            self.message_user(
                request,
                _(
                    "%d articles were skipped: only new, failed or in-review articles can be "
                    "re-run."
                )
                % refused,
                messages.WARNING,
            )

    @admin.display(description=_("original"))
    def original(self, obj: Article) -> str:
        if not obj.url:
            return ""
        return format_html(
            '<a href="{}" rel="noopener nofollow noreferrer">↗</a>', obj.url
        )


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "ticker", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "ticker", "slug"]


@admin.register(Tombstone)
class TombstoneAdmin(admin.ModelAdmin):
    list_display = ["guid", "source", "canonical_url", "deleted_at"]
    list_select_related = ["source"]
    search_fields = ["guid", "canonical_url"]


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


class ClusterArticleInline(admin.TabularInline):
    model = Article
    fk_name = "cluster"
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    fields = ["title", "source", "published_at", "status", "cluster_locked"]
    readonly_fields = fields


@admin.register(StoryCluster)
class StoryClusterAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "source_count",
        "article_count",
        "first_seen",
        "last_seen",
        "manual",
    ]
    list_filter = ["manual"]
    list_select_related = ["canonical"]
    search_fields = ["canonical__title"]
    readonly_fields = [
        "canonical",
        "canonical_chosen",
        "manual",
        "article_count",
        "source_count",
        "first_seen",
        "last_seen",
        "created_at",
    ]
    inlines = [ClusterArticleInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
