"""Editorial decisions: the only code that moves an article between editorial states.

One function per action, shared by the admin, the review queue and any API. Each checks the
editor's permission server-side, refuses invalid transitions with a clear error, bumps the
article's version (so a stale edit is refused), and writes an AuditEvent.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from celery import chain
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from articles.models import Article, Category, Company
from articles.services import category_for_name, company_for_mention
from enrichment.models import Enrichment
from enrichment.prompt import DEFAULT_CATEGORIES
from enrichment.tasks import enrich_article
from stories import clustering
from stories.models import StoryCluster

from .exceptions import EditConflict, InvalidTransition, NotAllowed
from .models import AuditEvent

S = Article.Status
REVIEW, PUBLISH = "articles.review_article", "articles.publish_article"

# action: (states it may start from, state it leads to, permission it needs)
TRANSITIONS: dict[str, tuple[frozenset[str], str, str]] = {
    "submit": (frozenset({S.NEW, S.FAILED, S.REJECTED}), S.IN_REVIEW, REVIEW),
    "approve": (frozenset({S.IN_REVIEW}), S.APPROVED, REVIEW),
    "reject": (
        frozenset({S.IN_REVIEW, S.APPROVED, S.NEW, S.FAILED}),
        S.REJECTED,
        REVIEW,
    ),
    "publish": (frozenset({S.IN_REVIEW, S.APPROVED}), S.PUBLISHED, PUBLISH),
    "unpublish": (frozenset({S.PUBLISHED}), S.APPROVED, PUBLISH),
    "archive": (frozenset({S.PUBLISHED, S.APPROVED, S.REJECTED}), S.ARCHIVED, PUBLISH),
}
EDITABLE_FIELDS = (
    "title",
    "summary",
    "analysis",
    "takeaways",
    "sentiment",
    "importance",
    "category",
    "companies",
)
UNDO_SECONDS = 30
# Archived articles are frozen; every other state's copy can still be corrected.
EDITABLE_STATES = frozenset(set(S) - {S.ARCHIVED})


def _require(editor: AbstractBaseUser | None, permission: str) -> None:
    if editor is not None and not editor.has_perm(permission):  # None: the scheduler
        raise NotAllowed(f"{editor} may not do this (needs {permission})")


def _locked(article: Article) -> Article:
    """The article's current row, locked for this transaction."""
    return Article.objects.select_for_update().get(pk=article.pk)


def _transition(
    action: str,
    *,
    article: Article,
    editor: AbstractBaseUser | None,
    note: str = "",
    extra: dict[str, Any] | None = None,
    version: int | None = None,
) -> Article:
    allowed, target, permission = TRANSITIONS[action]
    _require(editor, permission)
    current = _locked(article)
    if version is not None and current.version != version:
        raise edit_conflict(current, version, fields=())
    if current.status not in allowed:
        raise InvalidTransition(action, current.status, allowed)
    source_state = current.status
    current.status = target
    current.version += 1
    fields = ["status", "version", "updated_at"]
    for name, value in (extra or {}).items():
        setattr(current, name, value)
        fields.append(name)
    current.save(update_fields=fields)
    AuditEvent.objects.create(
        article=current,
        actor=editor,
        action=action,
        from_state=source_state,
        to_state=target,
        note=note,
        changes={k: [None, _jsonable(v)] for k, v in (extra or {}).items()}
        | {"version": current.version},
    )
    article.__dict__.update(
        {f: getattr(current, f) for f in ("status", "version", *(extra or {}))}
    )
    return article


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


# --------------------------------------------------------------------------------------------
# Transitions
# --------------------------------------------------------------------------------------------
@transaction.atomic
def article_submit(
    *, article: Article, editor: AbstractBaseUser, note: str = ""
) -> Article:
    """Put an article (new, failed or rejected) in front of the desk."""
    return _transition("submit", article=article, editor=editor, note=note)


@transaction.atomic
def article_approve(
    *,
    article: Article,
    editor: AbstractBaseUser,
    note: str = "",
    version: int | None = None,
) -> Article:
    """Approve the article's copy; a chief editor publishes it (now or on schedule)."""
    return _transition(
        "approve", article=article, editor=editor, note=note, version=version
    )


@transaction.atomic
def article_reject(
    *,
    article: Article,
    editor: AbstractBaseUser,
    reason: str,
    version: int | None = None,
) -> Article:
    """Reject an article. A reason is required: it is what the audit trail explains."""
    if not reason.strip():
        raise ValueError("a reason is required to reject an article")
    return _transition(
        "reject", article=article, editor=editor, note=reason.strip(), version=version
    )


@transaction.atomic
def article_publish(
    *,
    article: Article,
    editor: AbstractBaseUser | None,
    note: str = "",
    version: int | None = None,
) -> Article:
    """Publish to readers (chief editors; the scheduler when publish_at comes)."""
    return _transition(
        "publish",
        article=article,
        editor=editor,
        note=note,
        version=version,
        extra={
            "published_at_site": timezone.now(),
            "published_by": editor,
            "publish_at": None,
        },
    )


