from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django import Settings

from articles.models import Article
from editorial import services as editorial
from editorial.models import AuditEvent
from sources.models import Source
from stories import clustering
from stories.models import StoryCluster
from stories.related import related as related_stories
from tests.editorial.factories import cluster_of
from tests.editorial.factories import editor as editor_user
from tests.factories import ArticleFactory, SourceFactory, enrich

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)

HELIOS = [
    (
        "Helios Semiconductor to buy Lumen Optics for $4.2 billion",
        "Helios Semiconductor agreed on Monday to acquire Lumen Optics for $4.2 billion in cash, "
        "the chipmaker's largest deal. Lumen holders get $38 a share.",
    ),
    (
        "Chipmaker Helios agrees $4.2bn Lumen deal; target's stock jumps 27%",
        "Shares of Lumen Optics jumped 27% after Helios said it would pay $4.2bn for the optical "
        "chip designer, or $38 per share.",
    ),
    (
        "Helios snaps up Lumen Optics in $4.2 billion bet on light-based chips",
        "Helios Semiconductor is buying Lumen Optics for about $4.2 billion, betting that optical "
        "links will relieve bottlenecks in AI data centres.",
    ),
]
OTHER = [
    (
        "Aster Motors to cut 3,500 jobs and close Ohio plant",
        "Aster Motors will cut 3,500 jobs and close its Harlow Creek assembly plant in Ohio as "
        "electric-vehicle demand slows.",
    ),
    (
        "Northbridge Bank agrees all-stock deal for Carrow Valley Bancorp",
        "Northbridge Bank will buy Carrow Valley Bancorp in an all-stock deal worth $1.3 billion, "
        "expanding in the Midwest.",
    ),
]


def publish(
    title: str,
    text: str,
    *,
    source: Source | None = None,
    at: datetime = T0,
    **kwargs: Any,
) -> Article:
    article = ArticleFactory.create(
        title=title,
        text=text,
        published_at=at,
        source=source or SourceFactory.create(),
        **kwargs,
    )
    clustering.assign(article)
    article.refresh_from_db()
    return article


def test_the_same_event_from_three_outlets_is_one_story_with_three_sources() -> None:
    stories = [
        publish(t, x, at=T0 + timedelta(hours=i)) for i, (t, x) in enumerate(HELIOS)
    ]
    others = [publish(t, x) for t, x in OTHER]
    assert len({a.cluster_id for a in stories}) == 1
    cluster = cluster_of(stories[0])
    assert (cluster.article_count, cluster.source_count) == (3, 3)
    assert cluster.canonical == stories[0]  # the earliest
    assert cluster.first_seen == T0 and cluster.last_seen == T0 + timedelta(hours=2)
    assert len({a.cluster_id for a in others} | {cluster.pk}) == 3


def test_every_article_has_a_cluster_even_alone() -> None:
    article = publish(*OTHER[0])
    assert cluster_of(article).article_count == 1


def test_reports_outside_the_time_window_are_different_stories(
    settings: Settings,
) -> None:
    settings.CLUSTER_WINDOW_HOURS = 48
    first = publish(*HELIOS[0])
    late = publish(*HELIOS[1], at=T0 + timedelta(days=4))
    assert first.cluster_id != late.cluster_id


def test_one_source_is_not_grouped_with_itself_unless_it_reposts() -> None:
    source = SourceFactory.create()
    first = publish(*HELIOS[0], source=source)
    follow_up = publish(*HELIOS[1], source=source)
    repost = publish(HELIOS[0][0], HELIOS[0][1] + " ", source=source)
    assert follow_up.cluster_id != first.cluster_id
    assert repost.cluster_id == first.cluster_id


