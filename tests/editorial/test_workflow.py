"""Decisions on a story: each one audited, versioned and refused with a clear reason."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from articles.models import Article
from editorial import services
from editorial.exceptions import EditConflict, InvalidTransition, NotAllowed
from editorial.models import AuditEvent
from editorial.roles import CHIEF_EDITORS

from .factories import administrator, chief, editor, nobody, story

pytestmark = pytest.mark.django_db
S = Article.Status


def test_the_desk_roles_exist_with_their_permissions() -> None:
    assert editor().has_perm("articles.review_article") is True
    assert editor("e2").has_perm("articles.publish_article") is False
    assert chief().has_perm("articles.publish_article") is True
    assert chief("c2").has_perm("articles.correct_silently") is True
    assert chief("c3").has_perm("sources.change_source") is True


def test_approving_moves_the_story_and_records_who_and_why() -> None:
    article, user = story(), editor()
    services.article_approve(article=article, editor=user, note="checked the figures")
    article.refresh_from_db()
    event = AuditEvent.objects.get()
    assert article.status == S.APPROVED and article.version == 2
    assert (
        event.actor,
        event.actor_name,
        event.action,
        event.from_state,
        event.to_state,
        event.note,
        event.label,
    ) == (
        user,
        "ed",
        "approve",
        S.IN_REVIEW,
        S.APPROVED,
        "checked the figures",
        article.title,
    )
    assert event.changes == {"status": [S.IN_REVIEW, S.APPROVED], "version": 2}


def test_rejecting_requires_a_reason_as_a_field_message() -> None:
    article = story()
    with pytest.raises(ValidationError) as caught:
        services.article_reject(article=article, editor=editor(), reason="  ")
    assert caught.value.message_dict == {"reason": ["Say why the story is rejected."]}
    assert Article.objects.get(pk=article.pk).status == S.IN_REVIEW
    assert not AuditEvent.objects.exists()


def test_only_chief_editors_publish() -> None:
    article = story(S.APPROVED)
    with pytest.raises(NotAllowed):
        services.article_publish(article=article, editor=editor())
    assert Article.objects.get(pk=article.pk).status == S.APPROVED
    boss = chief()
    services.article_publish(article=article, editor=boss)
    article.refresh_from_db()
    assert article.status == S.PUBLISHED
    assert article.published_by == boss and article.published_at_site is not None


def test_people_outside_the_desk_roles_cannot_act() -> None:
    with pytest.raises(NotAllowed):
        services.article_approve(article=story(), editor=nobody())


def test_an_invalid_transition_names_the_state_and_writes_nothing() -> None:
    article = story(S.PUBLISHED)
    with pytest.raises(
        InvalidTransition, match="cannot approve a story that is published"
    ):
        services.article_approve(article=article, editor=chief())
    assert not AuditEvent.objects.exists()


def test_an_approval_on_a_stale_version_is_refused() -> None:
    article = story()
    services.article_edit(
        article=article, editor=editor("alice"), version=1, changes={"importance": 9}
    )
    with pytest.raises(EditConflict, match="alice changed this story"):
        services.article_approve(article=article, editor=editor("bob"), version=1)
    assert Article.objects.get(pk=article.pk).status == S.IN_REVIEW


def test_scheduling_approves_the_story_and_publishes_it_when_its_time_comes() -> None:
    article, boss = story(), chief()
    services.article_schedule_publish(
        article=article, editor=boss, publish_at=timezone.now() + timedelta(minutes=5)
    )
    article.refresh_from_db()
    assert (article.status, article.scheduled_by) == (S.APPROVED, boss)
    assert services.publish_due() == 0
    assert services.publish_due(now=timezone.now() + timedelta(minutes=6)) == 1
    article.refresh_from_db()
    assert article.status == S.PUBLISHED and article.publish_at is None
    assert article.published_by == boss
    publish = AuditEvent.objects.get(action="publish")
    assert publish.actor is None and publish.note == "scheduled by chief"


def test_a_publication_time_in_the_past_is_a_field_error() -> None:
    with pytest.raises(ValidationError) as caught:
        services.article_schedule_publish(
            article=story(),
            editor=chief(),
            publish_at=timezone.now() - timedelta(minutes=1),
        )
    assert "publish_at" in caught.value.message_dict


def test_a_cancelled_schedule_leaves_the_story_approved() -> None:
    article, boss = story(S.APPROVED), chief()
    services.article_schedule_publish(
        article=article, editor=boss, publish_at=timezone.now() + timedelta(hours=1)
    )
    services.article_unschedule(article=article, editor=boss)
    article.refresh_from_db()
    assert (article.status, article.publish_at, article.scheduled_by) == (
        S.APPROVED,
        None,
        None,
    )
    assert services.publish_due(now=timezone.now() + timedelta(hours=2)) == 0


def test_the_scheduler_re_checks_that_the_scheduling_editor_may_still_publish() -> None:
    article, boss = story(S.APPROVED), chief()
    services.article_schedule_publish(
        article=article, editor=boss, publish_at=timezone.now() + timedelta(minutes=1)
    )
    boss.groups.remove(boss.groups.get(name=CHIEF_EDITORS))  # demoted meanwhile
    assert services.publish_due(now=timezone.now() + timedelta(minutes=2)) == 0
    article.refresh_from_db()
    assert (article.status, article.publish_at) == (S.APPROVED, None)
    cancelled = AuditEvent.objects.get(action="schedule_cancelled")
    assert "chief may no longer publish" in cancelled.note


def test_a_failing_scheduled_story_is_recorded_and_the_others_still_publish() -> None:
    boss = chief()
    stories = [story(S.APPROVED) for _ in range(3)]
    for article in stories:
        services.article_schedule_publish(
            article=article,
            editor=boss,
            publish_at=timezone.now() + timedelta(minutes=1),
        )
    broken = stories[1]
    real_change = services.schedule.change

    def fail_for_one(
        name: str, *, article: Article, **kwargs: Any
    ) -> tuple[Article, AuditEvent | None]:
        if name == "publish" and article.pk == broken.pk:
            raise RuntimeError("disk full")
        return real_change(name, article=article, **kwargs)

    with mock.patch.object(services.schedule, "change", fail_for_one):
        published = services.publish_due(now=timezone.now() + timedelta(minutes=2))
    assert published == 2
    statuses = dict(Article.objects.values_list("pk", "status"))
    assert [statuses[a.pk] for a in stories] == [S.PUBLISHED, S.APPROVED, S.PUBLISHED]
    failure = AuditEvent.objects.get(article=broken, action="schedule_cancelled")
    assert "disk full" in failure.note
    assert Article.objects.get(pk=broken.pk).publish_at is None


def test_unpublish_and_archive() -> None:
    article, boss = story(S.PUBLISHED), chief()
    services.article_unpublish(article=article, editor=boss, reason="legal hold")
    assert Article.objects.get(pk=article.pk).status == S.APPROVED
    services.article_archive(article=article, editor=boss)
    assert Article.objects.get(pk=article.pk).status == S.ARCHIVED


@pytest.mark.parametrize("decision", ["unpublish", "archive"])
@pytest.mark.parametrize("reason", ["", "   "])
def test_taking_a_published_story_off_the_site_needs_a_reason(
    decision: str, reason: str
) -> None:
    article, boss = story(S.PUBLISHED), chief()
    take_down = getattr(services, f"article_{decision}")
    with pytest.raises(ValidationError) as refused:
        take_down(article=article, editor=boss, reason=reason)
    assert "Say why the story comes off the site" in str(refused.value)
    article.refresh_from_db()
    assert (article.status, article.version) == (S.PUBLISHED, 1)
    assert not AuditEvent.objects.exists()
    take_down(article=article, editor=boss, reason=" legal hold ")
    assert AuditEvent.objects.get().note == "legal hold"


# Attackers' finds: a reason of control or zero-width characters counted as one.
NOTHING_VISIBLE = [
    "\x01\x02\x03",
    "\u200b",
    "\u200b\u200c\u200d\ufeff",
    "\x7f",
    "\u202e",
    # and letters that draw nothing, a combining mark on its own (a second attack)
    "\u3164",
    "\u115f\uffa0",
    "\u2800",
    "\u034f",
    "\u0301",
]


@pytest.mark.parametrize("reason", NOTHING_VISIBLE, ids=repr)
@pytest.mark.parametrize("decision", ["reject", "unpublish", "archive"])
def test_a_reason_with_nothing_a_reader_can_see_is_no_reason(
    decision: str, reason: str
) -> None:
    article = story(S.IN_REVIEW if decision == "reject" else S.PUBLISHED)
    decide = getattr(services, f"article_{decision}")
    with pytest.raises(ValidationError):
        decide(article=article, editor=chief(), reason=reason)
    assert not AuditEvent.objects.exists()


def test_a_reason_is_kept_clean_and_whole_or_refused_when_too_long() -> None:
    article, boss = story(S.PUBLISHED), chief()
    with pytest.raises(ValidationError, match="under 2000 characters"):
        services.article_unpublish(article=article, editor=boss, reason="x" * 2001)
    services.article_unpublish(
        article=article, editor=boss, reason="\x01Legal \u202ehold\x7f "
    )
    assert AuditEvent.objects.get().note == "Legal hold"


def test_deleting_a_published_story_needs_a_reason_and_a_waiting_one_none() -> None:
    published, waiting, root = story(S.PUBLISHED), story(), administrator()
    with pytest.raises(ValidationError, match="Say why the story comes off the site"):
        services.article_delete(article=published.pk, editor=root, note="\u200b")
    assert Article.objects.filter(pk=published.pk).exists()
    services.article_delete(article=published.pk, editor=root, note="Legal takedown")
    services.article_delete(article=waiting.pk, editor=root)
    assert not Article.objects.exists()
    notes = AuditEvent.objects.filter(action="delete").order_by("pk")
    assert [e.note for e in notes] == ["Legal takedown", ""]


def test_a_refusal_names_states_as_the_desk_reads_them() -> None:
    with pytest.raises(InvalidTransition) as refused:
        services.article_unpublish(
            article=story(S.IN_REVIEW), editor=chief(), reason="legal hold"
        )
    assert str(refused.value) == (
        "cannot unpublish a story that is in review (only from: published)"
    )


def test_a_rerun_is_audited_and_queues_the_ai(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    article = story()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.article_rerun_enrichment(article=article, editor=editor())
    assert len(callbacks) == 1
    assert AuditEvent.objects.get().action == "rerun"
