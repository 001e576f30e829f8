"""Writes with consequences for enrichment: running a backend on an article and storing its
proposal.

Status path of the pipeline: new → enriching → (proposal stored), or → failed (re-runnable),
or back to new (waiting for budget, or a transient fault being retried). The ``Enrichment``
row is the immutable AI proposal; what happens to the article's editorial copy is the desk's
business (``editorial.services.proposal_receive``).
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from articles.models import Article, Category, Company

from . import budget, grounding
from .backends import get_backend
from .base import (
    InvalidOutput,
    PermanentEnrichmentError,
    TransientEnrichmentError,
    Usage,
)
from .models import Enrichment, EnrichmentBatch
from .prompt import DEFAULT_CATEGORIES, PROMPT_VERSION
from .schema import ArticleInput, EnrichmentResult, Proposal

logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------
def site_categories() -> tuple[str, ...]:
    names = tuple(Category.objects.values_list("name", flat=True))
    return names or DEFAULT_CATEGORIES


def known_companies() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    return tuple(
        (name, ticker, tuple(aliases or ()))
        for name, ticker, aliases in Company.objects.values_list(
            "name", "ticker", "aliases"
        )
    )


def article_input(article: Article) -> ArticleInput:
    """What a backend sees of an article, with how widely its story is covered."""
    coverage, extra = 1, {}
    cluster = article.cluster
    if cluster is not None and cluster.source_count > 1:
        coverage = cluster.source_count
        # Set with the counts (refresh_cluster), from the members' published_at.
        assert cluster.first_seen is not None and cluster.last_seen is not None
        hours = (cluster.last_seen - cluster.first_seen).total_seconds() / 3600
        extra["Coverage speed"] = (
            f"{coverage} sources within {max(hours, 0.1):.1f} hours"
        )
    return ArticleInput(
        coverage_sources=coverage,
        extra_context=extra,
        title=article.source_headline,
        text=article.text,
        source_name=article.source.name,
        source_trust=article.source.trust,
        published_at=article.published_at,
        url=article.url,
        categories=site_categories(),
        known_companies=known_companies(),
    )


def input_hash(data: ArticleInput, *, backend: str, model: str) -> str:
    """Idempotency key: the same content, prompt version and model is never sent twice."""
    key = json.dumps(
        [PROMPT_VERSION, backend, model, data.title, data.text, list(data.categories)],
        ensure_ascii=False,
    )
    return hashlib.sha256(key.encode()).hexdigest()


# --------------------------------------------------------------------------------------------
# Claiming an article for one run
# --------------------------------------------------------------------------------------------
def enrichment_claim(article_id: int, *, force: bool) -> bool:
    """Move an article to enriching if nobody else has (compare-and-set)."""
    allowed = [Article.Status.NEW]
    if force:
        allowed += [Article.Status.FAILED, Article.Status.IN_REVIEW]
    return bool(
        Article.objects.filter(pk=article_id, status__in=allowed).update(
            status=Article.Status.ENRICHING, updated_at=timezone.now()
        )
    )


def enrichment_release(
    article_id: int, *, waiting_for_budget: bool = False, note: str = ""
) -> None:
    """Put an article that could not be enriched now back where it was: in the queue for
    enrichment, or in review when it already has a copy (a re-run that must wait)."""
    enriching = Article.objects.filter(pk=article_id, status=Article.Status.ENRICHING)
    enriching.filter(enrichment__isnull=False).update(
        status=Article.Status.IN_REVIEW,
        enrichment_error=note,
        updated_at=timezone.now(),
    )
    enriching.filter(enrichment__isnull=True).update(
        status=Article.Status.NEW,
        waiting_for_budget=waiting_for_budget,
        enrichment_error=note,
        updated_at=timezone.now(),
    )


# --------------------------------------------------------------------------------------------
# One run
# --------------------------------------------------------------------------------------------
def article_enrich(
    *, article_id: int, force: bool = False, requested_by_id: int | None = None
) -> Enrichment | None:
    """Run the configured backend on one article and store its proposal.

    Returns the proposal (a new row, or the stored one for the same input), or None when
    there is nothing to hand on (already enriched, being enriched elsewhere, waiting for
    budget, or failed). Raises TransientEnrichmentError for the task to retry.
    """
    if not enrichment_claim(article_id, force=force):
        return None
    article = Article.objects.select_related("source", "cluster").get(pk=article_id)
    backend = get_backend()
    data = article_input(article)
    key = input_hash(data, backend=backend.name, model=backend.model)

    if not force:
        same_input = Enrichment.objects.succeeded().filter(input_hash=key)
        own = same_input.filter(article=article).first()
        if own is not None:
            return own
        previous = same_input.first()
        if previous is not None:  # the same text under another article: no second call
            return _copy_proposal(
                previous, article=article, key=key, backend=previous.backend
            )
        approved = _cluster_proposal(article)
        if approved is not None:
            return _copy_proposal(approved, article=article, key=key)

    reservation: tuple[Any, Decimal] | None = None
    if backend.is_metered:
        amount = backend.estimate_cost(data)
        try:
            reservation = (budget.budget_reserve(amount=amount), amount)
        except budget.BudgetExhausted as exc:
            enrichment_release(article_id, waiting_for_budget=True, note=str(exc))
            logger.info("article %s: waiting for budget", article_id)
            return None

    def settle(usage: Usage) -> Decimal:
        cost = backend.cost(usage)
        if reservation:
            budget.budget_settle(
                day=reservation[0], reserved=reservation[1], spent=cost
            )
        return cost

    common = {
        "article": article,
        "backend": backend.name,
        "model": backend.model,
        "prompt_version": PROMPT_VERSION,
        "input_hash": key,
        "requested_by_id": requested_by_id,
    }
    try:
        reply = backend.enrich(data)
    except TransientEnrichmentError as exc:
        settle(Usage())
        enrichment_release(article_id, note=f"will retry: {exc}")
        raise
    except InvalidOutput as exc:
        cost = settle(exc.usage)
        failed = Enrichment.objects.create(
            **common,
            status=Enrichment.Status.FAILED,
            error=str(exc),
            raw_reply=exc.raw,
            latency_ms=exc.latency_ms,
            attempts=exc.attempts,
            cost_usd=cost,
            **usage_fields(exc.usage),
        )
        _fail(article, reason=str(exc), enrichment=failed)
        return None
    except PermanentEnrichmentError as exc:
        settle(Usage())
        failed = Enrichment.objects.create(
            **common, status=Enrichment.Status.FAILED, error=str(exc)
        )
        _fail(article, reason=str(exc), enrichment=failed)
        return None
    except BaseException:
        settle(Usage())
        enrichment_release(article_id, note="interrupted; queued again")
        raise

    cost = settle(reply.usage)
    warnings = grounding.check(
        reply.result,
        title=article.source_headline,
        text=article.text,
        aliases=company_aliases(reply.result),
    )
    return Enrichment.objects.create(
        **common,
        status=Enrichment.Status.OK,
        raw_reply=reply.raw,
        latency_ms=reply.latency_ms,
        attempts=reply.attempts,
        cost_usd=cost,
        warnings=warnings,
        **proposal_fields(reply.result),
        **usage_fields(reply.usage),
    )


def _cluster_proposal(article: Article) -> Enrichment | None:
    """The approved proposal of the article's story, if an editor has approved one: a new
    report of a story already covered does not cost another model call."""
    if article.cluster_id is None:
        return None
    return (
        Enrichment.objects.succeeded()
        .filter(
            article__cluster_id=article.cluster_id,
            article__status=Article.Status.PUBLISHED,
            article__enrichment_id=F("pk"),
        )
        .exclude(article=article)
        .order_by("-created_at")
        .first()
    )


PROPOSAL_COPIED_FIELDS = (
    "summary",
    "analysis",
    "takeaways",
    "sentiment",
    "company_sentiments",
    "importance",
    "importance_reason",
    "category",
    "companies",
    "model",
    "prompt_version",
)


def _copy_proposal(
    approved: Enrichment, *, article: Article, key: str, backend: str = "cluster"
) -> Enrichment:
    """A new Enrichment row for ``article`` carrying another article's proposal (its
    story's approved one, or one made for the same text)."""
    fields = {name: getattr(approved, name) for name in PROPOSAL_COPIED_FIELDS}
    return Enrichment.objects.create(
        **fields,
        article=article,
        status=Enrichment.Status.OK,
        backend=backend,
        input_hash=key,
        raw_reply=f"copied from enrichment #{approved.pk} of article #{approved.article_id}",
        warnings=grounding.check(
            Proposal.model_validate(
                {
                    "summary": approved.summary,
                    "analysis": approved.analysis,
                    "key_takeaways": approved.takeaways,
                    "sentiment": approved.sentiment or "neutral",
                    "importance": approved.importance or 1,
                    "importance_reason": approved.importance_reason,
                    "category": approved.category,
                    "companies": approved.companies,
                }
            ),
            title=article.source_headline,
            text=article.text,
        ),
    )


