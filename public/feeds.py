"""RSS and Atom of published stories: all of them, per category, per company and per source.

Items are ordered and dated by when the story broke (the source's time), as the lists are."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from articles.models import Article, Category, Company
from sources.models import Source

from .stories import reported_by

ITEMS = 50


class LatestStories(Feed):
    """Published stories, newest first: our summary, a link to our page."""

    title = "Newsroom: latest stories"
    description = (
        "News from many sources: a short summary of each story and a link to its "
        "original."
    )

    def link(self) -> str:
        return reverse("public:front")

    def stories(self) -> QuerySet[Article]:
        return Article.objects.visible()

    def items(self) -> list[Article]:
        return list(
            self.stories()
            .select_related("source", "category")
            .prefetch_related("corrections")
            .order_by("-published_at", "-pk")[:ITEMS]
        )

    def item_title(self, item: Article) -> str:
        # Feed readers take an RSS item's title as HTML, as its description (Django's own
        # default escapes it): a headline's "<img onerror=…>" stays words. Atom's title is
        # text (below).
        return escape(item.title)

    def item_description(self, item: Article) -> str:
        # RSS's description and Atom's summary (type="html") are HTML, and our summary is
        # plain text: escaped, "profit < forecast" and a feed's "<img onerror=…>" written
        # as words reach the reader as words, not as markup a feed reader runs.
        return escape(item.summary)

    def item_link(self, item: Article) -> str:
        return item.get_absolute_url()

    def item_guid(self, item: Article) -> str:
        return f"newsroom-story-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Article) -> datetime | None:
        return item.published_at

    def item_updateddate(self, item: Article) -> datetime | None:
        times = [item.published_at_site, *(c.at for c in item.corrections.all())]
        return max(t for t in times if t is not None)

    def item_author_name(self, item: Article) -> str:
        return item.source.name

    def item_categories(self, item: Article) -> list[str]:
        return [item.category.name] if item.category else []


class LatestStoriesAtom(LatestStories):
    feed_type = Atom1Feed
    subtitle = LatestStories.description

    def item_title(self, item: Article) -> str:
        return item.title  # type="text", Atom1Feed's default: escaped once, by the XML

    def item_guid(self, item: Article) -> str:
        # Atom's id must be an IRI (RFC 4287 §4.2.6): the RSS guid as a name-based UUID,
        # the same for a story whatever the feed, category or company lists it.
        return uuid.uuid5(uuid.NAMESPACE_URL, super().item_guid(item)).urn


class CategoryStories(LatestStories):
    def get_object(self, request: HttpRequest, slug: str) -> Category:
        return get_object_or_404(Category, slug=slug)

    def title(self, obj: Category) -> str:  # type: ignore[override]
        return escape(f"Newsroom: {obj.name}")  # RSS: readers may take it as HTML

    def link(self, obj: Category) -> str:  # type: ignore[override]
        return reverse("public:category", args=[obj.slug])

    def items(self, obj: Category) -> list[Article]:  # type: ignore[override]
        return list(
            Article.objects.visible()
            .filter(category=obj)
            .select_related("source", "category")
            .prefetch_related("corrections")
            .order_by("-published_at", "-pk")[:ITEMS]
        )


class CompanyStories(LatestStories):
    def get_object(self, request: HttpRequest, slug: str) -> Company:
        return get_object_or_404(Company.objects.in_the_news(), slug=slug)

    def title(self, obj: Company) -> str:  # type: ignore[override]
        return escape(f"Newsroom: {obj.name}")  # RSS: readers may take it as HTML

    def link(self, obj: Company) -> str:  # type: ignore[override]
        return reverse("public:company", args=[obj.slug])

    def items(self, obj: Company) -> list[Any]:  # type: ignore[override]
        return list(
            Article.objects.visible()
            .filter(companies=obj)
            .select_related("source", "category")
            .prefetch_related("corrections")
            .order_by("-published_at", "-pk")[:ITEMS]
        )


class SourceStories(LatestStories):
    """Every story the outlet reported, as its source page lists them."""

    def get_object(self, request: HttpRequest, slug: str) -> Source:
        return get_object_or_404(Source, slug=slug)

    def title(self, obj: Source) -> str:  # type: ignore[override]
        return escape(f"Newsroom: stories from {obj.name}")

    def link(self, obj: Source) -> str:  # type: ignore[override]
        return reverse("public:source", args=[obj.slug])

    def items(self, obj: Source) -> list[Any]:  # type: ignore[override]
        return list(
            Article.objects.visible()
            .filter(reported_by(obj))
            .select_related("source", "category")
            .prefetch_related("corrections")
            .order_by("-published_at", "-pk")[:ITEMS]
        )
