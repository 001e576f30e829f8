"""What search engines and feed readers are given beyond the pages: the Google News sitemap
and the structured data of a story page."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from articles.models import Article

from . import text
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


def news_article(
    article: Article, *, url: str, updated: datetime, image: str = "", home: str = ""
) -> str:
    """JSON-LD ``NewsArticle`` for a story page (schema.org), as text for a data block.

    The page is ours (published when the desk published it), written from the source's
    report: the author is the outlet, ``isBasedOn`` its original article."""
    publisher: dict[str, Any] = {"@type": "Organization", "name": PUBLISHER}
    if home:
        publisher["url"] = home
    author: dict[str, Any] = {"@type": "Organization", "name": article.source.name}
    if text.web_address(article.source.site_url):
        author["url"] = article.source.site_url
    assert article.published_at_site is not None  # story pages are published stories
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": text.excerpt(article.title, 110),
        "description": text.excerpt(article.summary, 300),
        "datePublished": article.published_at_site.isoformat(),
        "dateModified": updated.isoformat(),
        "mainEntityOfPage": url,
        "url": url,
        "publisher": publisher,
        "author": author,
        "isBasedOn": text.clean_url(article.url) or None,
        "articleSection": article.category.name if article.category else None,
        "about": [
            {"@type": "Organization", "name": c.name} for c in article.companies.all()
        ],
        "image": [image] if image else None,
    }
    cleaned = {k: v for k, v in data.items() if v not in (None, [], "")}
    # Safe inside <script type="application/ld+json">, as Django's json_script escapes.
    encoded = json.dumps(cleaned, ensure_ascii=False)
    return (
        encoded.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    )
