"""What readers may see, as lists: the filters, the two orders (latest, top) and keyset
pagination over them. Everything here starts from ``Article.objects.visible()``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone

from articles.models import Article, Category, Company
from sources.models import Source

PAGE_SIZE = 20
WINDOWS = {
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
}
CARD_FIELDS = (
    "id",
    "slug",
    "title",
    "summary",
    "sentiment",
    "importance",
    "published_at",
    "published_at_site",
    "updated_at",
    "image_url",
    "source__name",
    "source__slug",
    "category__name",
    "category__slug",
    "cluster__source_count",
)


@dataclass
class Filters:
    """The reader's filters, each checked against what exists; unknown values are ignored
    (a shared link with an old category still shows the front page)."""

    category: Category | None = None
    sentiment: str = ""
    company: Company | None = None
    source: Source | None = None
    importance_min: int | None = None
    applied: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_query(cls, query: QueryDict) -> Filters:
        filters = cls()

        def text(name: str) -> str:
            value = query.get(name, "").strip()
            return "" if "\x00" in value or len(value) > 200 else value

        if slug := text("category"):
            filters.category = Category.objects.filter(slug=slug).first()
        if (sentiment := text("sentiment")) in Article.Sentiment.values:
            filters.sentiment = sentiment
        if slug := text("company"):
            filters.company = Company.objects.filter(slug=slug).first()
        if slug := text("source"):
            filters.source = Source.objects.filter(slug=slug).first()
        minimum = text("min")
        if minimum.isascii() and minimum.isdigit() and 1 <= int(minimum) <= 10:
            filters.importance_min = int(minimum)
        filters.applied = {
            name: value
            for name, value in (
                ("category", filters.category.slug if filters.category else ""),
                ("sentiment", filters.sentiment),
                ("company", filters.company.slug if filters.company else ""),
                ("source", filters.source.slug if filters.source else ""),
                ("min", str(filters.importance_min or "")),
            )
            if value
        }
        return filters

    def apply(self, stories: QuerySet[Article]) -> QuerySet[Article]:
        if self.category is not None:
            stories = stories.filter(category=self.category)
        if self.sentiment:
            stories = stories.filter(sentiment=self.sentiment)
        if self.company is not None:
            stories = stories.filter(companies=self.company)
        if self.source is not None:
            stories = stories.filter(source=self.source)
        if self.importance_min is not None:
            stories = stories.filter(importance__gte=self.importance_min)
        return stories


def cards(stories: QuerySet[Article]) -> QuerySet[Article]:
    """What a story card shows, in one query."""
    return stories.select_related("source", "category", "cluster").only(*CARD_FIELDS)


@dataclass
class Page:
    stories: list[Article]
    next_cursor: str = ""


def latest(filters: Filters, *, after: str = "", size: int = PAGE_SIZE) -> Page:
    """Published stories, newest first, from the keyset ``after`` (a story's publication
    time and id), so a page never repeats or skips a story when new ones arrive."""
    stories = filters.apply(Article.objects.visible())
    position = _cursor(after, parts=2)
    if position is not None:
        at, pk = _when(position[0]), position[1]
        stories = stories.filter(
            Q(published_at_site__lt=at) | Q(published_at_site=at, pk__lt=pk)
        )
    found = list(cards(stories).order_by("-published_at_site", "-pk")[: size + 1])
    page = Page(found[:size])
    if len(found) > size:
        last = page.stories[-1]
        page.next_cursor = f"{_stamp(last.published_at_site)}.{last.pk}"
    return page


def top(
    filters: Filters, *, window: str = "24h", after: str = "", size: int = PAGE_SIZE
) -> Page:
    """The most important stories published within ``window``, then the newest."""
    since = timezone.now() - WINDOWS.get(window, WINDOWS["24h"])
    stories = filters.apply(Article.objects.visible()).filter(
        published_at_site__gte=since, importance__isnull=False
    )
    position = _cursor(after, parts=3)
    if position is not None:
        importance, at, pk = position[0], _when(position[1]), position[2]
        stories = stories.filter(
            Q(importance__lt=importance)
            | Q(importance=importance, published_at_site__lt=at)
            | Q(importance=importance, published_at_site=at, pk__lt=pk)
        )
    found = list(
        cards(stories).order_by("-importance", "-published_at_site", "-pk")[: size + 1]
    )
    page = Page(found[:size])
    if len(found) > size:
        last = page.stories[-1]
        page.next_cursor = (
            f"{last.importance}.{_stamp(last.published_at_site)}.{last.pk}"
        )
    return page


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _stamp(when: datetime | None) -> int:
    """A time as whole microseconds since the epoch (exact, and short in a URL)."""
    assert when is not None  # published stories have a publication time
    return (when - EPOCH) // timedelta(microseconds=1)


BIGGEST = 2**63 - 1  # the largest id or time the database stores


def _when(stamp: int) -> datetime:
    return EPOCH + timedelta(microseconds=stamp)


def _cursor(value: str, *, parts: int) -> list[int] | None:
    """The parts of a cursor, or None when it is not one of ours (then the first page):
    whole numbers each small enough to be an id or a time we could have written."""
    pieces = value.split(".") if value else []
    if len(pieces) != parts or not all(
        p.isascii() and p.isdigit() and len(p) <= 19 for p in pieces
    ):
        return None
    numbers = [int(p) for p in pieces]
    if any(n > BIGGEST for n in numbers):
        return None
    try:
        _when(numbers[-2])
    except OverflowError:
        return None
    return numbers


def query_without(query: QueryDict, *names: str) -> str:
    """The query string of the current filters, less ``names`` (for links that change one)."""
    kept = query.copy()
    for name in names:
        kept.pop(name, None)
    return kept.urlencode()


def other_sources(article: Article) -> list[Any]:
    """The story's other reports: their outlet and their original link (never their text)."""
    if article.cluster_id is None:
        return []
    return list(
        Article.objects.filter(cluster_id=article.cluster_id)
        .exclude(pk=article.pk)
        .select_related("source")
        .only("id", "url", "title", "published_at", "source__name", "source__site_url")
        .order_by("published_at")
    )
