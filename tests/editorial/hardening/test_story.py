"""Regressions found by attacking story structure and scheduled publication."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from articles.models import Article
from editorial import services
from editorial.exceptions import ActionRefused
from editorial.models import AuditEvent
from tests.editorial.factories import chief, editor, reported, story

pytestmark = pytest.mark.django_db
S = Article.Status


def test_an_editor_cannot_take_sources_away_from_a_published_story() -> None:
    """Editors may not change a published story; splitting a report out of it changes the
    story readers see (its sources) — and it is allowed, unversioned on the lead."""
    lead = story(S.PUBLISHED)
    rep = reported(lead)
    with pytest.raises(ActionRefused):
        services.article_split(article=rep, editor=editor(), version=rep.version)


def test_an_editor_cannot_split_the_lead_of_a_published_story_out() -> None:
    lead = story(S.PUBLISHED)
    reported(lead)
    with pytest.raises(ActionRefused):
        services.article_split(article=lead, editor=editor(), version=lead.version)


def test_an_editor_cannot_merge_a_story_into_a_published_one() -> None:
    published = story(S.PUBLISHED)
    pending = story()
    with pytest.raises(ActionRefused):
        services.story_merge(
            article=pending, target=published, editor=editor(), version=1
        )


def test_merging_into_a_story_records_it_in_that_storys_history() -> None:
    target, other = story(), story()
    services.story_merge(article=other, target=target, editor=editor(), version=1)
    target.refresh_from_db()
    assert (
        AuditEvent.objects.filter(article_id=target.pk).exists() or target.version > 1
    ), "the story that gained sources has no history entry and no version bump"


def test_splitting_a_report_is_in_the_storys_history() -> None:
    lead = story()
    rep = reported(lead)
    services.article_split(article=rep, editor=editor(), version=rep.version)
    lead.refresh_from_db()
    assert AuditEvent.objects.filter(article_id=lead.pk).exists() or lead.version > 1, (
        "the story that lost a source has no history entry and no version bump"
    )


def test_an_edit_after_scheduling_does_not_go_live_unseen_by_the_chief() -> None:
    """A chief schedules story S; an editor (who may not publish) then rewrites its copy; at
    the scheduled time S goes live with the editor's text, nobody with publish rights having
    seen it."""
    boss, ed = chief(), editor()
    a = story()
    services.article_schedule_publish(
        article=a,
        editor=boss,
        version=1,
        publish_at=timezone.now() + timedelta(minutes=5),
    )
    a.refresh_from_db()
    services.article_edit(
        article=a,
        editor=ed,
        version=a.version,
        changes={"summary": "Editor's unreviewed rewrite."},
    )
    services.publish_due(now=timezone.now() + timedelta(minutes=6))
    a.refresh_from_db()
    assert not (
        a.status == S.PUBLISHED and a.summary == "Editor's unreviewed rewrite."
    ), "an editor's change went live without anyone allowed to publish seeing it"


# ------------------------------------------------------------------ should hold
def test_scheduled_publication_rechecks_the_scheduler() -> None:
    boss = chief()
    a = story()
    services.article_schedule_publish(
        article=a,
        editor=boss,
        version=1,
        publish_at=timezone.now() + timedelta(minutes=5),
    )
    boss.groups.set([Group.objects.get(name="Editors")])
    assert services.publish_due(now=timezone.now() + timedelta(minutes=6)) == 0
    a.refresh_from_db()
    assert a.status == S.APPROVED and a.publish_at is None
    assert AuditEvent.objects.filter(
        article_id=a.pk, action="schedule_cancelled"
    ).exists()


def test_scheduled_report_is_not_published() -> None:
    boss = chief()
    a = story()
    services.article_schedule_publish(
        article=a,
        editor=boss,
        version=1,
        publish_at=timezone.now() + timedelta(minutes=5),
    )
    other = story()
    # force a to become a report of another story
    Article.objects.filter(pk=a.pk).update(cluster=other.cluster)
    assert services.publish_due(now=timezone.now() + timedelta(minutes=6)) == 0


def test_deactivated_or_deleted_scheduler() -> None:
    boss = chief()
    a = story()
    services.article_schedule_publish(
        article=a,
        editor=boss,
        version=1,
        publish_at=timezone.now() + timedelta(minutes=5),
    )
    boss.is_active = False
    boss.save()
    assert services.publish_due(now=timezone.now() + timedelta(minutes=6)) == 0
    b = story()
    boss2 = chief("boss2")
    services.article_schedule_publish(
        article=b,
        editor=boss2,
        version=1,
        publish_at=timezone.now() + timedelta(minutes=5),
    )
    boss2.delete()
    assert services.publish_due(now=timezone.now() + timedelta(minutes=6)) == 0
