"""Why the desk refused an action. Every refusal is a ``PermissionDenied`` (Django answers
403 where nobody catches it); bad input is a ``django.core.exceptions.ValidationError``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied


class ActionRefused(PermissionDenied):
    """The desk refused an action; ``status`` is the HTTP status a view answers with."""

    status = 403


class NotAllowed(ActionRefused):
    """The person lacks the permission the action needs (or is not signed in)."""


class InvalidTransition(ActionRefused):
    """The action is not possible in the story's current state."""

    status = 409

    def __init__(self, action: str, state: str, allowed: frozenset[str] = frozenset()):
        self.action, self.state, self.allowed = action, state, allowed
        message = f"cannot {action} a story that is {_said(state)}"
        if allowed:
            message += f" (only from: {', '.join(sorted(map(_said, allowed)))})"
        super().__init__(message)


class TakenDown(ActionRefused):
    """A plain "publish" of a story the desk took off the site: it goes back only when
    someone asks for it again, having been told why it came off."""

    status = 409

    def __init__(self, when: str, by: str, reason: str) -> None:
        why = f": {reason}" if reason else ""
        super().__init__(
            f"this story was taken off the site on {when} by {by}{why}. Publish it "
            "again with its “Publish again” button."
        )


def _said(state: str) -> str:
    """A state as the desk reads it ("in review", not "in_review")."""
    from articles.models import Article

    try:
        return str(Article.Status(state).label)
    except ValueError:
        return state


class NotTheStoryLead(InvalidTransition):
    """The article is one of a story's reports; the desk reviews the story through its lead."""

    def __init__(self, action: str, lead_id: int | None) -> None:
        ActionRefused.__init__(
            self,
            f"cannot {action} this report on its own: it is one of the sources of story "
            f"#{lead_id}; review that story, or split this report out first",
        )
        self.action, self.state, self.allowed = action, "a report", frozenset()


class UndoRefused(InvalidTransition):
    """The editor's last action can no longer be taken back (``reason`` says why)."""

    def __init__(self, reason: str) -> None:
        ActionRefused.__init__(self, f"cannot undo: {reason}")
        self.action, self.state, self.allowed = "undo", reason, frozenset()


class StoryGone(ActionRefused):
    """The story was deleted (a takedown) before the action reached it: nothing was done.
    The message says who deleted it and when, where the history knows."""

    status = 410

    def __init__(
        self, pk: int, what: str, *, after: str = "", recorded: bool = True
    ) -> None:
        super().__init__(f"{what}; nothing was changed.{after}")
        self.pk = pk
        self.recorded = recorded  # whether its history records the deletion
        # Where no action was tried (a link to it): what happened, without the refusal.
        self.notice = f"{what}.{after}"


class EditConflict(ActionRefused):
    """Another editor changed the story since this action's version was loaded.

    ``theirs`` holds the current value of every field this edit touches that changed since;
    ``events`` the changes made since that version. Nothing has been written.
    """

    status = 409

    def __init__(
        self,
        *,
        version: int,
        current_version: int,
        theirs: dict[str, Any],
        events: list[dict[str, Any]],
        done: str = "",
    ) -> None:
        self.version, self.current_version = version, current_version
        self.theirs, self.events = theirs, events
        # Each field changed since ``version`` as it was at ``version`` (the history's
        # form): a form loaded then that still holds it was not changed by its editor.
        self.base: dict[str, Any] = {}
        for event in events:
            for name, change in event["changes"].items():
                if isinstance(change, list) and len(change) == 2:
                    self.base.setdefault(name, change[0])
        who = (
            ", ".join(sorted({e["actor"] for e in events if e.get("actor")}))
            or "another editor"
        )
        # ``done``: what they did, "edited the summary; approved".
        self.what = (
            f"{who} changed this story since you opened it ("
            + (f"{done}; " if done else "")
            + f"version {version} → {current_version})"
        )
        super().__init__(f"{self.what}; your text is kept, nothing was saved")

    @property
    def untyped(self) -> str:
        """The message for a button that carried no text (approve, make lead, split)."""
        return f"{self.what}; nothing was done"
