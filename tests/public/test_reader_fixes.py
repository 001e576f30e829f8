"""What a stranger's read of the public site found, each with the behaviour it asked for:
one reader clock, error pages in the site's look, content ETags, a search that understands
phrases, appending "load more", honest filters, complete source pages, truthful labels,
images that do not shift the page, and copy cut where a reader would cut it."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.etree import ElementTree

import feedparser
import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.views.defaults import server_error
from pytest_django import DjangoAssertNumQueries

from articles.models import Article, Category, Company
from editorial import services
from public import cache as public_cache
from public import stories as lists
from public import text
from public.templatetags import reader
from stories import clustering
from tests.editorial.factories import (
    administrator,
    chief,
    cluster_of,
    proposal,
    reported,
    story,
)
from tests.factories import ArticleFactory, SourceFactory

pytestmark = pytest.mark.django_db
S = Article.Status
HX = {"HX-Request": "true"}
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


def published(title: str = "Harbour expansion approved", **fields: object) -> Article:
    article = story(S.APPROVED, title=title, **fields)
    return services.article_publish(article=article, editor=chief(f"c{article.pk}"))


def cards(html: str) -> list[str]:
    return re.findall(r'<h2><a href="/story/[^"]+"[^>]*>([^<]+)</a></h2>', html)


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


# 1 ------------------------------------------------------------------------------------------
def test_lists_order_and_date_stories_by_when_they_broke_not_when_we_published_them(
    client: Client,
) -> None:
    now = timezone.now()
    # Broke yesterday, published by the desk a minute ago; broke an hour ago, published
    # before it. Readers see the one that broke last first, dated by the source.
    old_news = published(
        "Old news published late", published_at=now - timedelta(hours=30)
    )
    fresh = published("Fresh news", published_at=now - timedelta(hours=1))
    Article.objects.filter(pk=fresh.pk).update(
        published_at_site=now - timedelta(hours=1)
    )
    Article.objects.filter(pk=old_news.pk).update(published_at_site=now)
    html = page(client, reverse("public:front"))
    assert cards(html) == ["Fresh news", "Old news published late"]
    assert "1 hour ago" in html and "1 day ago" in html
    assert cards(page(client, reverse("public:top"))) == ["Fresh news"], (
        "the Top window counts from when the story broke"
    )
    feed = feedparser.parse(client.get(reverse("public:feed")).content)
    assert [e.title for e in feed.entries] == ["Fresh news", "Old news published late"]
    assert (
        feed.entries[1].published_parsed[:4]
        == (now - timedelta(hours=30)).utctimetuple()[:4]
    )


def test_the_story_page_says_when_the_source_reported_and_when_we_published(
    client: Client,
) -> None:
    reported_at = datetime(2026, 11, 20, 7, 30, tzinfo=UTC)
    article = published("Helios buys Lumen", published_at=reported_at)
    html = page(client, article.get_absolute_url())
    assert (
        'Reported <time datetime="2026-11-20T07:30:00+0000">20 November 2026, 07:30 UTC</time>'
        in html
    )
    assert "Published here <time" in html
    data = json.loads(re.search(r'ld\+json">(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
    assert article.published_at_site is not None
    assert data["datePublished"] == article.published_at_site.isoformat()
    news = ElementTree.fromstring(client.get(reverse("public:news_sitemap")).content)
    stamp = news.find(f"{SITEMAP}url/{NEWS}news/{NEWS}publication_date")
    assert stamp is not None and stamp.text is not None
    assert datetime.fromisoformat(stamp.text) == article.published_at_site


# 2 ------------------------------------------------------------------------------------------
def test_a_missing_page_is_a_404_in_the_sites_own_look(client: Client) -> None:
    response = client.get("/story/no-such-story/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We can’t find that page" in html
    assert "site.css" in html and 'href="/top/"' in html and 'name="q"' in html


def test_the_500_page_needs_no_request_context_or_database(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    with django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html and "site.css" in html


# 3 ------------------------------------------------------------------------------------------
def test_the_etag_names_the_content_so_a_restart_never_hands_out_a_stale_304(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    published("First story")
    first = client.get(reverse("public:front"))
    etag = first["ETag"]
    cache.clear()  # a restart or a deploy: the cache starts empty
    same = client.get(reverse("public:front"), headers={"If-None-Match": etag})
    assert same.status_code == 304, "the same content keeps its ETag"
    assert same["ETag"] == etag and same["Cache-Control"] == first["Cache-Control"]
    published("Second story")  # changed outside the desk's signal, then a restart
    cache.clear()
    fresh = client.get(reverse("public:front"), headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and "Second story" in fresh.content.decode()
    assert fresh["ETag"] != etag
    with django_assert_num_queries(0):
        hit = client.get(
            reverse("public:front"), headers={"If-None-Match": fresh["ETag"]}
        )
    assert hit.status_code == 304


# 4 ------------------------------------------------------------------------------------------
@pytest.fixture
def searchable() -> dict[str, Article]:
    return {
        "bank": published(
            "Northbridge Bank cuts rates", summary="The bank cut its rate."
        ),
        "banking": published("Banking fees rise", summary="Fees for banking go up."),
        "phrase": published(
            "Central bank signals a rate cut", summary="A rate cut is near."
        ),
        "split": published(
            "Cut in the rate of tax", summary="Tax rate falls after a cut."
        ),
        "steel": published("Halvard Steel rate deal", summary="A steel rate cut deal."),
        "analysis": published(
            "Quiet week for Aster",
            summary="Little news.",
            analysis="Aster Motors may sell.",
        ),
    }


def search(client: Client, q: str) -> list[str]:
    return cards(page(client, reverse("public:search") + "?" + f"q={q}"))


def test_search_matches_whole_words_not_parts_of_them(
    client: Client, searchable: dict[str, Article]
) -> None:
    found = set(search(client, "bank"))
    assert {"Northbridge Bank cuts rates", "Central bank signals a rate cut"} <= found
    # PostgreSQL stems words ("banking" is "bank"); the SQLite fallback matches a word's
    # English forms (found by a reader: "rate cut" missed "cuts policy rate").
    assert "Banking fees rise" in found, "a word's forms"
    assert not set(search(client, "ban")), "never part of a word"
    assert set(search(client, "cuts")) >= {
        "Central bank signals a rate cut",
        "Cut in the rate of tax",
    }
    assert "Northbridge Bank cuts rates" in search(client, "rate cut")


def test_search_understands_phrases_or_and_exclusions(
    client: Client, searchable: dict[str, Article]
) -> None:
    assert search(client, '"rate cut"') in (
        ["Central bank signals a rate cut", "Halvard Steel rate deal"],
        ["Halvard Steel rate deal", "Central bank signals a rate cut"],
    ), "the words next to each other, in that order"
    assert {"Banking fees rise", "Quiet week for Aster"} <= set(
        search(client, "banking OR aster")
    )
    assert "Halvard Steel rate deal" not in search(client, "banking OR aster")
    assert search(client, '"rate cut" -steel') == ["Central bank signals a rate cut"]


def test_search_reads_the_analysis_and_ranks_headlines_first(
    client: Client, searchable: dict[str, Article]
) -> None:
    assert search(client, "motors") == ["Quiet week for Aster"]
    ranked = search(client, "rate")
    assert len(ranked) == 4
    assert "Quiet week for Aster" not in ranked


def test_search_says_how_many_stories_match_and_suggests_where_to_start(
    client: Client, searchable: dict[str, Article]
) -> None:
    assert "3 stories match." in page(client, reverse("public:search") + "?q=bank")
    assert "1 story matches." in page(client, reverse("public:search") + "?q=motors")
    assert "No story matches." in page(client, reverse("public:search") + "?q=zeppelin")
    Article.objects.filter(pk=searchable["bank"].pk).update(
        category=Category.objects.get(slug="markets")
    )
    cache.clear()
    empty = page(client, reverse("public:search"))
    assert "Top stories right now" in empty
    assert len(cards(empty)) == 5
    sections = empty[empty.index("Browse a section") :]
    assert re.findall(r'href="/category/([a-z-]+)/">', sections.split("</ul>")[0]) == [
        "markets"
    ]


# 5 ------------------------------------------------------------------------------------------
def test_load_more_appends_cards_to_the_same_list_and_says_when_that_is_all(
    client: Client,
) -> None:
    ArticleFactory.create_batch(lists.PAGE_SIZE + 3, status=S.PUBLISHED)
    first = page(client, reverse("public:front"))
    assert first.count('<ol class="cards" id="cards">') == 1
    link = re.search(r'data-hx-get="(\?[^"]+)"', first)
    assert link is not None
    assert 'data-hx-target="#cards" data-hx-swap="beforeend"' in first
    more = client.get(
        reverse("public:front") + link.group(1).replace("&amp;", "&"), headers=HX
    )
    fragment = more.content.decode()
    assert fragment.lstrip().startswith('<li class="card">'), "cards only, for the list"
    assert "<ol" not in fragment and "<!doctype" not in fragment
    assert fragment.count(" autofocus") == 1, "focus moves to the first new story"
    assert re.search(r'<a href="/story/[^"]+" autofocus>', fragment)
    assert 'id="more" data-hx-swap-oob="true"' in fragment
    assert "That’s all" in fragment and "Load more stories" not in fragment


def test_an_older_page_without_javascript_says_so_and_links_back(
    client: Client,
) -> None:
    ArticleFactory.create_batch(lists.PAGE_SIZE + 2, status=S.PUBLISHED)
    first = page(client, reverse("public:front"))
    assert "You are reading older stories" not in first
    link = re.search(r'<a href="(\?[^"]+)" data-hx-get', first)
    assert link is not None
    older = page(client, reverse("public:front") + link.group(1).replace("&amp;", "&"))
    assert "You are reading older stories" in older
    assert "(older stories) · Newsroom</title>" in older
    assert 'content="noindex, follow"' in older
    assert "That’s all" in older and len(cards(older)) == 2


# 6 ------------------------------------------------------------------------------------------
def test_filters_in_force_show_as_chips_in_the_heading_with_a_way_to_clear_them(
    client: Client,
) -> None:
    helios = Company.objects.create(name="Helios", slug="helios")
    markets = Category.objects.get(slug="markets")
    article = published("Helios sinks", sentiment="bearish", importance=8)
    Article.objects.filter(pk=article.pk).update(category=markets)
    article.companies.add(helios)
    html = page(
        client,
        reverse("public:front")
        + "?category=markets&company=helios&sentiment=bearish&min=5",
    )
    assert "<h1>Latest stories in Markets about Helios</h1>" in html
    chips = re.findall(r'<li class="chip">(.*?)</li>', html)
    assert [re.sub(r"<[^>]+>", "", c).replace(" ×", "") for c in chips] == [
        "Category: Markets",
        "Sentiment: Bearish",
        "About: Helios",
        "Importance at least: 5",
    ]
    # Each chip's link removes its own filter and keeps the others.
    assert 'href="?sentiment=bearish&amp;company=helios&amp;min=5"' in html
    assert '<a class="clear" href="/">Clear filters</a>' in html


def test_values_that_name_nothing_are_said_out_loud_not_silently_ignored(
    client: Client,
) -> None:
    published("Anything")
    html = page(
        client, reverse("public:front") + "?category=nope&min=eleven&sentiment=x"
    )
    assert 'role="alert"' in html
    assert "There is no category “nope”." in html
    assert "“eleven” is not an importance" in html
    assert "“x” is not a sentiment" in html
    assert cards(html) == ["Anything"]
    top = page(client, reverse("public:top") + "?window=1y")
    assert "“1y” is not a time window" in top


def test_empty_fields_leave_the_address_and_links_carry_no_empty_values(
    client: Client,
) -> None:
    ArticleFactory.create_batch(
        lists.PAGE_SIZE + 1, status=S.PUBLISHED, sentiment="bullish"
    )
    response = client.get(reverse("public:front") + "?category=&sentiment=bullish&min=")
    assert response.status_code == 302
    assert response["Location"] == "/?sentiment=bullish"
    html = page(client, response["Location"])
    for href in re.findall(r'href="(\?[^"]*)"', html):
        assert not re.search(r"(^\?|&amp;)[a-z]+=(&|$)", href), href


def test_categories_without_a_published_story_are_not_offered(client: Client) -> None:
    article = published("Markets story")
    Article.objects.filter(pk=article.pk).update(
        category=Category.objects.get(slug="markets")
    )
    hidden = story(S.IN_REVIEW, title="Unpublished energy story")
    Article.objects.filter(pk=hidden.pk).update(
        category=Category.objects.get(slug="energy")
    )
    html = page(client, reverse("public:front"))
    options = re.findall(
        r'<option value="([a-z-]+)"',
        html.split('name="category"')[1].split("</select>")[0],
    )
    assert options == ["markets"]


# 7 ------------------------------------------------------------------------------------------
def test_a_source_page_and_its_feed_include_stories_it_reported_second(
    client: Client,
) -> None:
    lead = published("Helios buys Lumen")
    second = reported(lead, status=S.IN_REVIEW, title="Chip giant snaps up Lumen")
    html = page(client, reverse("public:source", args=[second.source.slug]))
    assert cards(html) == ["Helios buys Lumen"]
    assert f'href="/source/{second.source.slug}/rss/"' in html
    feed = feedparser.parse(
        client.get(reverse("public:source_feed", args=[second.source.slug])).content
    )
    assert feed.bozo is False and [e.title for e in feed.entries] == [
        "Helios buys Lumen"
    ]
    assert client.get(reverse("public:source_feed", args=["nobody"])).status_code == 404


def test_the_sitemap_lists_the_category_company_and_source_pages(
    client: Client,
) -> None:
    lead = published("Helios buys Lumen")
    second = reported(lead, status=S.IN_REVIEW)
    helios = Company.objects.create(name="Helios", slug="helios")
    lead.companies.add(helios)
    Article.objects.filter(pk=lead.pk).update(
        category=Category.objects.get(slug="markets")
    )
    Company.objects.create(name="Nobody", slug="nobody")
    tree = ElementTree.fromstring(client.get(reverse("public:sitemap")).content)
    locations = {loc.text for loc in tree.iter(f"{SITEMAP}loc")}
    base = "http://testserver"
    assert {
        f"{base}/category/markets/",
        f"{base}/company/helios/",
        f"{base}/source/{lead.source.slug}/",
        f"{base}/source/{second.source.slug}/",
    } <= locations
    assert f"{base}/company/nobody/" not in locations
    assert f"{base}/category/energy/" not in locations


# 8 ------------------------------------------------------------------------------------------
def test_no_page_claims_ai_wrote_what_the_offline_rules_or_editors_wrote(
    client: Client,
) -> None:
    article = published("Rules wrote this", summary="A summary.")
    html = page(client, article.get_absolute_url())
    assert "summarised with AI" not in html
    assert "generated offline" in html
    assert html.index('class="provenance"') < html.index('id="summary-title"')
    Article.objects.filter(pk=article.pk).update(enrichment=None)
    cache.clear()
    html = page(client, article.get_absolute_url())
    assert "Written by our editors." in html and "AI-generated" not in html


# 9 ------------------------------------------------------------------------------------------
def test_a_lead_image_is_decorative_unless_the_source_described_it(
    client: Client,
) -> None:
    plain = published("Plain image", image_url="https://img.example/a.jpg")
    described = published(
        "Described image",
        image_url="https://img.example/b.jpg",
        content='<p><img src="https://img.example/b.jpg" alt="The plant at dusk"></p>',
    )
    html = page(client, plain.get_absolute_url())
    assert '<img src="https://img.example/a.jpg" alt=""' in html
    assert "<figcaption>Image: " in html
    html = page(client, described.get_absolute_url())
    assert '<img src="https://img.example/b.jpg" alt="The plant at dusk"' in html


def test_the_lead_image_keeps_its_box_before_it_loads(client: Client) -> None:
    from django.contrib.staticfiles import finders

    found = finders.find("site.css")
    assert isinstance(found, str)
    with open(found, encoding="utf-8") as sheet:
        css = sheet.read()
    html = page(
        client,
        published("Pictured", image_url="https://img.example/c.jpg").get_absolute_url(),
    )
    assert '<figure class="lead-image">' in html
    rule = re.search(r"\.lead-image img \{([^}]*)\}", css)
    assert rule is not None and "aspect-ratio" in rule.group(1)


def test_the_demo_names_no_image_a_browser_cannot_load() -> None:
    from django.core.management import call_command

    call_command("load_demo", "--no-editor", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Article.objects.exists()
    assert not Article.objects.filter(image_url__contains=".example/").exists()


# 10 -----------------------------------------------------------------------------------------
def test_an_empty_top_window_points_to_a_longer_one(client: Client) -> None:
    published(
        "Last week's big one",
        importance=9,
        published_at=timezone.now() - timedelta(days=3),
    )
    html = page(client, reverse("public:top"))
    assert "No published story broke in the last 24 hours yet." in html
    assert (
        'href="?window=7d">See the top stories of the last 7 days</a> (1 story)' in html
    )
    assert (
        'href="?window=30d">See the top stories of the last 30 days</a> (1 story)'
        in html
    )


# 11 -----------------------------------------------------------------------------------------
def test_excerpts_end_at_a_sentence_or_a_word_never_inside_one() -> None:
    assert (
        text.excerpt("Rates rose by 4.25% today. Markets fell.", 30)
        == "Rates rose by 4.25% today."
    )
    cut = text.excerpt("Helios agreed to buy Lumen Photonics for $4.2bn in cash", 30)
    assert cut == "Helios agreed to buy Lumen…"
    assert text.excerpt("short", 30) == "short"
    furnace = "Steel cuts jobs at Blast furnace No. 4 in Ohio today, the company said"
    assert (
        text.excerpt(furnace, 50) == "Steel cuts jobs at Blast furnace No. 4 in Ohio…"
    )
    assert text.excerpt(
        "Rates rose in the U.S. on Monday. Bonds fell afterwards.", 40
    ) == ("Rates rose in the U.S. on Monday.")


def test_a_card_shows_a_lead_slightly_over_its_room_whole_else_cuts_at_a_clause() -> (
    None
):
    lead = (
        "Helios Semiconductor said it had agreed to acquire Lumen Optics for $4.2 billion "
        "in cash, a move that gives the chipmaker control of one of the few independent "
        "suppliers of optical interconnects used to link processors inside data centers."
    )
    assert len(lead) > text.CARD_CHARS
    assert (
        reader.card_summary(lead + " Shares rose 4% in early trading in New York.")
        == lead
    )
    longer = lead.replace(
        "inside data centers",
        "inside the very largest data centers "
        "run by the cloud companies in America, Europe and Asia",
    )
    # No clause ends in the second half of the room: the cut is at a word.
    assert reader.card_summary(longer).endswith(
        "optical interconnects used to link processors…"
    )
    assert text.excerpt(
        "Helios, the chipmaker agreed to buy Lumen Photonics for cash", 40
    ) == ("Helios, the chipmaker agreed to buy…")
    # An attack: the stretch took "J." or "p.m." for the end of the lead, and printed
    # "…according to actor Michael J." as if it were whole.
    opening = (
        "The foundation said on Tuesday that it would put another fifty million dollars "
        "into research on the disease, adding to the money it has already spent on "
        "grants to labs, clinics and trials in many countries around the world, "
    )
    for tail in (
        "according to actor Michael J. Fox, who started it in 2000 and still chairs it.",
        "according to a statement at 3 p.m. Eastern time, which gave no other details.",
        "according to its chair, Gov. Newsom, who spoke to reporters after the meeting.",
    ):
        card = reader.card_summary(opening + tail)
        assert card.endswith("…") and len(card) <= text.CARD_CHARS, card
    assert text.excerpt("We waited…, then " + "x" * 40, 20) == "We waited…"
    assert text.excerpt(lead, 120) == (
        "Helios Semiconductor said it had agreed to acquire Lumen Optics for $4.2 billion "
        "in cash…"
    )


def test_structured_data_names_the_outlet_as_author_and_the_original_it_is_based_on(
    client: Client,
) -> None:
    article = published(
        "Helios buys Lumen",
        author="Ada Reporter",
        url="https://wire.example/helios?utm_source=rss&id=7",
    )
    html = page(client, article.get_absolute_url())
    data = json.loads(re.search(r'ld\+json">(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
    assert data["author"]["@type"] == "Organization"
    assert data["author"]["name"] == article.source.name
    assert data["isBasedOn"] == "https://wire.example/helios?id=7"


# 12 -----------------------------------------------------------------------------------------
def test_times_are_relative_for_two_days_then_dates() -> None:
    now = datetime(2026, 12, 1, 12, tzinfo=UTC)
    assert text.ago(now - timedelta(minutes=5), now=now) == "5 minutes ago"
    assert text.ago(now - timedelta(hours=30), now=now) == "1 day ago"
    assert text.ago(now - timedelta(days=9), now=now) == "22 Nov"
    assert text.ago(datetime(2025, 3, 4, tzinfo=UTC), now=now) == "4 Mar 2025"


def test_links_to_originals_lose_their_tracking_parameters(client: Client) -> None:
    article = published(
        "Helios buys Lumen",
        url="https://wire.example/a?utm_source=x&utm_medium=rss&p=2",
    )
    reported(article, url="https://other.example/b?fbclid=abc")
    html = page(client, article.get_absolute_url())
    assert 'href="https://wire.example/a?p=2"' in html
    assert 'href="https://other.example/b"' in html
    assert "utm_" not in html and "fbclid" not in html


def test_list_pages_keep_a_constant_query_count_with_filters_in_force(
    client: Client, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    source = SourceFactory.create(name="Harbour Wire", slug="harbour")
    ArticleFactory.create_batch(
        30, source=source, status=S.PUBLISHED, sentiment="bullish"
    )
    for url in (
        reverse("public:front") + "?sentiment=bullish&source=harbour",
        reverse("public:top") + "?window=30d&min=1",
        reverse("public:source", args=["harbour"]),
        reverse("public:search") + "?q=harbour",
        reverse("public:search"),
    ):
        with django_assert_max_num_queries(6):
            client.get(url)


def test_a_company_named_only_in_stories_not_yet_published_has_no_public_page(
    client: Client,
) -> None:
    """The AI linked it to a story still in review: its page, feed and filter would
    announce that story (found attacking the partner API, which had the same gap)."""
    secret = story("in_review", title="Not out yet")
    secret.companies.add(Company.objects.create(name="Auralis", slug="auralis"))
    assert client.get("/company/auralis/").status_code == 404
    assert client.get("/company/auralis/rss/").status_code == 404


@pytest.mark.parametrize("q", ["-steel", '"', '""', "- -", "OR", '-"rate cut"'])
def test_a_query_with_nothing_to_look_for_is_an_answer_not_an_error(
    client: Client, searchable: dict[str, Article], q: str
) -> None:
    """Found by a reader: "-steel" (the search page's own example of an exclusion) and a
    lone quote mark were 500s."""
    from urllib.parse import quote

    response = client.get(reverse("public:search") + "?q=" + quote(q))
    assert response.status_code == 200, q


def test_a_forged_host_or_scheme_gets_its_own_page_never_one_others_are_served(
    client: Client, settings: object
) -> None:
    """Found attacking the site: the cache key was the path alone, so a request with
    Host: localhost and X-Forwarded-Proto: https stored a page whose canonical link,
    OpenGraph URL and sitemap said https://localhost/… for every later reader."""
    settings.ALLOWED_HOSTS = ["testserver", "localhost"]  # type: ignore[attr-defined]
    article = published()
    forged = client.get(
        article.get_absolute_url(),
        HTTP_HOST="localhost",
        HTTP_X_FORWARDED_PROTO="https",
    )
    assert "https://localhost/" in forged.content.decode()
    for url in [article.get_absolute_url(), reverse("public:news_sitemap")]:
        page = client.get(url).content.decode()
        assert "https://localhost" not in page, url
        assert "http://testserver/" in page, url


def test_made_up_parameters_are_answered_but_not_kept(
    client: Client, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    published()
    front = reverse("public:front")
    client.get(front + "?category=markets")
    with django_assert_max_num_queries(0):
        client.get(front + "?category=markets")  # a known address: kept
    junk = front + "?x=" + "a" * 3000
    assert client.get(junk).status_code == 200
    with django_assert_max_num_queries(10) as counted:
        assert client.get(junk).status_code == 200
    assert len(counted) > 0, "rendered again: not kept in the cache"


def _kept(client: Client, url: str) -> bool:
    """Whether a second request for ``url`` is served from the cache (no query)."""
    assert client.get(url).status_code == 200, url
    with CaptureQueriesContext(connection) as counted:
        assert client.get(url).status_code == 200, url
    return len(counted) == 0


def test_made_up_values_are_answered_but_not_kept(client: Client) -> None:
    """Found attacking the site: any value of a parameter a page reads was kept, so
    ``/?after=junk1``, ``junk2``… filled the cache (5,000 entries, about 20 KB each) until
    it pushed out partners' quota counters and the desk's keys with them."""
    article = published()
    front, top = reverse("public:front"), reverse("public:top")
    real = f"{lists._stamp(article.published_at)}.{article.pk}"
    real_top = f"{article.importance}.{real}"
    assert _kept(client, front)
    assert _kept(client, f"{front}?after={real}")  # a cursor the page itself writes
    assert _kept(client, f"{top}?window=7d&after={real_top}")
    assert _kept(client, reverse("public:search"))
    for made_up in [
        f"{front}?after=junk1",
        f"{front}?after=1.2",  # the shape of a cursor, the position of no story
        f"{front}?after={real.split('.')[0]}.{article.pk + 1}",
        f"{top}?window=7d&after=1.{real}",
        f"{front}?category=no-such-category",
        f"{front}?min=11",
        f"{top}?window=forever",
        reverse("public:search") + "?q=harbour",  # answered; words are endless
    ]:
        assert not _kept(client, made_up), made_up


def test_links_and_images_are_http_only_whatever_the_database_holds(
    client: Client,
) -> None:
    """Ingest keeps only http(s) links, but a shell or an admin edit can store others."""
    article = published(image_url="javascript:alert(4)")
    Article.objects.filter(pk=article.pk).update(url="javascript:alert(1)//")
    article.source.site_url = "javascript:alert(3)"
    article.source.save(update_fields=["site_url"])
    cache.clear()
    page = client.get(article.get_absolute_url()).content.decode()
    assert "javascript:" not in page
    assert "Read original" not in page  # no link at all rather than a bad one
    assert text.clean_url("data:text/html,<script>x</script>") == ""
    assert text.clean_url("https://example.com/a?utm_source=x&id=1") == (
        "https://example.com/a?id=1"
    )


def test_renaming_a_company_refreshes_the_pages_a_fetch_does_not(
    client: Client, django_capture_on_commit_callbacks: object
) -> None:
    article = published()
    helios = Company.objects.create(name="Helios", slug="helios")
    article.companies.add(helios)
    cache.clear()
    url = article.get_absolute_url()
    assert "Helios" in client.get(url).content.decode()
    generation = cache.get("public:generation")
    # A source saved by a fetch (its health, its schedule): the pages stay.
    article.source.consecutive_failures = 1
    article.source.save(update_fields=["consecutive_failures"])
    assert cache.get("public:generation") == generation
    # A wrong name taken down in the admin: every page shows the new one at once.
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        helios.name = "Helios Semiconductor"
        helios.save()
    assert "Helios Semiconductor" in client.get(url).content.decode()


def test_the_sitemap_names_the_front_page_and_top_stories(client: Client) -> None:
    published()
    sitemap = client.get(reverse("public:sitemap")).content.decode()
    assert "<loc>http://testserver/</loc>" in sitemap
    assert f"<loc>http://testserver{reverse('public:top')}</loc>" in sitemap


def test_a_cards_importance_says_what_it_is_to_a_screen_reader(client: Client) -> None:
    published(importance=7)
    html = client.get(reverse("public:front")).content.decode()
    assert '<span class="visually-hidden">Importance </span>7/10' in html


def test_the_label_names_only_the_fields_the_page_shows(client: Client) -> None:
    """The offline copy leaves the analysis empty when the source budget is spent: the
    label must not promise one."""
    takeaways = ["A takeaway."]
    with_analysis = published(
        "Both", summary="A summary.", analysis="Some context.", takeaways=takeaways
    )
    without = published("Short", summary="A summary.", analysis="", takeaways=takeaways)
    assert "Summary, analysis and takeaways generated offline" in page(
        client, with_analysis.get_absolute_url()
    )
    html = page(client, without.get_absolute_url())
    assert "Summary and takeaways generated offline" in html
    assert "analysis" not in html[html.index('class="provenance"') :][:200].lower()


# An attacker's finds on the page cache -----------------------------------------------------
def test_a_report_deleted_from_a_published_story_leaves_its_pages_at_once(
    client: Client, django_capture_on_commit_callbacks: object
) -> None:
    """Deleting another outlet's report of a published story left it under "Also reported
    by" and on its source's page until the cache ran out (five minutes)."""
    lead = published("Helios buys Lumen")
    report = reported(lead, title="Chip giant snaps up optics maker")
    url = lead.get_absolute_url()
    assert "Chip giant snaps up optics maker" in client.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        services.article_delete(article=report.pk, editor=administrator())

    assert "Chip giant snaps up optics maker" not in client.get(url).content.decode()


def test_a_report_joining_a_published_story_shows_on_its_page_at_once(
    client: Client, django_capture_on_commit_callbacks: object
) -> None:
    """Clustering put a new outlet's report into a published story; the cached page went
    on without it (and with the old "N more") until the cache ran out."""
    lead = published("Helios buys Lumen")
    url = lead.get_absolute_url()
    assert "Join Wire" not in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        ArticleFactory.create(
            cluster_id=lead.cluster_id,
            source=SourceFactory.create(name="Join Wire"),
            status=S.IN_REVIEW,
        )
        clustering.refresh_cluster(cluster_of(lead).pk)  # as clustering.assign does

    assert "Join Wire" in client.get(url).content.decode()


def test_a_feed_fetch_that_changes_no_report_keeps_the_cached_pages() -> None:
    """Every fetch re-places a story's reports; only a change readers see starts the
    pages afresh (or the cache would be emptied by every poll)."""
    lead = published("Helios buys Lumen")
    before = public_cache.generation()
    clustering.refresh_cluster(cluster_of(lead).pk)
    assert public_cache.generation() == before


def test_a_company_renamed_refreshes_the_pages_when_the_rename_commits(
    django_capture_on_commit_callbacks: object,
) -> None:
    """Renamed inside a transaction, a page read before the commit (from what the database
    still held) was kept under the new generation: the old name stayed five minutes."""
    company = Company.objects.create(name="Helios", slug="helios")
    before = public_cache.generation()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:  # type: ignore[operator]
        company.name = "Helios Semiconductor"
        company.save()
        assert public_cache.generation() == before  # not yet: nothing has committed
    for callback in callbacks:
        callback()
    assert public_cache.generation() != before


def test_a_weak_etag_from_a_compressing_proxy_still_gets_a_304(client: Client) -> None:
    """An attacker: nginx's gzip turns our ETag into W/"…", and If-None-Match compares
    weakly (RFC 9110 §13.1.2); an exact match answered every revalidation with the page."""
    url = published().get_absolute_url()
    etag = client.get(url)["ETag"]
    weak = client.get(url, headers={"If-None-Match": f"W/{etag}"})
    assert weak.status_code == 304 and weak["ETag"] == etag


def test_a_changed_feed_is_never_called_unmodified(
    client: Client, django_capture_on_commit_callbacks: object
) -> None:
    """An attacker: a feed dated by its newest story answered If-Modified-Since with a 304
    after a story was taken down (the date did not move). Pages are known by their
    content's ETag alone: no Last-Modified, and the date conditions are ignored (a 412 for
    If-Unmodified-Since on a page with no date was another)."""
    first_story = published("First story")
    published("Second story")
    first = client.get(reverse("public:feed"))
    assert "Last-Modified" not in first
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        services.article_unpublish(
            article=first_story, editor=chief("taker"), reason="a test takedown"
        )
    since = client.get(
        reverse("public:feed"),
        headers={"If-Modified-Since": "Wed, 02 Dec 2099 08:00:00 GMT"},
    )
    assert since.status_code == 200 and b"First story" not in since.content
    unmodified = client.get(
        reverse("public:front"),
        headers={"If-Unmodified-Since": "Wed, 02 Dec 2099 08:00:00 GMT"},
    )
    assert unmodified.status_code == 200


def test_a_companys_chart_counts_what_each_story_meant_for_it(client: Client) -> None:
    """A stranger: Helios's chart counted "Chipmaker Helios agrees $4.2bn Lumen deal;
    target's stock jumps 27%" as bullish for Helios, whose own shares fell 2.1%: the AI
    read it as bearish for Helios, and the chart now says so."""
    helios = Company.objects.create(
        name="Helios Semiconductor", slug="helios", aliases=["Helios"]
    )
    deal = published(
        "Helios agrees Lumen deal; target's stock jumps", sentiment="bullish"
    )
    deal.companies.add(helios)
    # Named as the article names it, an alias (the demo's readings never matched).
    deal.enrichment = proposal(
        deal, company_sentiments={"Helios": "bearish", "Lumen Optics": "bullish"}
    )
    deal.save(update_fields=["enrichment"])
    other = published("Helios unveils H9", sentiment="bullish")
    other.companies.add(helios)  # no reading for Helios: the story's own sentiment

    html = client.get(reverse("public:company", args=["helios"])).content.decode()
    week = re.findall(r"<title>(week of [^<]*)</title>", html)[-1]
    assert week.endswith("1 bullish, 0 neutral, 1 bearish"), week

    # An editor who sets the story's sentiment has the last word, for the chart too.
    services.article_edit(
        article=deal.pk,
        editor=chief("desk"),
        version=Article.objects.get(pk=deal.pk).version,
        changes={"sentiment": "neutral"},
        correction="The deal is neutral news.",
    )
    cache.clear()
    html = client.get(reverse("public:company", args=["helios"])).content.decode()
    week = re.findall(r"<title>(week of [^<]*)</title>", html)[-1]
    assert week.endswith("1 bullish, 1 neutral, 0 bearish"), week


def test_a_companys_chart_counts_stories_in_whole_numbers(client: Client) -> None:
    """A look at the demo: one story a week drew a scale of 0, 0.5 and 1 stories."""
    helios = Company.objects.create(name="Helios Semiconductor", slug="helios")
    published("Helios unveils H9", sentiment="bullish").companies.add(helios)
    html = client.get(reverse("public:company", args=["helios"])).content.decode()
    chart = html[html.index('<svg class="chart"') : html.index("</svg>")]
    scale = re.findall(
        r'<text class="tick" x="[\d.]+" y="[\d.]+" dominant-baseline', chart
    )
    ticks = re.findall(r'dominant-baseline="middle">([^<]*)</text>', chart)
    assert len(scale) == 3 and ticks == ["0", "1", "2"]


def test_a_plain_http_lead_image_is_left_out_rather_than_shown_broken(
    client: Client,
) -> None:
    """An attacker: an http:// image went into the page and og:image, and the site's own
    policy (images over https) blocked it: a broken image on every story page of it."""
    insecure = published("Insecure image", image_url="http://img.example/a.jpg")
    secure = published("Secure image", image_url="https://img.example/b.jpg")

    page = client.get(insecure.get_absolute_url()).content.decode()
    assert "img.example/a.jpg" not in page
    assert (
        "https://img.example/b.jpg"
        in client.get(secure.get_absolute_url()).content.decode()
    )


def test_a_list_pages_canonical_link_keeps_only_what_the_page_reads(
    client: Client,
) -> None:
    """An attacker: "/?utm_source=spam&x=…" named itself canonical, so anyone could make a
    search engine index the front page under an address of their choosing."""
    published(category=Category.objects.get(slug="markets"))
    html = client.get(
        reverse("public:front"),
        {"utm_source": "spam", "x": "<b>", "category": "markets", "sentiment": ""},
        follow=True,  # without the empty filter first
    ).content.decode()
    link = re.search(r'<link rel="canonical" href="([^"]*)"', html)
    assert link is not None
    assert link.group(1) == "http://testserver/?category=markets"


def test_a_parameter_a_page_does_not_read_is_neither_canonical_nor_kept(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    """An attacker's second pass: the front page ignores "q" (a search's), yet
    "/?q=buy-cheap-pills" named itself canonical and was kept in the cache, one copy per
    made-up value; a story page kept one per "?after=…"."""
    article = published()
    for url in ("/?q=buy-cheap-pills", f"{article.get_absolute_url()}?after=junk"):
        first = client.get(url).content.decode()
        link = re.search(r'<link rel="canonical" href="([^"]*)"', first)
        assert link is not None and "?" not in link.group(1), url
        with django_assert_max_num_queries(50) as captured:
            client.get(url)
        assert len(captured.captured_queries) > 0, f"{url} was kept in the cache"
    search = client.get(reverse("public:search"), {"q": "harbour"}).content.decode()
    assert '<link rel="canonical" href="http://testserver/search/?q=harbour">' in search


def test_the_end_of_a_short_top_list_points_to_a_wider_window(client: Client) -> None:
    """Found by a stranger: the top of 24 hours showed 3 stories, then "That's all",
    with a week of stories one click away and no link to them."""
    now = timezone.now()
    published("Broke this morning", published_at=now - timedelta(hours=3))
    published("Broke on Monday", published_at=now - timedelta(days=3))
    published("Broke last week", published_at=now - timedelta(days=6))
    html = page(client, reverse("public:top"))
    assert cards(html) == ["Broke this morning"]
    assert "of the last 24 hours." in html
    assert 'href="?window=7d">See the top stories of the last 7 days</a> (3)' in html
    week = page(client, reverse("public:top") + "?window=7d")
    assert len(cards(week)) == 3
    assert "See the top stories of the last 30 days" not in week  # nothing more there


def test_the_filters_offer_the_sources_readers_can_find_stories_from(
    client: Client,
) -> None:
    """Found by a stranger: a reader could filter by source only from a card's link."""
    harbour = published("Harbour expansion approved")
    story(
        S.IN_REVIEW, title="Unreviewed", source=SourceFactory.create(name="Quiet Wire")
    )
    html = page(client, reverse("public:front"))
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]+)</option>', html)
    assert (harbour.source.slug, harbour.source.name) in options
    assert all(name != "Quiet Wire" for _, name in options)
    filtered = page(client, reverse("public:front") + f"?source={harbour.source.slug}")
    assert f'<option value="{harbour.source.slug}" selected>' in filtered
    assert cards(filtered) == ["Harbour expansion approved"]
