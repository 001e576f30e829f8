"""What the story layer tells the rest of the site, once its change has committed."""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.dispatch import Signal

from .models import StoryCluster

# A published story's reports changed (one joined, left or was deleted, or the feed
# retitled one): its page's "also reported by" list and counts, its source pages and its
# feeds are stale. Sent with ``story_id`` (the cluster) after the transaction commits.
published_story_reports_changed = Signal()


def reports_changed(story_id: int) -> None:
    """Send ``published_story_reports_changed`` for ``story_id`` once the transaction
    commits (at once outside one)."""
    transaction.on_commit(
        partial(
            published_story_reports_changed.send, sender=StoryCluster, story_id=story_id
        ),
        robust=True,
    )
