"""The reader pages: only what the desk published, one row per story, everything a story
page promises, filters and keyset pages, fast and cacheable."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries, Settings

from articles.models import Article, Category, Company
from editorial import services
from enrichment.models import Enrichment
from public import stories as lists
from tests.editorial.factories import chief, proposal, reported, story
from tests.factories import ArticleFactory, SourceFactory

pytestmark = pytest.mark.django_db
S = Article.Status
HX = {"HX-Request": "true"}


def published(title: str = "Harbour expansion approved", **fields: object) -> Article:
    """A story published through the desk (its slug, time and history as the site sees
    them)."""
    article = story(S.APPROVED, title=title, **fields)
    return services.article_publish(article=article, editor=chief(f"c{article.pk}"))


# --------------------------------------------------------------------------------------------
# What readers may see
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("state", [s for s in S if s != S.PUBLISHED])
def test_a_story_the_desk_has_not_published_is_nowhere_to_be_seen(
    client: Client, state: str
) -> None:
    hidden = story(state, title="Defamatory story", slug=f"hidden-{state}")
    company = Company.objects.create(name="Helios", slug="helios")
    hidden.companies.add(company)
    category = Category.objects.get(slug="markets")
    Article.objects.filter(pk=hidden.pk).update(category=category)
    pages = [
        reverse("public:front"),
        reverse("public:top") + "?window=30d",
        reverse("public:category", args=["markets"]),
        reverse("public:source", args=[hidden.source.slug]),
        reverse("public:search") + "?q=Defamatory",
        reverse("public:feed"),
        reverse("public:atom_feed"),
        reverse("public:category_feed", args=["markets"]),
        reverse("public:sitemap"),
        reverse("public:news_sitemap"),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert "Defamatory story" not in response.content.decode(), page
    assert client.get(reverse("public:story", args=[hidden.slug])).status_code == 404
    assert client.get(reverse("public:article", args=[hidden.pk])).status_code == 404
    # A company only this story names has no page yet: it would announce the story.
    assert client.get(reverse("public:company", args=["helios"])).status_code == 404
    assert (
        client.get(reverse("public:company_feed", args=["helios"])).status_code == 404
    )


def test_a_scheduled_story_is_not_public_before_its_time(client: Client) -> None:
    article = story(S.IN_REVIEW, title="Embargoed results")
    services.article_schedule_publish(
        article=article, editor=chief(), publish_at=timezone.now() + timedelta(hours=1)
    )
    assert (
        "Embargoed results" not in client.get(reverse("public:front")).content.decode()
    )


def test_a_storys_other_reports_are_its_sources_not_stories(client: Client) -> None:
    lead = published("Helios buys Lumen")
    report = reported(
        lead, title="Chip giant snaps up optics maker", url="https://b.example/1"
    )
    Article.objects.filter(pk=report.pk).update(status=S.PUBLISHED, slug="report")
    front = client.get(reverse("public:front")).content.decode()
    assert front.count('class="card"') == 1
    assert "and 1 more" in front
    page = client.get(lead.get_absolute_url()).content.decode()
    assert "Chip giant snaps up optics maker" in page  # under "Also reported by"
    assert 'href="https://b.example/1"' in page
    assert client.get(reverse("public:story", args=["report"])).status_code == 404


def test_old_article_links_redirect_to_the_story(client: Client) -> None:
    article = published()
    response = client.get(reverse("public:article", args=[article.pk]))
    assert response.status_code == 301
    assert response["Location"] == reverse("public:story", args=[article.slug])


def test_a_storys_address_survives_a_new_headline() -> None:
    article = published("Harbour expansion approved")
    slug = article.slug
    services.article_edit(
        article=article,
        editor=chief("boss"),
        version=article.version,
        changes={"title": "Northport harbour expansion approved"},
        correction="named the port",
    )
    article.refresh_from_db()
    assert article.slug == slug == "harbour-expansion-approved"
    second = published("Harbour expansion approved")
    assert second.slug == "harbour-expansion-approved-2"


# --------------------------------------------------------------------------------------------
# The story page
# --------------------------------------------------------------------------------------------
def test_the_story_page_carries_everything_in_order_and_never_the_source_text(
    client: Client,
) -> None:
    article = published(
        "Helios buys Lumen for $4.2bn",
        summary="Helios agreed to buy Lumen.",
        analysis="The deal makes Helios the largest optics supplier.",
        takeaways=["Helios pays $4.2bn.", "Regulators must approve."],
        sentiment="bullish",
        importance=7,
        content="<p>The publisher's whole article, word for word.</p>",
        image_url="https://img.example/lumen.jpg",
        author="Ada Reporter",
    )
    helios = Company.objects.create(
        name="Helios Semiconductor", slug="helios", ticker="HLSM"
    )
    article.companies.add(helios)
    Article.objects.filter(pk=article.pk).update(
        category=Category.objects.get(slug="technology")
    )
    page = client.get(article.get_absolute_url()).content.decode()
    html = page[page.index('<article class="story">') :]
    order = [
        "Technology",
        "<h1>Helios buys Lumen for $4.2bn</h1>",
        "Ada Reporter",
        "Importance 7/10",
        "Bullish",
        'src="https://img.example/lumen.jpg"',
        "Image: ",
        "generated offline",  # the label comes before what it labels
        '<h2 id="summary-title">Summary</h2>',
        "Helios agreed to buy Lumen.",
        "Analysis",
        "Key takeaways",
        "Helios pays $4.2bn.",
        "Companies mentioned",
        'href="/company/helios/"',
        "Read original → via",
        "All the latest stories",
    ]
    positions = [html.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert "whole article, word for word" not in page


def test_the_ai_fields_say_who_wrote_them(client: Client) -> None:
    article = published()
    assert (
        "generated offline" in client.get(article.get_absolute_url()).content.decode()
    )
    claude = Enrichment.objects.create(
        article=article,
        status="ok",
        backend="claude",
        model="claude-haiku-5-5",
        prompt_version="t",
        input_hash="c",
    )
    Article.objects.filter(pk=article.pk).update(enrichment=claude)
    cache.clear()
    html = client.get(article.get_absolute_url()).content.decode()
    assert "AI-generated, reviewed by our editors." in html


@pytest.mark.parametrize(
    ("backend", "label"),
    [("offline", "generated offline by rules"), ("claude", "AI-generated")],
)
def test_a_story_no_editor_read_does_not_claim_their_review(
    client: Client, backend: str, label: str
) -> None:
    """The demo's setup publishes its first stories unread; an editor who publishes the
    story again has read it, and the page says so from then on."""
    proposal = Enrichment.objects.create(
        article=story(S.APPROVED),
        status="ok",
        backend=backend,
        model=f"{backend}-model",
        prompt_version="t",
        input_hash=backend,
    )
    article = proposal.article
    Article.objects.filter(pk=article.pk).update(enrichment=proposal)
    boss = chief("setup")
    article = services.article_publish(article=article, editor=boss, reviewed=False)
    html = unescape(client.get(article.get_absolute_url()).content.decode())
    assert label in html
    assert "published without an editor's review." in html
    assert "reviewed by our editors" not in html

    article = services.article_unpublish(
        article=article, editor=boss, reason="a test takedown"
    )
    article = services.article_publish(article=article, editor=boss, again=True)
    cache.clear()
    html = unescape(client.get(article.get_absolute_url()).content.decode())
    assert label in html and "reviewed by our editors." in html
    assert "without an editor's review" not in html


def test_an_editor_correcting_an_unreviewed_story_has_reviewed_it(
    client: Client,
) -> None:
    """A stranger's find: "published without an editor's review. Our editors rewrote
    parts of it." said of a story a chief had just corrected."""
    boss = chief("setup")
    article = services.article_publish(
        article=story(S.APPROVED), editor=boss, reviewed=False
    )
    services.article_edit(
        article=article,
        editor=boss,
        version=article.version,
        changes={"summary": "Harbour expansion approved by the port board."},
        correction="Named who approved it.",
    )
    cache.clear()
    html = unescape(client.get(article.get_absolute_url()).content.decode())
    assert "reviewed by our editors. Our editors rewrote parts of it." in html
    assert "without an editor's review" not in html