def test_a_split_article_stays_out_and_a_merge_stays_merged() -> None:
    editor = editor_user()
    stories = [publish(t, x) for t, x in HELIOS]
    editorial.article_split(article=stories[2], editor=editor, note="analysis piece")
    stories[2].refresh_from_db()
    clustering.assign(stories[2])  # the automatic pass again
    stories[2].refresh_from_db()
    assert stories[2].cluster_id != stories[0].cluster_id
    assert cluster_of(stories[0]).source_count == 2

    aster = publish(*OTHER[0])
    editorial.story_merge(article=aster, target=stories[0], editor=editor)
    call_command("recluster", "--days", "3650", stdout=StringIO(), stderr=StringIO())
    aster.refresh_from_db()
    stories[2].refresh_from_db()
    assert aster.cluster_id == stories[0].cluster_id
    assert stories[2].cluster_id != stories[0].cluster_id
    assert set(AuditEvent.objects.values_list("action", flat=True)) == {
        "split",
        "merge",
    }


def test_editors_choose_the_canonical_article_and_it_sticks() -> None:
    editor = editor_user()
    stories = [
        publish(t, x, at=T0 + timedelta(hours=i)) for i, (t, x) in enumerate(HELIOS)
    ]
    cluster = cluster_of(stories[0])
    editorial.story_choose_lead(article=stories[2], editor=editor)
    publish(
        "Helios-Lumen deal: what it means", HELIOS[0][1], at=T0 - timedelta(hours=1)
    )
    cluster.refresh_from_db()
    assert cluster.canonical == stories[2]
    # The new lead and the one it replaced, under one action id.
    events = AuditEvent.objects.filter(action="canonical")
    assert {e.article_id for e in events} == {stories[2].pk, stories[0].pk}
    assert len({e.group for e in events}) == 1


def test_related_stories_list_the_cluster_first_then_similar_stories() -> None:
    helios = [publish(t, x) for t, x in HELIOS]
    earlier = publish(
        "Helios Semiconductor reports record chip orders",
        "Helios Semiconductor said orders for its AI chips hit a record, lifting Helios shares.",
        at=T0 - timedelta(days=3),
    )
    unrelated = publish(*OTHER[0])
    related = related_stories(helios[0])
    assert related[:2] == [helios[1].pk, helios[2].pk]
    assert earlier.pk in related
    assert unrelated.pk not in related


def test_assigning_one_article_reads_the_index_not_the_table() -> None:
    for i in range(60):
        publish(
            f"Unrelated story {i} about widgets", f"Widget maker {i} shipped widgets."
        )
    article = ArticleFactory.create(
        title=HELIOS[0][0], text=HELIOS[0][1], published_at=T0
    )
    with CaptureQueriesContext(connection) as ctx:
        clustering.assign(article)
    assert len(ctx) <= 25
    assert not any(
        'FROM "articles_article"' in q["sql"] and "WHERE" not in q["sql"]
        for q in ctx.captured_queries
    )


def test_a_new_report_of_an_approved_story_reuses_its_proposal(
    settings: Settings,
) -> None:
    first = publish(*HELIOS[0], status=Article.Status.NEW)
    enrich(first.pk)
    Article.objects.filter(pk=first.pk).update(status=Article.Status.PUBLISHED)
    settings.ENRICHMENT_BACKEND = (
        "claude"  # any real call would fail: no key, no network
    )
    second = publish(*HELIOS[1], status=Article.Status.NEW)
    enrich(second.pk)
    second.refresh_from_db()
    assert second.status == Article.Status.IN_REVIEW
    assert second.enrichment is not None
    assert second.enrichment.backend == "cluster"
    assert second.summary == Article.objects.get(pk=first.pk).summary
    first.refresh_from_db()
    assert f"#{first.enrichment_id}" in second.enrichment.raw_reply


def test_deleting_a_storys_lead_hands_the_story_to_its_next_report() -> None:
    """Found by typing: a story whose lead was deleted lost its lead (SET_NULL), so its other
    reports vanished from the desk and every action on them was refused."""
    stories = [
        publish(t, x, at=T0 + timedelta(hours=i)) for i, (t, x) in enumerate(HELIOS[:2])
    ]
    cluster_id = stories[0].cluster_id
    assert cluster_id is not None and stories[1].cluster_id == cluster_id
    stories[0].delete()
    cluster = StoryCluster.objects.get(pk=cluster_id)
    assert cluster.canonical_id == stories[1].pk
    assert Article.objects.leading().filter(pk=stories[1].pk).exists()
