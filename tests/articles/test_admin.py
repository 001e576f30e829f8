from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from articles.models import Article
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chief(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("chief", "c@example.com", "pw"))
    return client


def test_the_article_list_says_which_articles_wait_for_budget_or_failed(
    chief: Client, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    ArticleFactory.create(title="Parked story", waiting_for_budget=True)
    ArticleFactory.create(
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
