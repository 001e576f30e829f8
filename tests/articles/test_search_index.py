"""Full-text search on PostgreSQL reads its index, and a query with nothing to look for
reads nothing (found attacking the site: every search computed every story's text vector,
2 s a search at 5,000 stories)."""

from __future__ import annotations

import pytest
from django.db import connection

from articles.models import Article
from tests.editorial.factories import story

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's index")
def test_search_on_postgresql_uses_the_published_stories_index() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'article_published_search'"
        )
        (definition,) = cursor.fetchone()
        assert "gin" in definition and "status" in definition
    plan = Article.objects.visible().matching('"rate cut"').values("pk").explain()

    def vector(text: str) -> str:
        start = text.index("setweight(")
        return text[start : text.index("'C'::\"char\")", start)]

    # The query's text vector is the indexed expression, so PostgreSQL can use the index
    # (on a table this small it rightly prefers another plan).
    assert vector(plan) == vector(definition)


@pytest.mark.parametrize("query", ["-steel", '"', "OR", "- -"])
def test_a_query_without_a_word_to_find_matches_nothing_on_any_database(
    query: str,
) -> None:
    story("published", title="Steel prices fall", summary="Steel is cheaper.")
    assert list(Article.objects.visible().matching(query)) == []
