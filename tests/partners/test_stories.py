"""The stories resource: published stories only, everything a partner needs about each
(with who wrote every AI field), filters that refuse what they do not know, ETags, and a
constant number of queries whatever the page size."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries, Settings

from articles.models import Article, Category, Company
from editorial import services
from partners.models import StoryChange
from tests.editorial.factories import chief, editor, proposal, reported, story
from tests.partners.factories import api, published

pytestmark = pytest.mark.django_db
S = Article.Status
STORIES = "/api/v1/stories/"


def ids(response: Any) -> list[int]:
    return [item["id"] for item in response.json()["results"] if "title" in item]


def test_a_companys_own_sentiment_is_found_under_the_name_the_article_used() -> None:
    """A stranger: the AI names a company as the article does ("Verdant Grid"), the site
    as it is known ("Verdant Grid Energy"): the API said "sentiment": null for every such
    company of the demo."""
    verdant = Company.objects.create(
        name="Verdant Grid Energy", slug="verdant", aliases=["Verdant Grid"]
    )
    lead = story(S.APPROVED, title="Verdant Grid lands its largest contract")
    lead.companies.add(verdant)
    lead.enrichment = proposal(lead, company_sentiments={"Verdant Grid": "bullish"})
    lead.save(update_fields=["enrichment"])
    services.article_publish(article=lead.pk, editor=chief())

    body = api().get(f"{STORIES}{lead.pk}/").json()

    assert [(c["name"], c["sentiment"]) for c in body["companies"]] == [
        ("Verdant Grid Energy", "bullish")
    ]


def test_a_story_carries_what_a_partner_republishes_and_where_each_ai_field_came_from() -> (
    None
):
    helios = Company.objects.create(name="Helios", slug="helios", ticker="HLS")
    markets = Category.objects.get(slug="markets")
    lead = story(
        S.APPROVED,
        title="Helios buys Lumen",
        author="A. Reporter",
        url="https://wire.example/helios-lumen",
        image_url="https://img.example/helios.jpg",
        analysis="Consolidation continues.",
        takeaways=[
            "Deal closes in Q3.",
            "Regulators must approve.",
            "Shares rose 4 %.",
        ],
        sentiment="bullish",
        importance=8,
        category=markets,
        text="The source's own words, which partners never get.",
    )
    lead.companies.add(helios)
    lead.enrichment = proposal(
        lead,
        importance_reason="a $4bn acquisition",
        company_sentiments={"Helios": "bullish"},
    )
    lead.save(update_fields=["enrichment"])
    other = reported(lead, url="https://other.example/helios")
    boss = chief()
    services.article_publish(article=lead.pk, editor=boss)
    lead.refresh_from_db()
    services.article_edit(
        article=lead,
        editor=boss,
        version=lead.version,
        changes={"summary": "Helios agreed to buy Lumen for $4bn."},
        correction="Corrected the price.",
    )
    body = api().get(f"{STORIES}{lead.pk}/").json()
    assert body["title"] == "Helios buys Lumen"
    assert body["url"] == f"http://testserver/story/{lead.slug}/"
    assert body["original_url"] == "https://wire.example/helios-lumen"
    assert body["source"]["name"] == lead.source.name
    assert body["other_sources"] == [
        {
            "source": other.source.name,
            "url": other.url,
            "published_at": body["other_sources"][0]["published_at"],
        }
    ]
    assert body["author"] == "A. Reporter"
    assert body["summary"] == "Helios agreed to buy Lumen for $4bn."
    assert body["takeaways"] == [
        "Deal closes in Q3.",
        "Regulators must approve.",
        "Shares rose 4 %.",
    ]
    assert (body["sentiment"], body["importance"]) == ("bullish", 8)
    assert body["importance_reason"] == "a $4bn acquisition"
    assert body["category"]["slug"] == "markets"
    assert body["companies"] == [
        {"name": "Helios", "slug": "helios", "ticker": "HLS", "sentiment": "bullish"}
    ]
    assert body["image"] == {
        "url": "https://img.example/helios.jpg",
        "credit": lead.source.name,
    }
    assert [c["note"] for c in body["corrections"]] == ["Corrected the price."]
    assert body["provenance"]["summary"] == {
        "backend": "offline",
        "model": "offline-1",
        "prompt_version": "t",
        "edited_by_desk": True,
    }
    assert body["provenance"]["analysis"]["edited_by_desk"] is False
    assert body["reviewed"] is True
    assert body["updated_at"] >= body["published_at"]
    assert "The source's own words" not in str(body)
    assert "text" not in body and "content" not in body


def test_partners_are_told_a_story_went_out_without_an_editors_review() -> None:
    unread = story(S.APPROVED, title="Published by the setup")
    services.article_publish(article=unread, editor=chief(), reviewed=False)
    body = api().get(f"{STORIES}{unread.pk}/").json()
    assert body["reviewed"] is False


@pytest.mark.parametrize("state", [s for s in S if s != S.PUBLISHED])
def test_a_story_not_published_is_in_no_list_filter_or_detail(state: str) -> None:
    published("Visible story")
    hidden = story(state, title="Defamatory story", slug=f"hidden-{state}")
    client = api()
    for query in [
        {},
        {"q": "Defamatory"},
        {"source": hidden.source.slug},
        {"updated_since": "2000-01-01T00:00:00Z"},
    ]:
        assert "Defamatory" not in str(client.get(STORIES, query).json()["results"])
    assert client.get(f"{STORIES}{hidden.pk}/").status_code == 404
    assert client.get(f"{STORIES}{hidden.slug}/").status_code == 404


def test_a_storys_other_reports_are_its_sources_not_stories() -> None:
    lead = published("Port strike")
    report = reported(lead, status=S.PUBLISHED, title="Dockers walk out")
    body = api().get(STORIES).json()
    assert ids(api().get(STORIES)) == [lead.pk]
    assert "Dockers walk out" not in str(body)
    assert api().get(f"{STORIES}{report.pk}/").status_code == 404


def test_a_story_is_found_by_id_and_by_slug() -> None:
    a = published("Harbour expansion approved")
    client = api()
    assert client.get(f"{STORIES}{a.pk}/").json()["id"] == a.pk
    assert client.get(f"{STORIES}{a.slug}/").json()["id"] == a.pk
    assert client.get(f"{STORIES}no-such-story/").status_code == 404
    assert client.get(f"{STORIES}99999999999999999999999/").status_code == 404
    # Digits to str.isdigit() but not to int(): found by the contract test (was a 500).
    for odd in ("¹", "٣", "²³"):
        missing = client.get(f"{STORIES}{odd}/")
        assert missing.status_code == 404 and missing.json()["detail"]


def test_an_unpublished_story_answers_410_with_its_tombstone(
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        a = published("Story legal says kill")
    with django_capture_on_commit_callbacks(execute=True):
        services.article_unpublish(
            article=a.pk, editor=chief("boss2"), reason="a test takedown"
        )
    response = api().get(f"{STORIES}{a.pk}/")
    assert response.status_code == 410
    assert response.json()["id"] == a.pk and response.json()["unpublished_at"]


def test_each_filter_narrows_the_list() -> None:
    helios = Company.objects.create(name="Helios", slug="helios", ticker="HLS")
    markets = Category.objects.get(slug="markets")
    a = published(
        "Helios buys Lumen", importance=9, sentiment="bullish", category=markets
    )
    a.companies.add(helios)
    b = published("Rail strike called off", importance=3, sentiment="bearish")
    old = published("Old news", importance=5)
    Article.objects.filter(pk=old.pk).update(
        published_at_site=timezone.now() - timedelta(days=3)
    )
    client = api()
    since = (timezone.now() - timedelta(days=1)).isoformat()
    cases = {
        "category=markets": [a.pk],
        "sentiment=bearish": [b.pk],
        "company=helios": [a.pk],
        "ticker=hls": [a.pk],
        f"source={b.source.slug}": [b.pk],
        "importance_min=8": [a.pk],
        "importance_max=3": [b.pk],
        "importance_min=4&importance_max=6": [old.pk],
        "q=Lumen": [a.pk],
        f"published_since={since.replace('+', '%2B')}": [a.pk, b.pk],
    }
    for query, expected in cases.items():
        assert sorted(ids(client.get(f"{STORIES}?{query}"))) == sorted(expected), query


@pytest.mark.parametrize(
    "query, names",
    [
        ("importance_min=eleven", "importance_min"),
        ("importance_min=11", "importance_min"),
        ("sentiment=ecstatic", "sentiment"),
        ("updated_since=yesterday", "updated_since"),
        ("published_since=2026-13-45", "published_since"),
        ("page_size=0", "page_size"),
        ("page_size=1000", "page_size"),
        ("cursor=not-a-cursor", "cursor"),
    ],
)
def test_a_malformed_value_is_a_400_naming_the_parameter(
    query: str, names: str
) -> None:
    published()
    response = api().get(f"{STORIES}?{query}")
    assert response.status_code == 400
    assert names in response.json()


def test_an_unknown_parameter_is_a_400_naming_the_allowed_ones() -> None:
    response = api().get(STORIES, {"categroy": "markets"})
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "categroy" in detail and "category" in detail and "updated_since" in detail


def test_an_unchanged_answer_is_a_304_for_the_etag_the_partner_has() -> None:
    a = published()
    client = api()
    for url in [STORIES, f"{STORIES}{a.pk}/", "/api/v1/sources/"]:
        first = client.get(url)
        etag = first["ETag"]
        again = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304, url
        assert again["X-RateLimit-Limit"]
    services.article_edit(
        article=a.pk,
        editor=chief("c9"),
        version=a.version,
        changes={"summary": "Changed."},
        correction="Fixed.",
    )
    assert client.get(f"{STORIES}{a.pk}/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def _many(n: int) -> None:
    helios = Company.objects.create(name=f"Helios {n}", slug=f"helios-{n}")
    for i in range(n):
        lead = published(f"Story {n}-{i}")
        lead.companies.add(helios)
        reported(lead)
        services.article_edit(
            article=lead.pk,
            editor=chief(f"e{n}-{i}"),
            version=lead.version,
            changes={"summary": f"Corrected {i}."},
            correction="Fixed a figure.",
        )


@pytest.mark.parametrize("n", [3, 30])
def test_the_list_costs_the_same_queries_whatever_the_page_size(
    n: int, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    _many(n)
    client = api()
    client.get(STORIES)  # the key's last use is written once a minute: not on this page
    with django_assert_max_num_queries(8):
        response = client.get(STORIES, {"page_size": n})
    assert len(response.json()["results"]) == n


def test_reference_lists_cost_a_few_queries(
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    for i in range(20):
        Company.objects.create(name=f"Company {i}", slug=f"company-{i}")
    client = api()
    client.get("/api/v1/companies/")
    for url in ["/api/v1/companies/", "/api/v1/categories/", "/api/v1/sources/"]:
        with django_assert_max_num_queries(3):
            assert client.get(url).status_code == 200


def test_the_feed_starts_with_what_was_published_before_it_existed() -> None:
    a = published()
    StoryChange.objects.all().delete()  # as after an upgrade, before the data migration
    from importlib import import_module

    from django.apps import apps

    import_module("partners.migrations.0002_feed_from_published").fill(apps, None)
    assert ids(api().get(STORIES)) == [a.pk]


def test_an_editor_is_not_a_partner() -> None:
    from django.test import Client

    client = Client()
    client.force_login(editor())
    assert client.get(STORIES).status_code == 401


def test_an_error_under_the_api_is_json(client: Client) -> None:
    """A partner's client parses every answer: even a server error is JSON there, while
    the site keeps its pages."""
    from newsroom.urls import server_error

    request = RequestFactory().get("/api/v1/stories/")
    answer = server_error(request)
    assert answer.status_code == 500 and answer["Content-Type"] == "application/json"
    assert "detail" in json.loads(answer.content)
    assert client.get("/api/v1/no-such-thing/").json()["detail"].startswith("Not found")
    assert client.get("/api/nothing/here").status_code == 404
    page = server_error(RequestFactory().get("/story/x/"))
    assert page.status_code == 500 and b"<html" in page.content.lower()


def test_a_complete_page_is_built_once_for_every_partner_until_the_feed_moves(
    django_assert_max_num_queries: DjangoAssertNumQueries,
    django_capture_on_commit_callbacks,
) -> None:
    """A page followed by more pages is the same for everyone until something changes:
    the second partner to ask gets the same bytes without the stories being read again.
    A correction moves the feed, and nobody is served the old copy."""
    with django_capture_on_commit_callbacks(execute=True):
        first = published("Helios buys Lumen")
        published("Second story")
    page = f"{STORIES}?page_size=1"
    one, other = api(), api()
    built = one.get(page)
    assert built.json()["has_more"] is True
    other.get(STORIES)  # this key's last use is written: not on the page below
    with django_assert_max_num_queries(3):  # the key and its partner, nothing else
        kept = other.get(page)
    assert kept.content == built.content and kept["ETag"] == built["ETag"]

    with django_capture_on_commit_callbacks(execute=True):
        services.article_edit(
            article=first.pk,
            editor=chief("boss"),
            version=Article.objects.get(pk=first.pk).version,
            changes={"summary": "Corrected summary."},
            correction="Corrected the summary.",
        )
    after = other.get(page).json()
    assert [s["title"] for s in after["results"]] == ["Second story"]
    (corrected,) = [
        s for s in api().get(STORIES).json()["results"] if s["id"] == first.pk
    ]
    assert corrected["summary"] == "Corrected summary."


def test_the_last_page_is_never_kept_so_settled_changes_reach_it(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The end of the feed grows as changes settle, without the feed moving again."""
    settings.PARTNER_FEED_SETTLE_SECONDS = 60
    published("Helios buys Lumen")
    client = api()
    assert ids(client.get(STORIES)) == []  # not settled yet
    later = timezone.now() + timedelta(seconds=61)
    monkeypatch.setattr(
        "partners.views.settled_before", lambda: later - timedelta(seconds=60)
    )
    assert len(ids(client.get(STORIES))) == 1


