"""Decisions on a story: submit, approve, reject, publish, unpublish, archive, re-run the AI.
Each is one audited, versioned change of the story's lead article, checked by the rulebook on
the locked row. Scheduled publication is in ``schedule``."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from typing import Any

from celery import chain
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from articles.models import Article
from articles.services import story_slug
from enrichment.tasks import enrich_article

from .. import actions
from ..exceptions import TakenDown
from ..models import AuditEvent
from ..tasks import receive_proposal
from .base import (
    TAKEDOWN_REASON,
    audit,
    begin,
    change,
    gives_a_reason,
    note_kept,
    read,
)

logger = logging.getLogger(__name__)

UNSCHEDULING = frozenset({"reject", "unpublish", "archive", "submit"})
# Decisions that take a published story off the site: the desk says why, as for a reject.
TAKEDOWNS = frozenset({"unpublish", "archive"})


def _decide(
    name: str,
    *,
    article: Article | int,
    editor: Any,
    version: int | None,
    note: str = "",
    values: dict[str, Any] | None = None,
    group: uuid.UUID | None = None,
    on_behalf_of: Any = None,
    reviewed: bool = True,
    again: bool = False,
) -> Article:
    note = note_kept(note)
    current = begin(name, article=article, editor=editor, version=version)
    if (
        name in TAKEDOWNS
        and current.status == Article.Status.PUBLISHED
        and not gives_a_reason(note)
    ):
        raise ValidationError({"reason": TAKEDOWN_REASON})
    if name == "publish" and (takedown := last_takedown(current)) is not None:
        if not again:
            raise _refusal(takedown)
        note = note or "published again"
    target = actions.REGISTRY[name].to_state
    values = dict(values or {})
    if name == "publish":
        values.update(
            publication(current, by=editor or on_behalf_of, reviewed=reviewed)
        )
    if name in UNSCHEDULING:
        # A story leaving the approved state drops its schedule: an approval given later
        # must not bring back a publication time chosen for the old copy.
        values.update(publish_at=None, scheduled_by=None)
    current, _event = change(
        name,
        article=current,
        editor=editor,
        values=values,
        to_state=target,
        note=note,
        group=group,
    )
    return current


@transaction.atomic
def article_submit(
    *, article: Article | int, editor: Any, version: int | None = None, note: str = ""
) -> Article:
    """Put a story (new, failed or rejected) in front of the desk."""
    return _decide("submit", article=article, editor=editor, version=version, note=note)


@transaction.atomic
def article_approve(
    *,
    article: Article | int,
    editor: Any,
    version: int | None = None,
    note: str = "",
    group: uuid.UUID | None = None,
) -> Article:
    """Approve the story's copy; a chief editor publishes it (now or on schedule).
    ``group``: the id of a larger action (a bulk approve) this approval is part of."""
    return _decide(
        "approve",
        article=article,
        editor=editor,
        version=version,
        note=note,
        group=group,
    )


@transaction.atomic
def article_reject(
    *, article: Article | int, editor: Any, reason: str, version: int | None = None
) -> Article:
    """Reject a story. A reason is required: it is what the history explains."""
    if not gives_a_reason(reason):
        raise ValidationError({"reason": "Say why the story is rejected."})
    return _decide(
        "reject", article=article, editor=editor, version=version, note=reason
    )


@transaction.atomic
def article_publish(
    *,
    article: Article | int,
    editor: Any,
    version: int | None = None,
    note: str = "",
    on_behalf_of: Any = None,
    reviewed: bool = True,
    again: bool = False,
) -> Article:
    """Publish the story to readers (chief editors; the scheduler, ``editor=None``, on
    behalf of whoever scheduled it). ``reviewed=False``: published by a setup step that
    read nothing (the demo's first stories); readers are told no editor reviewed it.
    A story taken off the site is refused (``TakenDown``) unless ``again``: the queue's
    "Publish again", which says why it came off; its history says "published again"."""
    return _decide(
        "publish",
        article=article,
        editor=editor,
        version=version,
        note=note,
        on_behalf_of=on_behalf_of,
        reviewed=reviewed,
        again=again,
    )


def publication(article: Article, *, by: Any, reviewed: bool = True) -> dict[str, Any]:
    """What publishing writes: when and by whom, whether an editor read the copy, no
    schedule left, and the story's address on the site (given once, kept for good)."""
    return {
        "published_at_site": timezone.now().isoformat(),
        "published_by": by.pk if by is not None else None,
        "published_unreviewed": not reviewed,
        "publish_at": None,
        "scheduled_by": None,
        **({} if article.slug else {"slug": story_slug(article)}),
    }


@transaction.atomic
def article_unpublish(
    *, article: Article | int, editor: Any, reason: str, version: int | None = None
) -> Article:
    """Take a published story off the site; it goes back to approved. A reason is
    required (a legal hold, an error): it is what the history explains."""
    return _decide(
        "unpublish",
        article=article,
        editor=editor,
        version=version,
        note=reason,
    )


def _puts_on_site(from_state: str, to_state: str) -> bool:
    return to_state == Article.Status.PUBLISHED != from_state


def _on_and_off(scope: Q) -> Any:
    """The changes that put ``scope``'s stories on the site (a publication) or took them
    off (moved from published to another state: an unpublish, an archive, an undone
    publication; or deleted while published), newest first. Scope: articles by id, and
    stories by the ``story`` their events name."""
    published = Article.Status.PUBLISHED
    on = Q(to_state=published) & ~Q(from_state=published)
    off = Q(from_state=published) & (~Q(to_state=published) | Q(action="delete"))
    return AuditEvent.objects.filter((on | off) & scope).order_by("-at", "-pk")


def last_takedown(article: Article) -> AuditEvent | None:
    """The change that took ``article``'s story off the site, while it stays off: the
    newest that moved it, or any report of its story, from published (an unpublish or an
    archive, with its reason; an undone publication; a deletion), unless a publication
    came after. So a takedown holds whichever report leads the story later (split out,
    made the lead, the lead deleted). None for a story on the site or never on it."""
    if article.status == Article.Status.PUBLISHED:
        return None
    scope = Q(article_id=article.pk)
    if article.cluster_id:
        scope |= Q(story=article.cluster_id)
    newest = _on_and_off(scope).first()
    if newest is None or _puts_on_site(newest.from_state, newest.to_state):
        return None
    return newest


def _refusal(takedown: AuditEvent) -> TakenDown:
    return TakenDown(
        timezone.localtime(takedown.at).strftime("%d %b %H:%M"),
        takedown.actor_label,
        takedown.note,
    )


def refuse_if_taken_down(article: Article) -> None:
    """``TakenDown`` if the desk took ``article`` off the site: a plain publish (a key, a
    bulk action, a schedule) must not undo a legal hold."""
    if (takedown := last_takedown(article)) is not None:
        raise _refusal(takedown)


def taken_down(articles: Iterable[Article]) -> set[int]:
    """Which of ``articles`` are stories taken off the site, as ``last_takedown`` reads
    them, in one query whatever their number (and one to read a queryset given): each
    goes back only by the queue's "Publish again", which says why it came off."""
    rows = [
        (a.pk, a.cluster_id) for a in articles if a.status != Article.Status.PUBLISHED
    ]
    if not rows:
        return set()
    events = _on_and_off(
        Q(article_id__in=[pk for pk, _story in rows])
        | Q(story__in={story for _pk, story in rows if story})
    ).values_list("article_id", "story", "from_state", "to_state", "at", "pk")
    # The newest change of each article and of each story (the events come newest first).
    newest: dict[tuple[str, int], tuple[Any, int, bool]] = {}
    for article_id, story, from_state, to_state, at, pk in events:
        off = not _puts_on_site(from_state, to_state)
        newest.setdefault(("article", article_id), (at, pk, off))
        if story is not None:
            newest.setdefault(("story", story), (at, pk, off))
    held = set()
    for pk, story in rows:
        mine = [newest[k] for k in (("article", pk), ("story", story)) if k in newest]
        if mine and max(mine)[2]:
            held.add(pk)
    return held


@transaction.atomic
def article_archive(
    *, article: Article | int, editor: Any, version: int | None = None, reason: str = ""
) -> Article:
    """Freeze a story: off the desk, its copy no longer editable. Archiving a published
    story takes it off the site, so it needs a reason, as unpublishing does."""
    return _decide(
        "archive", article=article, editor=editor, version=version, note=reason
    )


@transaction.atomic
def article_rerun_enrichment(
    *, article: Article | int, editor: Any, version: int | None = None
) -> Article:
    """Ask the AI for a new proposal. It never replaces the desk's edits: it fills an
    unedited copy, or is held beside an edited one (``proposal_receive``)."""
    current = begin("rerun", article=article, editor=editor, version=version)
    audit(
        "rerun",
        article=current,
        actor=editor,
        changes={"version": read(current, "version")},
    )
    rerun = chain(
        enrich_article.si(current.pk, force=True, requested_by_id=editor.pk),
        receive_proposal.s(article_id=current.pk),
    )
    transaction.on_commit(rerun.delay)
    return current
