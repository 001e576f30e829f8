"""Celery entry points for the desk."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="editorial.publish_due", ignore_result=True)
def publish_due() -> int:
    """Run by beat every minute: publish approved articles whose publish_at has come."""
    from .services.schedule import publish_due as publish

    return publish()


@shared_task(name="editorial.receive_proposal", ignore_result=True, acks_late=True)
def receive_proposal(enrichment_id: int | None, *, article_id: int) -> None:
    """The last link of the pipeline's chain: the enrichment step's proposal (None when it
    produced none) reaches the desk."""
    from .services.copy import proposal_receive

    if enrichment_id is not None:
        proposal_receive(article_id=article_id, enrichment_id=enrichment_id)
