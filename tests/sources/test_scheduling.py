from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sources import scheduling

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
HOUR = 3600
DAY = 24 * HOUR
BOUNDS = {"minimum": 300, "maximum": 24 * HOUR}


def interval(**kwargs: Any) -> float:
    args: dict[str, Any] = {
        "base": 900,
        "rate_per_day": 48,
        "ttl_minutes": None,
        "freshness": None,
        "retry_after": None,
        **BOUNDS,
    }
    args.update(kwargs)
    return scheduling.success_interval(**args)


def test_the_source_interval_is_the_floor() -> None:
    assert interval(base=900, rate_per_day=1000) == 900


@pytest.mark.parametrize(
    ("hint", "expected"),
    [
        ({"ttl_minutes": 60}, HOUR),
        ({"freshness": 2 * HOUR}, 2 * HOUR),
        ({"retry_after": 3 * HOUR}, 3 * HOUR),
    ],
)
def test_publisher_hints_lengthen_the_interval(
    hint: dict[str, float], expected: float
) -> None:
    assert interval(**hint) == expected


def test_hints_are_capped_at_the_ceiling_but_retry_after_is_obeyed() -> None:
    assert interval(ttl_minutes=3 * 24 * 60) == 24 * HOUR
    assert interval(retry_after=2 * 24 * HOUR) == 2 * 24 * HOUR


def test_quiet_feeds_are_polled_less_often() -> None:
    assert interval(rate_per_day=0) == 24 * HOUR
    assert interval(rate_per_day=4) == 3 * HOUR
    assert interval(rate_per_day=100) == 900


def test_cache_headers_give_the_freshness_lifetime() -> None:
    assert (
        scheduling.freshness_lifetime({"Cache-Control": "public, max-age=1800"}, NOW)
        == 1800
    )
    assert (
        scheduling.freshness_lifetime({"cache-control": "s-maxage=60, max-age=10"}, NOW)
        == 60
    )
    expires = {"Expires": "Fri, 27 Nov 2026 13:00:00 GMT"}
    assert scheduling.freshness_lifetime(expires, NOW) == HOUR
    assert scheduling.freshness_lifetime({"Expires": "0"}, NOW) == 0
    assert scheduling.freshness_lifetime({}, NOW) is None


def test_publishing_rate_counts_the_last_week() -> None:
    dates = [NOW - timedelta(hours=h) for h in range(0, 7 * 24, 12)] + [
        NOW - timedelta(days=30)
    ]
    assert scheduling.entries_per_day(dates, NOW) == 2


def test_a_busy_feed_that_shows_its_latest_twenty_entries_is_polled_often() -> None:
    """A stranger's find: a feed carries only its latest entries, and the rate divided
    them by a whole week. A wire showing its last 20 of 240 a day (two hours) measured
    about three a day and was polled every four hours, missing most of what it sent."""
    wire = [NOW - timedelta(minutes=6 * i) for i in range(20)]
    rate = scheduling.entries_per_day(wire, NOW)
    assert 230 <= rate <= 260  # 20 in 114 minutes
    assert scheduling.publishing_interval(rate, minimum=300, maximum=DAY) == 300


def test_a_new_feeds_two_entries_of_this_morning_are_not_two_a_week() -> None:
    """A stranger's find: a source added with two entries from the last three hours was
    next fetched in 24 hours."""
    new = [NOW - timedelta(hours=1), NOW - timedelta(hours=3)]
    rate = scheduling.entries_per_day(new, NOW)
    assert rate == 16  # two in three hours
    interval = scheduling.success_interval(
        base=900,
        rate_per_day=rate,
        ttl_minutes=1,
        freshness=None,
        retry_after=None,
        minimum=300,
        maximum=DAY,
    )
    assert interval == 45 * 60


def test_a_slow_feed_is_still_polled_about_daily_and_a_fresh_entry_is_no_flood() -> (
    None
):
    blog = [NOW - timedelta(days=d) for d in (2, 20, 45)]  # one post this week
    assert scheduling.entries_per_day(blog, NOW) == 1 / 7
    assert scheduling.entries_per_day([NOW - timedelta(minutes=1)], NOW) == 24
    assert scheduling.entries_per_day([NOW + timedelta(days=2)], NOW) == 0
    assert scheduling.entries_per_day([], NOW) == 0


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    rng = random.Random(7)
    delays = [
        scheduling.backoff_interval(n, base=900, cap=24 * HOUR, rng=rng)
        for n in range(1, 12)
    ]
    for n, delay in enumerate(delays[:6], start=1):
        expected = 900 * 2 ** (n - 1)
        assert 0.8 * expected <= delay <= expected
    assert all(delay <= 24 * HOUR for delay in delays)
    assert delays[-1] >= 0.8 * 24 * HOUR  # still polled: never given up


def test_backoff_never_stops_even_after_thousands_of_failures() -> None:
    delay = scheduling.backoff_interval(10_000, base=900, cap=24 * HOUR)
    assert 0 < delay <= 24 * HOUR


def test_backoff_honours_a_longer_retry_after() -> None:
    assert (
        scheduling.backoff_interval(1, base=900, cap=24 * HOUR, retry_after=7200)
        == 7200
    )
