"""Writes with consequences for story clusters, called by tasks and the desk."""

from __future__ import annotations

import logging

from articles.models import Article

from . import clustering, consolidation
from .models import StoryCluster

logger = logging.getLogger(__name__)


def article_cluster(*, article_id: int) -> StoryCluster | None:
    """Assign an article to the story cluster of the event it reports (or a new one)."""
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        return None
    return clustering.assign(article)


def batch_cluster(*, article_ids: list[int]) -> consolidation.Outcome:
    """Assign each article of an ingest batch its story, then settle the stories around
    the batch as a whole (``consolidation``), so the order the reports were stored in does
    not decide them."""
    for article in Article.objects.filter(pk__in=article_ids).order_by(
        "published_at", "pk"
    ):
        clustering.assign(article)
    return stories_consolidate(seeds=article_ids)


def stories_consolidate(*, seeds: list[int]) -> consolidation.Outcome:
    """Settle the stories around these articles as a whole (see ``consolidation``)."""
    outcome = consolidation.consolidate(seeds)
    if outcome.moved:
        logger.info(
            "consolidated %d reports: %d moved, %d stories became %d",
            outcome.region,
            outcome.moved,
            outcome.stories_before,
            outcome.stories_after,
        )
    return outcome


def recent_consolidate() -> consolidation.Outcome:
    """Beat's pass: settle the stories of the reports ingested recently."""
    return stories_consolidate(seeds=consolidation.recent_seeds())
