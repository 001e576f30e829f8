"""Fetching a source: the lease, the request, recording the outcome, the next fetch time."""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .. import fetching, parsing, scheduling
from ..models import FetchAttempt, Source
from ..sink import IngestStats, entry_sink

logger = logging.getLogger(__name__)

# Failures about the body itself: a 304 or an unchanged body does not clear them, because
# "unchanged" then only means "still the same broken document" (Taranis AI's rule).
BODY_ERRORS = frozenset({"not_a_feed", "broken_feed", "empty", "too_large"})


# --------------------------------------------------------------------------------------------
# Lease: at most one worker fetches a source at a time
# --------------------------------------------------------------------------------------------
def _claim(source_id: int, *, now: datetime, due_only: bool = False) -> str | None:
    """Atomically take the source's fetch lease. A compare-and-set UPDATE works on every
    database and needs no open transaction during the HTTP request; the lease expires by
    itself if the worker dies. ``due_only`` (beat's fetches): only while the source is still
    due, so a fetch queued twice (two beats, a restarted beat) runs once."""
    token = secrets.token_hex(8)
    sources = Source.objects.filter(pk=source_id, active=True).filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    )
    if due_only:  # as Source.objects.due(): no next fetch time set means due now
        sources = sources.filter(
            Q(next_fetch_at__isnull=True) | Q(next_fetch_at__lte=now)
        )
    claimed = sources.update(
        lease_until=now + timedelta(seconds=settings.FEED_LEASE_SECONDS),
        lease_token=token,
    )
    return token if claimed else None


def _abandoned_lease(source_id: int, *, now: datetime) -> datetime | None:
    """When the lease of a fetch that never recorded its outcome ran out (its worker was
    killed or lost), else None: the outcome writes clear the lease with the record."""
    return (
        Source.objects.filter(pk=source_id, lease_until__lt=now)
        .exclude(lease_token="")
        .values_list("lease_until", flat=True)
        .first()
    )


@transaction.atomic
def _record_lost(source_id: int, *, expired_at: datetime, now: datetime) -> None:
    """Record the attempt a killed worker could not: an error, counted as a failure."""
    source = Source.objects.select_for_update().get(pk=source_id)
    message = (
        "the previous fetch never finished: its worker stopped (killed, or lost with its "
        f"machine) and its lease ran out at {expired_at:%Y-%m-%d %H:%M:%S} UTC"
    )
    source.last_error, source.last_error_kind, source.last_error_at = (
        message,
        "lost",
        now,
    )
    source.consecutive_failures += 1
    source.health = Source.Health.FAILING
    source.save(
        update_fields=[
            "last_error",
            "last_error_kind",
            "last_error_at",
            "consecutive_failures",
            "health",
            "updated_at",
        ]
    )
    FetchAttempt.objects.create(
        source=source,
        started_at=expired_at - timedelta(seconds=settings.FEED_LEASE_SECONDS),
        url=source.feed_url,
        outcome=FetchAttempt.Outcome.ERROR,
        error_kind="lost",
        error=message,
    )
    logger.warning("source %s: %s", source_id, message)


def _release(source_id: int, token: str) -> None:
    Source.objects.filter(pk=source_id, lease_token=token).update(
        lease_until=None, lease_token=""
    )


# --------------------------------------------------------------------------------------------
# Fetching
# --------------------------------------------------------------------------------------------
@dataclass(slots=True)
class _Timing:
    started_at: datetime
    started: float

    @property
    def ms(self) -> int:
        return int((time.monotonic() - self.started) * 1000)