@transaction.atomic
def article_unpublish(
    *, article: Article, editor: AbstractBaseUser, note: str = ""
) -> Article:
    """Take a published article off the site; it goes back to approved."""
    return _transition("unpublish", article=article, editor=editor, note=note)


@transaction.atomic
def article_archive(
    *, article: Article, editor: AbstractBaseUser, note: str = ""
) -> Article:
    return _transition("archive", article=article, editor=editor, note=note)


@transaction.atomic
def article_schedule_publish(
    *, article: Article, editor: AbstractBaseUser, publish_at: datetime
) -> Article:
    """Publish automatically at ``publish_at`` (beat's publish_due runs it)."""
    _require(editor, PUBLISH)
    current = _locked(article)
    allowed = frozenset({S.IN_REVIEW, S.APPROVED})
    if current.status not in allowed:
        raise InvalidTransition("schedule", current.status, allowed)
    if publish_at <= timezone.now():
        raise ValueError("the publication time must be in the future")
    previous = current.publish_at
    Article.objects.filter(pk=current.pk).update(
        publish_at=publish_at, version=F("version") + 1
    )
    AuditEvent.objects.create(
        article=current,
        actor=editor,
        action="schedule",
        from_state=current.status,
        to_state=current.status,
        changes={"publish_at": [_jsonable(previous), publish_at.isoformat()]},
    )
    article.refresh_from_db()
    return article


def publish_due(*, now: datetime | None = None) -> int:
    """Publish every approved article whose scheduled time has come (beat, every minute)."""
    now = now or timezone.now()
    count = 0
    for article in Article.objects.filter(status=S.APPROVED, publish_at__lte=now):
        with transaction.atomic():
            article_publish(article=article, editor=None, note="scheduled publication")
        count += 1
    return count


@transaction.atomic
def article_rerun_enrichment(*, article: Article, editor: AbstractBaseUser) -> Article:
    """Ask the AI for a new proposal (a new Enrichment row; the copy is replaced)."""
    _require(editor, REVIEW)
    if article.status not in (S.NEW, S.FAILED, S.IN_REVIEW):
        raise ValueError(
            f"cannot re-run enrichment of a {article.get_status_display()} article"
        )
    rerun = chain(
        enrich_article.si(article.pk, force=True, requested_by_id=editor.pk),
        receive_proposal_task().s(article_id=article.pk),
    )
    transaction.on_commit(rerun.delay)
    AuditEvent.objects.create(
        article=article,
        actor=editor,
        action="rerun_enrichment",
        from_state=article.status,
        to_state=article.status,
    )
    return article


# --------------------------------------------------------------------------------------------
# Editing, with optimistic locking
# --------------------------------------------------------------------------------------------
def _value(article: Article, name: str) -> Any:
    if name == "companies":
        return sorted(article.companies.values_list("pk", flat=True))
    if name == "category":
        return article.category_id
    return getattr(article, name)


def edit_conflict(
    current: Article, version: int, *, fields: tuple[str, ...]
) -> EditConflict:
    """The EditConflict for a change made on ``version``: who changed what since."""
    events = [
        {
            "actor": str(e.actor) if e.actor else "scheduler",
            "action": e.action,
            "at": e.at.isoformat(),
            "changes": e.changes,
            "note": e.note,
        }
        for e in AuditEvent.objects.filter(article=current)
        .select_related("actor")
        .order_by("at")
        if e.changes.get("version", 0) > version
    ]
    changed = {name for e in events for name in e["changes"] if name != "version"}
    theirs = {name: _value(current, name) for name in fields if name in changed}
    return EditConflict(
        version=version, current_version=current.version, theirs=theirs, events=events
    )


def _assign(article: Article, values: dict[str, Any]) -> list[str]:
    """Set editable fields (companies as ids, category as an id); returns the columns to save."""
    columns = []
    for name, value in values.items():
        if name == "companies":
            article.companies.set(value)
        elif name == "category":
            article.category_id = value
            columns.append("category")
        else:
            setattr(article, name, value)
            columns.append(name)
    return columns


@transaction.atomic
def article_edit(
    *,
    article: Article,
    editor: AbstractBaseUser,
    version: int,
    changes: dict[str, Any],
    note: str = "",
) -> Article:
    """Change the editorial copy. ``version`` is the one the editor loaded: if anyone changed
    the article since, EditConflict says what, and nothing is written (no edit is lost)."""
    _require(editor, REVIEW)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    current = _locked(article)
    if current.version != version:
        raise edit_conflict(current, version, fields=tuple(changes))
    if current.status not in EDITABLE_STATES:
        raise InvalidTransition("edit", current.status, EDITABLE_STATES)
    diff: dict[str, list[Any]] = {}
    for name, value in changes.items():
        old = _value(current, name)
        if name == "category":
            value = value.pk if isinstance(value, Category) else value
        if name == "companies":
            value = sorted(c.pk if isinstance(c, Company) else int(c) for c in value)
        if old != value:
            diff[name] = [old, value]
    if not diff:
        return current
    fields = _assign(current, {name: new for name, (_old, new) in diff.items()})
    current.version += 1
    current.full_clean(exclude=["source", "guid", "content_hash", "url", "image_url"])
    current.save(update_fields=["version", "updated_at", *fields])
    AuditEvent.objects.create(
        article=current,
        actor=editor,
        action="edit",
        from_state=current.status,
        to_state=current.status,
        changes={**diff, "version": current.version},
        note=note,
    )
    return current


