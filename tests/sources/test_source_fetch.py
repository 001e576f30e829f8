from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from sources.models import FetchAttempt, Source
from sources.services import source_fetch
from tests.factories import SourceFactory, rss, story
from tests.feedserver import FeedServer

pytestmark = pytest.mark.django_db

FEED = rss([story(1), story(2), story(3)])


def make_source(url: str, **kwargs: object) -> Source:
    return SourceFactory.create(feed_url=url, next_fetch_at=timezone.now(), **kwargs)


def fetch(source: Source) -> FetchAttempt:
    """source_fetch for an active source that is due, which always records an attempt."""
    attempt = source_fetch(source_id=source.pk)
    assert attempt is not None
    return attempt


def test_a_first_fetch_stores_the_entries_and_marks_the_source_healthy(
    feeds: FeedServer,
) -> None:
    source = make_source(feeds.add("/feed.xml", FEED, etag='"a1"'))
    attempt = source_fetch(source_id=source.pk)
    source.refresh_from_db()
    assert attempt is not None and attempt.outcome == FetchAttempt.Outcome.OK
    assert attempt.new_count == 3 and attempt.entries_found == 3
    assert Article.objects.filter(source=source, status=Article.Status.NEW).count() == 3
    assert source.health == Source.Health.OK
    assert source.etag == '"a1"'
    assert source.last_success_at is not None
    assert source.next_fetch_at is not None and source.next_fetch_at > timezone.now()
    assert source.lease_until is None  # released


def test_an_unchanged_feed_answers_304_and_stores_nothing(feeds: FeedServer) -> None:
    source = make_source(feeds.add("/feed.xml", FEED, etag='"a1"'))
    source_fetch(source_id=source.pk)
    Source.objects.filter(pk=source.pk).update(next_fetch_at=timezone.now())
    attempt = fetch(source)
    source.refresh_from_db()
    assert attempt.outcome == FetchAttempt.Outcome.NOT_MODIFIED
    assert feeds.requests_to("/feed.xml")[1].headers["if-none-match"] == '"a1"'
    assert source.health == Source.Health.NOT_MODIFIED
    assert Article.objects.count() == 3


def test_a_server_ignoring_validators_is_caught_by_the_body_hash(
    feeds: FeedServer,
) -> None:
    source = make_source(feeds.add("/feed.xml", FEED))
    source_fetch(source_id=source.pk)
    attempt = fetch(source)
    assert attempt.outcome == FetchAttempt.Outcome.UNCHANGED
    assert attempt.new_count == 0


def test_new_entries_are_added_on_the_next_fetch(feeds: FeedServer) -> None:
    source = make_source(feeds.add("/feed.xml", FEED))
    source_fetch(source_id=source.pk)
    feeds.add("/feed.xml", rss([story(4), story(1), story(2), story(3)]))
    attempt = fetch(source)
    assert (attempt.new_count, attempt.unchanged_count) == (1, 3)
    assert Article.objects.count() == 4


def test_a_server_error_marks_the_source_failing_and_backs_off(
    feeds: FeedServer,
) -> None:
    source = make_source(feeds.add("/feed.xml", status=500), fetch_interval=600)
    before = timezone.now()
    attempt = fetch(source)
    source.refresh_from_db()
    assert attempt.outcome == FetchAttempt.Outcome.ERROR
    assert source.health == Source.Health.FAILING
    assert source.consecutive_failures == 1
    assert source.last_error == "the server answered HTTP 500 Internal Server Error"
    assert source.next_fetch_at is not None
    assert before + timedelta(seconds=0.8 * 600 - 1) <= source.next_fetch_at
    assert source.next_fetch_at <= before + timedelta(seconds=601)


def test_a_source_is_never_given_up_on(feeds: FeedServer, settings) -> None:
    source = make_source(feeds.add("/feed.xml", status=502))
    for _ in range(12):
        Source.objects.filter(pk=source.pk).update(next_fetch_at=timezone.now())
        source_fetch(source_id=source.pk)
    source.refresh_from_db()
    assert source.active is True
    assert source.consecutive_failures == 12
    assert source.next_fetch_at is not None
    assert source.next_fetch_at <= timezone.now() + timedelta(
        seconds=settings.FEED_BACKOFF_CAP
    )


def test_recovery_resets_the_failure_count(feeds: FeedServer) -> None:
    source = make_source(feeds.add("/feed.xml", status=500))
    source_fetch(source_id=source.pk)
    feeds.add("/feed.xml", FEED)
    source_fetch(source_id=source.pk)
    source.refresh_from_db()
    assert (source.health, source.consecutive_failures, source.last_error) == (
        "ok",
        0,
        "",
    )