def source_fetch(*, source_id: int, due_only: bool = False) -> FetchAttempt | None:
    """Fetch, parse and ingest one source, record the attempt and schedule the next one.

    Returns None when the source is inactive, another worker holds its lease or (with
    ``due_only``) it is no longer due. A fetch whose worker was killed is recorded here, by
    the next fetch, once its lease has run out.
    """
    now = timezone.now()
    abandoned = _abandoned_lease(source_id, now=now)
    token = _claim(source_id, now=now, due_only=due_only)
    if token is None:
        logger.info(
            "source %s: not fetched (inactive, not due or already being fetched)",
            source_id,
        )
        return None
    if abandoned is not None:
        _record_lost(source_id, expired_at=abandoned, now=now)
    try:
        source = Source.objects.get(pk=source_id)
        timing = _Timing(started_at=now, started=time.monotonic())
        try:
            result = fetching.fetch_feed(
                source.feed_url, etag=source.etag, last_modified=source.last_modified
            )
        except fetching.FetchError as exc:
            return _record_failure(
                source, timing, kind=exc.kind, message=str(exc), error=exc
            )
        except SoftTimeLimitExceeded:
            # Celery's time limit fired while the server was still answering: a failure
            # like any other (recorded, counted, backed off), not a silent re-raise that
            # leaves the source looking healthy and due again next minute.
            logger.warning("source %s: fetch stopped by the task time limit", source_id)
            return _record_failure(
                source,
                timing,
                kind="timeout",
                message="the server did not finish answering within the task's time limit",
            )
        # Each _record_* clears the lease in the same write that records the outcome.
        return _apply_response(source, timing, result)
    except BaseException:
        _release(source_id, token)
        raise


def source_ingest_body(
    *, source: Source, body: bytes, content_type: str = "application/xml"
) -> FetchAttempt:
    """Parse and ingest a feed document obtained without HTTP (the bundled demo feeds), through
    the same steps as a fetched one."""
    timing = _Timing(started_at=timezone.now(), started=time.monotonic())
    result = fetching.FetchResult(
        url=source.feed_url,
        status=200,
        body=body,
        headers={"content-type": content_type},
        elapsed=0.0,
    )
    return _apply_response(source, timing, result)


def _apply_response(
    source: Source, timing: _Timing, result: fetching.FetchResult
) -> FetchAttempt:
    if result.not_modified:
        return _record_unchanged(
            source, timing, result, FetchAttempt.Outcome.NOT_MODIFIED
        )
    body = result.body or b""
    body_hash = hashlib.sha256(body).hexdigest()
    if body_hash == source.body_hash:
        # The server ignored our validators but sent the same bytes: nothing to parse.
        return _record_unchanged(source, timing, result, FetchAttempt.Outcome.UNCHANGED)
    try:
        parsed = parsing.parse_feed(
            body,
            url=result.url,
            fetched_at=timing.started_at,
            content_type=result.content_type,
        )
        stats = entry_sink()(
            source=source,
            entries=_capped(source, parsed.entries),
            fetched_at=timing.started_at,
        )
    except parsing.FeedParseError as exc:
        return _record_failure(
            source, timing, kind=exc.kind, message=str(exc), result=result
        )
    except Exception as exc:
        # Last line of defence: whatever a feed contains, the source records the problem and
        # stays scheduled instead of wedging silently. The traceback goes to the log.
        logger.exception("source %s: unexpected error while ingesting", source.pk)
        return _record_failure(
            source,
            timing,
            kind="internal",
            message=f"internal error while reading the feed ({type(exc).__name__}); see the logs",
            result=result,
        )
    return _record_success(source, timing, result, parsed, stats, body_hash)


def _capped(source: Source, entries: list[Any]) -> list[Any]:
    """At most FEED_MAX_ENTRIES entries a fetch, the newest first: a feed of 50,000 items
    would otherwise store them all and queue as many enrichments. The rest are not lost for
    a feed that keeps them (they are older than what was kept), and the attempt still
    records how many the feed held."""
    cap = settings.FEED_MAX_ENTRIES
    if len(entries) <= cap:
        return entries
    logger.warning(
        "source %s: %d entries in one fetch; keeping the newest %d",
        source.pk,
        len(entries),
        cap,
    )
    oldest = datetime.min.replace(tzinfo=UTC)
    ranked = sorted(
        enumerate(entries),
        key=lambda pair: (getattr(pair[1], "published_at", None) or oldest, -pair[0]),
        reverse=True,
    )
    return [entry for _, entry in ranked[:cap]]


