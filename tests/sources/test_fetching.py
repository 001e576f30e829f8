from __future__ import annotations

import pytest

from sources import fetching
from tests.factories import rss, story
from tests.feedserver import FeedServer

FEED = rss([story(1), story(2)])


def test_a_plain_feed_is_fetched_with_a_user_agent_naming_newsroom(
    feeds: FeedServer,
) -> None:
    url = feeds.add("/feed.xml", FEED)
    result = fetching.fetch_feed(url)
    assert result.status == 200
    assert result.body == FEED
    assert result.content_type.startswith("application/rss+xml")
    agent = feeds.requests_to("/feed.xml")[0].headers["user-agent"]
    assert agent.startswith("Newsroom/") and "+http" in agent


def test_validators_are_sent_and_a_304_has_no_body(feeds: FeedServer) -> None:
    url = feeds.add(
        "/feed.xml", FEED, etag='"v1"', last_modified="Wed, 25 Nov 2026 10:00:00 GMT"
    )
    first = fetching.fetch_feed(url)
    second = fetching.fetch_feed(
        url, etag=first.headers["etag"], last_modified=first.headers["last-modified"]
    )
    assert second.not_modified is True
    assert second.body is None
    sent = feeds.requests_to("/feed.xml")[1].headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Wed, 25 Nov 2026 10:00:00 GMT"


def test_gzip_bodies_are_decoded(feeds: FeedServer) -> None:
    url = feeds.add("/gz.xml", FEED, gzip=True)
    assert fetching.fetch_feed(url).body == FEED
    assert "gzip" in feeds.requests_to("/gz.xml")[0].headers["accept-encoding"]


def test_an_oversized_body_is_refused_from_its_declared_length(
    feeds: FeedServer, settings
) -> None:
    settings.FEED_MAX_BYTES = 1000
    url = feeds.add("/big.xml", b"x" * 5000)
    with pytest.raises(fetching.FeedTooLarge, match="feed too large"):
        fetching.fetch_feed(url)


def test_an_oversized_body_without_length_is_cut_while_streaming(
    feeds: FeedServer, settings
) -> None:
    settings.FEED_MAX_BYTES = 100_000
    url = feeds.add("/endless.xml", endless=True)
    with pytest.raises(fetching.FeedTooLarge, match="feed too large"):
        fetching.fetch_feed(url)


def test_a_gzip_bomb_is_stopped_at_the_decoded_size(
    feeds: FeedServer, settings
) -> None:
    settings.FEED_MAX_BYTES = 1_000_000
    url = feeds.add("/bomb.xml", b"\0" * 50_000_000, gzip=True)  # ~50 KB on the wire
    with pytest.raises(fetching.FeedTooLarge):
        fetching.fetch_feed(url)


def test_a_server_that_never_answers_times_out(feeds: FeedServer, settings) -> None:
    settings.FEED_READ_TIMEOUT = 0.3
    url = feeds.add("/slow.xml", FEED, delay=1.5)
    with pytest.raises(fetching.FeedTimeout, match="timed out"):
        fetching.fetch_feed(url)


def test_a_body_that_drips_in_hits_the_total_deadline(
    feeds: FeedServer, settings
) -> None:
    settings.FEED_DEADLINE = 0.5
    url = feeds.add("/drip.xml", FEED, drip=0.05)
    with pytest.raises(fetching.FeedTimeout, match="longer than"):
        fetching.fetch_feed(url)


def test_410_is_reported_as_gone(feeds: FeedServer) -> None:
    url = feeds.add("/gone.xml", status=410)
    with pytest.raises(fetching.FeedGone, match="gone"):
        fetching.fetch_feed(url)


@pytest.mark.parametrize("status", [429, 503])
def test_rate_limits_carry_the_retry_after_delay(
    feeds: FeedServer, status: int
) -> None:
    url = feeds.add("/busy.xml", status=status, headers={"Retry-After": "3600"})
    with pytest.raises(fetching.RateLimited) as caught:
        fetching.fetch_feed(url)
    assert caught.value.retry_after == 3600
    assert caught.value.http_status == status


def test_retry_after_accepts_an_http_date() -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    assert fetching.parse_retry_after("Fri, 27 Nov 2026 12:10:00 GMT", now) == 600
    assert fetching.parse_retry_after("soon", now) is None


def test_other_http_errors_name_the_status(feeds: FeedServer) -> None:
    url = feeds.add("/missing.xml", status=404)
    with pytest.raises(fetching.HTTPStatusError, match="HTTP 404 Not Found"):
        fetching.fetch_feed(url)


def test_redirect_chains_are_followed_and_a_permanent_move_is_reported(
    feeds: FeedServer,
) -> None:
    final = feeds.add("/new.xml", FEED)
    feeds.add("/mid", status=301, location="/new.xml")
    start = feeds.add("/old", status=308, location=feeds.url("/mid"))
    result = fetching.fetch_feed(start)
    assert result.url == final
    assert result.permanent_redirect == final
    assert result.history == (308, 301)


