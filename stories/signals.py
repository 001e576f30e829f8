"""What the story layer tells the rest of the site, once its change has committed."""

from __future__ import annotations

from django.dispatch import Signal

# A published story's reports changed (one joined, left or was deleted): its page's
# "also reported by" list and counts, its source pages and its feeds are stale. Sent with
# ``story_id`` (the cluster) after the transaction commits.
published_story_reports_changed = Signal()
