"""Sitemaps for search engines: every published story (and the pages that list them), and a
Google News sitemap of the last two days' stories."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Category, Company
from sources.models import Source

from .stories import categories_with_stories


class StorySitemap(Sitemap):
    changefreq = "daily"
    priority = 0.8
    limit = 5000

    def items(self) -> QuerySet[Article]:
        return (
            Article.objects.visible()
            .only("slug", "id", "published_at_site")
            .order_by("-published_at_site", "-pk")
        )

    def lastmod(self, item: Article) -> datetime | None:
        return item.published_at_site


class CategorySitemap(Sitemap):
    changefreq = "hourly"
    priority = 0.5

    def items(self) -> QuerySet[Category]:
        return categories_with_stories()

    def location(self, item: Category) -> str:
        return reverse("public:category", args=[item.slug])


class CompanySitemap(Sitemap):
    changefreq = "daily"
    priority = 0.4

    def items(self) -> QuerySet[Company]:
        return (
            Company.objects.filter(articles__in=Article.objects.visible())
            .distinct()
            .order_by("name")
        )

    def location(self, item: Company) -> str:
        return reverse("public:company", args=[item.slug])


class SourceSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.3

    def items(self) -> QuerySet[Source]:
        """Outlets with a published story: the ones leading a story and the ones whose
        report is one of a published story's others (their pages list both)."""
        visible = Article.objects.visible()
        return Source.objects.filter(
            Q(Exists(visible.filter(source=OuterRef("pk"))))
            | Q(
                Exists(
                    Article.objects.filter(
                        source=OuterRef("pk"),
                        cluster_id__in=visible.exclude(cluster_id=None).values(
                            "cluster_id"
                        ),
                    )
                )
            )
        ).order_by("name")

    def location(self, item: Source) -> str:
        return reverse("public:source", args=[item.slug])


class ListSitemap(Sitemap):
    """The front page and the top stories: where new stories appear first."""

    changefreq = "always"
    priority = 1.0

    def items(self) -> list[str]:
        return ["public:front", "public:top"]

    def location(self, item: str) -> str:
        return reverse(item)


SITEMAPS = {
    "lists": ListSitemap,
    "stories": StorySitemap,
    "categories": CategorySitemap,
    "companies": CompanySitemap,
    "sources": SourceSitemap,
}


def news_stories() -> QuerySet[Article]:
    """What a Google News sitemap lists: stories published in the last two days."""
    since = timezone.now() - timedelta(days=2)
    return (
        Article.objects.visible()
        .filter(published_at_site__gte=since)
        .only("slug", "id", "title", "published_at_site", "language")
        .order_by("-published_at_site", "-pk")[:1000]
    )
