"""Undo: an editor takes back their own last action on a story within a few seconds.

Every action the rulebook marks undoable is really undone — decisions and schedules (their
columns written back), edits (and the public correction they left), merges, splits and the
choice of a lead report — and the undo is itself in the history. ``last_undoable()`` finds the
editor's last action that can still be undone (on whichever story: the queue has usually
moved on to the next one), so the queue offers ``u`` only when the service would do it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from articles.models import Article
from stories import clustering
from stories.models import StoryCluster

from .. import actions
from ..actions import Undo
from ..exceptions import InvalidTransition, NotAllowed, UndoRefused
from ..models import AuditEvent, Correction
from .base import change, edit_conflict, locked

UNDO_SECONDS = 30
# Keys of an event's changes that are not article columns.
NOT_COLUMNS = frozenset({"version", "feed_revisions", "undid", "undid_action"})
# Columns an undo never puts back: once an editor has read the copy it stays read (every
# publication writes the flag afresh, so a story taken off the site loses nothing).
ONE_WAY = frozenset({"published_unreviewed"})


def last_undoable(user: Any) -> AuditEvent | None:
    """The action ``user`` could undo now — their latest, if nothing changed its story
    since — or None. Its ``article_id`` is the story to undo it on."""
    if not getattr(user, "is_authenticated", False):
        return None
    since = timezone.now() - timedelta(seconds=UNDO_SECONDS)
    last = (
        AuditEvent.objects.filter(actor_id=user.pk, at__gte=since)
        .exclude(action="undo")
        .order_by("-at", "-pk")
        .first()
    )
    if last is None:
        return None
    primary = _primary(last)
    article = (
        Article.objects.select_related("cluster").filter(pk=primary.article_id).first()
    )
    if article is None or _latest(article) not in (last.pk, primary.pk):
        return None
    try:
        _check(user, article, primary)
        if _is_story_action(primary):
            _others(primary, lock=False)
    except (InvalidTransition, NotAllowed):
        return None
    return primary


def _is_story_action(event: AuditEvent) -> bool:
    action = actions.REGISTRY.get(event.action)
    return action is not None and action.undo in (
        Undo.MERGE,
        Undo.SPLIT,
        Undo.CANONICAL,
    )


def _latest(article: Article) -> int | None:
    return AuditEvent.objects.for_article(article).values_list("pk", flat=True).first()


def _primary(event: AuditEvent) -> AuditEvent:
    """The event that records a whole action: a merge's, a split's or a lead choice's
    record is on its first row; the other stories' rows only point to it through the action
    id. (A bulk approve's rows each stand alone.)"""
    if not _is_story_action(event):
        return event
    first = AuditEvent.objects.filter(group=event.group).order_by("pk").first()
    if first is None or first.action != event.action:
        return event
    return first


def _check(user: Any, article: Article, last: AuditEvent | None) -> actions.Action:
    if (
        last is None
        or last.actor_id is None
        or last.actor_id != getattr(user, "pk", None)
    ):
        raise UndoRefused("you have no action on this story to take back")
    action = actions.REGISTRY.get(last.action)
    if action is None or action.undo is None:
        raise UndoRefused(f"{last.action_label} cannot be undone")
    if timezone.now() - last.at > timedelta(seconds=UNDO_SECONDS):
        raise UndoRefused(f"your action is older than {UNDO_SECONDS} s")
    if last.changes.get("version") != article.version:
        raise UndoRefused("the story changed since your action")
    if not actions.may(user, last.action):
        raise NotAllowed(f"{user} may no longer {action.phrase}")
    if (
        action.published_permission
        and article.status == Article.Status.PUBLISHED
        and not user.has_perm(action.published_permission)
    ):
        raise NotAllowed(f"{user} may not change a published story")
    return action


@transaction.atomic
def article_undo(
    *, article: Article | int, editor: Any, version: int | None = None
) -> Article:
    """Take back the editor's own last action on the story, within UNDO_SECONDS
    (``version``: the one the undo was offered at; anything since refuses it)."""
    pk = article if isinstance(article, int) else article.pk
    seen = AuditEvent.objects.for_article(pk).first()
    _lock_stories_of(pk, _primary(seen) if seen is not None else None)
    current = locked(article)
    if version is not None and current.version != version:
        raise edit_conflict(current, version, fields=())
    latest = AuditEvent.objects.for_article(current).select_for_update().first()
    if seen is not None and (latest is None or latest.pk != seen.pk):
        raise UndoRefused("the story changed since your action")
    last = _primary(latest) if latest is not None else None
    if last is not None and last.article_id != current.pk:
        current = locked(last.article_id)
    action = _check(editor, current, last)
    assert last is not None  # _check refuses a missing event
    if action.undo == Undo.FIELDS:
        _undo_fields(current, last, editor)
    elif action.undo == Undo.MERGE:
        _undo_merge(current, last, editor)
    elif action.undo == Undo.SPLIT:
        _undo_split(current, last, editor)
    elif action.undo == Undo.CANONICAL:
        _undo_canonical(current, last, editor)
    return Article.objects.get(pk=current.pk)


def _lock_stories_of(article_id: int, last: AuditEvent | None) -> None:
    """Lock every story the undo may move rows between, in id order, before any article:
    the desk's lock order (stories, then articles), which merge, split and lead choice
    keep too — so an undo and a merge into the same story wait for one another instead of
    deadlocking. First of all, clustering's lock, as the desk's other story actions."""
    clustering.lock()
    ids: set[int] = set()
    article_ids = {article_id}
    if last is not None:
        article_ids.add(last.article_id)
        if _is_story_action(last):
            article_ids.update(
                AuditEvent.objects.filter(group=last.group).values_list(
                    "article_id", flat=True
                )
            )
            ids.update(
                pk for pk in last.changes.get("cluster") or () if isinstance(pk, int)
            )
    ids.update(
        pk
        for pk in Article.objects.filter(pk__in=article_ids).values_list(
            "cluster_id", flat=True
        )
        if pk is not None
    )
    list(StoryCluster.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


def _undo_fields(current: Article, last: AuditEvent, editor: Any) -> None:
    restored = {
        name: values[0]
        for name, values in last.changes.items()
        if name not in NOT_COLUMNS | ONE_WAY
        and name != "status"
        and isinstance(values, list)
        and len(values) == 2
    }
    status = last.changes.get("status")
    change(
        "undo",
        article=current,
        editor=editor,
        values=restored,
        to_state=status[0] if status else None,
        extra={"undid": last.pk, "undid_action": last.action},
        group=last.group,
    )
    # A correction noted a change that no longer stands.
    Correction.objects.filter(article=current, event_group=last.group).delete()


def _others(last: AuditEvent, *, lock: bool = True) -> list[AuditEvent]:
    """The other stories one action touched (a merge's reports and the story it went
    into, the story a split left, the lead a choice replaced), each unchanged since —
    otherwise the undo is refused: it would undo more than that action. ``lock=False``
    only asks (the queue deciding whether to offer ``u``)."""
    others = list(
        AuditEvent.objects.filter(group=last.group)
        .exclude(pk=last.pk)
        .exclude(action="undo")
        .order_by("pk")
    )
    rows = Article.objects.filter(pk__in=[e.article_id for e in others])
    if lock:
        rows = rows.select_for_update().order_by("pk")
    versions = dict(rows.values_list("pk", "version"))
    for event in others:
        if versions.get(event.article_id) != event.changes.get("version"):
            raise UndoRefused("another story your action touched changed since")
    return others


def _undo_merge(current: Article, last: AuditEvent, editor: Any) -> None:
    record = last.changes
    others = _others(last)
    moved = [int(pk) for pk in record["moved"]]
    target_id = record["cluster"][1]
    if not StoryCluster.objects.filter(pk=target_id).exists():
        raise UndoRefused("the story it went into no longer exists")
    clustering.unmerge(
        article_ids=moved,
        lead_id=record["lead"],
        lead_chosen=record["lead_chosen"],
        manual=record["manual"],
        locked=record["locked"],
        target_id=target_id,
        target_manual=record["target_manual"],
    )
    current.refresh_from_db()
    _record_undo(current, last, editor)
    for event in others:
        other = locked(event.article_id)
        _record_undo(other, last, editor)


def _undo_split(current: Article, last: AuditEvent, editor: Any) -> None:
    record = last.changes
    others = _others(last)
    previous = record["cluster"][0]
    cluster = StoryCluster.objects.select_for_update().filter(pk=previous).first()
    if cluster is None:
        raise UndoRefused("the story it left no longer exists")
    # The report that has led the story since may have been decided or edited: putting
    # the old lead back would turn a signed-off story into a mere report.
    leading = (
        Article.objects.select_for_update()
        .filter(pk=cluster.canonical_id)
        .exclude(pk=record["lead"])
        .first()
        if cluster.canonical_id is not None
        else None
    )
    if leading is not None and leading.is_settled and record["lead"] == current.pk:
        raise UndoRefused("the story it left was decided on since")
    clustering.rejoin(article=current, cluster_id=previous, locked=record["locked"])
    lead = Article.objects.filter(pk=record["lead"], cluster_id=previous).first()
    if lead is not None:
        clustering.choose_canonical(
            cluster=cluster, article=lead, chosen=record["lead_chosen"]
        )
    StoryCluster.objects.filter(pk=previous).update(manual=record["manual"])
    current.refresh_from_db()
    _record_undo(current, last, editor)
    for event in others:
        _record_undo(locked(event.article_id), last, editor)


def _undo_canonical(current: Article, last: AuditEvent, editor: Any) -> None:
    old_lead, _new = last.changes["canonical"]
    chosen_before, _chosen = last.changes["canonical_chosen"]
    others = _others(last)
    cluster = current.cluster
    lead = Article.objects.filter(pk=old_lead, cluster=cluster).first()
    if cluster is None or lead is None:
        raise UndoRefused("the story changed since your action")
    clustering.choose_canonical(cluster=cluster, article=lead, chosen=chosen_before)
    _record_undo(current, last, editor)
    for event in others:
        _record_undo(locked(event.article_id), last, editor)


def _record_undo(article: Article, last: AuditEvent, editor: Any) -> None:
    change(
        "undo",
        article=article,
        editor=editor,
        values={},
        extra={"undid": last.pk, "undid_action": last.action},
        group=last.group,
    )