def test_retry_after_postpones_the_next_fetch(feeds: FeedServer) -> None:
    source = make_source(
        feeds.add("/feed.xml", status=429, headers={"Retry-After": "7200"})
    )
    source_fetch(source_id=source.pk)
    source.refresh_from_db()
    assert source.next_fetch_at is not None
    assert source.next_fetch_at >= timezone.now() + timedelta(seconds=7100)
    assert "asked to wait 7200 s" in source.last_error


def test_gone_deactivates_the_source_with_the_reason(feeds: FeedServer) -> None:
    source = make_source(feeds.add("/feed.xml", status=410))
    source_fetch(source_id=source.pk)
    source.refresh_from_db()
    assert source.active is False
    assert source.health == Source.Health.DISABLED
    assert "gone (HTTP 410)" in source.disabled_reason
    assert source_fetch(source_id=source.pk) is None  # inactive sources are not fetched


def test_an_html_page_is_a_readable_error(feeds: FeedServer) -> None:
    page = (
        b"<!doctype html><html><head><title>Home</title></head><body>Hi</body></html>"
    )
    source = make_source(feeds.add("/feed.xml", page, content_type="text/html"))
    source_fetch(source_id=source.pk)
    source.refresh_from_db()
    assert source.health == Source.Health.FAILING
    assert source.last_error == "not a feed: got an HTML page"


def test_a_304_does_not_hide_a_broken_body(feeds: FeedServer) -> None:
    source = make_source(feeds.add("/feed.xml", b"<rss><channel><item>", etag='"b"'))
    source_fetch(source_id=source.pk)
    source.refresh_from_db()
    assert source.health == Source.Health.FAILING
    Source.objects.filter(pk=source.pk).update(etag='"b"')
    assert fetch(source).outcome == FetchAttempt.Outcome.NOT_MODIFIED
    source.refresh_from_db()
    assert source.health == Source.Health.FAILING


def test_a_refused_address_is_recorded_on_the_source(
    feeds: FeedServer, settings
) -> None:
    settings.NEWSROOM_ALLOW_PRIVATE_FEEDS = False
    source = make_source(feeds.add("/feed.xml", FEED))
    source_fetch(source_id=source.pk)
    source.refresh_from_db()
    assert "private, loopback or link-local" in source.last_error
    assert source.last_error_kind == "blocked_address"


def test_a_permanent_redirect_moves_the_feed_after_several_fetches(
    feeds: FeedServer, settings
) -> None:
    settings.FEED_REDIRECT_THRESHOLD = 3
    new = feeds.add("/new.xml", FEED)
    old = feeds.add("/old.xml", status=301, location="/new.xml")
    source = make_source(old)
    for expected_url in (old, old, new):
        source_fetch(source_id=source.pk)
        source.refresh_from_db()
        assert source.feed_url == expected_url


def test_a_temporary_redirect_never_moves_the_feed(feeds: FeedServer, settings) -> None:
    settings.FEED_REDIRECT_THRESHOLD = 2
    feeds.add("/new.xml", FEED)
    old = feeds.add("/old.xml", status=302, location="/new.xml")
    source = make_source(old)
    for _ in range(3):
        source_fetch(source_id=source.pk)
    source.refresh_from_db()
    assert source.feed_url == old


def test_a_source_held_by_another_worker_is_not_fetched(feeds: FeedServer) -> None:
    source = make_source(feeds.add("/feed.xml", FEED))
    Source.objects.filter(pk=source.pk).update(
        lease_until=timezone.now() + timedelta(minutes=5), lease_token="other"
    )
    assert source_fetch(source_id=source.pk) is None
    assert feeds.requests_to("/feed.xml") == []


def test_an_expired_lease_is_taken_over_and_the_killed_fetch_is_recorded(
    feeds: FeedServer,
) -> None:
    """A worker killed mid-fetch (SIGKILL, OOM, a lost machine) records nothing itself: the
    next fetch records it, as a failure with the reason, then fetches."""
    source = make_source(feeds.add("/feed.xml", FEED))
    Source.objects.filter(pk=source.pk).update(
        lease_until=timezone.now() - timedelta(seconds=1), lease_token="dead-worker"
    )

    attempt = source_fetch(source_id=source.pk)

    assert attempt is not None and attempt.outcome == FetchAttempt.Outcome.OK
    lost = FetchAttempt.objects.get(source=source, error_kind="lost")
    assert lost.outcome == FetchAttempt.Outcome.ERROR
    assert "worker stopped" in lost.error
    assert lost.started_at < attempt.started_at  # listed before the fetch that found it
    source.refresh_from_db()
    assert source.health == Source.Health.OK  # the fetch that followed succeeded
    assert source.lease_until is None


