"""Celery entry points for the desk."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="editorial.publish_due", ignore_result=True)
def publish_due() -> int:
    """Run by beat every minute: publish approved articles whose publish_at has come."""
    from .services import publish_due as publish

    return publish()
