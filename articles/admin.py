from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin
from django.db import models
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Article, Category, Company, Tombstone

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# A tuple, so that it is a valid ``fields`` entry of a fieldset as it is.
FROM_THE_FEED = (
    "feed_title",
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
)


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
            {"fields": ["enrichment", "enrichment_state"]},
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
        "enrichment_state",
    ]

    @admin.display(description=_("enrichment"))
    def enrichment_state(self, obj: Article) -> StrOrPromise:
        if obj.waiting_for_budget:
            return _("waiting for budget")
        if obj.status == Article.Status.FAILED:
            return _("failed: %(reason)s") % {"reason": obj.enrichment_error[:80]}
        if obj.enrichment_error:
            return obj.enrichment_error[:200]
        if obj.enrichment_id:
            return _("done")
        return "—"

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
