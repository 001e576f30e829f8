"""Partners' Celery tasks: thin wrappers over ``changes`` and ``webhooks``; each takes ids
and is safe to run twice."""

from __future__ import annotations

from celery import shared_task

from . import changes, usage, webhooks


# acks_late: both are safe to run twice (announce is idempotent, a delivery is claimed).
@shared_task(name="partners.announce_change", ignore_result=True, acks_late=True)
def announce_change(article_id: int) -> str | None:
    return changes.announce(article_id)


@shared_task(name="partners.deliver_webhook", ignore_result=True, acks_late=True)
def deliver_webhook(delivery_id: int) -> None:
    webhooks.deliver(delivery_id)


@shared_task(name="partners.sweep", ignore_result=True)
def sweep() -> dict[str, int]:
    """Every minute: announce changes a lost message left pending, attempt due webhook
    deliveries, and write the partners' request counts to the database."""
    return {
        "announced": changes.announce_pending(),
        "delivered": webhooks.deliver_due(),
        "usage": usage.flush(),
    }
