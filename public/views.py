"""The reader pages: the front page (latest and top), story pages, company, category and
source pages, search. Server-rendered; htmx only for "load more", which is a plain link to
the next page without JavaScript. Every list starts from ``Article.objects.visible()``."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Count, F, Q
from django.db.models.functions import TruncWeek
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from articles.models import Article, Category, Company
from editorial.charts import Bar, Segment, bar_chart
from sources.models import Source
from stories.related import related

from . import stories
from .cache import public_page
from .views_seo import news_article

S = Article.Status
SEARCH_RESULTS = 30


def _list_page(
    request: HttpRequest,
    *,
    heading: str,
    order: str = "latest",
    extra: dict[str, Any] | None = None,
    base_filters: dict[str, Any] | None = None,
) -> HttpResponse:
    filters = stories.Filters.from_query(request.GET)
    for name, value in (base_filters or {}).items():
        setattr(filters, name, value)
    after = request.GET.get("after", "")
    window = request.GET.get("window", "24h")
    if window not in stories.WINDOWS:
        window = "24h"
    page = (
        stories.top(filters, window=window, after=after)
        if order == "top"
        else stories.latest(filters, after=after)
    )
    context = {
        "heading": heading,
        "order": order,
        "window": window,
        "windows": list(stories.WINDOWS),
        "page": page,
        "filters": filters,
        "filter_query": stories.query_without(request.GET, "after"),
        "categories": Category.objects.all(),
        "sentiments": Article.Sentiment.choices,
        **(extra or {}),
    }
    template = "public/front.html"
    if request.headers.get("HX-Request"):
        template += "#more"
    return render(request, template, context)


@require_safe
@public_page
def front(request: HttpRequest) -> HttpResponse:
    """The latest published stories, one per story."""
    return _list_page(request, heading="Latest stories")


@require_safe
@public_page
def top(request: HttpRequest) -> HttpResponse:
    """The most important stories of the last day (or week, or month)."""
    return _list_page(request, heading="Top stories", order="top")


@require_safe
@public_page
def category(request: HttpRequest, slug: str) -> HttpResponse:
    found = get_object_or_404(Category, slug=slug)
    return _list_page(
        request,
        heading=found.name,
        base_filters={"category": found},
        extra={
            "feed": reverse("public:category_feed", args=[found.slug]),
            "about": found,
        },
    )


@require_safe
@public_page
def source(request: HttpRequest, slug: str) -> HttpResponse:
    found = get_object_or_404(Source, slug=slug)
    return _list_page(
        request,
        heading=f"Stories from {found.name}",
        base_filters={"source": found},
        extra={"about": found},
    )


@require_safe
@public_page
def company(request: HttpRequest, slug: str) -> HttpResponse:
    """A company's stories, and how the news about it has leaned week by week."""
    found = get_object_or_404(Company, slug=slug)
    return _list_page(
        request,
        heading=found.name,
        base_filters={"company": found},
        extra={
            "feed": reverse("public:company_feed", args=[found.slug]),
            "about": found,
            "chart": _sentiment_chart(found),
        },
    )


