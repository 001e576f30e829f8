"""Related stories: the rest of an article's story first, then similar stories of the last
weeks by shared key terms (companies among them) and category. Cached per article."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count

from articles.models import Article

from .models import ArticleTerm
from .terms import cosine, key_terms


def related(article: Article, *, limit: int = 6) -> list[int]:
    """Ids of related stories: the rest of its cluster first, then the most similar stories
    of the last weeks sharing key terms (companies among them) or the category. Cached."""
    key = f"related:{article.pk}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    visible = Article.objects.exclude(
        status__in=[Article.Status.REJECTED, Article.Status.ARCHIVED]
    )
    mates = (
        list(
            visible.filter(cluster_id=article.cluster_id)
            .exclude(pk=article.pk)
            .order_by("published_at")
            .values_list("pk", flat=True)[:limit]
        )
        if article.cluster_id
        else []
    )
    result = mates
    if len(result) < limit:
        terms = (article.cluster_signature or {}).get("terms") or key_terms(
            article.source_headline, article.text
        )
        horizon = timedelta(days=settings.RELATED_DAYS)
        lo, hi = article.published_at - horizon, article.published_at + horizon
        shared = (
            ArticleTerm.objects.filter(
                term__in=list(terms), published_at__range=(lo, hi)
            )
            .exclude(article_id=article.pk)
            .values("article_id")
            .annotate(n=Count("id"))
            .filter(n__gte=2)
            .order_by("-n")[:40]
        )
        ids = [row["article_id"] for row in shared]
        scored = []
        for other_id, cluster_id, category_id, sig in visible.filter(
            pk__in=ids
        ).values_list("pk", "cluster_id", "category_id", "cluster_signature"):
            if other_id in result or (cluster_id and cluster_id == article.cluster_id):
                continue
            score = cosine(terms, (sig or {}).get("terms", {}), {})
            if category_id and category_id == article.category_id:
                score += 0.05
            scored.append((score, other_id, cluster_id))
        seen_clusters = {article.cluster_id}
        for _score, other_id, cluster_id in sorted(scored, reverse=True):
            if cluster_id in seen_clusters and cluster_id is not None:
                continue  # one story per cluster
            seen_clusters.add(cluster_id)
            result.append(other_id)
            if len(result) >= limit:
                break
    cache.set(key, result, settings.RELATED_CACHE_SECONDS)
    return result


def related_story_ids(article: Article) -> list[int]:
    """``related()`` as stories: each related report stands for its story's lead, once,
    best first, never the article's own story. Whether readers may see them is the
    caller's question."""
    ids = related(article)
    lead_of = dict(
        Article.objects.filter(pk__in=ids).values_list("pk", "cluster__canonical_id")
    )
    return [
        pk
        for pk in dict.fromkeys(lead_of.get(pk) or pk for pk in ids)
        if pk != article.pk
    ]
