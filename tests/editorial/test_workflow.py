from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from articles.models import Article
from editorial import services
from editorial.exceptions import EditConflict, InvalidTransition, NotAllowed
from editorial.models import AuditEvent
from tests.factories import ArticleFactory

from .factories import chief, editor

pytestmark = pytest.mark.django_db
S = Article.Status


def story(status: str = S.IN_REVIEW, **kwargs) -> Article:  # type: ignore[no-untyped-def]
    return ArticleFactory(status=status, summary="AI summary.", importance=5, **kwargs)


def test_the_desk_roles_exist_with_their_permissions() -> None:
    assert editor().has_perm("articles.review_article") is True
    assert editor("e2").has_perm("articles.publish_article") is False
    assert chief().has_perm("articles.publish_article") is True
    assert chief("c2").has_perm("sources.change_source") is True


def test_approving_moves_the_article_and_writes_an_audit_event() -> None:
    article, user = story(), editor()
    services.article_approve(article=article, editor=user, note="checked the figures")
    article.refresh_from_db()
    event = AuditEvent.objects.get()
    assert article.status == S.APPROVED and article.version == 2
    assert (
        event.actor,
        event.action,
        event.from_state,
        event.to_state,
        event.note,
    ) == (user, "approve", S.IN_REVIEW, S.APPROVED, "checked the figures")


def test_rejecting_requires_a_reason() -> None:
    article = story()
    with pytest.raises(ValueError, match="reason is required"):
        services.article_reject(article=article, editor=editor(), reason="  ")
    services.article_reject(
        article=article,
        editor=User.objects.get(username="ed"),
        reason="duplicate of an older story",
    )
    article.refresh_from_db()
    assert article.status == S.REJECTED
    assert AuditEvent.objects.get().note == "duplicate of an older story"


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


def test_unpublish_and_archive() -> None:
    article, boss = story(S.PUBLISHED), chief()
    services.article_unpublish(article=article, editor=boss, note="legal hold")
    assert Article.objects.get(pk=article.pk).status == S.APPROVED
    services.article_archive(article=article, editor=boss)
    assert Article.objects.get(pk=article.pk).status == S.ARCHIVED


def test_submit_puts_a_failed_article_in_review() -> None:
    article = story(S.FAILED)
    services.article_submit(article=article, editor=editor())
    assert Article.objects.get(pk=article.pk).status == S.IN_REVIEW


INVALID = [
    ("approve", S.NEW),
    ("approve", S.APPROVED),
    ("approve", S.PUBLISHED),
    ("approve", S.REJECTED),
    ("approve", S.ARCHIVED),
    ("approve", S.FAILED),
    ("approve", S.ENRICHING),
    ("publish", S.NEW),
    ("publish", S.REJECTED),
    ("publish", S.PUBLISHED),
    ("publish", S.ARCHIVED),
    ("unpublish", S.APPROVED),
    ("unpublish", S.IN_REVIEW),
    ("archive", S.NEW),
    ("archive", S.IN_REVIEW),
    ("submit", S.PUBLISHED),
    ("submit", S.IN_REVIEW),
    ("reject", S.PUBLISHED),
    ("reject", S.ARCHIVED),
]


@pytest.mark.parametrize(("action", "state"), INVALID)
def test_invalid_transitions_raise_a_clear_error(action: str, state: str) -> None:
    article, boss = story(state), chief()
    call = {
        "approve": lambda: services.article_approve(article=article, editor=boss),
        "publish": lambda: services.article_publish(article=article, editor=boss),
        "unpublish": lambda: services.article_unpublish(article=article, editor=boss),
        "archive": lambda: services.article_archive(article=article, editor=boss),
        "submit": lambda: services.article_submit(article=article, editor=boss),
        "reject": lambda: services.article_reject(
            article=article, editor=boss, reason="x"
        ),
    }[action]
    with pytest.raises(
        InvalidTransition, match=f"cannot {action} an article that is {state}"
    ):
        call()
    assert Article.objects.get(pk=article.pk).status == state
    assert not AuditEvent.objects.exists()


def test_scheduled_articles_publish_when_their_time_comes() -> None:
    article, boss = story(S.APPROVED), chief()
    services.article_schedule_publish(
        article=article, editor=boss, publish_at=timezone.now() + timedelta(minutes=5)
    )
    assert services.publish_due() == 0
    assert services.publish_due(now=timezone.now() + timedelta(minutes=6)) == 1
    article.refresh_from_db()
    assert article.status == S.PUBLISHED and article.publish_at is None
    assert list(AuditEvent.objects.order_by("at").values_list("action", flat=True)) == [
        "schedule",
        "publish",
    ]


