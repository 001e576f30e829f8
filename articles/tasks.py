"""Celery entry points for articles. Thin: load by id, call one service."""

from __future__ import annotations

from celery import shared_task

# Backoff for rate limits and overload when the API gives no retry-after: 30 s, 1, 2, 4 ...
# minutes, capped at 30 minutes.
_BACKOFF_BASE, _BACKOFF_CAP = 30, 30 * 60


@shared_task(name="articles.cluster_article", ignore_result=True, acks_late=True)
def cluster_article(article_id: int) -> None:
    """Assign a new article to its story cluster, then queue its enrichment."""
    from .services import article_cluster

    article_cluster(article_id=article_id)


@shared_task(
    bind=True,
    name="articles.enrich_article",
    acks_late=True,
    max_retries=None,
    soft_time_limit=240,
    time_limit=300,
)
def enrich_article(
    self, article_id: int, force: bool = False, requested_by_id: int | None = None
) -> None:  # type: ignore[no-untyped-def]
    """Enrich one article; transient API faults retry with backoff, then give up visibly."""
    from django.conf import settings

    from .enrichment import TransientEnrichmentError
    from .services import article_enrich, article_enrichment_failed

    try:
        article_enrich(
            article_id=article_id, force=force, requested_by_id=requested_by_id
        )
    except TransientEnrichmentError as exc:
        if self.request.retries >= settings.ENRICHMENT_TASK_MAX_RETRIES:
            article_enrichment_failed(
                article_id=article_id,
                reason=f"gave up after {self.request.retries + 1} attempts: {exc}",
            )
            return
        countdown = exc.retry_after or min(
            _BACKOFF_CAP, _BACKOFF_BASE * 2**self.request.retries
        )
        raise self.retry(
            exc=exc,
            countdown=countdown,
            kwargs={
                "article_id": article_id,
                "force": force,
                "requested_by_id": requested_by_id,
            },
        ) from exc


@shared_task(name="articles.enrich_pending", ignore_result=True)
def enrich_pending() -> int:
    """Run by beat: requeue stale and budget-blocked articles."""
    from .services import enrich_pending as sweep

    return sweep()


@shared_task(name="articles.poll_enrichment_batches", ignore_result=True)
def poll_enrichment_batches() -> None:
    """Run by beat: apply the results of finished Message Batches."""
    from .batches import batches_poll

    batches_poll()
