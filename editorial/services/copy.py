"""The editorial copy: the only code that writes it, whoever asks — an editor's edit or
revert, the AI's proposal reaching the desk, a feed update.

Rules (the promise to editors: no edit is ever lost, every change is in the history):
- every write bumps the story's version and records an audit row (the system is an actor);
- a proposal fills the copy only while no editor has changed it (``Article.edited_fields``);
  otherwise it is held beside the copy, field by field, for the desk to take or dismiss;
- changing a published story needs the publish permission and leaves a public, dated
  correction, unless someone allowed to correct silently marks it silent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Field

from articles.models import Article, Category, Company
from articles.services import category_for_name, company_for_mention
from enrichment.models import Enrichment
from enrichment.prompt import DEFAULT_CATEGORIES
from sources.normalize import without_unsafe_characters
from stories.models import StoryCluster
from stories.signals import reports_changed

from .. import actions
from ..exceptions import EditConflict, InvalidTransition, NotAllowed
from ..models import AuditEvent, Correction
from .base import S, begin, change, edit_conflict, read, write

PROPOSED = Article.PROPOSED_FIELDS
EDITORIAL = Article.EDITORIAL_FIELDS
MAX_TAKEAWAYS = 5
# The fields whose change by an editor means they read the copy.
READ_WHEN_CHANGED = frozenset({"title", "summary", "analysis", "takeaways"})
# What readers were told as fact: changing it on a published story leaves a public note
# (a correction). A new importance or category re-ranks or re-files the story: the
# history keeps it, readers are not asked to read a note about it.
CORRECTED_WHEN_CHANGED = READ_WHEN_CHANGED | {"sentiment", "companies"}
TAKEAWAY_CHARS = 500


# --------------------------------------------------------------------------------------------
# Editors' edits
# --------------------------------------------------------------------------------------------
@transaction.atomic
def article_edit(
    *,
    article: Article | int,
    editor: Any,
    version: int,
    changes: dict[str, Any],
    note: str = "",
    correction: str = "",
    silent: bool = False,
) -> Article:
    """Change the editorial copy. ``version`` is the one the editor loaded: if anyone changed
    the story since, EditConflict says who and what, and nothing is written."""
    unknown = set(changes) - set(EDITORIAL)
    if unknown:
        raise ValidationError(f"not editable: {', '.join(sorted(unknown))}")
    current = begin(
        "edit", article=article, editor=editor, version=version, fields=changes
    )
    return _write_copy(
        "edit",
        current,
        editor=editor,
        values=normalise(changes),
        note=note,
        correction=correction,
        silent=silent,
    )


@transaction.atomic
def article_revert(
    *,
    event: AuditEvent,
    editor: Any,
    correction: str = "",
    silent: bool = False,
) -> Article:
    """Put back the copy an earlier edit replaced (any age), as a new audited change on the
    current version, so it cannot overwrite what was changed since without the same rules."""
    if event.action not in ("edit", "revert", "proposal_take"):
        raise InvalidTransition(
            "revert", f"a {event.action} event", frozenset({"edit"})
        )
    old = {
        name: values[0]
        for name, values in event.changes.items()
        if name in EDITORIAL and isinstance(values, list)
    }
    current = begin("revert", article=event.article_id, editor=editor)
    # Only what that edit set and nobody changed since: a newer edit of the same field is
    # someone's work, and a revert must not replace it unseen.
    changed_since = [
        name
        for name, values in event.changes.items()
        if name in old and read(current, name) != values[1]
    ]
    if changed_since:
        conflict = edit_conflict(
            current, event.changes.get("version", 0), fields=tuple(changed_since)
        )
        conflict.args = (
            f"cannot revert: {', '.join(changed_since)} changed again since that edit; "
            "edit the copy instead",
        )
        raise conflict
    return _write_copy(
        "revert",
        current,
        editor=editor,
        values=old,
        note=f"revert of the {event.action} of {event.at:%Y-%m-%d %H:%M} "
        f"by {event.actor_label}",
        correction=correction,
        silent=silent,
    )


def normalise(changes: dict[str, Any]) -> dict[str, Any]:
    """Editors' values in the history's form (ids for category and companies), checked
    where the model cannot check them (takeaways)."""
    values: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "category":
            values[name] = value.pk if isinstance(value, Category) else value
        elif name == "companies":
            values[name] = sorted(
                c.pk if isinstance(c, Company) else int(c) for c in value or []
            )
        elif name == "takeaways":
            values[name] = _takeaways(value)
        elif isinstance(value, str):
            # Browsers send line breaks as CRLF; the copy keeps LF, so an untouched text
            # is not taken for an edit. Pasted text may carry what a feed may not (U+FFFE
            # makes the site's feeds unreadable XML): it goes, as it does from a feed.
            text = without_unsafe_characters(value.replace("\r\n", "\n"))
            values[name] = text.strip()
        else:
            values[name] = value
    return values


def left_as_loaded(conflict: EditConflict, changes: dict[str, Any]) -> list[str]:
    """The fields of an edit ``conflict`` refused that its editor left as loaded and
    someone changed since (``changes``: the edit as posted): saved again on the current
    version they would undo that change, so the form shown again holds the saved ones."""
    return [
        name
        for name, value in normalise(changes).items()
        if name in conflict.base and value == conflict.base[name]
    ]


def _takeaways(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.splitlines()  # CRLF or LF alike
    if not isinstance(value, list | tuple):
        raise ValidationError({"takeaways": "Give the takeaways as lines of text."})
    stripped = (without_unsafe_characters(str(line)).strip() for line in value)
    lines = [line for line in stripped if line]
    if len(lines) > MAX_TAKEAWAYS:
        raise ValidationError(
            {"takeaways": f"At most {MAX_TAKEAWAYS} takeaways (got {len(lines)})."}
        )
    if any(len(line) > TAKEAWAY_CHARS for line in lines):
        raise ValidationError(
            {"takeaways": f"Keep each takeaway under {TAKEAWAY_CHARS} characters."}
        )
    return lines


def edit_check(
    *,
    article: Article,
    editor: Any,
    changes: dict[str, Any],
    correction: str = "",
    silent: bool = False,
) -> dict[str, Any]:
    """Everything ``article_edit`` would refuse, without writing anything (forms that must
    show the refusal as field messages ask this first); returns the values it would write.
    The service checks again on the locked row when it writes."""
    unknown = set(changes) - set(EDITORIAL)
    if unknown:
        raise ValidationError(f"not editable: {', '.join(sorted(unknown))}")
    actions.check(editor, "edit", article)
    values = normalise(changes)
    changed = [name for name, new in values.items() if read(article, name) != new]
    probe = Article.objects.get(pk=article.pk)
    write(probe, {name: values[name] for name in changed if name != "companies"})
    probe.full_clean(
        exclude=[f.name for f in Article._meta.fields if f.name not in changed],
        validate_unique=False,
        validate_constraints=False,
    )
    _correction_rules(
        article, changed, editor=editor, correction=correction, silent=silent
    )
    return values


def _correction_rules(
    current: Article, changed: list[str], *, editor: Any, correction: str, silent: bool
) -> None:
    """Changing what a published story told readers (``CORRECTED_WHEN_CHANGED``) leaves a
    public note, unless someone allowed to correct silently marks it silent."""
    if current.status != S.PUBLISHED or not set(changed) & CORRECTED_WHEN_CHANGED:
        return
    if silent and not editor.has_perm(actions.SILENT):
        raise NotAllowed(
            f"{editor} may not correct a published story silently "
            f"(needs {actions.SILENT})"
        )
    if not silent and not correction.strip():
        raise ValidationError(
            {"correction": "Say what was corrected: readers see this note."}
        )


def _write_copy(
    name: str,
    current: Article,
    *,
    editor: Any,
    values: dict[str, Any],
    note: str = "",
    correction: str = "",
    silent: bool = False,
    extra: dict[str, Any] | None = None,
    edited: list[str] | None = None,
) -> Article:
    changed = [column for column, new in values.items() if read(current, column) != new]
    if not changed and not extra:
        return current
    published = current.status == S.PUBLISHED
    correction = correction.strip()
    _correction_rules(
        current, changed, editor=editor, correction=correction, silent=silent
    )
    if edited is None:
        edited = sorted(set(current.edited_fields) | (set(changed) & set(EDITORIAL)))
    if (
        current.publish_at is not None
        and changed
        and not actions.may(editor, "publish")
    ):
        # The chief who scheduled it signed off on the copy as it was; a change they have
        # not seen does not go live by itself.
        extra = {**(extra or {}), "publish_at": None, "scheduled_by": None}
        note = " · ".join(
            filter(None, [note, "scheduled publication cancelled: the copy changed"])
        )
    if (
        published
        and editor is not None
        and current.published_unreviewed
        and set(changed) & READ_WHEN_CHANGED
    ):
        # An editor rewrote the live copy: they have read it, and readers are told so (a
        # new importance or category alone says nothing of the words).
        extra = {**(extra or {}), "published_unreviewed": False}
    group = uuid.uuid4()
    corrected = bool(set(changed) & CORRECTED_WHEN_CHANGED) or bool(correction)
    if published and silent and corrected:
        note = " · ".join(filter(None, [note, "silent correction"]))
    current, event = change(
        name,
        article=current,
        editor=editor,
        values={**values, **(extra or {}), "edited_fields": edited},
        note=note,
        group=group,
    )
    if event is not None and published and corrected and not silent:
        Correction.objects.create(
            article=current,
            note=without_unsafe_characters(correction)[:500],
            fields=[c for c in changed if c in EDITORIAL],
            actor=editor,
            event_group=group,
        )
    return current


# --------------------------------------------------------------------------------------------
# AI proposals
# --------------------------------------------------------------------------------------------
def proposal_values(proposal: Enrichment, *, create: bool = True) -> dict[str, Any]:
    """A proposal's copy in the history's form. ``create``: make the companies and default
    categories it names; without, names not known yet stay names (for display)."""
    category = (
        category_for_name(proposal.category, create_from=DEFAULT_CATEGORIES)
        if create
        else Category.objects.filter(name__iexact=proposal.category).first()
    )
    companies: list[Any] = []
    for mention in proposal.companies:
        if create:
            companies.append(
                company_for_mention(
                    name=mention["name"], ticker=mention.get("ticker")
                ).pk
            )
        else:
            found = Company.objects.filter(name__iexact=mention["name"]).first()
            companies.append(found.pk if found else mention["name"])
    values = {
        "summary": proposal.summary,
        "analysis": proposal.analysis,
        "takeaways": list(proposal.takeaways),
        "sentiment": proposal.sentiment,
        "importance": proposal.importance,
        "companies": sorted(companies, key=str),
    }
    if category is not None:
        values["category"] = category.pk
    return values


@transaction.atomic
def proposal_receive(*, article_id: int, enrichment_id: int) -> Article | None:
    """The pipeline's last step: a new AI proposal reaches the desk.

    An unedited copy is filled from it and the story goes (back) to review; an edited copy is
    kept and the proposal held beside it. Either way the system is the actor in the history.
    Running it twice for the same proposal changes nothing.
    """
    current = Article.objects.select_for_update().filter(pk=article_id).first()
    proposal = (
        Enrichment.objects.succeeded()
        .filter(pk=enrichment_id, article_id=article_id)
        .first()
    )
    if current is None or proposal is None:
        return None
    back_in_review = (
        S.IN_REVIEW if current.status in (S.NEW, S.ENRICHING, S.FAILED) else None
    )
    received = {current.enrichment_id, current.pending_enrichment_id}
    if proposal.pk in received or (
        current.enrichment_id is not None and proposal.pk < current.enrichment_id
    ):
        # Already here (a redelivered message, or the same input after an interrupted
        # run), or older than the copy's own proposal.
        if back_in_review and current.enrichment_id is not None:
            change(
                "resumed",
                article=current,
                editor=None,
                values={},
                to_state=back_in_review,
            )
        return current
    housekeeping = {"enrichment_error": "", "waiting_for_budget": False}
    edited = set(current.edited_fields) & set(PROPOSED)  # a proposal has no headline
    decided = current.status not in Article.UNDECIDED
    if edited or decided:
        current, _event = change(
            "proposal_held",
            article=current,
            editor=None,
            values={"pending_enrichment": proposal.pk, **housekeeping},
            to_state=back_in_review,
            note=(
                f"the desk changed {', '.join(sorted(edited))}"
                if edited
                else f"the story is {current.get_status_display()}"
            )
            + f"; {proposal.backend} proposal #{proposal.pk} is shown beside the copy",
        )
        return current
    current, _event = change(
        "proposal_applied",
        article=current,
        editor=None,
        values={
            **proposal_values(proposal),
            "enrichment": proposal.pk,
            "pending_enrichment": None,
            "edited_fields": [f for f in current.edited_fields if f not in PROPOSED],
            **housekeeping,
        },
        to_state=back_in_review,
        note=f"{proposal.backend} proposal #{proposal.pk}",
    )
    return current


@dataclass(frozen=True, slots=True)
class FieldDifference:
    """One field where the copy and the AI's newer proposal differ."""

    name: str
    label: str
    ours: Any
    theirs: Any

    @property
    def corrects(self) -> bool:
        """Whether taking it into a published story is a public correction."""
        return self.name in CORRECTED_WHEN_CHANGED


