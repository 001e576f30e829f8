"""Backfills through the Message Batches API: half the price, results within 24 hours.

``batch_submit`` sends the backlog as one batch; beat's ``pipeline.poll_enrichment_batches``
(or ``enrich_backlog --batch --wait`` in the foreground) stores the results as they come and
hands each proposal on to the desk. A request that fails in the batch goes back to the normal
per-article queue, which has its own retry and repair path: nothing is lost.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.db import transaction
from django.utils import timezone

from articles.models import Article

from . import budget, grounding, services
from .base import Usage, price
from .claude import ClaudeBackend, reply_text, usage_of, validate, worst_case_cost
from .models import Enrichment, EnrichmentBatch
from .prompt import PROMPT_VERSION

if TYPE_CHECKING:
    from anthropic.types.message_create_params import MessageCreateParamsNonStreaming
    from anthropic.types.messages.batch_create_params import Request

logger = logging.getLogger(__name__)

CUSTOM_ID = "article-{}"


@dataclass(slots=True)
class BatchProgress:
    batch: EnrichmentBatch
    processing: int
    done: int
    ended: bool
    # (article id, proposal id) stored by this poll, for the desk to receive
    proposals: list[tuple[int, int]] = field(default_factory=list)
    # articles sent back to the per-article queue
    requeued: list[int] = field(default_factory=list)


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
    requests: list[Request] = []
    reserve = Decimal(0)
    for article in Article.objects.filter(pk__in=claimed).select_related("source"):
        params = backend.build_request(services.article_input(article))
        requests.append(
            {
                "custom_id": CUSTOM_ID.format(article.pk),
                # build_request's dict is the keyword arguments of messages.create
                "params": cast("MessageCreateParamsNonStreaming", params),
            }
        )
        reserve += worst_case_cost(params, backend.model) / 2
    try:
        day = budget.budget_reserve(amount=reserve)
    except budget.BudgetExhausted as exc:
        for pk in claimed:
            services.enrichment_release(pk, waiting_for_budget=True, note=str(exc))
        raise
    try:
        created = backend.client.messages.batches.create(requests=requests)
    except Exception:
        budget.budget_settle(day=day, reserved=reserve, spent=Decimal(0))
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
    progress = BatchProgress(batch, 0, done, True)
    for item in backend.client.messages.batches.results(batch.batch_id):
        article_id = int(item.custom_id.removeprefix("article-"))
        cost, proposal, requeued = _store_result(
            batch, article_id, item.result, backend
        )
        spent += cost
        if proposal is not None:
            progress.proposals.append((article_id, proposal.pk))
        if requeued:
            progress.requeued.append(article_id)
    with transaction.atomic():
        batch.status = EnrichmentBatch.Status.ENDED
        batch.ended_at = timezone.now()
        batch.save(update_fields=["status", "ended_at", "applied", "failed"])
        budget.budget_settle(
            day=batch.submitted_at.date(), reserved=batch.reserved_usd, spent=spent
        )
    return progress


def batches_poll() -> list[BatchProgress]:
    """Poll every submitted batch (beat)."""
    return [
        batch_poll(batch)
        for batch in EnrichmentBatch.objects.filter(
            status=EnrichmentBatch.Status.SUBMITTED
        )
    ]


def _store_result(
    batch: EnrichmentBatch, article_id: int, result: Any, backend: ClaudeBackend
) -> tuple[Decimal, Enrichment | None, bool]:
    """Store one batch result as a proposal; returns its cost, the proposal (None when
    there is none) and whether the article went back to the per-article queue."""
    article = (
        Article.objects.filter(pk=article_id, status=Article.Status.ENRICHING)
        .select_related("source")
        .first()
    )
    if article is None:  # deleted, or already handled by an earlier poll
        return Decimal(0), None, False
    if result.type != "succeeded":
        batch.failed += 1
        services.enrichment_release(
            article_id, note=f"batch request {result.type}; queued for a normal call"
        )
        return Decimal(0), None, True
    message = result.message
    usage: Usage = usage_of(message)
    cost = price(batch.model, usage, batch=True)
    data = services.article_input(article)
    key = services.input_hash(data, backend=backend.name, model=batch.model)
    stored = Enrichment.objects.filter(
        article=article, input_hash=key, via_batch=True
    ).first()
    if stored is not None:  # an earlier poll stored it and stopped before the end
        return (
            Decimal(0),
            stored if stored.status == Enrichment.Status.OK else None,
            False,
        )
    common = {
        "article": article,
        "backend": backend.name,
        "model": batch.model,
        "prompt_version": batch.prompt_version,
        "via_batch": True,
        "input_hash": key,
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
        services.enrichment_release(
            article_id, note=f"batch reply unusable ({exc}); queued for a normal call"
        )
        return cost, None, True
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
    batch.applied += 1
    return cost, enrichment, False