def usage_fields(usage: Usage) -> dict[str, int]:
    """Token counts as Enrichment fields."""
    return {
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
        "cache_write_tokens": usage.cache_write_tokens,
        "cache_read_tokens": usage.cache_read_tokens,
    }


def proposal_fields(result: EnrichmentResult) -> dict[str, Any]:
    """A validated proposal as Enrichment fields."""
    return {
        "summary": result.summary,
        "analysis": result.analysis,
        "takeaways": list(result.key_takeaways),
        "sentiment": result.sentiment,
        "importance": result.importance,
        "importance_reason": result.importance_reason[:300],
        "category": result.category[:100],
        "companies": [c.model_dump() for c in result.companies],
        "company_sentiments": {c.name: c.sentiment for c in result.companies},
    }


def company_aliases(result: EnrichmentResult) -> dict[str, list[str]]:
    """Known aliases of the companies the proposal names (for grounding)."""
    names = [c.name for c in result.companies]
    tickers = [c.ticker for c in result.companies if c.ticker]
    aliases: dict[str, list[str]] = {}
    for company in Company.objects.filter(Q(name__in=names) | Q(ticker__in=tickers)):
        for mention in result.companies:
            if mention.name == company.name or (
                mention.ticker and mention.ticker == company.ticker
            ):
                aliases.setdefault(mention.name, []).extend(company.all_names)
    return aliases


