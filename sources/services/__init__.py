"""Writes with consequences for sources: fetching, health, schedule, OPML, discovery.

A package since it outgrew one module; callers keep importing from ``sources.services``.
Patch a private helper where it is looked up (``sources.services.fetch._claim``), not here.
"""

from __future__ import annotations

from .fetch import BODY_ERRORS, source_fetch, source_ingest_body, sources_due
from .lifecycle import (
    SourceError,
    source_add,
    source_create,
    source_disable,
    source_enable,
    sources_delete,
)
from .opml import OPMLImport, source_import_opml, sources_export_opml

__all__ = [
    "BODY_ERRORS",
    "OPMLImport",
    "SourceError",
    "source_add",
    "source_create",
    "source_disable",
    "source_enable",
    "source_fetch",
    "source_import_opml",
    "sources_delete",
    "source_ingest_body",
    "sources_due",
    "sources_export_opml",
]
