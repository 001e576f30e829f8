"""Editors' decisions about what makes one story: merge two stories, split a report out of
its story, choose the report that leads it. ``stories.clustering`` moves the rows; this
checks the rulebook, versions every article that moved and records it all under one action
id, with what undo needs to put it back."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, Subquery

from articles.models import Article
from sources.models import Source
from stories import clustering
from stories.models import StoryCluster

from .. import actions
from ..exceptions import InvalidTransition, NotAllowed
from ..models import AuditEvent
from .base import (
    TAKEDOWN_REASON,
    S,
    audit_row,
    begin,
    change,
    gives_a_reason,
    gone,
    lock_lead,
    note_kept,
    readers_see_it,
)


@transaction.atomic
def story_merge(
    *,
    article: Article | int,
    target: Article | int,
    editor: Any,
    version: int | None = None,
    note: str = "",
) -> StoryCluster:
    """Merge the story that ``article`` leads into the story of ``target``: its reports
    become sources of that story, and the automatic pass keeps them there.

    Only a story the desk has not decided can be merged away: a published story would
    vanish from the site without anyone unpublishing it.
    """
    target_pk = target if isinstance(target, int) else target.pk
    stories = _lock_stories(article, target_pk)
    current = begin("merge", article=article, editor=editor, version=version)
    # Locked with its story's lead: a chief publishing that story meanwhile is waited for,
    # and then the rule about published stories below sees it published.
    into = (
        Article.objects.select_for_update(of=("self",))
        .select_related("cluster")
        .filter(pk=target_pk)
        .first()
    )
    if into is None:
        raise ValidationError({"target": merge_target_gone(target_pk)})
    lock_lead(into)
    _unchanged(stories, current, into)
    if into.status == S.ARCHIVED:
        raise InvalidTransition("merge into", "an archived story")
    if into.story_status == S.PUBLISHED and not actions.may(editor, "publish"):
        raise NotAllowed(f"{editor} may not add reports to a published story")
    source = clustering.ensure_cluster(current)
    destination = clustering.ensure_cluster(into)
    if source.pk == destination.pk:
        raise ValidationError({"target": "Both are already one story."})
    members = list(
        Article.objects.filter(cluster=source).values_list("pk", "cluster_locked")
    )
    moved = [pk for pk, _locked in members]
    record = {
        "cluster": [source.pk, destination.pk],
        "moved": moved,
        "locked": {str(pk): locked for pk, locked in members},
        "lead": source.canonical_id,
        "lead_chosen": source.canonical_chosen,
        "manual": source.manual,
        "target_manual": destination.manual,
        "target_lead": destination.canonical_id,
    }
    clustering.merge(source=source, target=destination)
    group = uuid.uuid4()
    current.refresh_from_db()
    change(
        "merge",
        article=current,
        editor=editor,
        values={},
        extra=record,
        note=note or f"into the story of #{destination.canonical_id}",
        group=group,
    )
    _touch(
        [pk for pk in moved if pk != current.pk],
        action="merge",
        editor=editor,
        group=group,
        changes={"cluster": record["cluster"]},
    )
    if destination.canonical_id is not None:
        # The story it went into has new sources: its history says so.
        _touch(
            [destination.canonical_id],
            action="merge",
            editor=editor,
            group=group,
            changes={"absorbed": current.pk},
            note=f"the story of #{current.pk} was merged into this one",
        )
    return StoryCluster.objects.get(pk=destination.pk)


@transaction.atomic
def article_split(
    *, article: Article | int, editor: Any, version: int | None = None, note: str = ""
) -> StoryCluster:
    """Take a report out of its story into a story of its own, for good."""
    stories = _lock_stories(article)
    current = begin("split", article=article, editor=editor, version=version)
    _unchanged(stories, current)
    previous = current.cluster
    if previous is None or previous.article_count < 2:
        raise InvalidTransition("split", "alone in its story")
    record: dict[str, Any] = {
        "cluster": [previous.pk, None],
        "locked": current.cluster_locked,
        "lead": previous.canonical_id,
        "lead_chosen": previous.canonical_chosen,
        "manual": previous.manual,
    }
    cluster = clustering.split(article=current)
    record["cluster"][1] = cluster.pk
    group = uuid.uuid4()
    change(
        "split",
        article=current,
        editor=editor,
        values={},
        extra=record,
        note=note,
        group=group,
    )
    left = StoryCluster.objects.filter(pk=previous.pk).values_list(
        "canonical_id", flat=True
    )
    lead = left.first()
    if lead is not None and lead != current.pk:
        # The story it left lost a source: its history says so.
        _touch(
            [lead],
            action="split",
            editor=editor,
            group=group,
            changes={"lost": current.pk},
            note=f"report #{current.pk} was split out into a story of its own",
        )
    return cluster


@transaction.atomic
def story_choose_lead(
    *, article: Article | int, editor: Any, version: int | None = None
) -> StoryCluster:
    """Make ``article`` the report that leads its story (its copy is the one reviewed).

    Only while the story is undecided: once approved or published, the lead's copy is what
    the desk signed off on.
    """
    stories = _lock_stories(article)
    current = begin("canonical", article=article, editor=editor, version=version)
    _unchanged(stories, current)
    cluster = current.cluster
    if cluster is None or cluster.canonical_id == current.pk:
        raise InvalidTransition("make the lead report of", "already led by it")
    # Locked: an approval of the current lead committing meanwhile must be seen here.
    lead = (
        Article.objects.select_for_update()
        .filter(pk=cluster.canonical_id)
        .only("status")
        .first()
        if cluster.canonical_id is not None
        else None
    )
    if lead is not None and lead.status not in Article.UNDECIDED:
        raise InvalidTransition("change the lead report of", lead.status)
    record = {
        "canonical": [cluster.canonical_id, current.pk],
        "canonical_chosen": [cluster.canonical_chosen, True],
    }
    group = uuid.uuid4()
    clustering.choose_canonical(cluster=cluster, article=current)
    change(
        "canonical",
        article=current,
        editor=editor,
        values={},
        extra=record,
        group=group,
    )
    if lead is not None:
        _touch(
            [lead.pk],
            action="canonical",
            editor=editor,
            group=group,
            changes={"canonical": record["canonical"]},
        )
    return StoryCluster.objects.get(pk=cluster.pk)


@transaction.atomic
def article_delete(
    *, article: Article | int, editor: Any, version: int | None = None, note: str = ""
) -> None:
    """Delete a report for good (a takedown): its history stays, saying who deleted it and,
    for a published one, why (a reason is required, as for unpublishing); if it led its
    story, the earliest remaining report leads instead and its history says so; the site
    drops the story at once when it was published."""
    note = note_kept(note)
    stories = _lock_stories(article)
    current = begin("delete", article=article, editor=editor, version=version)
    _unchanged(stories, current)
    if current.status == S.PUBLISHED and not gives_a_reason(note):
        raise ValidationError({"reason": TAKEDOWN_REASON})
    cluster = current.cluster
    handed_on = None
    if cluster is not None and cluster.canonical_id == current.pk:
        handed_on = (
            Article.objects.select_for_update()
            .filter(cluster=cluster)
            .exclude(pk=current.pk)
            .order_by("published_at", "pk")
            .first()
        )
    change(
        "delete",
        article=current,
        editor=editor,
        values={},
        note=note,
        extra={"lead_to": handed_on.pk if handed_on else None},
    )
    pk = current.pk
    current.delete()  # the story's lead passes on (stories.models.next_lead)
    if cluster is not None:
        clustering.refresh_cluster(cluster.pk)
    if handed_on is not None:
        _touch(
            [handed_on.pk],
            action="lead_handed_on",
            editor=editor,
            group=uuid.uuid4(),
            changes={"canonical": [pk, handed_on.pk]},
            note=f"#{pk}, which led this story, was deleted",
        )


def merge_target_gone(pk: int) -> str:
    """The refusal of a merge into a story that is not there (any more)."""
    picked = gone(pk, unnamed="The story picked to merge into")
    return f"{picked} Pick another story to merge into."


def source_articles_deleted(source: Source) -> None:
    """Record the deletion of a source's articles, which the database's cascade is about to
    delete without the audited ``article_delete``: each one's history says who deleted the
    source (``Source.deleted_by``, set by the admin) and why (``deleted_reason``, required,
    as for any takedown, when published stories go with it) and, for a story it led, which report
    of another source leads it now (as ``stories.models.next_lead`` will choose), so an
    editor who has one open is told what happened; that report's history says it took the
    lead, and its version moves on, as after the desk's deletion of a lead (a form loaded
    before is stale). One action: one group each for the deletions and the hand-overs."""
    heir = (
        Article.objects.filter(cluster=OuterRef("pk"))
        .exclude(source_id__in={source.pk, *source.deleted_with})
        .order_by("published_at", "pk")
        .values("pk")[:1]
    )
    heirs = dict(
        StoryCluster.objects.filter(canonical__source=source)
        .annotate(heir=Subquery(heir))
        .filter(heir__isnull=False)
        .values_list("canonical_id", "heir")
    )
    # The stories they are in, to count again once they are gone (``post_delete``).
    source.stories_left = frozenset(
        Article.objects.filter(source=source, cluster__isnull=False)
        .values_list("cluster_id", flat=True)
        .distinct()
    )
    reason = note_kept(source.deleted_reason)
    published = Article.objects.filter(source=source, status=S.PUBLISHED)
    if not gives_a_reason(reason) and published.exists():
        raise ValidationError({"reason": TAKEDOWN_REASON})
    note = f"deleted with its source “{source.name}”" + (
        f": {reason}" if reason else ""
    )
    group = uuid.uuid4()
    AuditEvent.objects.bulk_create(
        (
            audit_row(
                "delete",
                article_id=pk,
                label=title,
                actor=source.deleted_by,
                from_state=status,
                to_state=status,
                changes={
                    "source": source.name,
                    **({"lead_to": heirs[pk]} if pk in heirs else {}),
                },
                note=note,
                group=group,
                # A published story taken off with its source stays off, whichever
                # report of another source leads it now.
                story=story if status == S.PUBLISHED else None,
            )
            for pk, title, status, story in Article.objects.filter(source=source)
            .values_list("pk", "title", "status", "cluster_id")
            .iterator()
        ),
        batch_size=1000,
    )
    _touch(
        list(heirs.values()),
        action="lead_handed_on",
        editor=source.deleted_by,
        group=uuid.uuid4(),
        changes={},
        each={heir: {"canonical": [lead, heir]} for lead, heir in heirs.items()},
        note=f"the report that led this story was deleted with its source “{source.name}”",
    )


def source_stories_recounted(source: Source) -> None:
    """After a source's deletion, each story it reported counts its remaining reports and
    sources (and is deleted when none is left): the cascade left "and 2 more" on the front
    page's cards of stories that had one report left (an attacker's find)."""
    for story_id in sorted(source.stories_left):
        clustering.refresh_cluster(story_id)


def _lock_stories(*articles: Article | int) -> dict[int, int | None]:
    """Lock the stories of these articles, in id order, before any of their articles: the
    desk's lock order (story, then articles), so two editors merging two stories into each
    other at once wait for one another instead of deadlocking. First of all, clustering's
    lock: an automatic pass moving reports between these stories waits for the editor,
    or the editor for it."""
    clustering.lock()
    pks = [a if isinstance(a, int) else a.pk for a in articles]
    clusters: dict[int, int | None] = dict(
        Article.objects.filter(pk__in=pks).values_list("pk", "cluster_id")
    )
    ids = sorted({c for c in clusters.values() if c is not None})
    list(StoryCluster.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    return clusters


def _unchanged(stories: dict[int, int | None], *articles: Article) -> None:
    for article in articles:
        if stories.get(article.pk) != article.cluster_id:
            raise InvalidTransition(
                "change", "a story that changed meanwhile (reload it)"
            )


def _touch(
    ids: list[int],
    *,
    action: str,
    editor: Any,
    group: uuid.UUID,
    changes: dict[str, Any],
    note: str = "",
    each: Mapping[int, dict[str, Any]] | None = None,
) -> None:
    """Version and record the other articles one action changed (their stale forms then
    conflict), under the same action id; ``each``: what one article's record adds to
    ``changes``, by its id."""
    if not ids:
        return
    Article.objects.filter(pk__in=ids).update(version=F("version") + 1)
    rows = list(
        Article.objects.filter(pk__in=ids).values_list(
            "pk", "title", "status", "version"
        )
    )
    for pk, _title, status, _version in rows:
        if status == S.PUBLISHED:
            readers_see_it(pk)  # a published story's sources changed
    AuditEvent.objects.bulk_create(
        audit_row(
            action,
            article_id=pk,
            label=title,
            actor=editor,
            from_state=status,
            to_state=status,
            changes={**changes, **(each or {}).get(pk, {}), "version": version},
            note=note,
            group=group,
        )
        for pk, title, status, version in rows
    )
