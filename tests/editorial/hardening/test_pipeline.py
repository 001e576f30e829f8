"""Regressions found by attacking the desk through the pipeline: AI proposals and feed
updates against the desk's copy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

import articles.ingest as ingest_module
from articles.models import Article
from editorial import services
from editorial.models import AuditEvent, Correction
from enrichment import services as enrichment
from newsroom.pipeline import store_entries
from sources.parsing import parse_feed
from tests.editorial.factories import chief, editor, proposal, story
from tests.factories import SourceFactory, rss
from tests.factories import story as item

pytestmark = pytest.mark.django_db
S = Article.Status


def ingest(source, items):
    parsed = parse_feed(rss(items), url=source.feed_url, fetched_at=timezone.now())
    store_entries(source=source, entries=parsed.entries, fetched_at=timezone.now())


# ------------------------------------------------ late AI proposal on a decided story
@pytest.mark.parametrize("status", [S.PUBLISHED, S.APPROVED, S.ARCHIVED])
def test_a_late_ai_proposal_never_rewrites_a_decided_story(status: str) -> None:
    a = story(status, summary="Signed-off summary.")
    late = proposal(a, summary="AI rewrite nobody approved.", importance=9)
    services.proposal_receive(article_id=a.pk, enrichment_id=late.pk)
    a.refresh_from_db()
    assert a.summary == "Signed-off summary.", (
        f"{status} story's copy replaced by the AI (importance now {a.importance}; "
        f"corrections: {Correction.objects.count()})"
    )


def test_realistic_path_slow_rerun_then_publish_then_the_proposal_lands() -> None:
    """Re-run → worker claims (enriching) → the worker is slow; the sweep puts the story back
    in review after 15 min → a chief publishes → the worker finishes and hands its proposal on."""
    ed, boss = editor(), chief()
    a = story(summary="The summary the chief publishes.")
    services.article_rerun_enrichment(article=a, editor=ed, version=a.version)
    assert enrichment.enrichment_claim(a.pk, force=True)
    Article.objects.filter(pk=a.pk).update(
        updated_at=timezone.now() - timedelta(minutes=20)
    )
    enrichment.stale_enriching_release()
    a.refresh_from_db()
    assert a.status == S.IN_REVIEW
    services.article_publish(article=a, editor=boss, version=a.version)
    late = proposal(a, summary="The slow worker's proposal.")
    services.proposal_receive(article_id=a.pk, enrichment_id=late.pk)
    a.refresh_from_db()
    assert a.status == S.PUBLISHED
    assert a.summary == "The summary the chief publishes.", (
        "live copy replaced by the AI; public corrections: "
        f"{list(Correction.objects.values_list('note', flat=True))}"
    )


# ------------------------------------------------ feed update racing an editor's edit
def test_a_feed_update_never_overwrites_a_headline_an_editor_saved_meanwhile(
    monkeypatch,
) -> None:
    source = SourceFactory.create()
    ingest(source, [item(1)])
    article = Article.objects.get()
    Article.objects.filter(pk=article.pk).update(status=S.IN_REVIEW)
    changed = item(1)
    changed["description"] += " Update: a second phase was added."

    real_write = ingest_module._write

    def editor_saves_between_read_and_write(*args, **kwargs):
        # The ingest has read the rows; an editor's save commits now (another process).
        current = Article.objects.get(pk=article.pk)
        services.article_edit(
            article=current,
            editor=editor(),
            version=current.version,
            changes={"title": "The desk's headline"},
        )
        return real_write(*args, **kwargs)

    monkeypatch.setattr(ingest_module, "_write", editor_saves_between_read_and_write)
    ingest(source, [changed])
    article.refresh_from_db()
    assert "title" in article.edited_fields
    assert article.title == "The desk's headline", (
        f"the editor's headline was overwritten with {article.title!r}; feed event: "
        f"{AuditEvent.objects.get(action='feed_update').changes}"
    )


# ------------------------------------------------ unaudited / unversioned changes
def test_the_upstream_changed_flag_is_a_versioned_audited_change() -> None:
    source = SourceFactory.create()
    ingest(source, [item(1)])
    article = Article.objects.get()
    Article.objects.filter(pk=article.pk).update(status=S.PUBLISHED)
    article.refresh_from_db()
    version = article.version
    changed = item(1)
    changed["description"] += " The source corrected this after publication."
    ingest(source, [changed])
    article.refresh_from_db()
    assert article.upstream_changed_at is not None
    assert article.version > version, "flag set without a version bump"
    assert AuditEvent.objects.filter(article_id=article.pk).exists(), (
        "flag not in history"
    )


def test_a_proposal_landing_while_the_editor_types_makes_their_save_conflict() -> None:
    ed = editor()
    a = story()
    newer = proposal(a, summary="AI again.")
    services.proposal_receive(article_id=a.pk, enrichment_id=newer.pk)
    from editorial.exceptions import EditConflict

    with pytest.raises(EditConflict):
        services.article_edit(
            article=a, editor=ed, version=1, changes={"summary": "Desk."}
        )


def test_a_feed_update_never_rewrites_a_story_published_meanwhile(monkeypatch) -> None:
    source = SourceFactory.create()
    ingest(source, [item(1)])
    article = Article.objects.get()
    Article.objects.filter(pk=article.pk).update(status=S.IN_REVIEW)
    changed = item(1, title="The source's new headline")
    changed["description"] += " Update: a second phase was added."
    real_write = ingest_module._write

    def chief_publishes_between_read_and_write(*args, **kwargs):
        current = Article.objects.get(pk=article.pk)
        services.article_publish(
            article=current, editor=chief(), version=current.version
        )
        return real_write(*args, **kwargs)

    monkeypatch.setattr(ingest_module, "_write", chief_publishes_between_read_and_write)
    ingest(source, [changed])
    article.refresh_from_db()
    assert article.status == S.PUBLISHED
    assert article.title != "The source's new headline", (
        "the live headline was rewritten by the feed after publication, with no correction "
        f"(corrections: {Correction.objects.count()}, upstream flag: {article.upstream_changed_at})"
    )
