"""Celery entry points for story clusters. Thin: load by id, call one service."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="stories.cluster_article", ignore_result=True, acks_late=True)
def cluster_article(article_id: int) -> None:
    """Assign a new article to its story cluster (idempotent: an article already clustered
    keeps its story unless the evidence changed)."""
    from .services import article_cluster

    article_cluster(article_id=article_id)
