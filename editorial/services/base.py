"""What every desk service shares: the locked row, the version check, the rulebook's check,
the values of the copy as the history records them, and the audit row."""

from __future__ import annotations

import textwrap
import unicodedata
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.dateparse import parse_datetime

from articles.models import Article
from sources.normalize import says_something, without_unsafe_characters
from stories.models import StoryCluster

from .. import actions
from ..exceptions import EditConflict, NotAllowed, StoryGone
from ..models import AuditEvent
from ..signals import story_changed, story_changing

S = Article.Status
User = AbstractBaseUser

# Article columns the history records and undo writes back, by kind.
DATETIME_COLUMNS = frozenset({"publish_at", "published_at_site"})
FOREIGN_KEYS = frozenset(
    {"published_by", "scheduled_by", "category", "enrichment", "pending_enrichment"}
)
MANY_TO_MANY = frozenset({"companies"})


def gives_a_reason(text: str) -> bool:
    """Whether ``text`` can explain a decision in the history: two letters or digits at
    least, in any script ("legal", "dup", "违法"), not only punctuation ("." or "...",
    found accepted attacking the queue) or characters that draw nothing."""
    return says_something(text) and (
        sum(unicodedata.category(c)[0] in "LN" for c in text) >= 2
    )


TAKEDOWN_REASON = (
    "Say why the story comes off the site: the reason is kept in its history."
)
# The longest reason or note a decision keeps (the queue's and the admin's fields say so too).
REASON_CHARS = 2000


def note_kept(text: str) -> str:
    """A reason or note as the history keeps it: no control characters, one character per
    line break (a browser's box counts CRLF as one), no outer spaces, at most
    ``REASON_CHARS`` (longer is refused, not cut: the editor's words stay whole)."""
    note = without_unsafe_characters(text.replace("\r\n", "\n")).strip()
    if len(note) > REASON_CHARS:
        raise ValidationError(
            {"reason": f"Keep the reason under {REASON_CHARS} characters."}
        )
    return note


def locked(article: Article | int) -> Article:
    """The article's current row, locked for this transaction, and its story as it is once
    the lock is held. Not joined in the locking query: a lock waited for gives the article's
    row as committed meanwhile but a joined row as it was when the wait began (PostgreSQL),
    so a decision queued behind "make this report the lead" took the old lead for the
    lead."""
    pk = article if isinstance(article, int) else article.pk
    current = Article.objects.select_for_update(of=("self",)).filter(pk=pk).first()
    if current is None:  # deleted since the editor loaded it
        raise gone(pk)
    if current.cluster_id is not None:
        current.cluster = StoryCluster.objects.filter(pk=current.cluster_id).first()
    return current


def short_title(title: str) -> str:
    """A headline in a message: cut at a word, with an ellipsis, past 60 characters (a
    headline without spaces, as Chinese or Japanese ones are, at the 59th)."""
    short = textwrap.shorten(title, 60, placeholder="…")
    return short if short != "…" else title[:59] + "…"


def desk_time(value: datetime, zone: str = "") -> str:
    """A moment on the desk: "2 Dec 10:42" this year, "3 Mar 2019 14:05" another (the
    feeds carry years-old items); ``zone`` "T" adds the time zone's name."""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    pattern = "j M H:i" if local.year == timezone.localtime().year else "j M Y H:i"
    return format_date(local, f"{pattern} {zone}".strip())


def gone(pk: int, *, unnamed: str = "This story") -> StoryGone:
    """The refusal for an action on a story that no longer exists: which story, who deleted
    it and when, from its history (which outlives it); ``unnamed`` where it has none."""
    low, high = connection.ops.integer_field_range(Article._meta.pk.get_internal_type())
    event = (
        AuditEvent.objects.for_article(pk).filter(action="delete").first()
        if low <= pk <= high  # an id typed into a URL may be out of any id's range
        else None
    )
    if event is None:
        return StoryGone(pk, f"{unnamed} no longer exists", recorded=False)
    title = f"“{short_title(event.label)}”" if event.label else unnamed
    when = desk_time(event.at)
    source = event.changes.get("source")  # deleted with its source (signals.py)
    how = f" with its source “{source}”" if source else ""
    # Its story lives on under another report, which now has a row of its own.
    heir = event.changes.get("lead_to")
    heir_title = (
        Article.objects.filter(pk=heir)
        .leading()
        .values_list("title", flat=True)
        .first()
    )  # and still leads it (not merged away or split since)
    after = f" “{short_title(heir_title)}” now leads its story." if heir_title else ""
    return StoryGone(
        pk, f"{title} was deleted{how} by {event.actor_label} ({when})", after=after
    )


