"""What readers may see, as lists: the filters, the two orders (latest, top) and keyset
pagination over them. Everything here starts from ``Article.objects.visible()``.

Lists are ordered and dated by when the story broke: the source's ``published_at``. Our own
publication time (``published_at_site``) describes our page, so it is what the story page's
structured data and the Google News sitemap give.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import QueryDict
from django.utils import timezone

from articles.models import Article, ArticleQuerySet, Category, Company
from sources.models import Source

PAGE_SIZE = 20
WINDOWS = {
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
}
DEFAULT_WINDOW = "24h"
WINDOW_NAMES = {"24h": "24 hours", "7d": "7 days", "30d": "30 days"}
# The filters a list page reads from its address, in the order its links write them.
FILTER_PARAMS = ("category", "sentiment", "company", "source", "min")
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
    """The reader's filters, each checked against what exists. A value that names nothing
    (a shared link with an old category) is left out, and ``invalid`` says so."""

    category: Category | None = None
    sentiment: str = ""
    company: Company | None = None
    source: Source | None = None
    importance_min: int | None = None
    applied: dict[str, str] = field(default_factory=dict)
    invalid: list[str] = field(default_factory=list)

    @classmethod
    def from_query(cls, query: QueryDict, *, ignore: str = "") -> Filters:
        """The filters in ``query``; ``ignore`` names one the page sets itself."""
        filters = cls()

        def text(name: str) -> str:
            if name == ignore:
                return ""
            value = query.get(name, "").strip()
            return "" if "\x00" in value or len(value) > 200 else value

        if slug := text("category"):
            filters.category = Category.objects.filter(slug=slug).first()
            if filters.category is None:
                filters.invalid.append(f"There is no category “{slug}”.")
        if sentiment := text("sentiment"):
            if sentiment in Article.Sentiment.values:
                filters.sentiment = sentiment
            else:
                filters.invalid.append(
                    f"“{sentiment}” is not a sentiment (bullish, neutral or bearish)."
                )
        if slug := text("company"):
            filters.company = Company.objects.in_the_news().filter(slug=slug).first()
            if filters.company is None:
                filters.invalid.append(f"There is no company “{slug}”.")
        if slug := text("source"):
            filters.source = Source.objects.filter(slug=slug).first()
            if filters.source is None:
                filters.invalid.append(f"There is no source “{slug}”.")
        if minimum := text("min"):
            if minimum.isascii() and minimum.isdigit() and 1 <= int(minimum) <= 10:
                filters.importance_min = int(minimum)
            else:
                filters.invalid.append(
                    f"“{minimum}” is not an importance: give a whole number from 1 to 10."
                )
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

    def apply(self, stories: ArticleQuerySet) -> ArticleQuerySet:
        if self.category is not None:
            stories = stories.filter(category=self.category)
        if self.sentiment:
            stories = stories.filter(sentiment=self.sentiment)
        if self.company is not None:
            stories = stories.filter(companies=self.company)
        if self.source is not None:
            stories = stories.filter(reported_by(self.source))
        if self.importance_min is not None:
            stories = stories.filter(importance__gte=self.importance_min)
        return stories

    def chips(self, *, own: str = "") -> list[tuple[str, str, str]]:
        """Each filter in force as (name, what it says, its value), the page's own left out."""
        found = []
        if self.category is not None and own != "category":
            found.append(("category", "Category", self.category.name))
        if self.sentiment:
            found.append(
                (
                    "sentiment",
                    "Sentiment",
                    str(Article.Sentiment(self.sentiment).label).capitalize(),
                )
            )
        if self.company is not None and own != "company":
            found.append(("company", "About", self.company.name))
        if self.source is not None and own != "source":
            found.append(("source", "Reported by", self.source.name))
        if self.importance_min is not None:
            found.append(("min", "Importance at least", str(self.importance_min)))
        return found

    def describe(self, *, own: str = "") -> str:
        """The filters naming a subject, as words after a heading: "in Markets about
        Helios from Northwind Wire" (the page's own one left out)."""
        words = []
        if self.category is not None and own != "category":
            words.append(f"in {self.category.name}")
        if self.company is not None and own != "company":
            words.append(f"about {self.company.name}")
        if self.source is not None and own != "source":
            words.append(f"from {self.source.name}")
        return " ".join(words)


def reported_by(source: Source) -> Q:
    """Stories ``source`` reported: the ones it leads and the ones where its report is one
    of the others (a source page is everything the outlet covered)."""
    clusters = (
        Article.objects.filter(source=source)
        .exclude(cluster_id=None)
        .values("cluster_id")
    )
    return Q(source=source) | Q(cluster_id__in=clusters)


def cards(stories: ArticleQuerySet) -> ArticleQuerySet:
    """What a story card shows, in one query."""
    return stories.select_related("source", "category", "cluster").only(*CARD_FIELDS)


