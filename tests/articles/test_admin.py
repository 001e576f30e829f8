from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from articles.models import Article
from enrichment.models import Enrichment
from tests.factories import ArticleFactory, enrich

pytestmark = pytest.mark.django_db


@pytest.fixture
def chief(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("chief", "c@example.com", "pw"))
    return client


def test_the_article_list_says_which_articles_wait_for_budget_or_failed(
    chief: Client, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    ArticleFactory(title="Parked story", waiting_for_budget=True)
    ArticleFactory(
        title="Broken story",
        status=Article.Status.FAILED,
        enrichment_error="the reply did not match the schema",
    )
    ArticleFactory.create_batch(20)
    with django_assert_max_num_queries(10):
        response = chief.get(reverse("admin:articles_article_changelist"))
    html = response.content.decode()
    assert "waiting for budget" in html
    assert "failed: the reply did not match the schema" in html


def test_editors_rerun_enrichment_from_the_admin(
    chief: Client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    article = ArticleFactory(status=Article.Status.NEW, text="Plenty of text. " * 30)
    enrich(article.pk)
    with django_capture_on_commit_callbacks(execute=True):
        chief.post(
            reverse("admin:articles_article_changelist"),
            {"action": "rerun_enrichment", "_selected_action": [article.pk]},
        )
    assert Enrichment.objects.filter(article=article).count() == 2


def test_published_articles_are_not_rerun(chief: Client) -> None:
    article = ArticleFactory(status=Article.Status.PUBLISHED)
    response = chief.post(
        reverse("admin:articles_article_changelist"),
        {"action": "rerun_enrichment", "_selected_action": [article.pk]},
        follow=True,
    )
    assert (
        "cannot re-run enrichment of a published article" in response.content.decode()
    )
    assert not Enrichment.objects.exists()


def test_ai_proposals_cannot_be_edited_in_the_admin(chief: Client) -> None:
    article = ArticleFactory(status=Article.Status.NEW, text="Plenty of text. " * 30)
    enrich(article.pk)
    enrichment = Enrichment.objects.get()
    url = reverse("admin:enrichment_enrichment_change", args=[enrichment.pk])
    chief.post(url, {"summary": "tampered"})
    enrichment.refresh_from_db()
    assert enrichment.summary != "tampered"
    assert chief.get(reverse("admin:enrichment_enrichment_add")).status_code == 403