def begin(
    name: str,
    *,
    article: Article | int,
    editor: Any,
    version: int | None = None,
    fields: Iterable[str] = (),
) -> Article:
    """Lock the story, then refuse what the rulebook refuses, in the order that tells the
    editor most: no permission; someone changed it since ``version`` was loaded (what and
    who); the action is not possible in its state."""
    action = actions.REGISTRY[name]
    if editor is not None and not actions.may(editor, name):
        raise NotAllowed(
            f"{editor} may not {action.phrase} (needs {action.permission})"
        )
    current = locked(article)
    if version is not None and current.version != version:
        raise edit_conflict(current, version, fields=tuple(fields))
    if action.story_published_permission:
        lock_lead(
            current
        )  # the rule reads the story's state: a decision must not race it
    actions.check(editor, name, current)
    return current


def lock_lead(article: Article) -> Article:
    """Lock the lead report of ``article``'s story too (the story's state is its lead's),
    and keep it on the loaded cluster so the rulebook reads the locked row. Returns the
    lead (``article`` itself when it leads)."""
    cluster = article.cluster
    if cluster is None or cluster.canonical_id in (None, article.pk):
        return article
    lead = Article.objects.select_for_update(of=("self",)).get(pk=cluster.canonical_id)
    cluster.canonical = lead
    return lead


def edit_conflict(
    current: Article, version: int, *, fields: tuple[str, ...]
) -> EditConflict:
    """The EditConflict for a change made on ``version``: who changed what since."""
    events = [
        {
            "actor": e.actor_label,
            "action": e.action,
            "at": e.at.isoformat(),
            "changes": e.changes,
            "note": e.note,
        }
        for e in reversed(AuditEvent.objects.for_article(current)[:50])
        if e.changes.get("version", 0) > version
    ]
    changed = {name for e in events for name in e["changes"] if name != "version"}
    theirs = {name: read(current, name) for name in fields if name in changed}
    return EditConflict(
        version=version,
        current_version=current.version,
        theirs=theirs,
        events=events,
        done="; ".join(dict.fromkeys(_done(e) for e in events[-CONFLICT_EVENTS:])),
    )


# How many of the changes made since a conflict's version its message names (the last).
CONFLICT_EVENTS = 3


def _done(event: dict[str, Any]) -> str:
    """One change as a conflict names it: "edited the summary and importance",
    "approved", "took the AI's proposal (summary)"."""
    action = actions.REGISTRY.get(event["action"])
    said = str(action.audit_label) if action else event["action"].replace("_", " ")
    fields = [
        str(getattr(Article._meta.get_field(name), "verbose_name", name))
        for name in event["changes"]
        if name in Article.EDITORIAL_FIELDS
    ]
    if not fields:
        return said
    if event["action"] == "edit":
        listed = (
            fields[0]
            if len(fields) == 1
            else f"{', '.join(fields[:-1])} and {fields[-1]}"
        )
        return f"{said} the {listed}"
    return f"{said} ({', '.join(fields)})"


def read(article: Article, name: str) -> Any:
    """A column's value as the history records it (JSON: ids, ISO dates)."""
    if name in MANY_TO_MANY:
        return sorted(article.companies.values_list("pk", flat=True))
    if name in FOREIGN_KEYS:
        return getattr(article, f"{name}_id")
    value = getattr(article, name)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def write(article: Article, values: dict[str, Any]) -> list[str]:
    """Set columns from history values; returns the concrete columns to save."""
    columns = []
    for name, value in values.items():
        if name in MANY_TO_MANY:
            article.companies.set(value or [])
            continue
        if name in FOREIGN_KEYS:
            setattr(article, f"{name}_id", value)
        elif name in DATETIME_COLUMNS:
            setattr(article, name, parse_datetime(value) if value else None)
        else:
            setattr(article, name, value)
        columns.append(name)
    return columns


