"""What search engines and feed readers are given beyond the pages: the Google News sitemap
and the structured data of a story page."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from articles.models import Article

from .sitemaps import news_stories

PUBLISHER = "Newsroom"


@require_safe
def news_sitemap(request: HttpRequest) -> HttpResponse:
    """A Google News sitemap: the stories of the last two days."""
    return render(
        request,
        "public/news_sitemap.xml",
        {"stories": news_stories(), "publisher": PUBLISHER},
        content_type="application/xml",
    )


def news_article(article: Article, *, url: str, updated: Any) -> str:
    """JSON-LD ``NewsArticle`` for a story page (schema.org), as text for a data block."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title[:110],
        "description": article.summary[:300],
        "datePublished": article.published_at_site.isoformat()
        if article.published_at_site
        else None,
        "dateModified": updated.isoformat() if updated else None,
        "mainEntityOfPage": url,
        "url": url,
        "publisher": {"@type": "Organization", "name": PUBLISHER},
        "isBasedOn": article.url or None,
        "articleSection": article.category.name if article.category else None,
        "about": [
            {"@type": "Organization", "name": c.name} for c in article.companies.all()
        ],
    }
    if article.image_url:
        data["image"] = [article.image_url]
    if article.author:
        data["author"] = {"@type": "Person", "name": article.author}
    else:
        data["author"] = {"@type": "Organization", "name": article.source.name}
    cleaned = {k: v for k, v in data.items() if v not in (None, [], "")}
    # Safe inside <script type="application/ld+json">, as Django's json_script escapes.
    text = json.dumps(cleaned, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