def proposal_differences(article: Article) -> list[FieldDifference]:
    """The fields where the held proposal differs from the copy, for showing them side by
    side (nothing is created or written)."""
    proposal = article.pending_enrichment
    if proposal is None:
        return []
    theirs = proposal_values(proposal, create=False)
    differences = []
    for name in PROPOSED:
        if name not in theirs:
            continue
        if read(article, name) == theirs[name]:
            continue
        field = Article._meta.get_field(name)
        # PROPOSED names the article's own fields, never a reverse relation.
        assert isinstance(field, Field)
        differences.append(
            FieldDifference(
                name=name,
                label=str(field.verbose_name),
                ours=_display(article, name),
                theirs=_display_proposal(proposal, name),
            )
        )
    return differences


def _display(article: Article, name: str) -> Any:
    if name == "companies":
        return ", ".join(c.name for c in article.companies.all())
    if name == "category":
        category = article.category  # None (no query) when category_id is unset
        return category.name if category is not None else ""
    if name == "takeaways":
        return list(article.takeaways or [])
    if name == "sentiment":
        return article.get_sentiment_display()
    return getattr(article, name)


def _display_proposal(proposal: Enrichment, name: str) -> Any:
    if name == "companies":
        return ", ".join(c["name"] for c in proposal.companies)
    if name == "takeaways":
        return list(proposal.takeaways)
    return getattr(proposal, name)


