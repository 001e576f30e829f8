from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from articles.models import Article
from editorial.models import AuditEvent
from enrichment.models import Enrichment
from tests.factories import ArticleFactory

from .factories import chief, editor

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def pending(n: int = 1, **kwargs) -> list[Article]:  # type: ignore[no-untyped-def]
    articles = ArticleFactory.create_batch(
        n,
        status=Article.Status.IN_REVIEW,
        importance=5,
        summary="AI summary.",
        **kwargs,
    )
    for i, article in enumerate(articles):
        article.enrichment = Enrichment.objects.create(
            article=article,
            status="ok",
            backend="offline",
            model="offline-1",
            prompt_version="t",
            input_hash=f"{i}",
            summary="AI summary.",
            importance=(i % 10) + 1,
            warnings=[
                {
                    "kind": "number",
                    "value": "9",
                    "message": "number 9 is not in the article",
                }
            ]
            if i == 0
            else [],
        )
        article.save(update_fields=["enrichment"])
    return articles


@pytest.fixture
def desk(client: Client) -> Client:
    client.force_login(editor())
    return client


@pytest.mark.parametrize("size", [5, 60])
def test_the_queue_page_costs_the_same_few_queries_whatever_its_size(
    desk: Client, size: int, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    pending(size)
    with django_assert_max_num_queries(15):
        response = desk.get(reverse("editorial:queue"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="queue-row') == min(size, 50)
    if size <= 50:
        assert "1 ⚠" in html  # the row with a grounding warning is flagged


def test_the_open_story_highlights_grounding_warnings(desk: Client) -> None:
    article = pending(2)[0]
    html = desk.get(reverse("editorial:queue") + f"?open={article.pk}").content.decode()
    assert "⚠ number 9 is not in the article" in html


def test_the_queue_is_ordered_by_ai_importance(desk: Client) -> None:
    articles = pending(3)
    html = desk.get(reverse("editorial:queue")).content.decode()
    positions = [
        html.index(f'id="row-{a.pk}"')
        for a in sorted(articles, key=lambda a: -a.enrichment.importance)
    ]
    assert positions == sorted(positions)


def test_htmx_gets_only_the_fragment(desk: Client) -> None:
    article = pending()[0]
    panel = desk.get(
        reverse("editorial:story", args=[article.pk]), **HTMX
    ).content.decode()
    assert panel.lstrip().startswith('<section id="panel"')
    listing = desk.get(reverse("editorial:queue"), HTTP_HX_TARGET="queue-list", **HTMX)
    assert listing.content.decode().lstrip().startswith('<form id="queue-list"')


def test_approving_without_javascript_redirects_back_to_the_queue(desk: Client) -> None:
    article = pending()[0]
    response = desk.post(
        reverse("editorial:decide", args=[article.pk]),
        {"decision": "approve", "version": article.version},
    )
    assert response.status_code == 302
    assert Article.objects.get(pk=article.pk).status == Article.Status.APPROVED


def test_approving_with_htmx_swaps_the_panel_and_updates_the_counts(
    desk: Client,
) -> None:
    article = pending(2)[0]
    response = desk.post(
        reverse("editorial:decide", args=[article.pk]),
        {"decision": "approve", "version": article.version},
        **HTMX,
    )
    event = json.loads(response["HX-Trigger"])["queue-changed"]
    assert response.status_code == 200
    assert event["status"] == "approved"
    assert event["counts"]["in_review"] == 1 and event["counts"]["approved"] == 1
    assert "Approved." in response.content.decode()


def test_rejecting_without_a_reason_is_refused_with_a_message(desk: Client) -> None:
    article = pending()[0]
    response = desk.post(
        reverse("editorial:decide", args=[article.pk]),
        {"decision": "reject", "reason": "", "version": 1},
        **HTMX,
    )
    assert response.status_code == 409
    assert "reason is required" in response.content.decode()
    assert Article.objects.get(pk=article.pk).status == Article.Status.IN_REVIEW


def test_a_stale_edit_gets_409_and_keeps_the_editors_text(client: Client) -> None:
    article = pending()[0]
    alice, bob = Client(), Client()
    alice.force_login(editor("alice"))
    bob.force_login(editor("bob"))
    url = reverse("editorial:edit", args=[article.pk])
    alice.post(url, {"summary": "Alice's words.", "version": 1}, **HTMX)
    response = bob.post(url, {"summary": "Bob's careful words.", "version": 1}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 409
    assert "alice changed this article" in html
    assert "Bob&#x27;s careful words." in html  # his draft is still in the textarea
    assert "Alice&#x27;s words." in html  # and theirs is shown
    assert Article.objects.get(pk=article.pk).summary == "Alice's words."


def test_number_keys_post_just_the_importance(desk: Client) -> None:
    article = pending()[0]
    desk.post(
        reverse("editorial:edit", args=[article.pk]),
        {"importance": "8", "version": 1},
        **HTMX,
    )
    article.refresh_from_db()
    assert article.importance == 8 and article.summary == "AI summary."
    assert AuditEvent.objects.get().changes["importance"] == [5, 8]


def test_editors_cannot_publish_but_chief_editors_can(
    desk: Client, client: Client
) -> None:
    article = pending()[0]
    response = desk.post(
        reverse("editorial:decide", args=[article.pk]),
        {"decision": "publish", "version": 1},
        **HTMX,
    )
    assert response.status_code == 403
    boss = Client()
    boss.force_login(chief())
    boss.post(
        reverse("editorial:decide", args=[article.pk]),
        {"decision": "publish", "version": 1},
        **HTMX,
    )
    assert Article.objects.get(pk=article.pk).status == Article.Status.PUBLISHED


def test_the_queue_is_closed_to_people_without_the_editor_role(client: Client) -> None:
    client.force_login(User.objects.create_user("reader", is_staff=True))
    assert client.get(reverse("editorial:queue")).status_code == 403
    article = pending()[0]
    response = client.post(
        reverse("editorial:decide", args=[article.pk]),
        {"decision": "approve", "version": 1},
    )
    assert response.status_code == 403
    assert Article.objects.get(pk=article.pk).status == Article.Status.IN_REVIEW


def test_posts_need_a_csrf_token(client: Client) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor())
    article = pending()[0]
    response = strict.post(
        reverse("editorial:decide", args=[article.pk]),
        {"decision": "approve", "version": 1},
        **HTMX,
    )
    assert response.status_code == 403


def test_bulk_approve(desk: Client) -> None:
    articles = pending(3)
    desk.post(reverse("editorial:bulk_approve"), {"ids": [a.pk for a in articles[:2]]})
    statuses = sorted(Article.objects.values_list("status", flat=True))
    assert statuses == ["approved", "approved", "in_review"]


def test_an_open_story_shows_who_is_reviewing_it(client: Client) -> None:
    article = pending()[0]
    alice, bob = Client(), Client()
    alice.force_login(editor("alice"))
    bob.force_login(editor("bob"))
    alice.get(reverse("editorial:story", args=[article.pk]), **HTMX)
    html = bob.get(reverse("editorial:queue")).content.decode()
    assert "being reviewed by alice" in html


def test_undo_reverts_the_last_decision(desk: Client) -> None:
    article = pending()[0]
    desk.post(
        reverse("editorial:decide", args=[article.pk]),
        {"decision": "approve", "version": 1},
        **HTMX,
    )
    desk.post(reverse("editorial:undo", args=[article.pk]), **HTMX)
    assert Article.objects.get(pk=article.pk).status == Article.Status.IN_REVIEW
