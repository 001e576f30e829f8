"""The change feed: what partners pull incrementally and what their webhooks are told.

``note`` runs inside the desk's transaction (``editorial.signals.story_changing``) and moves
the story to the end of the feed; it commits or rolls back with the change. ``announce``
runs after the commit (a Celery task, ``story_changed``): it decides what happened — the
story was published, changed while published, or taken down — from what readers can see
now, and hands the event to the webhooks. ``announce_pending`` is the sweep for
announcements a lost message or a killed worker left behind.

The API keeps the answers it built for the current *generation* of the feed (``generation``)
and starts a new one whenever a change commits or is announced (``moved``), so a page is
built once per change, not once per partner's poll.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from articles.models import Article
from stories.related import related_story_ids

from .models import StoryChange, WebhookEndpoint

logger = logging.getLogger(__name__)

GENERATION = "partners:feed:generation"


def generation() -> str:
    """The feed's current generation (a random token: one lost with an emptied cache never
    comes back to find answers kept for an older feed)."""
    value = cache.get(GENERATION)
    if value is None:
        cache.add(GENERATION, uuid.uuid4().hex[:16], timeout=None)
        value = cache.get(GENERATION)
    return str(value)


def moved() -> None:
    """The feed changed: answers kept for it are not served again."""
    cache.set(GENERATION, uuid.uuid4().hex[:16], timeout=None)


def note(*, article_id: int, **_: Any) -> None:
    """Move the story to the end of the change feed (in the caller's transaction). An
    upsert, so two desks changing the same story never collide on the row."""
    StoryChange.objects.bulk_create(
        [StoryChange(article_id=article_id, changed_at=timezone.now(), pending=True)],
        update_conflicts=True,
        unique_fields=["article_id"],
        update_fields=["changed_at", "pending"],
    )


def announce_soon(*, article_id: int, **_: Any) -> None:
    """After the commit: announce the change in a task (in-process without a broker)."""
    from .tasks import announce_change

    moved()
    announce_change.delay(article_id)


def settled_before() -> Any:
    """The feed's horizon: changes written before it have committed, so a partner paging
    up to it never skips one that commits late (``PARTNER_FEED_SETTLE_SECONDS``)."""
    return timezone.now() - timedelta(seconds=settings.PARTNER_FEED_SETTLE_SECONDS)


@transaction.atomic
def announce(article_id: int) -> str | None:
    """Decide what the change was and queue its webhook deliveries; returns the event (or
    None when there was nothing to announce). Idempotent: an announced change is not
    announced twice."""
    from . import webhooks

    change = (
        StoryChange.objects.select_for_update().filter(article_id=article_id).first()
    )
    if change is None or not change.pending:
        return None
    story = (
        Article.objects.visible()
        .filter(pk=article_id)
        .select_related("source", "category", "enrichment", "cluster")
        .first()
    )
    event = None
    if story is not None:
        event = (
            WebhookEndpoint.Event.UPDATED
            if change.live
            else WebhookEndpoint.Event.PUBLISHED
        )
        change.live, change.unpublished_at = True, None
        change.related = related_story_ids(story)
    elif change.live:
        event = WebhookEndpoint.Event.UNPUBLISHED
        change.live, change.unpublished_at = False, change.changed_at
    change.pending = False
    change.save(update_fields=["live", "unpublished_at", "pending", "related"])
    transaction.on_commit(moved)  # its related stories are in the feed now
    if event is not None:
        webhooks.queue_event(event, change=change, story=story)
    return event


def announce_pending(*, older_than: timedelta = timedelta(minutes=1)) -> int:
    """Announce the changes whose announcement was lost (the sweep beat runs)."""
    stale = timezone.now() - older_than
    ids = list(
        StoryChange.objects.filter(pending=True, changed_at__lt=stale).values_list(
            "article_id", flat=True
        )[:500]
    )
    for article_id in ids:
        announce(article_id)
    return len(ids)
