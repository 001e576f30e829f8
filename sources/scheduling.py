"""When to fetch a source next. Pure functions over numbers and headers.

The rules follow what the best feed readers do (see docs/ARCHITECTURE.md): after a success the
next fetch is the largest of the source's own interval, the feed's <ttl>, the response's
freshness lifetime (Cache-Control max-age, Expires) and any Retry-After, with the source's
publishing rate adapting the interval between a floor and a ceiling. After an error the delay
grows exponentially with jitter up to a cap, and polling never stops for good.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

DAY = 24 * 60 * 60


def freshness_lifetime(headers: Mapping[str, str], now: datetime) -> float | None:
    """Seconds the response says it stays fresh (RFC 9111 §4.2.1): s-maxage/max-age, else
    Expires. None when the response says nothing."""
    lowered = {key.lower(): value for key, value in headers.items()}
    cache_control = lowered.get("cache-control", "")
    directives: dict[str, str] = {}
    for part in cache_control.split(","):
        name, _, value = part.strip().partition("=")
        if name:
            directives[name.lower()] = value.strip().strip('"')
    for name in ("s-maxage", "max-age"):
        if directives.get(name, "").isdigit():
            return float(directives[name])
    expires = lowered.get("expires")
    if expires:
        try:
            when = parsedate_to_datetime(expires)
        except (TypeError, ValueError, IndexError):
            return 0.0  # an invalid Expires means "already expired" (RFC 9111 §5.3)
        if when.tzinfo is not None:
            return max(0.0, (when - now).total_seconds())
    return None


# The shortest span a rate is measured over: one entry a minute old is not 1,440 a day.
SHORTEST_SPAN = timedelta(hours=1)


def entries_per_day(
    published: Iterable[datetime], now: datetime, window_days: int = 7
) -> float:
    """The feed's publishing rate, in entries per day, over the time its document covers,
    up to the last ``window_days``.

    A feed carries only its latest entries (often 10 to 50): twenty spanning two hours are
    a rate of 240 a day, not twenty a week, and a new feed's two entries of this morning
    are not two a week either. Dividing by the whole window polled such feeds daily. When
    the document reaches back past the window, the window is the span. Entries dated in
    the future are left out; undated ones (dated when fetched) measure as a high rate, so
    an undated feed is polled at its own interval."""
    window = timedelta(days=window_days)
    dated = [when for when in published if when <= now]
    recent = [when for when in dated if when >= now - window]
    if not recent:
        return 0.0
    oldest = min(dated)
    span = window if now - oldest > window else max(now - oldest, SHORTEST_SPAN)
    return len(recent) / (span / timedelta(days=1))


def publishing_interval(
    rate_per_day: float, *, minimum: float, maximum: float
) -> float:
    """Poll about twice per expected new entry: a feed that publishes hourly is checked every
    30 minutes, one that published nothing this week once a day."""
    if rate_per_day <= 0:
        return maximum
    return min(maximum, max(minimum, DAY / rate_per_day / 2))


def success_interval(
    *,
    base: float,
    rate_per_day: float,
    ttl_minutes: int | None,
    freshness: float | None,
    retry_after: float | None,
    minimum: float,
    maximum: float,
) -> float:
    """Seconds until the next fetch after a successful (or 304) fetch."""
    candidates = [
        max(base, minimum),
        publishing_interval(rate_per_day, minimum=minimum, maximum=maximum),
        ttl_minutes * 60 if ttl_minutes else 0,
        freshness or 0,
    ]
    # The publisher's hints may lengthen the interval, up to the ceiling.
    interval = min(max(candidates), maximum)
    # Retry-After is an explicit instruction and is honoured even past the ceiling (a week at
    # most, so a typo in a header does not park the source for a year).
    if retry_after:
        interval = max(interval, min(retry_after, 7 * DAY))
    return interval


def backoff_interval(
    failures: int,
    *,
    base: float,
    cap: float,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """Seconds until the retry after ``failures`` consecutive errors (failures >= 1).

    base * 2^(failures-1), capped, with -20 %..0 % jitter so that sources that failed together
    (a shared host going down) do not all come back in the same minute.
    """
    jitter = rng.random() if rng is not None else random.random()
    exponent = min(max(failures, 1) - 1, 32)
    delay = min(cap, base * (2**exponent))
    delay *= 1 - 0.2 * jitter
    if retry_after:
        delay = max(delay, min(retry_after, 7 * DAY))
    return delay
