"""The placeholder reader pages: only what the desk published, one row per story."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from articles.models import Article
from editorial import services
from tests.editorial.factories import chief, reported, story
from tests.factories import ArticleFactory, SourceFactory

pytestmark = pytest.mark.django_db
S = Article.Status


def test_the_front_page_lists_published_stories_in_constant_queries(
    client: Client, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    source = SourceFactory.create(name="Harbour Wire")
    ArticleFactory.create_batch(40, source=source, status=S.PUBLISHED)
    with django_assert_max_num_queries(3):
        response = client.get(reverse("public:list"))
    assert response.status_code == 200
    assert response.content.decode().count('class="article-card"') == 30
    assert "Harbour Wire" in response.content.decode()


@pytest.mark.parametrize("state", [s for s in S if s != S.PUBLISHED])
def test_readers_never_see_a_story_the_desk_has_not_published(
    client: Client, state: str
) -> None:
    hidden = story(state, title="Defamatory story")
    assert "Defamatory story" not in client.get(reverse("public:list")).content.decode()
    assert client.get(hidden.get_absolute_url()).status_code == 404


def test_a_published_storys_other_reports_are_not_separate_stories(
    client: Client,
) -> None:
    lead = story(S.PUBLISHED, title="Helios buys Lumen")
    report = reported(
        lead, status=S.PUBLISHED, title="Chip giant snaps up optics maker"
    )
    html = client.get(reverse("public:list")).content.decode()
    assert html.count('class="article-card"') == 1
    assert client.get(report.get_absolute_url()).status_code == 404


def test_the_story_page_links_to_the_original_and_never_republishes_it(
    client: Client,
) -> None:
    article = ArticleFactory.create(
        content="<p>The publisher's whole article.</p>",
        source__name="Harbour Wire",
        status=S.PUBLISHED,
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Read original via Harbour Wire" in html
    assert f'href="{article.url}"' in html
    assert "The publisher&#x27;s whole article." not in html
    assert "The publisher's whole article." not in html


def test_a_correction_is_shown_under_the_story_dated(client: Client) -> None:
    article = story(S.PUBLISHED)
    services.article_edit(
        article=article,
        editor=chief(),
        version=article.version,
        changes={"summary": "Fixed figure."},
        correction="corrected the figure in the summary",
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert "corrected the figure in the summary" in html
    assert "Updated" in html


def test_pages_send_security_headers(client: Client) -> None:
    response = client.get(reverse("public:list"))
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
