"""Decisions on a story: submit, approve, reject, publish, unpublish, archive, re-run the AI.
Each is one audited, versioned change of the story's lead article, checked by the rulebook on
the locked row. Scheduled publication is in ``schedule``."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from celery import chain
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from articles.models import Article
from articles.services import story_slug
from enrichment.tasks import enrich_article
from sources.normalize import says_something

from .. import actions
from ..exceptions import TakenDown
from ..models import AuditEvent
from ..tasks import receive_proposal
from .base import TAKEDOWN_REASON, audit, begin, change, note_kept, read

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
        and not says_something(note)
    ):
        raise ValidationError({"reason": TAKEDOWN_REASON})
    if name == "publish" and last_takedown(current) is not None:
        if not again:
            refuse_if_taken_down(current)
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
    if not says_something(reason):
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


def _takedowns() -> Any:
    """Every change that moved a story from published to another state."""
    return AuditEvent.objects.filter(from_state=Article.Status.PUBLISHED).exclude(
        to_state=Article.Status.PUBLISHED
    )


def last_takedown(article: Article) -> AuditEvent | None:
    """The change that took ``article`` off the site, while it stays off: the newest that
    moved it from published (an unpublish or an archive, with its reason; an undone
    publication), however much happened since. None for a story on the site or never on it."""
    if article.status == Article.Status.PUBLISHED:
        return None
    return _takedowns().filter(article_id=article.pk).order_by("-at", "-pk").first()


def refuse_if_taken_down(article: Article) -> None:
    """``TakenDown`` if the desk took ``article`` off the site: a plain publish (a key, a
    bulk action, a schedule) must not undo a legal hold."""
    event = last_takedown(article)
    if event is not None:
        raise TakenDown(
            timezone.localtime(event.at).strftime("%d %b %H:%M"),
            event.actor_label,
            event.note,
        )


def taken_down(articles: Any) -> set[int]:
    """Which of ``articles`` (a queryset) are off the site after having been on it: each
    goes back only by the queue's "Publish again", which says why it came off. One query."""
    off_the_site = articles.exclude(status=Article.Status.PUBLISHED).values("pk")
    return set(
        _takedowns()
        .filter(article_id__in=off_the_site)
        .values_list("article_id", flat=True)
    )


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
