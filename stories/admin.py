from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from articles.models import Article

from .models import PairOpinion, StoryCluster


class ClusterArticleInline(admin.TabularInline):
    model = Article
    fk_name = "cluster"
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    fields = ("title", "source", "published_at", "status", "cluster_locked")
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
        "second_opinions",
    ]
    inlines = [ClusterArticleInline]

    @admin.display(description="Second opinions on its reports")
    def second_opinions(self, obj: StoryCluster) -> str:
        """Why its reports were joined (or a pair kept apart), when Claude was asked."""
        rows = PairOpinion.objects.within(obj.pk).order_by("created_at")
        return (
            format_html_join(
                mark_safe("<br>"),
                "{} × {}: {} ({}, score {}) — {}",
                (
                    (
                        o.first_id,
                        o.second_id,
                        "same event" if o.same_event else "different events",
                        o.model,
                        f"{o.score:.2f}",
                        o.reason,
                    )
                    for o in rows
                ),
            )
            or "—"
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(PairOpinion)
class PairOpinionAdmin(admin.ModelAdmin):
    """Read-only: what the second opinion said, and what it cost."""

    list_display = ["__str__", "same_event", "score", "model", "cost_usd", "created_at"]
    list_filter = ["same_event", "model"]
    raw_id_fields = ["first", "second"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
