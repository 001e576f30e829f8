"""Ingest → (after commit) clustering → enrichment → review, with the offline backend."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from articles.models import Article
from enrichment.models import Enrichment
from newsroom import pipeline
from sources.services import source_fetch
from tests.factories import ArticleFactory, SourceFactory, rss, story
from tests.feedserver import FeedServer

pytestmark = pytest.mark.django_db


def test_fetched_articles_are_enriched_after_commit_and_wait_for_review(
    feeds: FeedServer,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    source = SourceFactory.create(
        feed_url=feeds.add("/f.xml", rss([story(1), story(2)])),
        next_fetch_at=timezone.now(),
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        source_fetch(source_id=source.pk)
    # After the commit: one message for the whole batch (pipeline.hand_on), which a worker
    # fans out into one chain per new article (here run in-process).
    assert len(callbacks) == 1
    for article in Article.objects.select_related("enrichment"):
        assert article.cluster_id is not None
        assert article.status == Article.Status.IN_REVIEW
        assert article.enrichment is not None
        assert article.enrichment.backend == "offline"
        assert article.summary and article.importance is not None
        assert 1 <= article.importance <= 10
        # The copy is pre-filled from the proposal.
        assert article.enrichment.summary == article.summary
        assert article.enrichment.takeaways == article.takeaways


def test_nothing_is_enqueued_before_the_ingest_commits(
    feeds: FeedServer,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    source = SourceFactory.create(
        feed_url=feeds.add("/f.xml", rss([story(1)])), next_fetch_at=timezone.now()
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        source_fetch(source_id=source.pk)
        assert Article.objects.get().status == Article.Status.NEW
    assert len(callbacks) == 1
    assert not Enrichment.objects.exists()


def test_editing_the_copy_never_touches_the_ai_proposal(
    feeds: FeedServer,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    source = SourceFactory.create(
        feed_url=feeds.add("/f.xml", rss([story(1)])), next_fetch_at=timezone.now()
    )
    with django_capture_on_commit_callbacks(execute=True):
        source_fetch(source_id=source.pk)
    article = Article.objects.get()
    assert article.enrichment is not None
    ai_importance = article.enrichment.importance
    article.importance = 10 if ai_importance != 10 else 1
    article.summary = "An editor's summary."
    article.save()
    enrichment = Enrichment.objects.get()
    assert enrichment.importance == ai_importance
    assert enrichment.summary != "An editor's summary."


def test_the_demo_is_enriched_offline(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", "--no-editor", stdout=StringIO())
    statuses = set(Article.objects.values_list("status", flat=True))
    assert statuses == {Article.Status.IN_REVIEW}
    assert Enrichment.objects.filter(backend="offline").count() == 46


def test_the_chain_clusters_then_enriches_then_hands_the_proposal_to_the_desk() -> None:
    steps = [task.task for task in pipeline.new_article_chain(7).tasks]
    assert steps == [
        "stories.cluster_article",
        "enrichment.enrich_article",
        "editorial.receive_proposal",
    ]
    assert [task.task for task in pipeline.enrichment_chain(7).tasks] == steps[1:]


def test_the_sweep_restarts_an_article_whose_clustering_message_was_lost() -> None:
    article = ArticleFactory.create(
        status=Article.Status.NEW, text="Port cranes. " * 30
    )
    assert article.cluster_id is None
    # Just stored: its message may still be queued behind a backlog; not sent twice.
    assert pipeline.sweep() == 0
    Article.objects.filter(pk=article.pk).update(
        updated_at=timezone.now() - timedelta(minutes=10)
    )
    assert pipeline.sweep() == 1
    article.refresh_from_db()
    assert article.cluster_id is not None
    assert article.status == Article.Status.IN_REVIEW


def test_a_batch_handed_on_twice_enriches_each_article_once() -> None:
    """A redelivered pipeline.hand_on (acks late: its worker died after sending) or two
    workers taking the same batch: each article still gets one proposal."""
    from enrichment.models import Enrichment

    articles = [
        ArticleFactory.create(status=Article.Status.NEW, text=f"Port cranes {n}. " * 30)
        for n in range(2)
    ]
    ids = [a.pk for a in articles]

    pipeline.hand_on(ids, clustered=False, force=False)
    pipeline.hand_on(ids, clustered=False, force=False)

    for article in articles:
        article.refresh_from_db()
        assert article.status == Article.Status.IN_REVIEW
        assert Enrichment.objects.filter(article=article).count() == 1
