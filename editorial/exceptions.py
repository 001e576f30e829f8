from __future__ import annotations

from typing import Any


class InvalidTransition(Exception):
    """The action is not possible from the article's current state."""

    def __init__(self, action: str, state: str, allowed: frozenset[str]) -> None:
        self.action, self.state, self.allowed = action, state, allowed
        names = ", ".join(sorted(allowed))
        super().__init__(
            f"cannot {action} an article that is {state} (only from: {names})"
        )


class NotAllowed(Exception):
    """The editor lacks the permission the action needs."""


class EditConflict(Exception):
    """Another editor changed the article since this edit's version was loaded.

    ``theirs`` holds the current value of every field this edit touches that changed since;
    ``events`` the decisions taken since that version. Nothing has been written.
    """

    def __init__(
        self,
        *,
        version: int,
        current_version: int,
        theirs: dict[str, Any],
        events: list[dict[str, Any]],
    ) -> None:
        self.version, self.current_version = version, current_version
        self.theirs, self.events = theirs, events
        who = (
            ", ".join(sorted({e["actor"] for e in events if e.get("actor")}))
            or "another editor"
        )
        super().__init__(
            f"{who} changed this article since you opened it (version {version} → "
            f"{current_version}); your text is kept, nothing was saved"
        )
