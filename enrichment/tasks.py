"""Celery entry points for enrichment. Thin: load by id, call one service."""

from __future__ import annotations

from typing import Any

from celery import shared_task

# Backoff for rate limits and overload when the API gives no retry-after: 30 s, 1, 2, 4 ...
# minutes, capped at 30 minutes.
# The cap stays under half the broker's visibility timeout (CELERY_VISIBILITY_TIMEOUT, 15
# min): a retry waiting longer would be delivered twice.
_BACKOFF_BASE, _BACKOFF_CAP = 30, 7 * 60


@shared_task(
    bind=True,
    name="enrichment.enrich_article",
    acks_late=True,
    max_retries=None,
    soft_time_limit=240,
    time_limit=300,
)
def enrich_article(
    self: Any,
    article_id: int,
    force: bool = False,
    requested_by_id: int | None = None,
) -> int | None:
    """Enrich one article; returns the id of its proposal (for the next step of the chain),
    or None. Transient API faults retry with backoff, then give up visibly."""
    from django.conf import settings

    from .base import TransientEnrichmentError
    from .services import article_enrich, article_enrichment_failed

    try:
        proposal = article_enrich(
            article_id=article_id, force=force, requested_by_id=requested_by_id
        )
    except TransientEnrichmentError as exc:
        if self.request.retries >= settings.ENRICHMENT_TASK_MAX_RETRIES:
            article_enrichment_failed(
                article_id=article_id,
                reason=f"gave up after {self.request.retries + 1} attempts: {exc}",
            )
            return None
        countdown = min(
            _BACKOFF_CAP, exc.retry_after or _BACKOFF_BASE * 2**self.request.retries
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
    return proposal.pk if proposal is not None else None
