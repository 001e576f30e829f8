"""The path of one article through the newsroom, written in one place.

::

    sources.fetch_source ──(SOURCES_ENTRY_SINK)──► store_entries ──► articles.ingest
        │ after the ingest commits, one message per batch:
        ▼
    pipeline.hand_on: the batch's stories (each report assigned, then the batch's stories
        │             settled as a whole: stories.services.batch_cluster)
        ▼ then one chain per new article:
    enrichment.enrich_article ──► editorial.receive_proposal
       (the AI proposal,           (the desk fills the copy or
        an immutable row)           holds the proposal beside it)

An article that never reached its story (a lost message) restarts from
``stories.cluster_article`` (``new_article_chain``).

Each app does one step and knows nothing of the next: the chain is composed here, so the
lower apps never import the higher ones. ``tasks.sweep`` (beat) restarts whatever a lost
message left behind.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from celery import chain
from celery.canvas import Signature, _chain
from django.conf import settings
from django.db import transaction

from articles.ingest import ingest_entries
from articles.models import Article
from editorial import services as desk
from editorial.tasks import receive_proposal
from enrichment.tasks import enrich_article
from sources.models import Source
from sources.parsing import NormalizedEntry
from sources.sink import IngestStats
from stories.services import batch_cluster
from stories.tasks import cluster_article

if TYPE_CHECKING:
    from enrichment.batches import BatchProgress


def store_entries(
    *, source: Source, entries: list[NormalizedEntry], fetched_at: datetime
) -> IngestStats:
    """The entry sink (``SOURCES_ENTRY_SINK``): store a feed's entries as articles and start
    the pipeline for each new one once the ingest commits."""
    return ingest_entries(
        source=source, entries=entries, fetched_at=fetched_at, on_write=_written
    )


def _written(
    *,
    created: list[int],
    updated: list[Article],
    changes: dict[int, dict[str, list[str]]],
    flagged: list[Article],
) -> None:
    """Called by the ingest inside its transaction: feed updates go into the stories'
    history (and the AI looks again at those in review); new articles start the chain."""
    in_review = desk.articles_updated_by_feed(
        articles=updated, changes=changes, flagged=flagged
    )
    start(created)
    start(in_review, clustered=True, force=True)


def new_article_chain(article_id: int) -> _chain:
    """Cluster, enrich, then hand the proposal to the desk."""
    return chain(
        cluster_article.si(article_id),
        enrich_article.si(article_id),
        receive_proposal.s(article_id=article_id),
    )


def enrichment_chain(
    article_id: int, *, force: bool = False, requested_by_id: int | None = None
) -> _chain:
    """Enrich an article that already has its story, then hand the proposal to the desk."""
    return chain(
        enrich_article.si(article_id, force=force, requested_by_id=requested_by_id),
        receive_proposal.s(article_id=article_id),
    )


def start(
    article_ids: Iterable[int], *, clustered: bool = False, force: bool = False
) -> None:
    """Queue the pipeline for these articles, in one message, once the surrounding
    transaction commits (from enrichment when they already have their story; ``force``: a
    new proposal even for an article in review).

    ``robust``: a broker hiccup must not turn the fetch that stored the articles into a
    failure; the sweep picks up whatever was not queued.
    """
    ids = list(article_ids)
    if not ids:
        return
    # One message per ingest batch, not one per article (each send costs the fetch about
    # 2 ms): a pipeline worker fans the batch out into per-article chains (``hand_on``).
    from .tasks import hand_on

    signature = hand_on.si(ids, clustered=clustered, force=force)
    transaction.on_commit(_sender(signature), robust=True)


def hand_on(article_ids: list[int], *, clustered: bool, force: bool) -> None:
    """Give a new ingest batch its stories, then send each article to enrichment (run by
    ``pipeline.hand_on``). Clustering the batch in one place, before any enrichment, lets
    its reports of one event find each other whatever order they were stored in."""
    if not clustered:
        batch_cluster(article_ids=article_ids)
    for article_id in article_ids:
        enrichment_chain(article_id, force=force).delay()


# Without a broker (CELERY_TASK_ALWAYS_EAGER: make run, fetch_feeds --sync) the pipeline
# runs in the thread that committed. Celery's eager chains keep a process-wide "inside a
# task" flag, so two threads running them at once (fetch_feeds --sync --workers 4) make one
# of them fail with "Never call result.get() within a task!" and leave its articles
# unclustered. One eager pipeline at a time per process.
_EAGER_PIPELINE = threading.Lock()


def _sender(signature: Signature) -> Callable[[], None]:
    # A plain function, not a functools.partial: Django's robust on_commit handler logs the
    # callback's __qualname__ when it fails, which a partial does not have.
    def send_pipeline_task() -> None:
        if signature.app.conf.task_always_eager:
            with _EAGER_PIPELINE:
                signature.delay()
        else:
            signature.delay()

    return send_pipeline_task


def sweep(*, limit: int = 500) -> int:
    """Beat's sweep: articles whose worker died while enriching go back to new; new articles
    (lost messages, those that waited for budget) start again, from clustering when they
    never reached it."""
    from enrichment import services as enrichment

    enrichment.stale_enriching_release()
    ids = enrichment.pending_article_ids(
        limit=limit, untouched_for=settings.PIPELINE_SWEEP_GRACE_SECONDS
    )
    restart(ids)
    return len(ids)


def restart(article_ids: list[int]) -> None:
    """Send new articles through the pipeline again, from clustering when they have no story
    yet (its message was lost), else from enrichment."""
    unclustered = set(
        Article.objects.filter(pk__in=article_ids, cluster__isnull=True).values_list(
            "pk", flat=True
        )
    )
    for article_id in article_ids:
        make = new_article_chain if article_id in unclustered else enrichment_chain
        make(article_id).delay()


def poll_enrichment_batches() -> int:
    """Poll submitted Message Batches; hand each stored proposal to the desk and send the
    requests that failed in the batch back through the per-article chain."""
    from enrichment.batches import batches_poll

    return sum(batch_results_hand_on(progress) for progress in batches_poll())


def batch_results_hand_on(progress: BatchProgress) -> int:
    """Hand a polled batch's proposals to the desk; requeue its failed requests."""
    for article_id, proposal_id in progress.proposals:
        desk.proposal_receive(article_id=article_id, enrichment_id=proposal_id)
    restart(progress.requeued)
    return len(progress.proposals)
