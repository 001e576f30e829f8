from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import ArticleFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_the_article_list_shows_the_latest_stories_in_constant_queries(
    client: Client, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    source = SourceFactory(name="Harbour Wire")
    ArticleFactory.create_batch(40, source=source)
    with django_assert_max_num_queries(3):
        response = client.get(reverse("public:list"))
    assert response.status_code == 200
    assert response.content.decode().count('class="article-card"') == 30
    assert "Harbour Wire" in response.content.decode()


def test_the_article_page_links_to_the_original_via_its_source(client: Client) -> None:
    article = ArticleFactory(content="<p>Body</p>", source__name="Harbour Wire")
    response = client.get(article.get_absolute_url())
    html = response.content.decode()
    assert "Read original via Harbour Wire" in html
    assert f'href="{article.url}"' in html


def test_pages_send_security_headers(client: Client) -> None:
    response = client.get(reverse("public:list"))
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
