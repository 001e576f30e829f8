"""Editorial decisions, each audited. The desk, the admin and any API call these."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from articles import clustering
from articles.models import Article, StoryCluster

from .models import AuditEvent


@transaction.atomic
def cluster_merge(
    *,
    source: StoryCluster,
    target: StoryCluster,
    editor: AbstractBaseUser,
    note: str = "",
) -> StoryCluster:
    """Merge ``source`` into ``target``: one story. The automatic pass keeps it that way."""
    if source.pk == target.pk:
        raise ValueError("a cluster cannot be merged into itself")
    moved = list(Article.objects.filter(cluster=source).values_list("pk", flat=True))
    merged = clustering.merge(source=source, target=target)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            article_id=pk,
            actor=editor,
            action="cluster_merge",
            changes={"cluster": [source.pk, target.pk]},
            note=note,
        )
        for pk in moved
    )
    return merged


@transaction.atomic
def article_split(
    *, article: Article, editor: AbstractBaseUser, note: str = ""
) -> StoryCluster:
    """Take an article out of its story into one of its own, for good."""
    previous = article.cluster_id
    cluster = clustering.split(article=article)
    AuditEvent.objects.create(
        article=article,
        actor=editor,
        action="cluster_split",
        changes={"cluster": [previous, cluster.pk]},
        note=note,
    )
    return cluster


@transaction.atomic
def cluster_choose_canonical(
    *, cluster: StoryCluster, article: Article, editor: AbstractBaseUser
) -> StoryCluster:
    """Make ``article`` the one that represents its story."""
    previous = cluster.canonical_id
    updated = clustering.choose_canonical(cluster=cluster, article=article)
    AuditEvent.objects.create(
        article=article,
        actor=editor,
        action="cluster_canonical",
        changes={"canonical": [previous, article.pk]},
    )
    return updated