def change(
    name: str,
    *,
    article: Article,
    editor: Any,
    values: dict[str, Any],
    to_state: str | None = None,
    note: str = "",
    group: uuid.UUID | None = None,
    extra: dict[str, Any] | None = None,
) -> tuple[Article, AuditEvent | None]:
    """Write ``values`` (history form) and the new state to the locked ``article``, bump its
    version and record what changed (and ``extra``, what the history needs besides the
    columns). Nothing changed and nothing extra: nothing written, no event."""
    diff: dict[str, list[Any]] = {}
    for column, new in values.items():
        old = read(article, column)
        if column in MANY_TO_MANY:
            new = sorted(new or [])
        if old != new:
            diff[column] = [old, new]
    from_state = article.status
    if to_state is not None and to_state != from_state:
        diff["status"] = [from_state, to_state]
    if not diff and not extra:
        return article, None
    columns = write(article, {column: new for column, (_old, new) in diff.items()})
    article.version += 1
    # Validate what changed (choices, ranges, lengths, that a category exists); the rest of
    # the row was valid when it was written, and re-checking every foreign key costs a query
    # each.
    article.full_clean(
        exclude=[f.name for f in Article._meta.fields if f.name not in columns],
        validate_unique=False,
        validate_constraints=False,
    )
    article.save(update_fields=[*columns, "version", "updated_at"])
    if S.PUBLISHED in (from_state, article.status):
        readers_see_it(article.pk)
    event = audit(
        name,
        article=article,
        actor=editor,
        changes={**diff, **(extra or {}), "version": article.version},
        note=note,
        from_state=from_state,
        to_state=article.status,
        group=group,
    )
    return article, event


def readers_see_it(article_id: int) -> None:
    """Tell the rest of the site that a story readers see changed: ``story_changing`` now,
    in this transaction; ``story_changed`` once it commits."""
    story_changing.send(sender=Article, article_id=article_id)
    transaction.on_commit(
        lambda: story_changed.send(sender=Article, article_id=article_id), robust=True
    )


def audit(
    name: str,
    *,
    article: Article,
    actor: Any,
    changes: dict[str, Any] | None = None,
    note: str = "",
    from_state: str = "",
    to_state: str = "",
    group: uuid.UUID | None = None,
) -> AuditEvent:
    """Record one change in the story's history (the action must be in the registry). A
    change on or off the site also names its story (``story``): a takedown holds the
    story, whichever of its reports leads it later (``workflow.last_takedown``)."""
    from_state, to_state = from_state or article.status, to_state or article.status
    on_or_off = S.PUBLISHED in (from_state, to_state)
    event = audit_row(
        name,
        article_id=article.pk,
        label=article.title,
        actor=actor,
        changes=changes,
        note=note,
        from_state=from_state,
        to_state=to_state,
        group=group,
        story=article.cluster_id if on_or_off else None,
    )
    event.save(force_insert=True)
    return event


def audit_row(
    name: str,
    *,
    article_id: int,
    label: str,
    actor: Any,
    from_state: str,
    to_state: str,
    changes: dict[str, Any] | None = None,
    note: str = "",
    group: uuid.UUID | None = None,
    story: int | None = None,
) -> AuditEvent:
    """One row of a story's history, not saved yet: ``audit`` saves one, an action that
    changes many articles saves its rows in one ``bulk_create``."""
    if name not in actions.REGISTRY:
        raise ValueError(f"{name!r} is not an action of the rulebook")
    return AuditEvent(
        article_id=article_id,
        label=label[:300],
        actor=actor,
        actor_name=actor.get_username() if actor is not None else "",
        action=name,
        group=group or uuid.uuid4(),
        from_state=from_state,
        to_state=to_state,
        changes=changes or {},
        note=note,
        story=story,
    )


def now() -> datetime:
    return timezone.now()


atomic = transaction.atomic
