"""The Claude backend: the anthropic SDK with structured output (a JSON schema the API
enforces), a cached static prompt, one repair attempt, and every token accounted for.

Retries are deliberately not the SDK's: ``max_retries`` defaults to 0 so a 429 or 529 goes back
to Celery, which retries with backoff (honouring retry-after) without holding a worker asleep.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal
from functools import cache
from typing import Any

import anthropic
from django.conf import settings
from pydantic import ValidationError

from . import prompt
from .base import (
    BackendReply,
    InvalidOutput,
    PermanentEnrichmentError,
    TransientEnrichmentError,
    Usage,
    price,
)
from .schema import ArticleInput, EnrichmentResult


@cache
def _default_client() -> anthropic.Anthropic:
    return make_client()


def make_client(**overrides: Any) -> anthropic.Anthropic:
    """A client configured from settings; tests pass ``http_client`` to replace the network."""
    options: dict[str, Any] = {
        "api_key": settings.ANTHROPIC_API_KEY or None,
        "timeout": settings.ANTHROPIC_TIMEOUT,
        "max_retries": settings.ANTHROPIC_MAX_RETRIES,
    }
    if settings.ANTHROPIC_BASE_URL:
        options["base_url"] = settings.ANTHROPIC_BASE_URL
    options.update(overrides)
    return anthropic.Anthropic(**options)


def usage_of(message: Any) -> Usage:
    usage = getattr(message, "usage", None)
    if usage is None:
        return Usage()
    return Usage(
        input_tokens=usage.input_tokens or 0,
        output_tokens=usage.output_tokens or 0,
        cache_write_tokens=getattr(usage, "cache_creation_input_tokens", 0) or 0,
        cache_read_tokens=getattr(usage, "cache_read_input_tokens", 0) or 0,
    )


def reply_text(message: Any) -> str:
    return "".join(
        block.text for block in message.content if getattr(block, "type", "") == "text"
    )


def validate(message: Any) -> EnrichmentResult:
    """The proposal in a reply, or InvalidOutput saying why there is none."""
    text = reply_text(message)
    if message.stop_reason == "refusal":
        raise ValueError("the model declined to answer (refusal)")
    if message.stop_reason == "max_tokens":
        raise ValueError("the reply was cut off at max_tokens")
    try:
        return EnrichmentResult.model_validate_json(text)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, err['loc'])) or 'reply'}: {err['msg']}"
            for err in exc.errors()[:5]
        )
        raise ValueError(f"the reply did not match the schema ({problems})") from exc


def _retry_after(exc: anthropic.APIStatusError) -> float | None:
    value = exc.response.headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def worst_case_cost(request: dict[str, Any], model: str) -> Decimal:
    """An upper bound for one enrichment: the request and a repair attempt, all uncached,
    both replies at max_tokens."""
    size = len(json.dumps(request, ensure_ascii=False)) // prompt.CHARS_PER_TOKEN
    max_tokens = request["max_tokens"]
    usage = Usage(
        input_tokens=2 * size + max_tokens,
        cache_write_tokens=size,
        output_tokens=max_tokens * 5 // 2,
    )
    return price(model, usage)


class ClaudeBackend:
    name = "claude"
    is_metered = True

    def __init__(
        self, *, client: anthropic.Anthropic | None = None, model: str = ""
    ) -> None:
        self.client = client or _default_client()
        self.model = model or settings.ANTHROPIC_MODEL

    def build_request(self, article: ArticleInput) -> dict[str, Any]:
        return prompt.build_request(
            article,
            model=self.model,
            max_tokens=settings.ENRICHMENT_MAX_TOKENS,
            max_article_tokens=settings.ENRICHMENT_ARTICLE_TOKENS,
        )

    def estimate_cost(self, article: ArticleInput) -> Decimal:
        """The most one enrichment of ``article`` can cost (reserved before the call)."""
        return worst_case_cost(self.build_request(article), self.model)

    def cost(self, usage: Usage) -> Decimal:
        return price(self.model, usage)

    def _call(self, request: dict[str, Any]) -> Any:
        try:
            return self.client.messages.create(**request)
        except anthropic.RateLimitError as exc:
            raise TransientEnrichmentError(
                "rate limited by the Anthropic API (429)", retry_after=_retry_after(exc)
            ) from exc
        except anthropic.InternalServerError as exc:
            label = (
                "overloaded (529)"
                if exc.status_code == 529
                else f"error {exc.status_code}"
            )
            raise TransientEnrichmentError(
                f"Anthropic API {label}", retry_after=_retry_after(exc)
            ) from exc
        except anthropic.APITimeoutError as exc:
            raise TransientEnrichmentError(
                f"no answer from the Anthropic API within {settings.ANTHROPIC_TIMEOUT:g} s"
            ) from exc
        except anthropic.APIConnectionError as exc:
            raise TransientEnrichmentError(
                f"could not reach the Anthropic API: {exc}"
            ) from exc
        except anthropic.APIStatusError as exc:
            raise PermanentEnrichmentError(
                f"the Anthropic API refused the request (HTTP {exc.status_code}): "
                f"{exc.message}"
            ) from exc

    def enrich(self, article: ArticleInput) -> BackendReply:
        request = self.build_request(article)
        started = time.monotonic()
        message = self._call(request)
        usage = usage_of(message)
        raw = reply_text(message)
        try:
            result = validate(message)
            attempts = 1
        except ValueError as first:
            # One repair attempt: show the model its reply and what was wrong with it.
            retry = prompt.repair_request(request, reply=raw, problem=str(first))
            message = self._call(retry)
            usage += usage_of(message)
            raw = f"{raw}\n--- repair attempt ---\n{reply_text(message)}"
            attempts = 2
            try:
                result = validate(message)
            except ValueError as second:
                raise InvalidOutput(
                    f"{second} (after one repair attempt; first: {first})",
                    usage=usage,
                    raw=raw,
                    latency_ms=int((time.monotonic() - started) * 1000),
                    attempts=attempts,
                ) from second
        return BackendReply(
            result=result,
            usage=usage,
            raw=raw,
            latency_ms=int((time.monotonic() - started) * 1000),
            attempts=attempts,
        )