def test_a_temporary_hop_stops_the_permanent_move(feeds: FeedServer) -> None:
    feeds.add("/new.xml", FEED)
    feeds.add("/mid", status=302, location="/new.xml")
    start = feeds.add("/old", status=301, location="/mid")
    assert fetching.fetch_feed(start).permanent_redirect == feeds.url("/mid")


def test_redirect_loops_are_detected(feeds: FeedServer) -> None:
    feeds.add("/a", status=302, location="/b")
    url = feeds.add("/b", status=302, location="/a")
    with pytest.raises(fetching.RedirectLoop, match="loop"):
        fetching.fetch_feed(url)


def test_too_many_redirects_are_refused(feeds: FeedServer, settings) -> None:
    settings.FEED_MAX_REDIRECTS = 3
    for i in range(6):
        feeds.add(f"/r{i}", status=302, location=f"/r{i + 1}")
    with pytest.raises(fetching.RedirectLoop, match="too many redirects"):
        fetching.fetch_feed(feeds.url("/r0"))


def test_private_addresses_are_refused_by_default(feeds: FeedServer, settings) -> None:
    settings.NEWSROOM_ALLOW_PRIVATE_FEEDS = False
    url = feeds.add("/feed.xml", FEED)
    with pytest.raises(
        fetching.BlockedAddress, match="private, loopback or link-local"
    ):
        fetching.fetch_feed(url)
    assert feeds.requests_to("/feed.xml") == []


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/feed",
        "http://[::1]/feed",
        "http://192.168.1.1/rss",
        "http://0.0.0.0/",
    ],
)
def test_internal_targets_are_refused(url: str, settings) -> None:
    settings.NEWSROOM_ALLOW_PRIVATE_FEEDS = False
    with pytest.raises(fetching.BlockedAddress):
        fetching.check_url(url)


def test_every_redirect_hop_is_checked_against_the_address_policy(
    feeds: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    feeds.add("/new.xml", FEED)
    start = feeds.add("/old", status=302, location="/new.xml")
    checked: list[str] = []

    def refuse_second_hop(url: str) -> None:
        checked.append(url)
        if url.endswith("/new.xml"):
            raise fetching.BlockedAddress("127.0.0.1", "127.0.0.1")

    monkeypatch.setattr(fetching, "check_url", refuse_second_hop)
    with pytest.raises(fetching.BlockedAddress):
        fetching.fetch_feed(start)
    assert checked == [start, feeds.url("/new.xml")]
    assert feeds.requests_to("/new.xml") == []


@pytest.mark.parametrize(
    "url", ["ftp://example.com/feed", "file:///etc/passwd", "gopher://x"]
)
def test_only_http_and_https_are_fetched(url: str) -> None:
    with pytest.raises(fetching.InvalidFeedURL, match="only http and https"):
        fetching.fetch_feed(url)


def test_connection_refused_is_a_clear_error(settings) -> None:
    with pytest.raises(
        fetching.ConnectionFailed, match="could not connect to 127.0.0.1"
    ):
        fetching.fetch_feed("http://127.0.0.1:9/feed.xml")


def test_headers_dripped_a_byte_at_a_time_hit_the_total_deadline(settings) -> None:
    """Issue 11: FEED_DEADLINE was only checked while reading the body, so a server that
    sent its headers one byte at a time held a fetch worker until Celery's time limit."""
    import time as clock

    from tests.partners.test_webhook_hardening import hostile

    settings.NEWSROOM_ALLOW_PRIVATE_FEEDS = True
    settings.FEED_DEADLINE = 1.0
    with hostile("drip") as url:
        started = clock.monotonic()
        with pytest.raises(fetching.FeedTimeout, match="longer than 1 s"):
            fetching.fetch_feed(url)
        assert clock.monotonic() - started < 3


def test_the_address_is_checked_again_where_the_feed_connection_is_made(
    feeds: FeedServer, settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 11: the name was resolved for the check and again by the HTTP client (DNS
    rebinding reached 127.0.0.1). With the first check out of the way, the connection
    itself still refuses a private address."""
    url = feeds.add("/feed.xml", FEED).replace("127.0.0.1", "localhost")
    settings.NEWSROOM_ALLOW_PRIVATE_FEEDS = False
    monkeypatch.setattr(fetching, "check_url", lambda *a, **k: None)
    with pytest.raises(fetching.BlockedAddress, match="private, loopback"):
        fetching.fetch_feed(url)


def test_proxy_variables_do_not_decide_where_a_feed_is_fetched(
    feeds: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = feeds.add("/feed.xml", FEED)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    assert fetching.fetch_feed(url).status == 200
