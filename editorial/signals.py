"""What the desk tells the rest of the site, without knowing who listens (the house style
allows signals for exactly this: decoupled cache invalidation)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent after the transaction commits, with ``article_id``, whenever something readers can
# see changed: a story was published, unpublished, corrected, archived, or its sources
# changed while it was published.
story_changed = Signal()