@transaction.atomic
def proposal_take(
    *,
    article: Article | int,
    editor: Any,
    version: int,
    fields: list[str] | None = None,
    correction: str = "",
    silent: bool = False,
) -> Article:
    """Take fields (all of them by default) from the AI's newer proposal into the copy. Once
    nothing differs any more, the proposal becomes the copy's own."""
    current = begin(
        "proposal_take",
        article=article,
        editor=editor,
        version=version,
        fields=fields or (),
    )
    proposal = current.pending_enrichment
    if proposal is None:
        raise InvalidTransition("take the AI's proposal", "without a newer proposal")
    unknown = set(fields or ()) - set(PROPOSED)
    if unknown:
        raise ValidationError(f"not a proposed field: {', '.join(sorted(unknown))}")
    offered = proposal_values(proposal)
    taken = {name: offered[name] for name in (fields or PROPOSED) if name in offered}
    remaining = [
        name
        for name in PROPOSED
        if name in offered
        and name not in taken
        and read(current, name) != offered[name]
    ]
    extra: dict[str, Any] = {}
    if not remaining:
        extra = {"enrichment": proposal.pk, "pending_enrichment": None}
    current = _write_copy(
        "proposal_take",
        current,
        editor=editor,
        values=taken,
        note=f"from {proposal.backend} proposal #{proposal.pk}: "
        + ", ".join(sorted(taken)),
        correction=correction,
        silent=silent,
        extra=extra,
        # Once the copy is the proposal as a whole, none of its proposed fields is the
        # desk's own any more (a headline the desk wrote still is).
        edited=[f for f in current.edited_fields if f not in PROPOSED]
        if not remaining
        else None,
    )
    return current