# --------------------------------------------------------------------------------------------
# Failure and the sweep
# --------------------------------------------------------------------------------------------
def _fail(
    article: Article,
    *,
    reason: str,
    enrichment: Enrichment | None = None,
    from_states: tuple[str, ...] = (Article.Status.ENRICHING,),
) -> Article:
    """Record a failed run: an article without a copy fails (an editor can re-run it); one
    with a copy goes back to review with the reason shown, its copy untouched.

    A compare-and-set on the state the run left it in: if the desk moved the article on
    while the model was thinking (the sweep released it and a chief published it, say), the
    failure is logged and the desk's decision stands.
    """
    now = timezone.now()
    still_ours = Article.objects.filter(pk=article.pk, status__in=from_states)
    with_copy = still_ours.filter(enrichment__isnull=False).update(
        status=Article.Status.IN_REVIEW,
        enrichment_error=f"the AI re-run failed: {reason}"[:2000],
        updated_at=now,
    )
    without_copy = still_ours.filter(enrichment__isnull=True).update(
        status=Article.Status.FAILED, enrichment_error=reason[:2000], updated_at=now
    )
    if with_copy or without_copy:
        logger.warning("article %s: enrichment failed: %s", article.pk, reason)
    else:
        logger.warning(
            "article %s: enrichment failed (%s) after the desk moved it on; left as is",
            article.pk,
            reason,
        )
    article.refresh_from_db()
    return article


def article_enrichment_failed(*, article_id: int, reason: str) -> Article | None:
    """Give up on an article after retries; an editor can re-run it."""
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        return None
    return _fail(
        article,
        reason=reason,
        from_states=(
            Article.Status.NEW,
            Article.Status.ENRICHING,
            Article.Status.IN_REVIEW,
        ),
    )


def stale_enriching_release() -> int:
    """Put articles whose worker died while enriching back to new (not those in a batch)."""
    # Left "enriching" longer than this, an article lost its worker (ENRICHING_STALE_SECONDS).
    stale = timezone.now() - timedelta(seconds=settings.ENRICHING_STALE_SECONDS)
    in_batches = [
        pk
        for ids in EnrichmentBatch.objects.filter(
            status=EnrichmentBatch.Status.SUBMITTED
        ).values_list("article_ids", flat=True)
        for pk in ids
    ]
    stuck = Article.objects.filter(
        status=Article.Status.ENRICHING, updated_at__lt=stale
    ).exclude(pk__in=in_batches)
    back_in_review = stuck.filter(enrichment__isnull=False).update(
        status=Article.Status.IN_REVIEW,
        enrichment_error="the AI re-run was interrupted",
    )
    return back_in_review + stuck.filter(enrichment__isnull=True).update(
        status=Article.Status.NEW
    )


def pending_article_ids(*, limit: int = 500, untouched_for: float = 0) -> list[int]:
    """New articles to enrich now, those that waited for budget last; none while a metered
    backend has no budget left today. ``untouched_for`` (seconds): only articles not changed
    for that long (the sweep leaves those whose message is still on its way)."""
    if get_backend().is_metered and budget.budget_status()["remaining"] <= 0:
        return []
    articles = Article.objects.new()
    if untouched_for:
        articles = articles.filter(
            updated_at__lt=timezone.now() - timedelta(seconds=untouched_for)
        )
    return list(
        articles.order_by("waiting_for_budget", "-published_at").values_list(
            "pk", flat=True
        )[:limit]
    )
