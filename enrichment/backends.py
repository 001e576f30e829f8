"""Enrichment: one contract (schema.EnrichmentResult), two backends (claude, offline)."""

from __future__ import annotations

import time

from django.conf import settings

from .base import (
    Backend,
    BackendReply,
    EnrichmentError,
    InvalidOutput,
    PermanentEnrichmentError,
    TransientEnrichmentError,
    Usage,
    price,
)
from .prompt import PROMPT_VERSION
from .schema import ArticleInput, EnrichmentResult

__all__ = [
    "PROMPT_VERSION",
    "ArticleInput",
    "Backend",
    "BackendReply",
    "EnrichmentError",
    "EnrichmentResult",
    "InvalidOutput",
    "PermanentEnrichmentError",
    "TransientEnrichmentError",
    "Usage",
    "get_backend",
    "price",
]


def get_backend(name: str | None = None) -> Backend:
    """The configured backend (ENRICHMENT_BACKEND): "claude" or "offline"."""
    name = name or settings.ENRICHMENT_BACKEND
    if name == "claude":
        from .claude import ClaudeBackend

        return ClaudeBackend()
    if name == "offline":
        return _OfflineAdapter()
    raise ValueError(f"unknown ENRICHMENT_BACKEND {name!r}: use 'claude' or 'offline'")


class _OfflineAdapter:
    """The offline backend behind the common Backend interface (timing, no tokens)."""

    name = "offline"

    def __init__(self) -> None:
        from .offline import OfflineBackend

        self._backend = OfflineBackend()
        self.model = self._backend.model

    def enrich(self, article: ArticleInput) -> BackendReply:
        started = time.perf_counter()
        result = self._backend.enrich(article)
        return BackendReply(
            result=result, latency_ms=int((time.perf_counter() - started) * 1000)
        )
