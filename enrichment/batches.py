"""Backfills through the Message Batches API: half the price, results within 24 hours.

``batch_submit`` sends the backlog as one batch; beat's ``poll_enrichment_batches`` (or
``enrich_backlog --batch --wait`` in the foreground) applies the results as they come. A
request that fails in the batch goes back to the normal per-article queue, which has its own
retry and repair path: nothing is lost.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from . import services
from .enrichment import PROMPT_VERSION, Usage, grounding, price
from .enrichment.claude import ClaudeBackend, reply_text, usage_of, validate
from .models import Article, Enrichment, EnrichmentBatch

logger = logging.getLogger(__name__)

CUSTOM_ID = "article-{}"


@dataclass(slots=True)
class BatchProgress:
    batch: EnrichmentBatch
    processing: int
    done: int
    ended: bool


def batch_submit(
    *, limit: int = 10_000, backend: ClaudeBackend | None = None
) -> EnrichmentBatch | None:
    """Send up to ``limit`` new articles as one batch. None when there is nothing to send."""
    backend = backend or ClaudeBackend()
    ids = list(
        Article.objects.new()
        .order_by("-published_at")
        .values_list("pk", flat=True)[:limit]
    )
    claimed = [pk for pk in ids if services.enrichment_claim(pk, force=False)]
    if not claimed:
        return None
    requests: list[dict[str, Any]] = []
    reserve = Decimal(0)
    for article in Article.objects.filter(pk__in=claimed).select_related("source"):
        params = backend.build_request(services.article_input(article))
        requests.append({"custom_id": CUSTOM_ID.format(article.pk), "params": params})
        reserve += services.worst_case_cost(params, backend.model) / 2
    try:
        day = services.budget_reserve(amount=reserve)
    except services.BudgetExhausted as exc:
        for pk in claimed:
            services.enrichment_release(pk, waiting_for_budget=True, note=str(exc))
        raise
    try:
        created = backend.client.messages.batches.create(requests=requests)
    except Exception:
        services.budget_settle(day=day, reserved=reserve, spent=Decimal(0))
        for pk in claimed:
            services.enrichment_release(
                pk, note="batch submission failed; queued again"
            )
        raise
    return EnrichmentBatch.objects.create(
        batch_id=created.id,
        model=backend.model,
        prompt_version=PROMPT_VERSION,
        article_ids=claimed,
        reserved_usd=reserve,
        submitted_at=timezone.now(),
    )


def batch_poll(
    batch: EnrichmentBatch, *, backend: ClaudeBackend | None = None
) -> BatchProgress:
    """Check a batch; when it has ended, apply every result. Safe to call repeatedly."""
    backend = backend or ClaudeBackend(model=batch.model)
    remote = backend.client.messages.batches.retrieve(batch.batch_id)
    counts = remote.request_counts
    done = counts.succeeded + counts.errored + counts.canceled + counts.expired
    if (
        remote.processing_status != "ended"
        or batch.status != EnrichmentBatch.Status.SUBMITTED
    ):
        return BatchProgress(
            batch, counts.processing, done, batch.status == EnrichmentBatch.Status.ENDED
        )
    spent = Decimal(0)
    for item in backend.client.messages.batches.results(batch.batch_id):
        article_id = int(item.custom_id.removeprefix("article-"))
        spent += _apply_result(batch, article_id, item.result, backend)
    with transaction.atomic():
        batch.status = EnrichmentBatch.Status.ENDED
        batch.ended_at = timezone.now()
        batch.save(update_fields=["status", "ended_at", "applied", "failed"])
        services.budget_settle(
            day=batch.submitted_at.date(), reserved=batch.reserved_usd, spent=spent
        )
    return BatchProgress(batch, 0, done, True)


def batches_poll() -> list[BatchProgress]:
    """Poll every submitted batch (beat)."""
    return [
        batch_poll(batch)
        for batch in EnrichmentBatch.objects.filter(
            status=EnrichmentBatch.Status.SUBMITTED
        )
    ]


def _requeue(article_id: int, note: str) -> None:
    services.enrichment_release(article_id, note=note)
    services.enqueue_enrichment([article_id])


def _apply_result(
    batch: EnrichmentBatch, article_id: int, result: Any, backend: ClaudeBackend
) -> Decimal:
    article = (
        Article.objects.filter(pk=article_id, status=Article.Status.ENRICHING)
        .select_related("source")
        .first()
    )
    if article is None:  # deleted, or already handled by an earlier poll
        return Decimal(0)
    if result.type != "succeeded":
        batch.failed += 1
        _requeue(article_id, f"batch request {result.type}; queued for a normal call")
        return Decimal(0)
    message = result.message
    usage: Usage = usage_of(message)
    cost = price(batch.model, usage, batch=True)
    data = services.article_input(article)
    common = {
        "article": article,
        "backend": backend.name,
        "model": batch.model,
        "prompt_version": batch.prompt_version,
        "via_batch": True,
        "input_hash": services.input_hash(
            data, backend=backend.name, model=batch.model
        ),
        "raw_reply": reply_text(message),
        "cost_usd": cost,
        **services.usage_fields(usage),
    }
    try:
        proposal = validate(message)
    except ValueError as exc:
        batch.failed += 1
        Enrichment.objects.create(
            **common, status=Enrichment.Status.FAILED, error=str(exc)
        )
        _requeue(article_id, f"batch reply unusable ({exc}); queued for a normal call")
        return cost
    warnings = grounding.check(
        proposal,
        title=article.title,
        text=article.text,
        aliases=services.company_aliases(proposal),
    )
    enrichment = Enrichment.objects.create(
        **common,
        status=Enrichment.Status.OK,
        warnings=warnings,
        **services.proposal_fields(proposal),
    )
    services.proposal_apply(article, enrichment)
    batch.applied += 1
    return cost
