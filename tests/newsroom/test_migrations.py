"""An existing database migrates forward through the app split without losing a row."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE_THE_SPLIT = [
    ("articles", "0008_term_day"),
    ("editorial", "0002_groups"),
    ("stories", None),
    ("enrichment", None),
]

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def executor() -> Iterator[MigrationExecutor]:
    executor = MigrationExecutor(connection)
    yield executor
    # Leave the database at the latest migrations for the tests that follow.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_clusters_proposals_and_budget_survive_the_move_to_their_own_apps(
    executor: MigrationExecutor,
) -> None:
    # A database as it was before the split, built forward from nothing (going back from
    # today's tables on SQLite leaves a rebuilt table's key naming the renamed table).
    executor.migrate([("articles", None), ("stories", None), ("enrichment", None)])
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_THE_SPLIT)
    old = executor.loader.project_state(
        [(app, name) for app, name in BEFORE_THE_SPLIT if name is not None]
    ).apps
    when = datetime(2026, 11, 20, 9, tzinfo=UTC)
    source = old.get_model("sources", "Source").objects.create(
        name="Wire", slug="wire", feed_url="https://wire.example/rss"
    )
    article = old.get_model("articles", "Article").objects.create(
        source=source, guid="g1", title="Helios buys Lumen", published_at=when
    )
    cluster = old.get_model("articles", "StoryCluster").objects.create(
        canonical=article, article_count=1, source_count=1
    )
    proposal = old.get_model("articles", "Enrichment").objects.create(
        article=article,
        status="ok",
        backend="offline",
        model="rules",
        prompt_version="v1",
        input_hash="h",
        summary="Helios agreed to buy Lumen.",
    )
    article.cluster, article.enrichment = cluster, proposal
    article.save()
    old.get_model("articles", "ArticleTerm").objects.create(
        article=article, term="helios", published_at=when
    )
    old.get_model("articles", "BudgetDay").objects.create(day=when.date())

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from articles.models import Article
    from enrichment.models import BudgetDay, Enrichment
    from stories.models import ArticleTerm, StoryCluster

    moved = Article.objects.select_related("cluster", "enrichment").get(pk=article.pk)
    assert moved.cluster == StoryCluster.objects.get(pk=cluster.pk)
    assert moved.cluster.canonical_id == article.pk
    assert moved.enrichment == Enrichment.objects.get(pk=proposal.pk)
    assert moved.enrichment.summary == "Helios agreed to buy Lumen."
    assert ArticleTerm.objects.filter(article_id=article.pk, term="helios").exists()
    assert BudgetDay.objects.filter(day=when.date()).exists()
    tables = connection.introspection.table_names()
    assert "stories_storycluster" in tables and "articles_storycluster" not in tables
    assert "enrichment_enrichment" in tables and "articles_enrichment" not in tables


def test_migrations_give_the_desk_roles_exactly_the_declared_permissions(
    executor: MigrationExecutor,
) -> None:
    from django.contrib.auth.models import Group

    from editorial.roles import ROLES

    executor.migrate(
        [("editorial", "0001_audit"), ("stories", None), ("enrichment", None)]
    )
    Group.objects.all().delete()
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    for name, declared in ROLES.items():
        granted = {
            (p.content_type.app_label, p.codename)
            for p in Group.objects.get(name=name).permissions.all()
        }
        assert granted == set(declared), name
