from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from articles.models import Article
from stories.related import related as related_stories

PAGE_SIZE = 30


@require_GET
def article_list(request: HttpRequest) -> HttpResponse:
    """The latest published stories, one per story. The public site (a later issue)
    replaces this placeholder page."""
    articles = (
        Article.objects.visible()
        .with_source()
        .latest_first()
        .only(
            "id",
            "title",
            "url",
            "published_at",
            "status",
            "image_url",
            "summary",
            "source__name",
            "source__site_url",
            "category__name",
        )
    )
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "public/article_list.html", {"page": page})


@require_GET
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A published story; everything else is a 404 to readers."""
    article = get_object_or_404(
        Article.objects.visible()
        .with_source()
        .select_related("enrichment", "cluster")
        .prefetch_related("corrections"),
        pk=pk,
    )
    related_ids = related_stories(article)
    by_id = (
        Article.objects.visible()
        .with_source()
        .only(
            "id",
            "title",
            "published_at",
            "source__name",
            "category__name",
            "cluster_id",
        )
        .in_bulk(related_ids)
    )
    related = [by_id[pk] for pk in related_ids if pk in by_id]
    return render(
        request,
        "public/article_detail.html",
        {"article": article, "related": related},
    )