def _track_redirect(source: Source, result: fetching.FetchResult) -> list[str]:
    """Follow a permanent move only after it is seen on several consecutive fetches
    (NewsBlur's rule: one 301 may be a misconfiguration)."""
    target = result.permanent_redirect
    if not target:
        if source.redirect_to:
            source.redirect_to, source.redirect_count = "", 0
            return ["redirect_to", "redirect_count"]
        return []
    if target == source.redirect_to:
        source.redirect_count += 1
    else:
        source.redirect_to, source.redirect_count = target, 1
    fields = ["redirect_to", "redirect_count"]
    if source.redirect_count >= settings.FEED_REDIRECT_THRESHOLD:
        if Source.objects.filter(feed_url=target).exclude(pk=source.pk).exists():
            logger.warning(
                "source %s: moved to %s, already another source", source.pk, target
            )
        else:
            logger.info("source %s: feed moved permanently to %s", source.pk, target)
            source.feed_url = target
            source.redirect_to, source.redirect_count = "", 0
            fields.append("feed_url")
    return fields


def _schedule_success(
    source: Source, now: datetime, headers: dict[str, str], ttl: int | None
) -> datetime:
    interval = scheduling.success_interval(
        base=source.fetch_interval,
        rate_per_day=source.entries_per_day,
        ttl_minutes=ttl,
        freshness=scheduling.freshness_lifetime(headers, now),
        retry_after=None,
        minimum=settings.FEED_MIN_INTERVAL,
        maximum=settings.FEED_MAX_INTERVAL,
    )
    return now + timedelta(seconds=interval)


@transaction.atomic
def _record_success(
    source: Source,
    timing: _Timing,
    result: fetching.FetchResult,
    parsed: parsing.ParsedFeed,
    stats: IngestStats,
    body_hash: str,
) -> FetchAttempt:
    now = timing.started_at
    source.entries_per_day = scheduling.entries_per_day(
        (entry.published_at for entry in parsed.entries), now
    )
    source.next_fetch_at = _schedule_success(
        source, now, dict(result.headers), parsed.ttl_minutes
    )
    source.etag = result.headers.get("etag", "")[:500]
    source.last_modified = result.headers.get("last-modified", "")[:100]
    source.body_hash = body_hash
    source.health = Source.Health.OK
    source.last_fetched_at = source.last_success_at = now
    source.last_http_status = result.status
    source.consecutive_failures = 0
    source.last_error = source.last_error_kind = ""
    if stats.new:
        source.last_new_entry_at = now
    if parsed.title and not source.feed_title:
        source.feed_title = parsed.title
    if parsed.site_url and not source.site_url:
        source.site_url = parsed.site_url
    fields = [
        "entries_per_day",
        "next_fetch_at",
        "etag",
        "last_modified",
        "body_hash",
        "health",
        "last_fetched_at",
        "last_success_at",
        "last_http_status",
        "consecutive_failures",
        "last_error",
        "last_error_kind",
        "last_new_entry_at",
        "feed_title",
        "site_url",
        "updated_at",
    ]
    fields += _track_redirect(source, result)
    source.lease_until, source.lease_token = None, ""
    source.save(update_fields=[*fields, "lease_until", "lease_token"])
    return FetchAttempt.objects.create(
        source=source,
        started_at=now,
        url=result.url,
        outcome=FetchAttempt.Outcome.OK,
        http_status=result.status,
        duration_ms=timing.ms,
        bytes_received=len(result.body or b""),
        entries_found=len(parsed.entries),
        new_count=stats.new,
        updated_count=stats.updated,
        unchanged_count=stats.unchanged,
        duplicate_count=stats.duplicates + stats.tombstoned,
        error=parsed.warning and f"warning: {parsed.warning}",
        next_fetch_at=source.next_fetch_at,
    )


