"""Creating sources (by URL, with autodiscovery) and turning their polling on and off."""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.text import slugify

from .. import fetching, parsing
from ..models import Source
from .fetch import _apply_response, _Timing


class SourceError(Exception):
    """A source could not be created or found; the message is for the person who asked."""


# --------------------------------------------------------------------------------------------
# Enable / disable
# --------------------------------------------------------------------------------------------
@transaction.atomic
def source_enable(*, source: Source) -> Source:
    """Poll the source again, starting now, with a clean failure count."""
    source.active = True
    source.disabled_reason = ""
    source.health = Source.Health.PENDING
    source.consecutive_failures = 0
    source.next_fetch_at = timezone.now()
    source.save(
        update_fields=[
            "active",
            "disabled_reason",
            "health",
            "consecutive_failures",
            "next_fetch_at",
            "updated_at",
        ]
    )
    return source


@transaction.atomic
def source_disable(*, source: Source, reason: str = "") -> Source:
    """Stop polling the source; its articles stay."""
    source.active = False
    source.disabled_reason = reason or "disabled by an editor"
    source.health = Source.Health.DISABLED
    source.next_fetch_at = None
    source.save(
        update_fields=[
            "active",
            "disabled_reason",
            "health",
            "next_fetch_at",
            "updated_at",
        ]
    )
    return source


# --------------------------------------------------------------------------------------------
# Creating sources: add by URL (with autodiscovery)
# --------------------------------------------------------------------------------------------
def _unique_slug(name: str) -> str:
    """``name`` as a slug, numbered after the highest one taken ("feed-7"): one query, not
    one per number tried (2,000 sources called "Feed" took over ten minutes to import)."""
    base = slugify(name)[:180] or "source"
    taken = Source.objects.filter(slug__regex=rf"^{re.escape(base)}(-[0-9]+)?$")
    # The highest number is the longest slug, then the greatest: one row comes back.
    highest = (
        taken.order_by(Length("slug").desc(), "-slug")
        .values_list("slug", flat=True)
        .first()
    )
    if highest is None:
        return base
    return f"{base}-{int(highest.rsplit('-', 1)[1]) + 1 if highest != base else 2}"


def source_create(
    *,
    feed_url: str,
    name: str = "",
    site_url: str = "",
    default_category: str = "",
    trust: float = 0.5,
    fetch_interval: int | None = None,
) -> Source:
    """Create a source without fetching it; it is due at once."""
    feed_url = feed_url.strip()
    if Source.objects.filter(feed_url=feed_url).exists():
        raise SourceError(f"a source with the feed URL {feed_url} already exists")
    source = Source(
        name=(name or feed_url)[:200],
        slug=_unique_slug(name or feed_url),
        feed_url=feed_url,
        site_url=site_url,
        default_category=default_category[:100],
        trust=trust,
        next_fetch_at=timezone.now(),
    )
    if fetch_interval:
        source.fetch_interval = fetch_interval
    try:
        scheme = urlsplit(feed_url).scheme.lower()
    except ValueError as exc:  # "http://[::1/feed": an unclosed address
        raise SourceError(f"{feed_url!r} is not a valid address: {exc}") from exc
    if scheme not in ("http", "https"):
        raise SourceError(
            f"{feed_url!r} is not a feed address: it must start with http:// or https://"
        )
    try:
        source.full_clean()
    except ValidationError as exc:
        reasons = "; ".join(
            f"{field.replace('_', ' ')}: {' '.join(messages)}"
            for field, messages in exc.message_dict.items()
        )
        raise SourceError(reasons) from exc
    source.save()
    return source


def source_add(*, url: str, name: str = "", default_category: str = "") -> Source:
    """Add a feed by its URL or by a web page that links to it (<link rel="alternate">), and
    ingest what it carries now."""
    try:
        result = fetching.fetch_feed(url)
    except fetching.FetchError as exc:
        raise SourceError(f"could not fetch {url}: {exc}") from exc
    fetched_at = timezone.now()
    try:
        parsed = parsing.parse_feed(
            result.body or b"",
            url=result.url,
            fetched_at=fetched_at,
            content_type=result.content_type,
        )
    except parsing.FeedParseError as exc:
        candidates = parsing.discover_feeds(result.body or b"", url=result.url)
        if not candidates:
            raise SourceError(f"{url} is not a feed and links to none ({exc})") from exc
        try:
            result = fetching.fetch_feed(candidates[0])
            parsed = parsing.parse_feed(
                result.body or b"",
                url=result.url,
                fetched_at=fetched_at,
                content_type=result.content_type,
            )
        except (fetching.FetchError, parsing.FeedParseError) as inner:
            raise SourceError(
                f"the feed {candidates[0]} found on {url} failed: {inner}"
            ) from inner
    source = source_create(
        feed_url=result.url,
        name=name or parsed.title or result.url,
        site_url=parsed.site_url,
        default_category=default_category,
    )
    _apply_response(
        source, _Timing(started_at=fetched_at, started=time.monotonic()), result
    )
    source.refresh_from_db()
    return source


@transaction.atomic
def sources_delete(*, sources: list[Source], by: Any, reason: str = "") -> None:
    """Delete ``sources`` and their articles, as one action of ``by``: each article's
    history says who took it down and why (the desk listens: ``Source.deleted_by``,
    ``deleted_reason``; it refuses, with a ``ValidationError``, to take published stories
    off the site without a reason), and no story's
    lead is handed to a report of another source deleted with it (``deleted_with``). Each
    source's articles are locked first: a publication committing meanwhile is waited for,
    so the deletion sees it published (its history says so, readers' caches are told) and
    collects what it wrote; one starting later finds the story gone."""
    together = frozenset(source.pk for source in sources)
    for source in sources:
        source.deleted_by, source.deleted_with = by, together
        source.deleted_reason = reason
        list(source.articles.select_for_update().values_list("pk", flat=True))
        source.delete()
