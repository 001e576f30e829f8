"""Syndication and search engines: feeds that feed readers parse, sitemaps that list only
published stories."""

from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree

import feedparser
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Category, Company
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db
S = Article.Status
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


def published(title: str, **fields: object) -> Article:
    return ArticleFactory.create(
        status=S.PUBLISHED, title=title, summary=f"{title}.", **fields
    )


@pytest.mark.parametrize("name", ["public:feed", "public:atom_feed"])
def test_the_feeds_parse_and_carry_our_summary_and_page(
    client: Client, name: str
) -> None:
    story = published("Helios buys Lumen")
    ArticleFactory.create(status=S.IN_REVIEW, title="Not yet")
    parsed = feedparser.parse(client.get(reverse(name)).content)
    assert parsed.bozo is False, parsed.get("bozo_exception")
    assert [e.title for e in parsed.entries] == ["Helios buys Lumen"]
    entry = parsed.entries[0]
    assert entry.link.endswith(story.get_absolute_url())
    assert "Helios buys Lumen." in entry.summary
    assert entry.get("published_parsed") or entry.get("updated_parsed")


def test_category_and_company_feeds(client: Client) -> None:
    markets = Category.objects.get(slug="markets")
    helios = Company.objects.create(name="Helios", slug="helios")
    in_markets = published("Markets story", category=markets)
    about_helios = published("Helios story")
    about_helios.companies.add(helios)
    category = feedparser.parse(
        client.get(reverse("public:category_feed", args=["markets"])).content
    )
    assert [e.title for e in category.entries] == [in_markets.title]
    company = feedparser.parse(
        client.get(reverse("public:company_feed", args=["helios"])).content
    )
    assert [e.title for e in company.entries] == [about_helios.title]
    assert (
        client.get(reverse("public:company_feed", args=["nobody"])).status_code == 404
    )


def test_the_sitemap_lists_published_stories_and_their_pages(client: Client) -> None:
    story = published(
        "Helios buys Lumen", category=Category.objects.get(slug="markets")
    )
    hidden = ArticleFactory.create(status=S.REJECTED, title="Killed", slug="killed")
    root = ElementTree.fromstring(client.get(reverse("public:sitemap")).content)
    locations = [loc.text or "" for loc in root.iter(f"{SITEMAP}loc")]
    assert any(loc.endswith(story.get_absolute_url()) for loc in locations)
    assert any(loc.endswith("/category/markets/") for loc in locations)
    assert not any(hidden.slug in loc for loc in locations)


def test_the_news_sitemap_has_the_last_two_days(client: Client) -> None:
    fresh = published("Fresh story")
    published("Old story", published_at_site=timezone.now() - timedelta(days=3))
    root = ElementTree.fromstring(client.get(reverse("public:news_sitemap")).content)
    titles = [t.text for t in root.iter(f"{NEWS}title")]
    assert titles == [fresh.title]
    assert root.find(f"{SITEMAP}url/{NEWS}news/{NEWS}publication_date") is not None