@transaction.atomic
def _record_unchanged(
    source: Source, timing: _Timing, result: fetching.FetchResult, outcome: str
) -> FetchAttempt:
    now = timing.started_at
    source.next_fetch_at = _schedule_success(source, now, dict(result.headers), None)
    source.last_fetched_at = now
    source.last_http_status = result.status
    fields = ["next_fetch_at", "last_fetched_at", "last_http_status", "updated_at"]
    if source.last_error_kind not in BODY_ERRORS:
        source.health = Source.Health.NOT_MODIFIED
        source.last_success_at = now
        source.consecutive_failures = 0
        source.last_error = source.last_error_kind = ""
        fields += [
            "health",
            "last_success_at",
            "consecutive_failures",
            "last_error",
            "last_error_kind",
        ]
    if result.status == 200:
        # Servers that ignore validators may still send new ones.
        source.etag = result.headers.get("etag", source.etag)[:500]
        source.last_modified = result.headers.get(
            "last-modified", source.last_modified
        )[:100]
        fields += ["etag", "last_modified"]
    fields += _track_redirect(source, result)
    source.lease_until, source.lease_token = None, ""
    source.save(update_fields=[*fields, "lease_until", "lease_token"])
    return FetchAttempt.objects.create(
        source=source,
        started_at=now,
        url=result.url,
        outcome=outcome,
        http_status=result.status,
        duration_ms=timing.ms,
        bytes_received=len(result.body or b""),
        next_fetch_at=source.next_fetch_at,
    )


@transaction.atomic
def _record_failure(
    source: Source,
    timing: _Timing,
    *,
    kind: str,
    message: str,
    error: fetching.FetchError | None = None,
    result: fetching.FetchResult | None = None,
) -> FetchAttempt:
    now = timing.started_at
    http_status = error.http_status if error else (result.status if result else None)
    source.last_fetched_at = now
    source.last_http_status = http_status
    source.last_error = message
    source.last_error_kind = kind
    source.last_error_at = now
    source.consecutive_failures += 1
    if isinstance(error, fetching.FeedGone):
        # 410 is the publisher saying the feed will not come back (RFC 9110 §15.5.11).
        source.active = False
        source.disabled_reason = message
        source.health = Source.Health.DISABLED
        source.next_fetch_at = None
    else:
        source.health = Source.Health.FAILING
        delay = scheduling.backoff_interval(
            source.consecutive_failures,
            base=max(source.fetch_interval, settings.FEED_MIN_INTERVAL),
            cap=settings.FEED_BACKOFF_CAP,
            retry_after=error.retry_after if error else None,
        )
        source.next_fetch_at = now + timedelta(seconds=delay)
    source.lease_until, source.lease_token = None, ""
    source.save(
        update_fields=[
            "lease_until",
            "lease_token",
            "last_fetched_at",
            "last_http_status",
            "last_error",
            "last_error_kind",
            "last_error_at",
            "consecutive_failures",
            "active",
            "disabled_reason",
            "health",
            "next_fetch_at",
            "updated_at",
        ]
    )
    logger.info("source %s: %s (%s)", source.pk, message, kind)
    return FetchAttempt.objects.create(
        source=source,
        started_at=now,
        url=result.url if result else source.feed_url,
        outcome=FetchAttempt.Outcome.ERROR,
        http_status=http_status,
        duration_ms=timing.ms,
        bytes_received=len(result.body or b"") if result else 0,
        error_kind=kind,
        error=message,
        next_fetch_at=source.next_fetch_at,
    )


def sources_due(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Ids of the sources to fetch now, the most overdue first."""
    return list(
        Source.objects.due(now)
        .order_by("next_fetch_at")
        .values_list("pk", flat=True)[:limit]
    )
