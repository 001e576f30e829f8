"""Celery entry points for story clusters. Thin: load by id, call one service."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="stories.cluster_article", ignore_result=True, acks_late=True)
def cluster_article(article_id: int) -> None:
    """Assign a new article to its story cluster (idempotent: an article already clustered
    keeps its story unless the evidence changed)."""
    from .services import article_cluster

    article_cluster(article_id=article_id)


@shared_task(name="stories.consolidate_recent", ignore_result=True)
def consolidate_recent() -> int:
    """Settle the stories of recently ingested reports as a whole (beat): the same stories
    whatever order or concurrency the reports were clustered in. Returns how many moved."""
    from .services import recent_consolidate

    return recent_consolidate().moved
