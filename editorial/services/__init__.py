"""The desk's services: the only code that changes a story's state or its editorial copy.

One function per action, shared by the review queue, the admin and the API; each checks the
rulebook (``editorial.actions``) on the locked row, bumps the story's version and records
the change in its history. Modules: ``workflow`` (decisions), ``schedule`` (scheduled
publication), ``copy`` (edits, AI proposals, feed updates), ``stories`` (merge, split, lead
report), ``undo``.
"""

from sources.normalize import says_something

from .base import (
    REASON_CHARS,
    edit_conflict,
    gives_a_reason,
    gone,
    note_kept,
    short_title,
)
from .copy import (
    FieldDifference,
    article_edit,
    article_revert,
    articles_updated_by_feed,
    edit_check,
    left_as_loaded,
    proposal_differences,
    proposal_dismiss,
    proposal_receive,
    proposal_take,
)
from .schedule import article_schedule_publish, article_unschedule, publish_due
from .stories import (
    article_delete,
    article_split,
    merge_target_gone,
    story_choose_lead,
    story_merge,
)
from .undo import UNDO_SECONDS, article_undo, last_undoable
from .workflow import (
    TAKEDOWNS,
    article_approve,
    article_archive,
    article_publish,
    article_reject,
    article_rerun_enrichment,
    article_submit,
    article_unpublish,
    last_takedown,
    refuse_if_taken_down,
    taken_down,
)

__all__ = [
    "REASON_CHARS",
    "TAKEDOWNS",
    "UNDO_SECONDS",
    "FieldDifference",
    "article_approve",
    "article_archive",
    "article_delete",
    "article_edit",
    "article_publish",
    "article_reject",
    "article_rerun_enrichment",
    "article_revert",
    "article_schedule_publish",
    "article_split",
    "article_submit",
    "article_undo",
    "article_unpublish",
    "article_unschedule",
    "articles_updated_by_feed",
    "edit_check",
    "edit_conflict",
    "gone",
    "last_takedown",
    "refuse_if_taken_down",
    "proposal_differences",
    "proposal_dismiss",
    "proposal_receive",
    "proposal_take",
    "publish_due",
    "note_kept",
    "gives_a_reason",
    "says_something",
    "short_title",
    "taken_down",
    "story_choose_lead",
    "story_merge",
    "last_undoable",
    "merge_target_gone",
    "left_as_loaded",
]
