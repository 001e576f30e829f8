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
    the desk's audited delete): each one's history says so, and who did it when the admin
    said (``Source.deleted_by``), so an editor who has one open is told who took it down."""
    from articles.models import Article
    from stories.models import StoryCluster

    from .models import AuditEvent

    actor = instance.deleted_by
    note = f"deleted with its source “{instance.name}”"
    # A story it led is led by its earliest report from another source (as
    # stories.models.next_lead will choose): the desk's message names it.
    heirs: dict[int, int] = {}
    led = StoryCluster.objects.filter(canonical__source=instance)
    for cluster_id, lead_id in led.values_list("pk", "canonical_id"):
        heir = (
            Article.objects.filter(cluster_id=cluster_id)
            .exclude(source=instance)
            .order_by("published_at", "pk")
            .values_list("pk", flat=True)
            .first()
        )
        if heir is not None and lead_id is not None:
            heirs[lead_id] = heir
    AuditEvent.objects.bulk_create(
        (
            AuditEvent(
                article_id=pk,
                label=title[:300],
                actor=actor,
                actor_name=actor.get_username() if actor is not None else "",
                action="delete",
                from_state=status,
                to_state=status,
                changes={
                    "source": instance.name,
                    **({"lead_to": heirs[pk]} if pk in heirs else {}),
                },
                note=note,
            )
            for pk, title, status in Article.objects.filter(source=instance)
            .values_list("pk", "title", "status")
            .iterator()
        ),
        batch_size=1000,
    )


def published_row_deleted(sender: type, instance: Any, **_: Any) -> None:
    """A published article deleted by any path (the desk's delete is audited; a source's
    deletion takes its articles with it): readers must not be served it from a cache."""
    from articles.models import Article

    if instance.status == Article.Status.PUBLISHED:
        from .services.base import readers_see_it

        readers_see_it(instance.pk)