def test_a_killed_fetch_counts_as_a_failure_until_a_fetch_succeeds(
    feeds: FeedServer,
) -> None:
    source = make_source(feeds.add("/feed.xml", b"", status=500))
    Source.objects.filter(pk=source.pk).update(
        lease_until=timezone.now() - timedelta(seconds=1), lease_token="dead-worker"
    )

    fetch(source)

    source.refresh_from_db()
    assert source.consecutive_failures == 2  # the killed fetch and this 500
    assert source.health == Source.Health.FAILING


def test_a_fetch_queued_twice_by_beat_runs_once(feeds: FeedServer) -> None:
    """Two beats (or a restarted one) queue the same due source twice: the second task
    finds it no longer due and leaves it."""
    source = make_source(feeds.add("/feed.xml", FEED))

    assert source_fetch(source_id=source.pk, due_only=True) is not None
    assert source_fetch(source_id=source.pk, due_only=True) is None

    assert len(feeds.requests_to("/feed.xml")) == 1
    # An editor's "fetch now" is not beat's: it fetches whenever it is asked.
    assert source_fetch(source_id=source.pk) is not None


def test_the_feed_ttl_lengthens_the_interval(feeds: FeedServer) -> None:
    source = make_source(
        feeds.add("/feed.xml", rss([story(1)], ttl=180)), fetch_interval=300
    )
    source_fetch(source_id=source.pk)
    source.refresh_from_db()
    assert source.next_fetch_at is not None
    assert source.next_fetch_at >= timezone.now() + timedelta(minutes=179)


def test_a_fetch_stopped_by_the_task_time_limit_is_recorded_and_backed_off(
    feeds: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 11: Celery's soft time limit used to escape source_fetch with nothing
    recorded — no attempt, no failure count, the source shown healthy and sent again by
    beat every minute."""
    from celery.exceptions import SoftTimeLimitExceeded

    from sources import fetching

    source = make_source(feeds.add("/slow.xml", FEED))

    def held_too_long(*_: object, **__: object) -> None:
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(fetching, "fetch_feed", held_too_long)
    attempt = fetch(source)
    source.refresh_from_db()
    assert attempt.outcome == FetchAttempt.Outcome.ERROR
    assert attempt.error_kind == "timeout" and "time limit" in attempt.error
    assert source.consecutive_failures == 1 and source.health != Source.Health.OK
    assert source.lease_until is None
    assert source.next_fetch_at is not None and source.next_fetch_at > timezone.now()


def test_a_huge_feed_stores_only_its_newest_entries(
    feeds: FeedServer, settings: object
) -> None:
    """Issue 11: a 50,000-item feed stored 36,000 articles and queued as many enrichments."""
    settings.FEED_MAX_ENTRIES = 5  # type: ignore[attr-defined]
    source = make_source(feeds.add("/huge.xml", rss([story(n) for n in range(1, 21)])))
    attempt = fetch(source)
    assert attempt.entries_found == 20 and attempt.new_count == 5
    kept = sorted(Article.objects.filter(source=source).values_list("url", flat=True))
    assert kept == sorted(f"https://wire.example/news/{n}" for n in range(16, 21))


def test_a_feed_with_a_megabyte_author_is_parsed_in_moments(feeds: FeedServer) -> None:
    """Issue: a long <author> sent feedparser's e-mail regex into quadratic time (50 KB:
    21 s; 1 MB: more than five minutes of a worker). Person fields are cut first."""
    author = "a" * 1_000_000
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        "<item><title>Long author</title><link>https://example.com/1</link>"
        f"<author>{author}</author><dc:creator xmlns:dc='http://purl.org/dc/elements/1.1/'>"
        f"{author}</dc:creator><description>Text.</description></item></channel></rss>"
    )
    source = make_source(feeds.add("/author.xml", body))

    started = time.perf_counter()
    attempt = fetch(source)

    assert time.perf_counter() - started < 3
    assert attempt.outcome == FetchAttempt.Outcome.OK
    article = Article.objects.get(source=source)
    assert 0 < len(article.author) <= 200


def test_a_source_with_no_next_fetch_time_is_fetched_by_beat(feeds: FeedServer) -> None:
    """A stranger's find: a source added in the admin with "next fetch" left blank was
    queued by beat every minute and skipped every time."""
    source = make_source(feeds.add("/blank.xml", FEED))
    Source.objects.filter(pk=source.pk).update(next_fetch_at=None)

    assert source_fetch(source_id=source.pk, due_only=True) is not None
