"""The reader pages: the front page (latest and top), story pages, company, category and
source pages, search. Server-rendered; htmx only for "load more", which is a plain link to
the next page without JavaScript. Every list starts from ``Article.objects.visible()``."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db.models import F
from django.db.models.functions import TruncWeek
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_text_list
from django.views.decorators.http import require_safe

from articles.models import Article, Category, Company
from editorial.charts import Bar, Segment, bar_chart, nice_ceiling
from editorial.services.copy import READ_WHEN_CHANGED
from enrichment.models import Enrichment
from sources.models import Source
from stories.related import related_story_ids

from . import stories, text
from .cache import dont_keep, public_page
from .views_seo import news_article

S = Article.Status
SEARCH_RESULTS = 30
SUGGESTED = 5  # top stories offered on an empty search
# Descriptions for search engines (meta) and for link previews (OpenGraph, Twitter).
DESCRIPTION_CHARS = 160
SOCIAL_DESCRIPTION_CHARS = 200
# What each kind of page reads from its address (``public_page``'s ``reads``); a list
# page's left empty by a form are dropped from the address (``_clean_address``).
LIST_READS = frozenset({*stories.FILTER_PARAMS, "after"})
TOP_READS = LIST_READS | {"window"}
SEARCH_READS = frozenset({"q"})


def _clean_address(request: HttpRequest, *, own: str = "") -> HttpResponse | None:
    """A redirect to the same list without the empty fields a form submits (``min=``) and
    without the filter the page sets itself (``?category=`` on a category page), or None
    when the address is clean already."""
    pairs = [(name, value) for name, values in request.GET.lists() for value in values]
    kept = [
        (name, value)
        for name, value in pairs
        if not (name in TOP_READS and not value.strip()) and name != own
    ]
    if len(kept) == len(pairs):
        return None
    query = QueryDict(mutable=True)
    for name, value in kept:
        query.appendlist(name, value)
    return redirect(f"{request.path}?{query.urlencode()}" if kept else request.path)


def _list_page(
    request: HttpRequest,
    *,
    heading: str,
    order: str = "latest",
    own: str = "",
    extra: dict[str, Any] | None = None,
    base_filters: dict[str, Any] | None = None,
) -> HttpResponse:
    """A list of stories with its filters; ``own`` names the filter the page itself sets
    (a category page's category), which the reader is not offered."""
    if clean := _clean_address(request, own=own):
        return clean
    filters = stories.Filters.from_query(request.GET, ignore=own)
    for name, value in (base_filters or {}).items():
        setattr(filters, name, value)
    after = request.GET.get("after", "")
    notices = list(filters.invalid)
    window = stories.DEFAULT_WINDOW
    if order == "top":
        window = request.GET.get("window", "").strip() or stories.DEFAULT_WINDOW
        if window not in stories.WINDOWS:
            notices.append(
                f"“{window[:40]}” is not a time window: showing the last 24 hours."
            )
            window = stories.DEFAULT_WINDOW
    if notices or (after and not stories.names_a_story(after, order=order)):
        dont_keep(request)
    page = (
        stories.top(filters, window=window, after=after)
        if order == "top"
        else stories.latest(filters, after=after)
    )
    # Links keep the window only when it is not the default one.
    kept_window = window if window != stories.DEFAULT_WINDOW else ""
    wider: list[tuple[str, str, int]] = []
    if order == "top" and not page.next_cursor and not after:
        # The window's stories fit one page (or there are none): where to find more
        # (found by a stranger: the top of 24 hours showed 3 and "That's all").
        wider = [
            (w, stories.WINDOW_NAMES[w], count)
            for w, count in stories.wider_windows(filters, window=window)
            if count > len(page.stories)
        ]
    chips = [
        (
            label,
            value,
            "?" + stories.query_string(filters, without=name, window=kept_window),
        )
        for name, label, value in filters.chips(own=own)
    ]
    if order == "top":
        heading = f"{heading} of the last {stories.WINDOW_NAMES[window]}"
    described = filters.describe(own=own)
    # "Helios: stories from Northwind Wire", "Latest stories about Helios".
    joiner = ": stories " if own in ("category", "company") else " "
    context = {
        "heading": heading,
        "full_heading": f"{heading}{joiner}{described}" if described else heading,
        "order": order,
        "own": own,
        "window": window,
        "window_names": stories.WINDOW_NAMES,
        "window_name": stories.WINDOW_NAMES[window],
        "wider": wider,
        "page": page,
        "filters": filters,
        "notices": notices,
        "chips": chips,
        "clear_url": f"?window={kept_window}" if kept_window else request.path,
        "filter_query": stories.query_string(filters, window=kept_window),
        "filter_query_no_window": stories.query_string(filters),
        "latest_url": "?" + stories.query_string(filters, window=kept_window),
        "categories": [] if own == "category" else stories.categories_with_stories(),
        # Found by a stranger: the source filter worked only from a card's link.
        "sources": [] if own == "source" else stories.sources_with_stories(),
        "sentiments": Article.Sentiment.choices,
        "appending": bool(request.headers.get("HX-Request")),
        **(extra or {}),
    }
    template = "public/front.html"
    if request.headers.get("HX-Request"):
        template += "#appended"  # the next cards, and the "load more" link after them
    return render(request, template, context)


@require_safe
@public_page(reads=LIST_READS)
def front(request: HttpRequest) -> HttpResponse:
    """The latest stories to break, one per story."""
    return _list_page(request, heading="Latest stories")


@require_safe
@public_page(reads=TOP_READS)
def top(request: HttpRequest) -> HttpResponse:
    """The most important stories of the last day (or week, or month)."""
    return _list_page(request, heading="Top stories", order="top")


@require_safe
@public_page(reads=LIST_READS)
def category(request: HttpRequest, slug: str) -> HttpResponse:
    found = get_object_or_404(Category, slug=slug)
    return _list_page(
        request,
        heading=found.name,
        own="category",
        base_filters={"category": found},
        extra={
            "feed": reverse("public:category_feed", args=[found.slug]),
            "about": found,
        },
    )


@require_safe
@public_page(reads=LIST_READS)
def source(request: HttpRequest, slug: str) -> HttpResponse:
    """Every story the outlet reported: the ones it leads and those it is a source of."""
    found = get_object_or_404(Source, slug=slug)
    return _list_page(
        request,
        heading=f"Stories from {found.name}",
        own="source",
        base_filters={"source": found},
        extra={
            "feed": reverse("public:source_feed", args=[found.slug]),
            "about": found,
        },
    )


@require_safe
@public_page(reads=LIST_READS)
def company(request: HttpRequest, slug: str) -> HttpResponse:
    """A company's stories, and how the news about it has leaned week by week."""
    found = get_object_or_404(Company.objects.in_the_news(), slug=slug)
    return _list_page(
        request,
        heading=found.name,
        own="company",
        base_filters={"company": found},
        extra={
            "feed": reverse("public:company_feed", args=[found.slug]),
            "about": found,
            "chart": _sentiment_chart(found),
        },
    )


CHART_SENTIMENTS = ("bullish", "neutral", "bearish")


def _sentiment_chart(company: Company, weeks: int = 12) -> dict[str, Any]:
    """Stories about the company per week, split by what each meant for the company: the
    AI's reading for it where it gave one ("Helios agrees $4.2bn Lumen deal; target's
    stock jumps 27%" is bullish news, and bearish for Helios, whose shares fell), else the
    story's sentiment, which is also what counts once an editor has set it (one query)."""
    today = timezone.now().astimezone(UTC).date()
    start = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    rows = (
        Article.objects.visible()
        .filter(companies=company, published_at__date__gte=start)
        .annotate(week=TruncWeek("published_at", tzinfo=UTC))
        .values_list(
            "week", "sentiment", "edited_fields", "enrichment__company_sentiments"
        )
        .order_by()
    )
    counts: Counter[tuple[date, str]] = Counter()
    for week, story_sentiment, edited, readings in rows:
        if isinstance(week, datetime):
            week = week.date()
        # The desk's sentiment, once an editor set it, over the AI's reading of the company.
        own = None if "sentiment" in (edited or []) else company.reading_in(readings)
        sentiment = own if own in CHART_SENTIMENTS else story_sentiment
        counts[(week, sentiment or "neutral")] += 1
    bars = []
    for i in range(weeks):
        week = start + timedelta(weeks=i)
        parts = {s: counts[(week, s)] for s in CHART_SENTIMENTS}
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
    # At least 2, so the middle tick is a whole number of stories (not "0.5").
    top = nice_ceiling(max((b.total for b in bars), default=0), minimum=2)
    return {
        "geometry": bar_chart(bars, y_max=top, y_label="stories"),
        "total": sum(counts.values()),
    }


def written_offline(proposal: Enrichment | None) -> bool:
    """The copy came from the offline backend (rules, no AI service), directly or through a
    proposal copied from another report of the story, which keeps its model's name."""
    if proposal is None:
        return False
    return proposal.backend == "offline" or proposal.model.startswith("offline")


def provenance(article: Article) -> str:
    """Who wrote the story's copy and whether an editor read it before it went out: the
    line above the summary, so readers know what a machine wrote."""
    proposal = article.enrichment
    if proposal is None:
        if article.published_unreviewed:
            return "Published without an editor's review."
        return "Written by our editors."
    if article.published_unreviewed:
        checked = "published without an editor's review"
    else:
        checked = "reviewed by our editors"
    if written_offline(proposal):
        parts = ["Summary"]
        parts += ["analysis"] if article.analysis else []
        parts += ["takeaways"] if article.takeaways else []
        fields = get_text_list(parts, "and")
        line = (
            f"{fields} generated offline by rules (without an AI service) from the "
            f"source's own sentences and figures, {checked}."
        )
    else:
        line = f"AI-generated, {checked}."
    # Only the words: a new importance or category re-ranks the story, it rewrites nothing
    # (the line said "rewrote parts of it" after a press of "9" in the queue).
    if set(article.edited_fields) & READ_WHEN_CHANGED:
        line += " Our editors rewrote parts of it."
    return line


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
    ranked = related_story_ids(article)
    by_id = stories.cards(Article.objects.visible()).in_bulk(ranked)
    corrections = list(article.corrections.all())
    assert article.published_at_site is not None  # visible() stories are published
    updated = max([article.published_at_site, *(c.at for c in corrections)])
    canonical = request.build_absolute_uri(article.get_absolute_url())
    # Only an https image: a javascript: or data: URL stored another way than ingest is
    # not shown, and a plain http one would be a broken image (the policy loads images
    # over https only, as a browser does on an https page).
    image = article.image_url if text.secure_address(article.image_url) else ""
    context = {
        "article": article,
        "companies": list(article.companies.all()),
        "corrections": corrections,
        "others": stories.other_sources(article),
        "related": [by_id[pk] for pk in ranked if pk in by_id][:6],
        "provenance": provenance(article),
        "updated": updated,
        "canonical": canonical,
        "image": image,
        "image_alt": text.image_alt(article.content, image),
        "description": text.excerpt(article.summary, DESCRIPTION_CHARS),
        "social_description": text.excerpt(article.summary, SOCIAL_DESCRIPTION_CHARS),
        "json_ld": news_article(
            article,
            url=canonical,
            updated=updated,
            image=image,
            home=request.build_absolute_uri(reverse("public:front")),
        ),
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
@public_page(reads=SEARCH_READS)
def search(request: HttpRequest) -> HttpResponse:
    """Published stories matching the words (``ArticleQuerySet.matching``: phrases in
    quotes, OR, -word), best first; with nothing to look for, where to start instead."""
    query = request.GET.get("q", "").strip()[:200]
    if "\x00" in query:
        query = ""
    context: dict[str, Any] = {"query": query}
    if query:
        dont_keep(request)  # words are endless; the page without them is kept
        found = list(
            stories.cards(Article.objects.visible())
            .matching(query)
            .order_by(F("rank").desc(), "-published_at", "-pk")[: SEARCH_RESULTS + 1]
        )
        context["results"] = found[:SEARCH_RESULTS]
        context["capped"] = len(found) > SEARCH_RESULTS
    else:
        context["categories"] = stories.categories_with_stories()
        context["suggested"] = (
            stories.top(stories.Filters(), window="30d", size=SUGGESTED).stories
            or stories.latest(stories.Filters(), size=SUGGESTED).stories
        )
    context["search_results"] = SEARCH_RESULTS
    return render(request, "public/search.html", context)


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
