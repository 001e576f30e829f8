"""Syndication and search engines: feeds that feed readers parse, sitemaps that list only
published stories."""

from __future__ import annotations

from datetime import timedelta
from html import unescape
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
        status=S.PUBLISHED, title=title, **{"summary": f"{title}.", **fields}
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


@pytest.mark.parametrize("name", ["public:feed", "public:atom_feed"])
def test_a_summary_reaches_feed_readers_as_words_never_as_markup(
    client: Client, name: str
) -> None:
    """An attacker: a feed's text "<img src=x onerror=…>" (written as words, so the story
    page showed it as words) went into the feeds unescaped, and a feed reader decodes the
    description as HTML: it ran. An editor's "profit < forecast & more" broke the same way."""
    summary = (
        "Profit < forecast & more <img src=x onerror=alert(document.domain)> here."
    )
    published("Hostile words", summary=summary)
    raw = client.get(reverse(name)).content
    # What the XML carries, decoded once: the HTML a feed reader renders.
    root = ElementTree.fromstring(raw)
    html = next(
        e.text
        for e in root.iter()
        if e.tag.rsplit("}", 1)[-1] in ("description", "summary")
        and (e.text or "").startswith("Profit")
    )
    assert html is not None and "<img" not in html
    assert "&lt;img src=x onerror=alert(document.domain)&gt;" in html
    entry = feedparser.parse(raw).entries[0]
    assert "Profit &lt; forecast &amp; more &lt;img" in entry.summary


@pytest.mark.parametrize("name", ["public:feed", "public:atom_feed"])
def test_a_headline_reaches_feed_readers_as_words(client: Client, name: str) -> None:
    """An attacker's second pass: a desk headline "Halvard <img src=x onerror=…> steel &
    <b>more</b>" went into RSS's title unescaped, which readers take as HTML."""
    title = "Halvard <img src=x onerror=alert(1)> steel & <b>more</b>"
    published(title)
    detail = feedparser.parse(client.get(reverse(name)).content).entries[0].title_detail
    if detail.type == "text/html":  # RSS: what a reader renders is HTML of the words
        assert "<" not in detail.value and unescape(detail.value) == title
    else:  # Atom: plain text
        assert (detail.type, detail.value) == ("text/plain", title)


def test_atom_entry_ids_are_iris_that_stay_put(client: Client) -> None:
    """A stranger: Atom ids were "newsroom-story-46", which RFC 4287 does not allow (an
    IRI); the id must not change from one request to the next (readers dedupe by it)."""
    published("Helios buys Lumen")
    first = feedparser.parse(client.get(reverse("public:atom_feed")).content)
    again = feedparser.parse(client.get(reverse("public:atom_feed")).content)
    (entry,) = first.entries
    assert entry.id.startswith("urn:uuid:")
    assert [e.id for e in again.entries] == [entry.id]


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


def test_names_saved_anywhere_keep_every_feed_readable_xml(client: Client) -> None:
    """An attacker's second pass: a category, company or source renamed in the admin to
    "Ener\\ufffegy \\u202eevil" made every feed unreadable XML and turned letters round on
    the company's page (ingest and the desk's edits dropped such characters; names did not)."""
    business = Category.objects.get(slug="markets")
    business.name = "Mar\ufffekets \u202eevil"
    business.save()
    helios = Company.objects.create(name="Hel\uffffios \u2067x\u2069", slug="helios")
    story = published("Helios buys Lumen", category=business)
    story.companies.add(helios)
    story.source.name = "Ledger\ufdd0 Daily"
    story.source.save()

    business.refresh_from_db()
    helios.refresh_from_db()
    story.source.refresh_from_db()
    assert (business.name, helios.name, story.source.name) == (
        "Markets evil",
        "Helios x",
        "Ledger Daily",
    )
    for url in (
        reverse("public:feed"),
        reverse("public:atom_feed"),
        reverse("public:category_feed", args=["markets"]),
        reverse("public:company_feed", args=["helios"]),
    ):
        ElementTree.fromstring(client.get(url).content)  # raises if not well-formed


def test_a_feeds_own_title_reaches_readers_as_words(client: Client) -> None:
    """An attacker's third pass: a category renamed "R&D <i>Labs</i>" gave its feed a
    channel title readers took as live markup (items' titles were escaped already)."""
    markets = Category.objects.get(slug="markets")
    markets.name = "R&D <i>Labs</i>"
    markets.save()
    published("A story", category=markets)
    feed = feedparser.parse(
        client.get(reverse("public:category_feed", args=["markets"])).content
    ).feed
    detail = feed.title_detail
    shown = unescape(detail.value) if detail.type == "text/html" else detail.value
    assert shown == "Newsroom: R&D <i>Labs</i>"
    assert "<i>" not in detail.value or detail.type == "text/plain"