@transaction.atomic
def article_undo(*, article: Article, editor: AbstractBaseUser) -> Article:
    """Revert the editor's own last decision on the article, within UNDO_SECONDS."""
    last = (
        AuditEvent.objects.filter(article=article)
        .select_for_update()
        .order_by("-at", "-pk")
        .first()
    )
    if last is None or last.actor_id != editor.pk or last.action == "undo":
        raise InvalidTransition(
            "undo", "without a decision of yours to undo", frozenset()
        )
    if timezone.now() - last.at > timedelta(seconds=UNDO_SECONDS):
        raise InvalidTransition("undo", f"older than {UNDO_SECONDS} s", frozenset())
    current = _locked(article)
    restored: dict[str, Any] = {}
    if last.action == "edit":
        restored = {
            name: change[0]
            for name, change in last.changes.items()
            if name != "version"
        }
        _assign(current, restored)
    elif last.from_state and last.from_state != last.to_state:
        current.status = last.from_state
        if last.action == "publish":
            current.published_at_site, current.published_by = None, None
    current.version += 1
    current.save()
    AuditEvent.objects.create(
        article=current,
        actor=editor,
        action="undo",
        from_state=last.to_state,
        to_state=current.status,
        changes={
            "undid": last.pk,
            **{k: [None, v] for k, v in restored.items()},
            "version": current.version,
        },
    )
    return current


# --------------------------------------------------------------------------------------------
# Story clusters (articles.clustering does the work; this audits it)
# --------------------------------------------------------------------------------------------
@transaction.atomic
def cluster_merge(
    *,
    source: StoryCluster,
    target: StoryCluster,
    editor: AbstractBaseUser,
    note: str = "",
) -> StoryCluster:
    """Merge ``source`` into ``target``: one story. The automatic pass keeps it that way."""
    _require(editor, REVIEW)
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
    _require(editor, REVIEW)
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
    _require(editor, REVIEW)
    previous = cluster.canonical_id
    updated = clustering.choose_canonical(cluster=cluster, article=article)
    AuditEvent.objects.create(
        article=article,
        actor=editor,
        action="cluster_canonical",
        changes={"canonical": [previous, article.pk]},
    )
    return updated


@transaction.atomic
def article_revert(*, event: AuditEvent, editor: AbstractBaseUser) -> Article:
    """Put back the values an earlier edit replaced (any age), as a new audited edit.

    The revert is itself an edit on the current version, so it cannot overwrite changes made
    since without going through the same conflict check.
    """
    if event.action != "edit":
        raise InvalidTransition(
            "revert", f"a {event.action} event", frozenset({"edit"})
        )
    old_values = {
        name: change[0]
        for name, change in event.changes.items()
        if name != "version" and name in EDITABLE_FIELDS
    }
    article = Article.objects.get(pk=event.article_id)
    return article_edit(
        article=article,
        editor=editor,
        version=article.version,
        changes=old_values,
        note=f"revert of the edit of {event.at:%Y-%m-%d %H:%M} by {event.actor}",
    )


# --------------------------------------------------------------------------------------------
# AI proposals
# --------------------------------------------------------------------------------------------
def receive_proposal_task() -> Any:
    from .tasks import receive_proposal

    return receive_proposal


@transaction.atomic
def proposal_receive(*, article_id: int, enrichment_id: int) -> Article | None:
    """Pre-fill the editorial copy from a proposal and put the article in review."""
    article = Article.objects.filter(pk=article_id).first()
    enrichment = Enrichment.objects.filter(
        pk=enrichment_id, article_id=article_id
    ).first()
    if article is None or enrichment is None:
        return None
    category = category_for_name(enrichment.category, create_from=DEFAULT_CATEGORIES)
    article.summary = enrichment.summary
    article.analysis = enrichment.analysis
    article.takeaways = enrichment.takeaways
    article.sentiment = enrichment.sentiment
    article.importance = enrichment.importance
    if category is not None:
        article.category = category
    article.enrichment = enrichment
    article.enrichment_error = ""
    article.waiting_for_budget = False
    article.status = Article.Status.IN_REVIEW
    article.save(
        update_fields=[
            "summary",
            "analysis",
            "takeaways",
            "sentiment",
            "importance",
            "category",
            "enrichment",
            "enrichment_error",
            "waiting_for_budget",
            "status",
            "updated_at",
        ]
    )
    article.companies.set(
        [
            company_for_mention(name=c["name"], ticker=c.get("ticker"))
            for c in enrichment.companies
        ]
    )
    return article
