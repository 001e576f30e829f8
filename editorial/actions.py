"""The desk's rulebook: every editorial action declared once, and the one question the queue,
the admin and the API all ask before showing or running one.

Each ``Action`` names the states it starts from, the state it leads to, the permission it
needs, what the history calls it and how it is undone. ``check(user, name, article)`` raises
the refusal (a ``PermissionDenied`` subclass) and ``can()`` turns it into a yes or no, so a
button is never shown for an action the service would refuse, and the service, which calls
``check()`` again on the locked row, never trusts the button (Wagtail splits its actions the
same way into ``check()`` and ``execute()``).

``user=None`` is the system: the pipeline filling the copy from a proposal, beat publishing
a scheduled story. People never run system actions; the system runs only those and the
scheduled publication.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _

from articles.models import Article

from .exceptions import InvalidTransition, NotAllowed, NotTheStoryLead

S = Article.Status
REVIEW = "articles.review_article"
PUBLISH = "articles.publish_article"
SILENT = "articles.correct_silently"

ALL_STATES = frozenset(S)
# Not decided by the desk yet: still coming through the pipeline or waiting for review.
PENDING = frozenset({S.NEW, S.ENRICHING, S.IN_REVIEW, S.FAILED})
# Archived stories are frozen; every other state's copy can still be changed (published ones
# by those who may publish, with a correction).
EDITABLE = ALL_STATES - {S.ARCHIVED}


class Undo(StrEnum):
    """How an action is undone."""

    FIELDS = "fields"  # write back the old values the event recorded
    MERGE = "merge"  # give the moved reports their own story again
    SPLIT = "split"  # put the report back into the story it left
    CANONICAL = "canonical"  # the previous lead leads again


@dataclass(frozen=True)
class Action:
    name: str
    label: Any  # what a button says
    audit_label: Any  # what the history says
    permission: str | None  # None: only the system does it
    from_states: frozenset[str]
    to_state: str | None = None  # None: the story stays in its state
    undo: Undo | None = None
    # Acts on the story, so it is refused for a report that is not its story's lead.
    story_level: bool = True
    # A second permission needed when the story is published (changing live copy).
    published_permission: str | None = None
    # A second permission needed when the story this article belongs to is published
    # (changing which reports make a live story).
    story_published_permission: str | None = None
    # The scheduler (user None) may run it besides people.
    system_may: bool = False
    # For a report that does not lead its story, and only while the story is undecided:
    # once approved or published, its lead's copy is what the desk signed off on.
    undecided_story: bool = False
    # How a refusal names it: "cannot <verb> a story that is published".
    verb: str = ""

    @property
    def system_only(self) -> bool:
        return self.permission is None

    @property
    def phrase(self) -> str:
        return self.verb or self.name


ACTIONS = [
    Action(
        "submit",
        _("Send to review"),
        _("sent to review"),
        REVIEW,
        frozenset({S.NEW, S.FAILED, S.REJECTED}),
        S.IN_REVIEW,
        Undo.FIELDS,
        verb="send to review",
    ),
    Action(
        "approve",
        _("Approve"),
        _("approved"),
        REVIEW,
        frozenset({S.IN_REVIEW}),
        S.APPROVED,
        Undo.FIELDS,
    ),
    Action(
        "reject",
        _("Reject"),
        _("rejected"),
        REVIEW,
        frozenset({S.IN_REVIEW, S.APPROVED, S.NEW, S.FAILED}),
        S.REJECTED,
        Undo.FIELDS,
    ),
    Action(
        "publish",
        _("Publish"),
        _("published"),
        PUBLISH,
        frozenset({S.IN_REVIEW, S.APPROVED}),
        S.PUBLISHED,
        Undo.FIELDS,
        system_may=True,
    ),
    Action(
        "unpublish",
        _("Unpublish"),
        _("unpublished"),
        PUBLISH,
        frozenset({S.PUBLISHED}),
        S.APPROVED,
        Undo.FIELDS,
    ),
    Action(
        "archive",
        _("Archive"),
        _("archived"),
        PUBLISH,
        frozenset({S.PUBLISHED, S.APPROVED, S.REJECTED}),
        S.ARCHIVED,
        Undo.FIELDS,
    ),
    Action(
        "schedule",
        _("Schedule"),
        _("scheduled publication"),
        PUBLISH,
        frozenset({S.IN_REVIEW, S.APPROVED}),
        S.APPROVED,
        Undo.FIELDS,
        verb="schedule",
    ),
    Action(
        "unschedule",
        _("Cancel schedule"),
        _("cancelled the scheduled publication"),
        PUBLISH,
        frozenset({S.IN_REVIEW, S.APPROVED}),
        None,
        Undo.FIELDS,
        verb="cancel the schedule of",
    ),
    Action(
        "edit",
        _("Save copy"),
        _("edited"),
        REVIEW,
        EDITABLE,
        None,
        Undo.FIELDS,
        published_permission=PUBLISH,
        verb="edit",
    ),
    Action(
        "revert",
        _("Revert"),
        _("reverted an earlier edit"),
        REVIEW,
        EDITABLE,
        None,
        Undo.FIELDS,
        published_permission=PUBLISH,
        verb="revert an edit of",
    ),
    Action(
        "proposal_take",
        _("Take the AI's version"),
        _("took the AI's newer proposal"),
        REVIEW,
        EDITABLE,
        None,
        Undo.FIELDS,
        published_permission=PUBLISH,
        verb="take the AI's proposal into",
    ),
    Action(
        "proposal_dismiss",
        _("Keep our copy"),
        _("kept the copy over the AI's newer proposal"),
        REVIEW,
        EDITABLE,
        None,
        Undo.FIELDS,
        verb="set the AI's proposal aside on",
    ),
    Action(
        "rerun",
        _("Re-run AI"),
        _("asked the AI for a new proposal"),
        REVIEW,
        frozenset({S.NEW, S.FAILED, S.IN_REVIEW}),
        verb="re-run the AI on",
    ),
    Action(
        "merge",
        _("Merge into another story"),
        _("merged into another story"),
        REVIEW,
        PENDING,
        None,
        Undo.MERGE,
    ),
    Action(
        "split",
        _("Split out"),
        _("split out into a story of its own"),
        REVIEW,
        ALL_STATES,
        None,
        Undo.SPLIT,
        story_level=False,
        story_published_permission=PUBLISH,
        verb="split",
    ),
    Action(
        "canonical",
        _("Make this the lead report"),
        _("made the lead report of its story"),
        REVIEW,
        PENDING,
        None,
        Undo.CANONICAL,
        story_level=False,
        undecided_story=True,
        verb="make the lead report",
    ),
    Action(
        "delete",
        _("Delete"),
        _("deleted"),
        "articles.delete_article",
        ALL_STATES,
        story_level=False,
        published_permission=PUBLISH,
    ),
    Action(
        "undo",
        _("Undo"),
        _("undid"),
        REVIEW,
        ALL_STATES,
        story_level=False,
    ),
    # The system's own actions.
    Action(
        "proposal_applied",
        _("Fill the copy from the AI's proposal"),
        _("filled the copy from the AI's proposal"),
        None,
        ALL_STATES,
        story_level=False,
    ),
    Action(
        "proposal_held",
        _("Hold the AI's proposal beside the edited copy"),
        _("held the AI's newer proposal beside the edited copy"),
        None,
        ALL_STATES,
        story_level=False,
    ),
    Action(
        "resumed",
        _("Back in review"),
        _("put back in review after an interrupted AI run"),
        None,
        ALL_STATES,
        story_level=False,
    ),
    Action(
        "feed_update",
        _("Update from the feed"),
        _("updated from the feed"),
        None,
        ALL_STATES,
        story_level=False,
    ),
    Action(
        "lead_handed_on",
        _("Lead the story"),
        _("took over as the lead report when the story's lead was deleted"),
        None,
        ALL_STATES,
        story_level=False,
    ),
    Action(
        "schedule_cancelled",
        _("Cancel the scheduled publication"),
        _("cancelled the scheduled publication"),
        None,
        ALL_STATES,
        story_level=False,
    ),
    # Kept for rows written before the registry (cluster actions were named so).
    Action("cluster_merge", _("Merge"), _("merged"), None, ALL_STATES),
    Action("cluster_split", _("Split"), _("split out"), None, ALL_STATES),
    Action("cluster_canonical", _("Lead"), _("made the lead"), None, ALL_STATES),
    Action("rerun_enrichment", _("Re-run AI"), _("re-ran the AI"), None, ALL_STATES),
]
REGISTRY: dict[str, Action] = {action.name: action for action in ACTIONS}
# What people can be offered (the rest is the system's, or history).
HUMAN_ACTIONS = tuple(a.name for a in ACTIONS if not a.system_only)


def check(user: Any, name: str, article: Article) -> Action:
    """Raise the refusal if ``user`` may not run ``name`` on ``article`` as it is now;
    return the action otherwise. ``user=None`` is the system."""
    action = REGISTRY[name]
    label = action.phrase
    if user is None:
        if not (action.system_only or action.system_may):
            raise NotAllowed(f"only a person may {label}")
    else:
        if action.system_only:
            raise NotAllowed(f"only the system may {label}")
        if not (user.is_authenticated and user.is_active):
            raise NotAllowed(f"sign in to {label}")
        if not user.has_perm(action.permission):
            raise NotAllowed(f"{user} may not {label} (needs {action.permission})")
        if (
            action.published_permission
            and article.status == S.PUBLISHED
            and not user.has_perm(action.published_permission)
        ):
            raise NotAllowed(
                f"{user} may not change a published story "
                f"(needs {action.published_permission})"
            )
        if (
            action.story_published_permission
            and S.PUBLISHED in (article.status, article.story_status)
            and not user.has_perm(action.story_published_permission)
        ):
            raise NotAllowed(
                f"{user} may not change which reports make a published story "
                f"(needs {action.story_published_permission})"
            )
    if article.status not in action.from_states:
        raise InvalidTransition(label, article.status, action.from_states)
    if action.story_level and not article.leads_its_story:
        assert article.cluster is not None  # only a report in a story leads none
        raise NotTheStoryLead(label, article.cluster.canonical_id)
    if action.undecided_story:
        if article.leads_its_story:
            raise InvalidTransition("make the lead report of", "already led by it")
        if article.story_status not in Article.UNDECIDED:
            raise InvalidTransition("change the lead report of", article.story_status)
    return action


def can(user: Any, name: str, article: Article) -> bool:
    """Whether ``check`` would let ``user`` run ``name`` on ``article`` now."""
    try:
        check(user, name, article)
    except (NotAllowed, InvalidTransition):
        return False
    return True


def allowed(user: Any, article: Article) -> frozenset[str]:
    """Every action ``user`` may run on ``article`` now: what a page may offer."""
    return frozenset(name for name in HUMAN_ACTIONS if can(user, name, article))


def may(user: Any, name: str) -> bool:
    """Whether ``user`` holds the permission for ``name`` at all (in some state): what a
    list of many stories may offer, each one then checked by the service."""
    action = REGISTRY[name]
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and action.permission
        and user.has_perm(action.permission)
    )
