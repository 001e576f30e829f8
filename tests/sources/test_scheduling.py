from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sources import scheduling

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
HOUR = 3600
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
