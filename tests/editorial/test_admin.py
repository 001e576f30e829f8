from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article
from editorial.models import AuditEvent
from tests.factories import ArticleFactory

from .factories import chief, editor

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:articles_article_changelist"


def login(client: Client, user) -> Client:  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client


def test_the_article_list_shows_ai_and_editor_importance_in_constant_queries(
    client: Client, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    ArticleFactory.create_batch(30, status=Article.Status.IN_REVIEW, importance=4)
    login(client, editor())
    with django_assert_max_num_queries(12):
        response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert "AI importance" in response.content.decode()


def test_editors_approve_from_the_admin_and_it_is_audited(client: Client) -> None:
    article = ArticleFactory(status=Article.Status.IN_REVIEW)
    login(client, editor())
    client.post(
        reverse(CHANGELIST), {"action": "approve", "_selected_action": [article.pk]}
    )
    article.refresh_from_db()
    assert article.status == Article.Status.APPROVED
    assert AuditEvent.objects.get().action == "approve"


def test_rejecting_from_the_admin_asks_for_a_reason(client: Client) -> None:
    article = ArticleFactory(status=Article.Status.IN_REVIEW)
    login(client, editor())
    page = client.post(
        reverse(CHANGELIST), {"action": "reject", "_selected_action": [article.pk]}
    )
    assert "Say why" in page.content.decode()
    assert Article.objects.get(pk=article.pk).status == Article.Status.IN_REVIEW
    client.post(
        reverse(CHANGELIST),
        {
            "action": "reject",
            "_selected_action": [article.pk],
            "apply": "1",
            "reason": "press release, not news",
        },
    )
    assert Article.objects.get(pk=article.pk).status == Article.Status.REJECTED
    assert AuditEvent.objects.get().note == "press release, not news"


def test_only_chief_editors_get_the_publish_action(client: Client) -> None:
    article = ArticleFactory(status=Article.Status.APPROVED)
    login(client, editor())
    assert "Publish" not in client.get(reverse(CHANGELIST)).content.decode()
    client.post(
        reverse(CHANGELIST), {"action": "publish", "_selected_action": [article.pk]}
    )
    assert Article.objects.get(pk=article.pk).status == Article.Status.APPROVED
    login(client, chief())
    client.post(
        reverse(CHANGELIST), {"action": "publish", "_selected_action": [article.pk]}
    )
    assert Article.objects.get(pk=article.pk).status == Article.Status.PUBLISHED


def form_data(article: Article, **changes) -> dict:  # type: ignore[no-untyped-def,type-arg]
    data = {
        "title": article.title,
        "summary": article.summary,
        "analysis": article.analysis,
        "takeaways": "[]",
        "sentiment": article.sentiment,
        "importance": article.importance or "",
        "category": "",
        "companies": [],
        "loaded_version": article.version,
        "audit_events-TOTAL_FORMS": 0,
        "audit_events-INITIAL_FORMS": 0,
        "enrichments-TOTAL_FORMS": 0,
        "enrichments-INITIAL_FORMS": 0,
    }
    data.update(changes)
    return data


def test_a_stale_admin_save_is_refused_and_shows_what_changed(client: Client) -> None:
    article = ArticleFactory(
        status=Article.Status.IN_REVIEW, summary="AI text", importance=5
    )
    url = reverse("admin:articles_article_change", args=[article.pk])
    alice, bob = Client(), Client()
    login(alice, editor("alice"))
    login(bob, editor("bob"))
    stale = form_data(article)  # both opened version 1
    first = alice.post(url, form_data(article, summary="Alice's text"))
    assert first.status_code == 302, first.content.decode()[:2000]
    second = bob.post(url, {**stale, "summary": "Bob's text"})
    html = second.content.decode()
    assert second.status_code == 200
    assert "alice changed this article" in html
    assert (
        "Bob&#x27;s text" in html or "Bob's text" in html
    )  # his text is still in the form
    article.refresh_from_db()
    assert article.summary == "Alice's text"
    assert AuditEvent.objects.filter(action="edit").count() == 1


def test_an_edit_is_reverted_from_the_history_in_the_admin(client: Client) -> None:
    from editorial import services

    article = ArticleFactory(status=Article.Status.IN_REVIEW, summary="AI text")
    user = editor()
    services.article_edit(
        article=article, editor=user, version=1, changes={"summary": "Mine"}
    )
    event = AuditEvent.objects.get()
    login(client, user)
    client.post(
        reverse("admin:editorial_auditevent_changelist"),
        {"action": "revert", "_selected_action": [event.pk]},
    )
    assert Article.objects.get(pk=article.pk).summary == "AI text"


def changelist_post(article: Article, importance: int, version: int) -> dict:  # type: ignore[type-arg]
    return {
        "form-TOTAL_FORMS": 1,
        "form-INITIAL_FORMS": 1,
        "form-MIN_NUM_FORMS": 0,
        "form-MAX_NUM_FORMS": 1000,
        "form-0-id": article.pk,
        "form-0-importance_0": importance,
        "form-0-importance_1": version,
        "_save": "Save",
    }


def test_importance_is_editable_in_the_list_with_the_same_conflict_check(
    client: Client,
) -> None:
    article = ArticleFactory(status=Article.Status.IN_REVIEW, importance=5)
    login(client, editor())
    page = client.get(reverse(CHANGELIST)).content.decode()
    assert 'name="form-0-importance_1"' in page  # the row carries its version
    client.post(reverse(CHANGELIST), changelist_post(article, 8, 1))
    article.refresh_from_db()
    assert (article.importance, article.version) == (8, 2)
    assert AuditEvent.objects.get().changes["importance"] == [5, 8]
    # A second editor's list, loaded at version 1, is refused and changes nothing.
    other = Client()
    login(other, editor("other"))
    other.post(reverse(CHANGELIST), changelist_post(article, 3, 1))
    article.refresh_from_db()
    assert article.importance == 8