def test_a_new_importance_is_not_called_a_rewrite(client: Client) -> None:
    """A stranger: after a press of "9" in the queue the story page said "Our editors
    rewrote parts of it."; nobody rewrote anything."""
    article = published()
    article.enrichment = proposal(article, backend="claude", model="claude-x")
    article.save(update_fields=["enrichment"])
    services.article_edit(
        article=article,
        editor=chief("ranker"),
        version=Article.objects.get(pk=article.pk).version,
        changes={"importance": 9},
    )
    cache.clear()
    html = unescape(client.get(article.get_absolute_url()).content.decode())
    assert "AI-generated" in html
    assert "rewrote" not in html


def test_only_a_change_of_the_words_counts_as_reading_and_undo_keeps_it_read(
    client: Client,
) -> None:
    """Two attacks: a new importance alone marked the copy read; undoing a rewrite made
    the live story unread again (and partners were told reviewed: false)."""
    boss = chief("setup")
    article = services.article_publish(
        article=story(S.APPROVED), editor=boss, reviewed=False
    )
    article = services.article_edit(
        article=article,
        editor=boss,
        version=article.version,
        changes={"importance": 9},
        silent=True,
    )
    assert article.published_unreviewed is True
    article = services.article_edit(
        article=article,
        editor=boss,
        version=article.version,
        changes={"summary": "Harbour expansion approved by the port board."},
        correction="Named who approved it.",
    )
    assert article.published_unreviewed is False
    services.article_undo(article=article.pk, editor=boss, version=article.version)
    article.refresh_from_db()
    assert article.summary != "Harbour expansion approved by the port board."
    assert article.published_unreviewed is False