@transaction.atomic
def proposal_dismiss(*, article: Article | int, editor: Any, version: int) -> Article:
    """Keep the copy as it is and set the AI's newer proposal aside (it stays on record)."""
    current = begin("proposal_dismiss", article=article, editor=editor, version=version)
    if current.pending_enrichment_id is None:
        raise InvalidTransition("dismiss the AI's proposal", "without a newer proposal")
    current, _event = change(
        "proposal_dismiss",
        article=current,
        editor=editor,
        values={"pending_enrichment": None},
    )
    return current


# --------------------------------------------------------------------------------------------
# Feed updates
# --------------------------------------------------------------------------------------------
def articles_updated_by_feed(
    *,
    articles: list[Article],
    changes: dict[int, dict[str, Any]] | None = None,
    flagged: list[Article] | None = None,
) -> list[int]:
    """Record what the ingest just wrote (inside its transaction): each story the feed
    changed gets a new version and a history entry saying what changed — its text, or, for
    one the desk already signed off, that the source changed it (the copy stays). Returns
    the stories in review, whose copy the AI should look at again."""
    rows = [(a, "the source changed this entry") for a in articles] + [
        (a, "the source changed this story after the desk signed it off")
        for a in flagged or []
    ]
    if not rows:
        return []
    ids = [article.pk for article, _note in rows]
    Article.objects.filter(pk__in=ids).update(version=F("version") + 1)
    versions = dict(Article.objects.filter(pk__in=ids).values_list("pk", "version"))
    AuditEvent.objects.bulk_create(
        AuditEvent(
            article_id=article.pk,
            label=article.title[:300],
            action="feed_update",
            group=uuid.uuid4(),
            from_state=article.status,
            to_state=article.status,
            changes={
                **(changes or {}).get(article.pk, {}),
                "feed_revisions": article.feed_revisions,
                "version": versions.get(article.pk),
            },
            note=note,
        )
        for article, note in rows
    )
    # A published story lists its reports by title ("Also reported by"): one the feed
    # retitled is stale on its page until the pages start afresh (an attacker's find).
    shown = StoryCluster.objects.filter(
        pk__in={article.cluster_id for article, _note in rows if article.cluster_id},
        canonical__status=S.PUBLISHED,
    ).values_list("pk", flat=True)
    for story_id in shown:
        reports_changed(story_id)
    return [article.pk for article in articles if article.status == S.IN_REVIEW]
