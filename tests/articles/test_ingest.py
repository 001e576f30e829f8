from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.ingest import ingest_entries
from articles.models import Article, Category, Tombstone
from sources.models import Source
from sources.parsing import NormalizedEntry, parse_feed
from sources.sink import IngestStats
from tests.factories import SourceFactory, rss, story

pytestmark = pytest.mark.django_db

FETCHED = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def entries(
    items: list[dict[str, str]], url: str = "https://wire.example/rss"
) -> list[NormalizedEntry]:
    return parse_feed(
        rss(items), url=url, fetched_at=FETCHED, content_type="application/rss+xml"
    ).entries


def ingest(source: Source, items: list[dict[str, str]]) -> IngestStats:
    return ingest_entries(source=source, entries=entries(items), fetched_at=FETCHED)


def test_new_entries_become_new_articles_with_clean_fields() -> None:
    source = SourceFactory.create(default_category="Markets")
    item = story(
        1,
        content="<p>Full <b>body</b> text.</p><script>alert(1)</script>",
        link="https://wire.example/news/1?utm_source=rss",
    )
    stats = ingest(source, [item])
    article = Article.objects.get()
    assert (stats.new, article.status) == (1, Article.Status.NEW)
    assert article.content == "<p>Full <b>body</b> text.</p>"
    assert article.text == "Full body text."
    assert article.canonical_url == "https://wire.example/news/1"
    assert article.category == Category.objects.get(name="Markets")
    assert article.published_at == datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def test_the_same_entry_twice_is_stored_once() -> None:
    source = SourceFactory.create()
    ingest(source, [story(1), story(2)])
    stats = ingest(source, [story(1), story(2)])
    assert (stats.new, stats.unchanged) == (0, 2)
    assert Article.objects.count() == 2


def test_the_same_url_from_another_source_is_a_duplicate() -> None:
    first, second = SourceFactory.create(), SourceFactory.create()
    ingest(first, [story(1)])
    stats = ingest(
        second,
        [
            story(
                1,
                guid="other-guid",
                title="Same story, other headline",
                link="https://wire.example/news/1?utm_campaign=x",
            )
        ],
    )
    assert (stats.new, stats.duplicates) == (0, 1)
    assert Article.objects.count() == 1


def test_the_same_text_under_another_guid_and_url_is_a_duplicate() -> None:
    source = SourceFactory.create()
    ingest(source, [story(1)])
    stats = ingest(
        source, [story(1, guid="reposted", link="https://wire.example/repost")]
    )
    assert stats.duplicates == 1
    assert Article.objects.count() == 1


def test_short_items_sharing_a_title_are_not_taken_for_duplicates() -> None:
    source = SourceFactory.create()
    ads = [story(i, title="Featured Advertiser", description="") for i in range(3)]
    assert ingest(source, ads).new == 3


def test_a_changed_entry_updates_an_unpublished_article_and_counts_the_change() -> None:
    source = SourceFactory.create()
    ingest(source, [story(1)])
    stats = ingest(
        source, [story(1, title="Corrected headline", description="Corrected text.")]
    )
    article = Article.objects.get()
    assert stats.updated == 1
    assert (article.title, article.text) == ("Corrected headline", "Corrected text.")
    assert article.feed_revisions == 1


def test_a_published_article_is_never_rewritten_by_the_feed_but_is_flagged() -> None:
    source = SourceFactory.create()
    ingest(source, [story(1)])
    Article.objects.update(status=Article.Status.PUBLISHED)
    ingest(source, [story(1, title="Silently changed headline")])
    article = Article.objects.get()
    assert article.title == story(1)["title"]
    assert article.upstream_changed_at == FETCHED


def test_deleted_articles_leave_a_tombstone_and_do_not_come_back() -> None:
    source = SourceFactory.create()
    ingest(source, [story(1), story(2)])
    Article.objects.filter(guid=story(1)["guid"]).delete()
    Article.objects.get(guid=story(2)["guid"]).delete()
    assert Tombstone.objects.count() == 2
    stats = ingest(source, [story(1), story(2)])
    assert (stats.new, stats.tombstoned) == (0, 2)
    assert Article.objects.count() == 0


def test_rejected_articles_do_not_come_back() -> None:
    source = SourceFactory.create()
    ingest(source, [story(1)])
    Article.objects.update(status=Article.Status.REJECTED)
    stats = ingest(source, [story(1, title="Changed after rejection")])
    assert stats.new == 0
    assert Article.objects.get().status == Article.Status.REJECTED


def test_ingest_costs_the_same_few_queries_for_5_or_300_entries() -> None:
    def queries_for(n: int) -> int:
        source = SourceFactory.create()
        ingest(source, [story(i) for i in range(n)])  # first pass: inserts
        items = [
            story(i, title=f"Updated {i}") if i % 2 else story(i) for i in range(n)
        ]
        items += [story(i) for i in range(n, n + 5)]
        with CaptureQueriesContext(connection) as ctx:
            ingest(source, items)
        Article.objects.all().delete()
        Tombstone.objects.all().delete()
        return len(ctx)

    small, large = queries_for(5), queries_for(300)
    # Bulk statements may be split into a few chunks by the database's parameter limit, but
    # nothing is issued per entry.
    assert large <= small + 3
    assert large <= 12


def test_duplicate_ids_inside_one_document_keep_every_distinct_post() -> None:
    source = SourceFactory.create()
    guid = "tag:wire.example,2026:same"
    items = [story(1, guid=guid), story(2, guid=guid), story(2, guid=guid)]
    stats = ingest(source, items)
    assert stats.new == 2
    assert Article.objects.filter(guid__startswith=guid + "#").count() == 2
    assert ingest(source, items).new == 0  # stable identities across fetches