def test_the_provenance_line_names_only_what_the_page_shows(client: Client) -> None:
    article = published(takeaways=[], analysis="")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Summary generated offline" in html
    assert "takeaways generated" not in html


def test_copy_no_machine_wrote_and_no_editor_reviewed_says_only_that(
    client: Client,
) -> None:
    article = services.article_publish(
        article=story(S.APPROVED), editor=chief("setup"), reviewed=False
    )
    Article.objects.filter(pk=article.pk).update(enrichment=None)
    html = unescape(client.get(article.get_absolute_url()).content.decode())
    assert "Published without an editor's review." in html
    assert "Written by our editors." not in html


def test_the_story_page_tells_search_engines_what_it_is(client: Client) -> None:
    article = published(
        summary="Helios agreed to buy Lumen </script><script>x()</script>"
    )
    html = client.get(article.get_absolute_url()).content.decode()
    canonical = f"http://testserver/story/{article.slug}/"
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta name="twitter:card"' in html
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert block is not None
    data = json.loads(block.group(1))
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == article.title
    assert data["url"] == canonical
    assert "<script>x()" not in block.group(1)  # escaped, cannot close the element


def test_corrections_are_shown_under_the_story_dated(
    client: Client, django_capture_on_commit_callbacks: object
) -> None:
    article = published()
    client.get(article.get_absolute_url())  # cached before the correction
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        services.article_edit(
            article=article,
            editor=chief("boss"),
            version=article.version,
            changes={"summary": "Fixed figure."},
            correction="corrected the figure in the summary",
        )
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Updated" in html and "corrected the figure in the summary" in html
    assert "Fixed figure." in html  # the cache was told


def test_related_stories_are_one_per_story(client: Client) -> None:
    from stories import clustering

    first = published(
        "Helios Semiconductor agrees to buy Lumen Optics",
        text="Helios Semiconductor agreed to buy Lumen Optics for $4.2 billion in cash.",
    )
    second = published(
        "Lumen Optics shareholders back Helios Semiconductor offer",
        text="Shareholders of Lumen Optics backed the Helios Semiconductor offer today.",
    )
    for article in (first, second):
        Article.objects.filter(pk=article.pk).update(cluster=None)
        clustering.assign(Article.objects.get(pk=article.pk))
    html = client.get(first.get_absolute_url()).content.decode()
    assert html.count(second.title) <= 1


