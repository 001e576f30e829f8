"""The hand-off from fetching to ingest.

``sources`` parses feeds but may not import ``articles`` (lower layers never import higher
ones), so the function that stores entries is named in ``settings.SOURCES_ENTRY_SINK`` and
looked up here. It receives the source, the normalised entries and the fetch time, and returns
an ``IngestStats``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from .models import Source
    from .parsing import NormalizedEntry


@dataclass(slots=True)
class IngestStats:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0  # same story already stored under another guid, URL or source
    tombstoned: int = 0  # deleted or rejected before; not brought back

    def __add__(self, other: IngestStats) -> IngestStats:
        return IngestStats(
            self.new + other.new,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
            self.duplicates + other.duplicates,
            self.tombstoned + other.tombstoned,
        )


class EntrySink(Protocol):
    def __call__(
        self, *, source: Source, entries: list[NormalizedEntry], fetched_at: datetime
    ) -> IngestStats: ...


def entry_sink() -> EntrySink:
    return import_string(settings.SOURCES_ENTRY_SINK)
