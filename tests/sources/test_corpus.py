"""The real-world and hostile feed corpus in ../shared/feeds, end to end through HTTP.

Locally these skip when the corpus is absent; in CI its absence stops the run
(see conftest.py).
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import feedparser
import pytest
from django.utils import timezone

from articles.models import Article
from sources.models import FetchAttempt, Source
from sources.services import source_fetch
from tests.conftest import shared_feeds
from tests.factories import SourceFactory
from tests.feedserver import FeedServer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("require_shared_feeds")]


def serve_and_fetch(feeds: FeedServer, path: Path) -> tuple[Source, FetchAttempt]:
    url = feeds.add(f"/{path.name}", path, content_type="application/xml")
    source = SourceFactory.create(feed_url=url, next_fetch_at=timezone.now())
    attempt = source_fetch(source_id=source.pk)
    assert attempt is not None
    source.refresh_from_db()
    return source, attempt


def assert_inert(source: Source) -> None:
    for title, content, text in Article.objects.filter(source=source).values_list(
        "title", "content", "text"
    ):
        stored = f"{title}\n{content}\n{text}".lower()
        assert "<script" not in stored
        assert "javascript:" not in content.lower()
        assert "<iframe" not in content.lower()
        assert " onerror=" not in content.lower() and " onclick=" not in content.lower()


@pytest.mark.parametrize("path", shared_feeds("real"), ids=lambda p: p.name)
def test_every_real_feed_ingests_every_entry_feedparser_finds(
    feeds: FeedServer, path: Path
) -> None:
    expected = len(feedparser.parse(path.read_bytes()).entries)
    source, attempt = serve_and_fetch(feeds, path)
    assert attempt.outcome == FetchAttempt.Outcome.OK, attempt.error
    assert Article.objects.filter(source=source).count() == expected
    assert source.health == Source.Health.OK
    assert_inert(source)
    for title, published_at in Article.objects.filter(source=source).values_list(
        "title", "published_at"
    ):
        assert title.strip() and published_at is not None


@pytest.mark.timeout(20)
@pytest.mark.parametrize("path", shared_feeds("hostile"), ids=lambda p: p.name)
def test_every_hostile_feed_ends_in_items_or_a_readable_error(
    feeds: FeedServer, path: Path
) -> None:
    tracemalloc.start()
    try:
        source, attempt = serve_and_fetch(feeds, path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 1024 * 1024
    stored = Article.objects.filter(source=source).count()
    if attempt.outcome == FetchAttempt.Outcome.ERROR:
        assert stored == 0
        assert source.health == Source.Health.FAILING
        assert source.last_error and "Traceback" not in source.last_error
        assert source.last_error_kind != "internal", source.last_error
    else:
        assert attempt.outcome == FetchAttempt.Outcome.OK
        assert source.health == Source.Health.OK
    assert_inert(source)


def test_the_hostile_corpus_yields_the_errors_an_editor_can_act_on(
    feeds: FeedServer,
) -> None:
    errors = {}
    for path in shared_feeds("hostile"):
        source, attempt = serve_and_fetch(feeds, path)
        if attempt.outcome == FetchAttempt.Outcome.ERROR:
            errors[path.name] = source.last_error
    assert errors["not_a_feed_html5_page.html"] == "not a feed: got an HTML page"
    assert (
        errors["mac_com_were_sorry_html_error_page.xml"]
        == "not a feed: got an HTML page"
    )
    assert (
        errors["empty_zero_bytes.xml"] == "empty response: the server sent no content"
    )
    assert errors["reuters_most_read_truncated_server_exception.xml"].startswith(
        "broken feed"
    )
    assert "nshipster_gzip_body_served_as_xml.xml" not in errors  # gunzipped and read
