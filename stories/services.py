"""Writes with consequences for story clusters, called by tasks and the desk."""

from __future__ import annotations

from articles.models import Article

from . import clustering
from .models import StoryCluster


def article_cluster(*, article_id: int) -> StoryCluster | None:
    """Assign an article to the story cluster of the event it reports (or a new one)."""
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        return None
    return clustering.assign(article)
