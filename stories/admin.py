from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from articles.models import Article

from .models import StoryCluster


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
    ]
    inlines = [ClusterArticleInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
