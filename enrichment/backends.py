"""The enrichment backends behind one contract (``base.Backend``, ``schema.EnrichmentResult``):
claude and offline."""

from __future__ import annotations

import time
from decimal import Decimal

from django.conf import settings

from .base import Backend, BackendReply, Usage
from .schema import ArticleInput


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
    is_metered = False

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

    def estimate_cost(self, article: ArticleInput) -> Decimal:
        return Decimal(0)

    def cost(self, usage: Usage) -> Decimal:
        return Decimal(0)