def test_a_story_changed_out_of_a_filter_reaches_the_partner_who_pulls_that_filter(
    django_capture_on_commit_callbacks,
) -> None:
    """A partner pulling importance_min=6 holds story A; the desk lowers A to 3. The next
    pull of that filtered feed says A no longer matches (the stranger's kept `next` link
    returned nothing, and the partner kept importance 6 for good)."""
    with django_capture_on_commit_callbacks(execute=True):
        a = published("Helios buys Lumen", importance=6)
        published("Minor story", importance=2)
    client = api()
    first = client.get(STORIES, {"importance_min": 6}).json()
    assert [r["id"] for r in first["results"] if "title" in r] == [a.pk]
    with django_capture_on_commit_callbacks(execute=True):
        services.article_edit(
            article=a.pk,
            editor=chief("boss"),
            version=Article.objects.get(pk=a.pk).version,
            changes={"importance": 3},
            correction="Lowered the importance.",
        )
    later = client.get(first["next"]).json()["results"]
    assert later == [
        {"id": a.pk, "updated_at": later[0]["updated_at"], "matches_filters": False}
    ]
    # Without filters the same change is the story itself, corrected.
    (whole,) = [r for r in client.get(STORIES).json()["results"] if r["id"] == a.pk]
    assert whole["importance"] == 3
