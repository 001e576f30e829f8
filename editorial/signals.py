"""What the desk tells the rest of the site, without knowing who listens (the house style
allows signals for exactly this: decoupled cache invalidation)."""

from __future__ import annotations

from typing import Any

from django.dispatch import Signal

# Sent after the transaction commits, with ``article_id``, whenever something readers can
# see changed: a story was published, unpublished, corrected, archived, or its sources
# changed while it was published.
story_changed = Signal()

# Sent inside the transaction, with ``article_id``, for the same changes: a listener that
# must keep its own record in step with the change (the partner API's change feed) writes it
# here, so it commits — or rolls back — with the change itself.
story_changing = Signal()


def source_deleting(sender: type, instance: Any, **_: Any) -> None:
    """A source about to be deleted takes its articles with it (the cascade, which skips
    the desk's audited delete): their history records it (``source_articles_deleted``)."""
    from .services.stories import source_articles_deleted

    source_articles_deleted(instance)


def source_deleted(sender: type, instance: Any, **_: Any) -> None:
    """A source deleted, its articles with it (the same transaction): the stories they
    were in count their reports again (``source_articles_deleted`` noted which)."""
    from .services.stories import source_stories_recounted

    source_stories_recounted(instance)


def published_row_deleted(sender: type, instance: Any, **_: Any) -> None:
    """A published article deleted by any path (the desk's delete is audited; a source's
    deletion takes its articles with it): readers must not be served it from a cache."""
    from articles.models import Article

    if instance.status == Article.Status.PUBLISHED:
        from .services.base import readers_see_it

        readers_see_it(instance.pk)
