"""Scheduled publication: a chief editor approves a story to go live at a time, and beat's
``publish_due`` publishes it then, re-checking that they still may."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from articles.models import Article

from .. import actions
from ..exceptions import ActionRefused
from .base import S, begin, change
from .workflow import publication, refuse_if_taken_down

logger = logging.getLogger(__name__)
# Further ahead than a year is a typo (or an attack on the date arithmetic), not a plan.
MAX_SCHEDULE_AHEAD = timedelta(days=366)


@transaction.atomic
def article_schedule_publish(
    *,
    article: Article | int,
    editor: Any,
    publish_at: datetime,
    version: int | None = None,
) -> Article:
    """Approve the story and publish it at ``publish_at`` (beat's publish_due runs it)."""
    if publish_at <= timezone.now():
        raise ValidationError({"publish_at": "Pick a time in the future."})
    if publish_at > timezone.now() + MAX_SCHEDULE_AHEAD:
        raise ValidationError(
            {"publish_at": f"Pick a time within {MAX_SCHEDULE_AHEAD.days} days."}
        )
    current = begin("schedule", article=article, editor=editor, version=version)
    refuse_if_taken_down(current)  # a timer must not undo a legal hold unasked
    current, _event = change(
        "schedule",
        article=current,
        editor=editor,
        values={"publish_at": publish_at.isoformat(), "scheduled_by": editor.pk},
        to_state=S.APPROVED,
    )
    return current


@transaction.atomic
def article_unschedule(
    *, article: Article | int, editor: Any, version: int | None = None
) -> Article:
    """Cancel a scheduled publication; the story stays approved."""
    current = begin("unschedule", article=article, editor=editor, version=version)
    if current.publish_at is None:
        raise ValidationError({"publish_at": "This story is not scheduled."})
    current, _event = change(
        "unschedule",
        article=current,
        editor=editor,
        values={"publish_at": None, "scheduled_by": None},
    )
    return current


def publish_due(*, now: datetime | None = None) -> int:
    """Publish every approved story whose scheduled time has come (beat, every minute).

    One story per durable transaction: a failure is recorded on that story (its schedule is
    cancelled with the reason in its history, so the desk sees it) and the others go on.
    Whether the scheduling editor may still publish is checked now, not when they
    scheduled (Zulip's scheduled messages re-check the same way).
    """
    now = now or timezone.now()
    due = list(
        Article.objects.filter(status=S.APPROVED, publish_at__lte=now)
        .order_by("publish_at", "pk")
        .values_list("pk", flat=True)
    )
    published = 0
    for pk in due:
        try:
            with transaction.atomic(durable=True):
                published += _publish_one(pk, now=now)
        except Exception as exc:
            logger.exception("scheduled publication of article %s failed", pk)
            _cancel_schedule(pk, reason=f"the scheduled publication failed: {exc}")
    return published


def _publish_one(pk: int, *, now: datetime) -> int:
    article = (
        Article.objects.select_for_update(of=("self",))
        .select_related("cluster", "scheduled_by")
        .filter(pk=pk, status=S.APPROVED, publish_at__lte=now)
        .first()
    )
    if article is None:  # published, unscheduled or changed since the list was read
        return 0
    scheduler = article.scheduled_by
    if scheduler is None or not actions.may(scheduler, "publish"):
        who = scheduler.get_username() if scheduler else "nobody"
        _cancel(article, reason=f"{who} may no longer publish; reschedule it")
        return 0
    try:
        actions.check(None, "publish", article)
        refuse_if_taken_down(article)  # scheduled before this change, or by a script
    except ActionRefused as exc:
        _cancel(article, reason=str(exc))
        return 0
    change(
        "publish",
        article=article,
        editor=None,
        values=publication(article, by=scheduler),
        to_state=S.PUBLISHED,
        note=f"scheduled by {scheduler.get_username()}",
    )
    return 1


def _cancel(article: Article, *, reason: str) -> None:
    change(
        "schedule_cancelled",
        article=article,
        editor=None,
        values={"publish_at": None, "scheduled_by": None},
        note=reason,
    )


def _cancel_schedule(pk: int, *, reason: str) -> None:
    """Record a failed scheduled publication on its story, in a transaction of its own."""
    try:
        with transaction.atomic(durable=True):
            article = Article.objects.select_for_update().filter(pk=pk).first()
            if article is not None and article.publish_at is not None:
                _cancel(article, reason=reason[:1000])
    except Exception:
        logger.exception("could not record the failed publication of article %s", pk)
