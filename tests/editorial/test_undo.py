"""Undo: every action offered with `u` is really undone, and the undo is in the history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from editorial import services
from editorial.exceptions import InvalidTransition
from editorial.models import AuditEvent, Correction

from .factories import chief, cluster_of, editor, reported, story

pytestmark = pytest.mark.django_db
S = Article.Status


def test_a_decision_is_undone_and_the_undo_is_recorded() -> None:
    article, user = story(), editor()
    services.article_reject(article=article, editor=user, reason="off topic")
    services.article_undo(article=article, editor=user)
    article.refresh_from_db()
    assert article.status == S.IN_REVIEW
    undo = AuditEvent.objects.get(action="undo")
    assert undo.actor == user and undo.description == "undid rejected"
    assert undo.group == AuditEvent.objects.get(action="reject").group


def test_an_edit_is_undone() -> None:
    article, user = story(), editor()
    services.article_edit(
        article=article, editor=user, version=1, changes={"importance": 2}
    )
    services.article_undo(article=article, editor=user)
    article.refresh_from_db()
    assert (article.importance, article.edited_fields) == (5, [])


def test_undoing_a_schedule_clears_the_publication_time() -> None:
    """Regression: undo of a scheduled publication left publish_at set."""
    article, boss = story(), chief()
    services.article_schedule_publish(
        article=article, editor=boss, publish_at=timezone.now() + timedelta(minutes=10)
    )
    services.article_undo(article=article, editor=boss)
    article.refresh_from_db()
    assert (article.status, article.publish_at, article.scheduled_by) == (
        S.IN_REVIEW,
        None,
        None,
    )
    assert services.publish_due(now=timezone.now() + timedelta(hours=1)) == 0


def test_undoing_a_publication_takes_the_story_off_the_site() -> None:
    article, boss = story(S.APPROVED), chief()
    services.article_publish(article=article, editor=boss)
    services.article_undo(article=article, editor=boss)
    article.refresh_from_db()
    assert (article.status, article.published_at_site, article.published_by) == (
        S.APPROVED,
        None,
        None,
    )


def test_undoing_a_correction_withdraws_its_public_note() -> None:
    article, boss = story(S.PUBLISHED), chief()
    services.article_edit(
        article=article,
        editor=boss,
        version=1,
        changes={"summary": "Fixed."},
        correction="fixed the figure",
    )
    services.article_undo(article=article, editor=boss)
    assert Article.objects.get(pk=article.pk).summary == "AI summary."
    assert not Correction.objects.exists()


def test_a_merge_is_really_undone() -> None:
    """Regression: `u` answered "Undone." while the merge stayed."""
    moving, target = story(), story()
    report = reported(moving)
    user = editor()
    services.story_merge(article=moving, target=target, editor=user)
    services.article_undo(article=moving, editor=user)
    moving.refresh_from_db()
    report.refresh_from_db()
    assert moving.cluster_id != target.cluster_id
    assert report.cluster_id == moving.cluster_id
    assert cluster_of(moving).canonical_id == moving.pk
    assert cluster_of(target).article_count == 1
    assert set(Article.objects.leading().values_list("pk", flat=True)) == {
        moving.pk,
        target.pk,
    }
    # One per story it touched: the merged one, its report, the one it went into.
    assert AuditEvent.objects.filter(action="undo").count() == 3


def test_a_split_is_undone() -> None:
    lead = story()
    report = reported(lead)
    user = editor()
    services.article_split(article=report, editor=user)
    services.article_undo(article=report, editor=user)
    report.refresh_from_db()
    assert report.cluster_id == lead.cluster_id
    assert cluster_of(lead).canonical_id == lead.pk


def test_a_lead_choice_is_undone() -> None:
    lead = story()
    report = reported(lead)
    user = editor()
    services.story_choose_lead(article=report, editor=user)
    services.article_undo(article=report, editor=user)
    cluster = cluster_of(lead)
    assert (cluster.canonical_id, cluster.canonical_chosen) == (lead.pk, False)


def test_undo_is_only_for_ones_own_recent_unchanged_action() -> None:
    article, alice = story(), editor("alice")
    services.article_approve(article=article, editor=alice)
    with pytest.raises(InvalidTransition, match="no action on this story to take back"):
        services.article_undo(article=article, editor=editor("bob"))
    AuditEvent.objects.filter(action="approve").update(
        at=timezone.now() - timedelta(minutes=5)
    )
    with pytest.raises(InvalidTransition, match="older than"):
        services.article_undo(article=article, editor=alice)
    assert Article.objects.get(pk=article.pk).status == S.APPROVED


def test_nothing_is_undone_after_someone_else_changed_the_story() -> None:
    article = story()
    alice = editor("alice")
    services.article_approve(article=article, editor=alice)
    services.article_edit(
        article=article, editor=editor("bob"), version=2, changes={"importance": 9}
    )
    with pytest.raises(InvalidTransition):
        services.article_undo(article=article, editor=alice)
    assert Article.objects.get(pk=article.pk).status == S.APPROVED


def test_the_queue_offers_undo_only_when_it_would_work(client: Client) -> None:
    article, user = story(), editor()
    client.force_login(user)
    panel = lambda: client.get(  # noqa: E731
        reverse("editorial:story", args=[article.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert 'data-key="u"' not in panel()
    services.article_approve(article=article, editor=user)
    assert 'data-key="u"' in panel()
    services.article_undo(article=article, editor=user)
    assert 'data-key="u"' not in panel()  # an undo is not undone


def test_after_the_queue_moved_on_the_next_story_offers_to_undo_the_approval(
    client: Client,
) -> None:
    """Found by a first-time user: after `a` the queue shows the next story, whose panel used
    to offer only undo for that story, so `u` could not undo the approval."""
    approved, following = story(), story()
    user = editor()
    client.force_login(user)
    client.post(
        reverse("editorial:decide", args=[approved.pk]),
        {"decision": "approve", "version": approved.version},
        headers={"HX-Request": "true"},
    )
    panel = client.get(
        reverse("editorial:story", args=[following.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert reverse("editorial:undo", args=[approved.pk]) in panel
    assert "Undo: approved" in panel
    response = client.post(
        reverse("editorial:undo", args=[approved.pk]),
        {"version": approved.version + 1},
        headers={"HX-Request": "true"},
    )
    assert response["X-Story"] == str(approved.pk)  # back on the story it undid
    assert Article.objects.get(pk=approved.pk).status == S.IN_REVIEW


def test_a_merge_is_undone_from_the_story_it_went_into() -> None:
    moving, target = story(), story()
    reported(moving)
    user = editor()
    services.story_merge(article=moving, target=target, editor=user)
    offered = services.last_undoable(user)
    assert offered is not None and offered.article_id == moving.pk
    services.article_undo(article=offered.article_id, editor=user)
    assert Article.objects.get(pk=moving.pk).cluster_id != target.cluster_id