def test_edits_record_field_level_changes() -> None:
    article, user = story(), editor()
    services.article_edit(
        article=article,
        editor=user,
        version=1,
        changes={"summary": "Editor summary.", "importance": 8},
    )
    article.refresh_from_db()
    event = AuditEvent.objects.get()
    assert (article.summary, article.importance, article.version) == (
        "Editor summary.",
        8,
        2,
    )
    assert event.changes["summary"] == ["AI summary.", "Editor summary."]
    assert event.changes["importance"] == [5, 8]


def test_two_editors_saving_the_same_story_never_overwrite_each_other() -> None:
    article = story()
    alice, bob = editor("alice"), editor("bob")
    loaded = article.version  # both open version 1
    services.article_edit(
        article=article,
        editor=alice,
        version=loaded,
        changes={"summary": "Alice's summary."},
    )
    with pytest.raises(EditConflict) as caught:
        services.article_edit(
            article=article,
            editor=bob,
            version=loaded,
            changes={"summary": "Bob's summary.", "importance": 9},
        )
    conflict = caught.value
    assert conflict.theirs == {"summary": "Alice's summary."}
    assert conflict.events[0]["actor"] == "alice"
    assert "alice changed this article" in str(conflict)
    article.refresh_from_db()
    assert article.summary == "Alice's summary." and article.importance == 5
    # Bob reloads (version 2) and saves on top, knowingly.
    services.article_edit(
        article=article,
        editor=bob,
        version=conflict.current_version,
        changes={"summary": "Bob's summary."},
    )
    assert Article.objects.get(pk=article.pk).summary == "Bob's summary."


def test_an_approval_on_a_stale_version_is_refused() -> None:
    article = story()
    services.article_edit(
        article=article, editor=editor("alice"), version=1, changes={"importance": 9}
    )
    with pytest.raises(EditConflict):
        services.article_approve(article=article, editor=editor("bob"), version=1)


def test_an_editor_can_undo_their_last_decision_for_a_few_seconds() -> None:
    article, user = story(), editor()
    services.article_reject(article=article, editor=user, reason="off topic")
    services.article_undo(article=article, editor=user)
    article.refresh_from_db()
    assert article.status == S.IN_REVIEW
    services.article_edit(
        article=article, editor=user, version=article.version, changes={"importance": 2}
    )
    services.article_undo(article=article, editor=user)
    assert Article.objects.get(pk=article.pk).importance == 5
    AuditEvent.objects.update(at=timezone.now() - timedelta(minutes=10))
    services.article_approve(article=article, editor=user)
    AuditEvent.objects.filter(action="approve").update(
        at=timezone.now() - timedelta(minutes=5)
    )
    with pytest.raises(InvalidTransition, match="older than"):
        services.article_undo(article=article, editor=user)


def test_nobody_undoes_someone_elses_decision() -> None:
    article = story()
    services.article_approve(article=article, editor=editor("alice"))
    with pytest.raises(InvalidTransition):
        services.article_undo(article=article, editor=editor("bob"))


def test_editors_without_the_role_cannot_act() -> None:
    nobody = User.objects.create_user("visitor", is_staff=True)
    with pytest.raises(NotAllowed):
        services.article_approve(article=story(), editor=nobody)


def test_any_earlier_edit_can_be_reverted_and_the_revert_is_audited() -> None:
    article, user = story(), editor()
    services.article_edit(
        article=article, editor=user, version=1, changes={"summary": "First rewrite."}
    )
    first = AuditEvent.objects.get()
    services.article_edit(
        article=article, editor=user, version=2, changes={"importance": 9}
    )
    services.article_revert(event=first, editor=editor("chief-sub"))
    article.refresh_from_db()
    assert article.summary == "AI summary."  # the first edit is undone
    assert article.importance == 9  # the later, unrelated edit stays
    revert = AuditEvent.objects.order_by("-pk").first()
    assert revert.action == "edit" and revert.note.startswith("revert of the edit")


def test_archived_articles_cannot_be_edited() -> None:
    article = story(S.ARCHIVED)
    with pytest.raises(
        InvalidTransition, match="cannot edit an article that is archived"
    ):
        services.article_edit(
            article=article,
            editor=editor(),
            version=1,
            changes={"summary": "Too late."},
        )
    assert Article.objects.get(pk=article.pk).summary == "AI summary."
