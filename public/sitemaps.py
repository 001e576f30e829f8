"""Sitemaps for search engines: every published story (and the pages that list them), and a
Google News sitemap of the last two days' stories."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Category, Company


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
        return Category.objects.filter(
            articles__in=Article.objects.visible()
        ).distinct()

    def location(self, item: Category) -> str:
        return reverse("public:category", args=[item.slug])


class CompanySitemap(Sitemap):
    changefreq = "daily"
    priority = 0.4

    def items(self) -> QuerySet[Company]:
        return Company.objects.filter(articles__in=Article.objects.visible()).distinct()

    def location(self, item: Company) -> str:
        return reverse("public:company", args=[item.slug])


SITEMAPS = {
    "stories": StorySitemap,
    "categories": CategorySitemap,
    "companies": CompanySitemap,
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