def _sentiment_chart(company: Company, weeks: int = 12) -> dict[str, Any]:
    """Stories about the company per week, split by their sentiment (one query)."""
    today = timezone.now().astimezone(UTC).date()
    start = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    rows = (
        Article.objects.visible()
        .filter(companies=company, published_at__date__gte=start)
        .annotate(week=TruncWeek("published_at", tzinfo=UTC))
        .values("week", "sentiment")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: Counter[tuple[date, str]] = Counter()
    for row in rows:
        week = row["week"].date() if isinstance(row["week"], datetime) else row["week"]
        counts[(week, row["sentiment"] or "neutral")] += row["n"]
    bars = []
    for i in range(weeks):
        week = start + timedelta(weeks=i)
        parts = {s: counts[(week, s)] for s in ("bullish", "neutral", "bearish")}
        bars.append(
            Bar(
                label=week.strftime("%-d %b"),
                segments=tuple(
                    Segment(value=parts[s], css_class=f"sentiment-{s}")
                    for s in ("bearish", "neutral", "bullish")
                ),
                title=f"week of {week:%-d %b}: {parts['bullish']} bullish, "
                f"{parts['neutral']} neutral, {parts['bearish']} bearish",
            )
        )
    return {
        "geometry": bar_chart(bars, y_label="stories"),
        "total": sum(counts.values()),
    }


@require_safe
@public_page
def story(request: HttpRequest, slug: str) -> HttpResponse:
    """A published story: what happened, in our words, with where it came from."""
    article = get_object_or_404(
        Article.objects.visible()
        .select_related("source", "category", "cluster", "enrichment")
        .prefetch_related("companies", "corrections"),
        slug=slug,
    )
    related_ids = related(article)
    lead_of = dict(
        Article.objects.filter(pk__in=related_ids).values_list(
            "pk", "cluster__canonical_id"
        )
    )
    ranked = [
        pk
        for pk in dict.fromkeys(lead_of.get(pk) or pk for pk in related_ids)
        if pk != article.pk
    ]
    by_id = stories.cards(Article.objects.visible()).in_bulk(ranked)
    proposal = article.enrichment
    corrections = list(article.corrections.all())
    assert article.published_at_site is not None  # visible() stories are published
    updated = max([article.published_at_site, *(c.at for c in corrections)])
    canonical = request.build_absolute_uri(article.get_absolute_url())
    context = {
        "article": article,
        "companies": list(article.companies.all()),
        "corrections": corrections,
        "others": stories.other_sources(article),
        "related": [by_id[pk] for pk in ranked if pk in by_id][:6],
        "offline": proposal is not None and proposal.backend == "offline",
        "edited": set(article.edited_fields),
        "updated": updated,
        "canonical": canonical,
        "json_ld": news_article(article, url=canonical, updated=updated),
    }
    return render(request, "public/story.html", context)


@require_safe
def article(request: HttpRequest, pk: int) -> HttpResponse:
    """The old address of a story: to its page when it is published, else not found."""
    found = Article.objects.visible().filter(pk=pk).exclude(slug="").first()
    if found is None:
        raise Http404("No such story.")
    return redirect(found.get_absolute_url(), permanent=True)


@require_safe
@public_page
def search(request: HttpRequest) -> HttpResponse:
    """Published stories matching the words: ranked full-text search on PostgreSQL, a plain
    match on headline and summary elsewhere."""
    query = request.GET.get("q", "").strip()[:200]
    if "\x00" in query:
        query = ""
    results: list[Article] = []
    if query:
        visible = stories.cards(Article.objects.visible())
        if connection.vendor == "postgresql":
            vector = (
                SearchVector("title", weight="A", config="english")
                + SearchVector("summary", weight="B", config="english")
                + SearchVector("analysis", weight="C", config="english")
            )
            words = SearchQuery(query, search_type="websearch", config="english")
            results = list(
                visible.annotate(rank=SearchRank(vector, words))
                .filter(rank__gt=0.01)
                .order_by("-rank", "-published_at_site")[:SEARCH_RESULTS]
            )
        else:
            terms = query.split()[:8]
            matches = Q()
            for term in terms:
                matches &= Q(title__icontains=term) | Q(summary__icontains=term)
            results = list(
                visible.filter(matches)
                .annotate(in_title=Count("pk", filter=Q(title__icontains=terms[0])))
                .order_by(F("in_title").desc(), "-published_at_site")[:SEARCH_RESULTS]
            )
    return render(request, "public/search.html", {"query": query, "results": results})


@require_safe
def robots(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /editorial/",
        "Disallow: /search/",
        f"Sitemap: {request.build_absolute_uri(reverse('public:sitemap'))}",
        f"Sitemap: {request.build_absolute_uri(reverse('public:news_sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
