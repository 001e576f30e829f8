"""What backends return, the errors they raise, and how a call is priced."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from django.conf import settings

from .schema import ArticleInput, EnrichmentResult


@dataclass(slots=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.cache_write_tokens + other.cache_write_tokens,
            self.cache_read_tokens + other.cache_read_tokens,
        )


@dataclass(slots=True)
class BackendReply:
    result: EnrichmentResult
    usage: Usage = field(default_factory=Usage)
    raw: str = ""
    latency_ms: int = 0
    attempts: int = 1


class EnrichmentError(Exception):
    """Base of the failures a backend reports."""


class TransientEnrichmentError(EnrichmentError):
    """Worth retrying later: rate limits, overload, 5xx, timeouts, connection errors."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class InvalidOutput(EnrichmentError):
    """The model answered, but not with a usable proposal (after the repair attempt).

    Carries what the failed calls cost and said, so nothing about them is lost.
    """

    def __init__(
        self, message: str, *, usage: Usage, raw: str, latency_ms: int, attempts: int
    ) -> None:
        super().__init__(message)
        self.usage = usage
        self.raw = raw
        self.latency_ms = latency_ms
        self.attempts = attempts


class PermanentEnrichmentError(EnrichmentError):
    """A request the API will never accept as sent (bad key, bad request): needs a person."""


class Backend(Protocol):
    """What the pipeline asks of a backend.

    ``is_metered`` says whether calls cost money: metered backends reserve their
    ``estimate_cost`` (an upper bound) against the daily budget before each call and settle
    ``cost`` after it.
    """

    name: str
    model: str
    is_metered: bool

    def enrich(self, article: ArticleInput) -> BackendReply: ...

    def estimate_cost(self, article: ArticleInput) -> Decimal: ...

    def cost(self, usage: Usage) -> Decimal: ...


def price(model: str, usage: Usage, *, batch: bool = False) -> Decimal:
    """USD cost of the tokens at ENRICHMENT_PRICES (USD per million tokens)."""
    table = (
        settings.ENRICHMENT_PRICES.get(model) or settings.ENRICHMENT_PRICES["default"]
    )
    micro = (
        usage.input_tokens * Decimal(str(table["input"]))
        + usage.output_tokens * Decimal(str(table["output"]))
        + usage.cache_write_tokens * Decimal(str(table["cache_write"]))
        + usage.cache_read_tokens * Decimal(str(table["cache_read"]))
    )
    cost = micro / Decimal(1_000_000)
    if batch:
        cost *= Decimal(str(settings.ENRICHMENT_BATCH_DISCOUNT))
    return cost.quantize(Decimal("0.000001"))