# --------------------------------------------------------------------------------------------
# Lists: filters, orders, keyset pages
# --------------------------------------------------------------------------------------------
def test_the_front_page_lists_newest_first_in_constant_queries(
    client: Client, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    source = SourceFactory.create(name="Harbour Wire")
    ArticleFactory.create_batch(40, source=source, status=S.PUBLISHED, summary="S.")
    with django_assert_max_num_queries(4):
        response = client.get(reverse("public:front"))
    html = response.content.decode()
    assert html.count('class="card"') == lists.PAGE_SIZE
    assert "Harbour Wire" in html
    assert "Load more stories" in html


def test_load_more_walks_every_story_once_even_when_new_ones_arrive(
    client: Client,
) -> None:
    base = datetime(2026, 11, 20, 9, tzinfo=UTC)
    made = [
        ArticleFactory.create(
            status=S.PUBLISHED, published_at=base + timedelta(minutes=i % 7)
        )
        for i in range(45)
    ]
    seen: list[str] = []
    url = reverse("public:front")
    while url:
        html = client.get(url, headers=HX if seen else {}).content.decode()
        seen += re.findall(r'<h2><a href="/story/([^/]+)/"', html)
        if len(seen) == lists.PAGE_SIZE:  # a new story arrives while the reader reads
            ArticleFactory.create(
                status=S.PUBLISHED, published_at=base + timedelta(days=9)
            )
        found = re.search(r'hx-get="(\?[^"]+)"', html)
        url = (
            reverse("public:front") + found.group(1).replace("&amp;", "&")
            if found
            else ""
        )
    assert sorted(seen) == sorted(a.slug for a in made)


def test_load_more_works_without_javascript_as_plain_pages(client: Client) -> None:
    ArticleFactory.create_batch(25, status=S.PUBLISHED)
    first = client.get(reverse("public:front")).content.decode()
    link = re.search(r'<a href="(\?[^"]+)" data-hx-get', first)
    assert link is not None
    second = client.get(reverse("public:front") + link.group(1).replace("&amp;", "&"))
    assert second.content.decode().count('class="card"') == 5
    assert second.content.decode().startswith("<!doctype html>")


def test_filters_combine_and_unknown_values_are_ignored(client: Client) -> None:
    helios = Company.objects.create(name="Helios", slug="helios")
    markets = Category.objects.get(slug="markets")
    wanted = ArticleFactory.create(
        status=S.PUBLISHED,
        title="Wanted one",
        sentiment="bearish",
        importance=8,
        category=markets,
    )
    wanted.companies.add(helios)
    ArticleFactory.create(
        status=S.PUBLISHED,
        title="Too calm",
        sentiment="bearish",
        importance=3,
        category=markets,
    ).companies.add(helios)
    ArticleFactory.create(
        status=S.PUBLISHED,
        title="Other company",
        sentiment="bearish",
        importance=9,
        category=markets,
    )
    query = "?category=markets&sentiment=bearish&company=helios&min=5"
    html = client.get(reverse("public:front") + query).content.decode()
    assert (
        "Wanted one" in html and "Too calm" not in html and "Other company" not in html
    )
    odd = client.get(reverse("public:front") + "?category=nope&min=eleven&sentiment=x")
    assert odd.status_code == 200 and odd.content.decode().count('class="card"') == 3


def test_top_orders_by_importance_within_the_window(client: Client) -> None:
    now = timezone.now()
    ArticleFactory.create(
        status=S.PUBLISHED,
        title="Big old",
        importance=10,
        published_at=now - timedelta(days=3),
    )
    ArticleFactory.create(
        status=S.PUBLISHED,
        title="Big new",
        importance=9,
        published_at=now - timedelta(hours=2),
    )
    ArticleFactory.create(
        status=S.PUBLISHED,
        title="Small new",
        importance=2,
        published_at=now - timedelta(hours=1),
    )
    day = client.get(reverse("public:top")).content.decode()
    assert "Big old" not in day
    assert day.index("Big new") < day.index("Small new")
    week = client.get(reverse("public:top") + "?window=7d").content.decode()
    assert week.index("Big old") < week.index("Big new")


def test_company_category_and_source_pages(client: Client) -> None:
    article = published("Helios buys Lumen", sentiment="bullish")
    helios = Company.objects.create(
        name="Helios Semiconductor", slug="helios", ticker="HLSM"
    )
    article.companies.add(helios)
    cache.clear()
    company = client.get(reverse("public:company", args=["helios"])).content.decode()
    assert "Helios buys Lumen" in company and "<svg" in company and "HLSM" in company
    assert "1 bullish" in company  # the week's bar says what it counts
    source = client.get(reverse("public:source", args=[article.source.slug]))
    assert "Helios buys Lumen" in source.content.decode()
    assert client.get(reverse("public:company", args=["nobody"])).status_code == 404
    assert client.get(reverse("public:category", args=["nothing"])).status_code == 404


def test_search_finds_published_stories_by_their_words(client: Client) -> None:
    published("Helios buys Lumen", summary="A deal in optics.")
    published("Harbour expansion approved", summary="Berths and cranes.")
    html = client.get(reverse("public:search") + "?q=optics").content.decode()
    assert "Helios buys Lumen" in html and "Harbour expansion" not in html
    empty = client.get(reverse("public:search") + "?q=zeppelin").content.decode()
    assert "No story matches." in empty and "Try fewer or other words" in empty
    assert client.get(reverse("public:search") + "?q=%00").status_code == 400


# --------------------------------------------------------------------------------------------
# Fast and cacheable
# --------------------------------------------------------------------------------------------
def test_public_pages_set_no_cookie_and_do_not_vary_on_it(client: Client) -> None:
    article = published()
    for url in (
        reverse("public:front"),
        article.get_absolute_url(),
        reverse("public:feed"),
    ):
        response = client.get(url)
        assert response.cookies == {}, url
        assert "Cookie" not in response.get("Vary", ""), url
        assert "public" in response["Cache-Control"]


def test_a_story_taken_down_is_gone_from_the_next_page_view_of_every_reader(
    client: Client, django_capture_on_commit_callbacks: object
) -> None:
    """A stranger: pages went out as "public, max-age=60", so a browser or a shared cache
    kept showing an unpublished story for up to a minute without asking. They may keep a
    page, but must ask again (with its ETag) before each use."""
    article = published()
    response = client.get(article.get_absolute_url())
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert directives == {"public", "no-cache"}

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        services.article_unpublish(
            article=article, editor=chief("taker"), reason="a test takedown"
        )
    again = client.get(
        article.get_absolute_url(), headers={"If-None-Match": response["ETag"]}
    )
    assert again.status_code == 404


def test_a_site_behind_a_cdn_may_let_caches_keep_a_page_for_a_while(
    client: Client, settings: Settings
) -> None:
    settings.PUBLIC_MAX_AGE = 30
    response = client.get(published().get_absolute_url())
    assert {d.strip() for d in response["Cache-Control"].split(",")} == {
        "public",
        "max-age=30",
    }


def test_a_cached_page_costs_no_query_and_a_known_one_is_a_304(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    article = published()
    first = client.get(article.get_absolute_url())
    with django_assert_num_queries(0):
        again = client.get(article.get_absolute_url())
    assert again.content == first.content
    with django_assert_num_queries(0):
        unchanged = client.get(
            article.get_absolute_url(), headers={"If-None-Match": first["ETag"]}
        )
    assert unchanged.status_code == 304


def test_publishing_and_unpublishing_refresh_the_cached_pages(
    client: Client, django_capture_on_commit_callbacks: object
) -> None:
    first = published("First story")
    assert "First story" in client.get(reverse("public:front")).content.decode()
    etag = client.get(reverse("public:front"))["ETag"]
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        services.article_unpublish(
            article=first, editor=chief("boss"), reason="a test takedown"
        )
    fresh = client.get(reverse("public:front"), headers={"If-None-Match": etag})
    assert fresh.status_code == 200
    assert "First story" not in fresh.content.decode()
    assert client.get(first.get_absolute_url()).status_code == 404


def test_pages_send_security_headers(client: Client) -> None:
    response = client.get(reverse("public:front"))
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_robots_txt_names_the_sitemaps_and_keeps_crawlers_off_the_desk(
    client: Client,
) -> None:
    text = client.get("/robots.txt").content.decode()
    assert "Disallow: /editorial/" in text and "Disallow: /admin/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


def test_a_process_trusts_the_generation_it_read_for_a_moment_and_its_own_changes_at_once(
    client: Client,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: object,
) -> None:
    """One cache round trip per page served from Redis instead of two: the generation is
    remembered for PUBLIC_GENERATION_MEMO_SECONDS. A change made in this process shows at
    once; one made by another process (here: the cache written behind our back) once the
    memo has expired."""
    from django.core.cache import cache as shared

    from public import cache as pages

    settings.PUBLIC_GENERATION_MEMO_SECONDS = 60
    clock = [1000.0]
    monkeypatch.setattr(pages.time, "monotonic", lambda: clock[0])
    first = published("First story")
    front = reverse("public:front")
    assert "First story" in client.get(front).content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        services.article_unpublish(
            article=first, editor=chief("boss"), reason="a test takedown"
        )
    assert "First story" not in client.get(front).content.decode()  # our own change

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        second = published("Second story")
    assert "Second story" in client.get(front).content.decode()
    # Another process starts a new generation: seen once the memo expires.
    shared.set(pages.GENERATION, "elsewhere", timeout=None)
    Article.objects.filter(pk=second.pk).update(title="Renamed elsewhere")
    assert "Second story" in client.get(front).content.decode()
    clock[0] += 61
    assert "Renamed elsewhere" in client.get(front).content.decode()