def categories_with_stories() -> QuerySet[Category]:
    """The categories a reader can find a published story in (one query)."""
    return Category.objects.filter(
        Exists(Article.objects.visible().filter(category=OuterRef("pk")))
    )


def sources_with_stories() -> QuerySet[Source]:
    """The sources a reader can find a published story from, by name (one query)."""
    return Source.objects.filter(
        Exists(Article.objects.visible().filter(source=OuterRef("pk")))
    ).order_by("name")


@dataclass
class Page:
    stories: list[Article]
    next_cursor: str = ""
    # A later page (its cursor was one of ours): the reader is not looking at the latest.
    older: bool = False


def latest(filters: Filters, *, after: str = "", size: int = PAGE_SIZE) -> Page:
    """Published stories, the latest to break first, from the keyset ``after`` (a story's
    source time and id), so a page never repeats or skips a story when new ones arrive."""
    stories = filters.apply(Article.objects.visible())
    position = _cursor(after, parts=2)
    if position is not None:
        at, pk = _when(position[0]), position[1]
        stories = stories.filter(Q(published_at__lt=at) | Q(published_at=at, pk__lt=pk))
    found = list(cards(stories).order_by("-published_at", "-pk")[: size + 1])
    page = Page(found[:size], older=position is not None)
    if len(found) > size:
        last = page.stories[-1]
        page.next_cursor = f"{_stamp(last.published_at)}.{last.pk}"
    return page


def top(
    filters: Filters,
    *,
    window: str = DEFAULT_WINDOW,
    after: str = "",
    size: int = PAGE_SIZE,
) -> Page:
    """The most important stories that broke within ``window``, then the latest."""
    since = timezone.now() - WINDOWS.get(window, WINDOWS[DEFAULT_WINDOW])
    stories = filters.apply(Article.objects.visible()).filter(
        published_at__gte=since, importance__isnull=False
    )
    position = _cursor(after, parts=3)
    if position is not None:
        importance, at, pk = position[0], _when(position[1]), position[2]
        stories = stories.filter(
            Q(importance__lt=importance)
            | Q(importance=importance, published_at__lt=at)
            | Q(importance=importance, published_at=at, pk__lt=pk)
        )
    found = list(
        cards(stories).order_by("-importance", "-published_at", "-pk")[: size + 1]
    )
    page = Page(found[:size], older=position is not None)
    if len(found) > size:
        last = page.stories[-1]
        page.next_cursor = f"{last.importance}.{_stamp(last.published_at)}.{last.pk}"
    return page


def wider_windows(filters: Filters, *, window: str) -> list[tuple[str, int]]:
    """How many top stories each window wider than ``window`` holds (one query): where to
    send a reader whose window is empty."""
    wider = [w for w in WINDOWS if WINDOWS[w] > WINDOWS[window]]
    if not wider:
        return []
    now = timezone.now()
    counts = (
        filters.apply(Article.objects.visible())
        .filter(importance__isnull=False)
        .aggregate(
            **{
                f"in_{w}": Count("pk", filter=Q(published_at__gte=now - WINDOWS[w]))
                for w in wider
            }
        )
    )
    return [(w, counts[f"in_{w}"]) for w in wider]


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _stamp(when: datetime | None) -> int:
    """A time as whole microseconds since the epoch (exact, and short in a URL)."""
    assert when is not None  # every article has its source's time
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


def names_a_story(after: str, *, order: str = "latest") -> bool:
    """Whether the cursor ``after`` is the position of a story readers may see, as the
    pages write them: a page from any other cursor is answered but not kept in the cache
    (``?after=1.2``, ``?after=1.3``… would each keep a copy)."""
    position = _cursor(after, parts=3 if order == "top" else 2)
    if position is None:
        return False
    stamp, pk = position[-2], position[-1]
    found = Article.objects.visible().filter(pk=pk, published_at=_when(stamp))
    if order == "top":
        found = found.filter(importance=position[0])
    return found.exists()


def query_string(filters: Filters, *, without: str = "", **extra: str) -> str:
    """The address's query for ``filters`` (less the one named ``without``) and the
    non-empty ``extra`` values, in a fixed order: links carry only what is in force, never
    an empty or unknown value."""
    query = QueryDict(mutable=True)
    for name in FILTER_PARAMS:
        if name in filters.applied and name != without:
            query[name] = filters.applied[name]
    for name, value in extra.items():
        if value:
            query[name] = value
    return query.urlencode()


def other_sources(article: Article) -> list[Any]:
    """The story's other reports: their outlet and their original link (never their text)."""
    return list(
        Article.objects.other_reports(article).only(
            "id",
            "url",
            "title",
            "published_at",
            "source__name",
            "source__slug",
            "source__site_url",
        )
    )
