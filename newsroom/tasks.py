"""Celery entry points of the pipeline itself: the sweeps that restart what a lost message
left behind, and the hand-off of batch results. Beat runs them (newsroom/celery.py)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="pipeline.sweep", ignore_result=True)
def sweep() -> int:
    """Restart articles a lost message or a dead worker left behind; returns how many."""
    from .pipeline import sweep as run

    return run()


@shared_task(name="pipeline.hand_on", ignore_result=True, acks_late=True)
def hand_on(
    article_ids: list[int], clustered: bool = False, force: bool = False
) -> None:
    """An ingest batch's new articles, each sent down its chain: one message from the fetch
    instead of one per article. Safe to run twice (each step is idempotent); lost, the
    sweep restarts the articles."""
    from .pipeline import hand_on as run

    run(article_ids, clustered=clustered, force=force)


@shared_task(name="newsroom.heartbeat", ignore_result=True)
def heartbeat(queue: str = "housekeeping") -> None:
    """Every 30 s, on each queue (beat): proof for /readyz that beat ticks and that the queue
    has a worker."""
    from .health import beat_heartbeat

    beat_heartbeat(queue)


@shared_task(name="pipeline.poll_enrichment_batches", ignore_result=True)
def poll_enrichment_batches() -> int:
    """Store the results of finished Message Batches and hand them to the desk."""
    from .pipeline import poll_enrichment_batches as run

    return run()


# Messages queued before the apps were split carry the old task names; these accept them and
# send the article down the current chain. Remove once no queue holds such a message.
@shared_task(name="articles.cluster_article", ignore_result=True)
def legacy_cluster_article(article_id: int) -> None:
    from .pipeline import new_article_chain

    new_article_chain(article_id).delay()


@shared_task(name="articles.enrich_article", ignore_result=True)
def legacy_enrich_article(
    article_id: int, force: bool = False, requested_by_id: int | None = None
) -> None:
    from .pipeline import enrichment_chain

    enrichment_chain(article_id, force=force, requested_by_id=requested_by_id).delay()
