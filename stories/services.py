"""Writes with consequences for story clusters, called by tasks and the desk."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.module_loading import import_string

from articles.models import Article

from . import clustering, consolidation
from .models import PairOpinion, StoryCluster

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
    """Settle the stories around these articles as a whole (see ``consolidation``), after
    asking the second opinion about the pairs the rules find borderline."""
    second_opinions_ask(seeds=seeds)
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
    """Beat's pass: settle the stories of the reports ingested recently, a chunk of
    ``CLUSTER_SEED_CHUNK`` at a time."""
    total = consolidation.Outcome()
    for seeds in consolidation.chunks(consolidation.recent_seeds()):
        outcome = stories_consolidate(seeds=seeds)
        total.region += outcome.region
        total.moved += outcome.moved
    return total


def second_opinions_ask(*, seeds: list[int]) -> int:
    """Ask ``CLUSTER_SECOND_OPINION`` about the borderline pairs around these articles that
    have no opinion yet, the closest to the threshold first, at most
    ``CLUSTER_SECOND_OPINION_MAX_PAIRS`` per pass; returns how many answered. Outside any
    lock: each answer is a network call. Pairs whose stories an editor fixed are not asked
    (the answer could change nothing); after no answer (no budget, an API failure, a reply
    that made no sense) the pass stops, and that pair waits an hour before it is asked
    again, so a failing API is not paid for again on every pass."""
    if not settings.CLUSTER_SECOND_OPINION or not seeds:
        return 0
    ask = import_string(settings.CLUSTER_SECOND_OPINION)
    reports, scores, band = consolidation.preview(seeds)
    known = consolidation.opinions(band)
    fixed = consolidation.fixed_stories(reports)
    threshold = settings.CLUSTER_THRESHOLD
    todo = sorted(
        (
            pair
            for pair in band
            if pair not in known
            and not (
                reports[pair[0]].cluster_id in fixed
                and reports[pair[1]].cluster_id in fixed
            )
            and not cache.get(_failed_key(pair))
        ),
        key=lambda pair: (abs(scores[pair] - threshold), pair),
    )[: settings.CLUSTER_SECOND_OPINION_MAX_PAIRS]
    articles = Article.objects.select_related("source").in_bulk(
        {pk for pair in todo for pk in pair}
    )
    answered = 0
    for pair in todo:
        first, second = pair
        if first not in articles or second not in articles:
            continue
        opinion = ask(articles[first], articles[second])
        if opinion is None:
            cache.set(
                _failed_key(pair), 1, settings.CLUSTER_SECOND_OPINION_RETRY_SECONDS
            )
            break
        with transaction.atomic():
            # Both still there, and kept there until the answer is stored.
            present = Article.objects.select_for_update().filter(pk__in=pair)
            if len(present.values_list("pk", flat=True)) < 2:
                continue  # one was deleted while the question was out
            PairOpinion.objects.bulk_create(
                [
                    PairOpinion(
                        first_id=first,
                        second_id=second,
                        same_event=opinion.same_event,
                        reason=opinion.reason[:300],
                        score=scores[pair],
                        model=opinion.model[:100],
                        cost_usd=opinion.cost_usd,
                    )
                ],
                ignore_conflicts=True,  # another worker asked the same pair meanwhile
            )
        answered += 1
    return answered


def _failed_key(pair: tuple[int, int]) -> str:
    return f"stories:second-opinion-failed:{pair[0]}:{pair[1]}"
