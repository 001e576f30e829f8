"""Writes with consequences for articles: the enrichment pipeline and its budget.

Status path: new → enriching → in_review, or → failed (re-runnable). The Enrichment row is the
immutable AI proposal; the article's editorial copy is pre-filled from it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC, date, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify

from . import clustering, tasks
from .enrichment import (
    PROMPT_VERSION,
    ArticleInput,
    EnrichmentResult,
    InvalidOutput,
    PermanentEnrichmentError,
    TransientEnrichmentError,
    Usage,
    get_backend,
    grounding,
    price,
)
from .enrichment.prompt import CHARS_PER_TOKEN, DEFAULT_CATEGORIES
from .models import Article, BudgetDay, Category, Company, Enrichment, EnrichmentBatch

logger = logging.getLogger(__name__)

# An article left in "enriching" longer than this lost its worker; it goes back to the queue.
STALE_ENRICHING = timedelta(minutes=15)


class BudgetExhausted(Exception):
    """The day's enrichment budget cannot cover another call."""


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
        hours = (cluster.last_seen - cluster.first_seen).total_seconds() / 3600
        extra["Coverage speed"] = (
            f"{coverage} sources within {max(hours, 0.1):.1f} hours"
        )
    return ArticleInput(
        coverage_sources=coverage,
        extra_context=extra,
        title=article.title,
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
# Budget
# --------------------------------------------------------------------------------------------
def _today() -> date:
    return timezone.now().astimezone(UTC).date()


def budget_status(day: date | None = None) -> dict[str, Decimal]:
    """Spent, reserved and remaining USD for the day (UTC)."""
    row = BudgetDay.objects.filter(day=day or _today()).first()
    spent = row.spent_usd if row else Decimal(0)
    reserved = row.reserved_usd if row else Decimal(0)
    limit = Decimal(str(settings.ENRICHMENT_DAILY_BUDGET_USD))
    return {
        "limit": limit,
        "spent": spent,
        "reserved": reserved,
        "remaining": limit - spent - reserved,
    }


@transaction.atomic
def budget_reserve(*, amount: Decimal) -> date:
    """Hold ``amount`` of today's budget; raises BudgetExhausted when it does not fit."""
    day = _today()
    BudgetDay.objects.get_or_create(day=day)
    row = BudgetDay.objects.select_for_update().get(day=day)
    limit = Decimal(str(settings.ENRICHMENT_DAILY_BUDGET_USD))
    if row.spent_usd + row.reserved_usd + amount > limit:
        raise BudgetExhausted(
            f"daily enrichment budget of ${limit} reached "
            f"(${row.spent_usd:.4f} spent, ${row.reserved_usd:.4f} reserved)"
        )
    row.reserved_usd += amount
    row.save(update_fields=["reserved_usd"])
    return day


@transaction.atomic
def budget_settle(*, day: date, reserved: Decimal, spent: Decimal) -> None:
    """Release a reservation and record what was really spent."""
    BudgetDay.objects.filter(day=day).update(
        reserved_usd=F("reserved_usd") - reserved, spent_usd=F("spent_usd") + spent
    )


def worst_case_cost(request: dict[str, Any], model: str) -> Decimal:
    """An upper bound for one enrichment: the request and a repair attempt, all uncached,
    both replies at max_tokens."""
    size = len(json.dumps(request, ensure_ascii=False)) // CHARS_PER_TOKEN
    max_tokens = request["max_tokens"]
    usage = Usage(
        input_tokens=2 * size + max_tokens,
        cache_write_tokens=size,
        output_tokens=max_tokens * 5 // 2,
    )
    return price(model, usage)


# --------------------------------------------------------------------------------------------
# The pipeline
# --------------------------------------------------------------------------------------------
def enqueue_enrichment(article_ids: list[int]) -> None:
    """Queue new articles once the surrounding transaction commits: each is assigned to its
    story cluster, then enriched (so coverage counts and a cluster's approved proposal are
    known to the enrichment)."""
    for article_id in article_ids:
        # robust: a broker hiccup must not turn the fetch that stored the articles into a
        # failure; beat's enrich_pending sweep picks up whatever was not queued.
        transaction.on_commit(
            partial(tasks.cluster_article.delay, article_id), robust=True
        )


def article_cluster(*, article_id: int) -> Article | None:
    """Assign a new article to its story cluster, then queue its enrichment."""
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        return None
    clustering.assign(article)
    if article.status == Article.Status.NEW:
        transaction.on_commit(
            partial(tasks.enrich_article.delay, article_id), robust=True
        )
    return article


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
    """Put an article that could not be enriched now back in the queue."""
    Article.objects.filter(pk=article_id, status=Article.Status.ENRICHING).update(
        status=Article.Status.NEW,
        waiting_for_budget=waiting_for_budget,
        enrichment_error=note,
        updated_at=timezone.now(),
    )


def article_enrich(
    *, article_id: int, force: bool = False, requested_by_id: int | None = None
) -> Article | None:
    """Enrich one article with the configured backend and put it in review.

    Returns None when there is nothing to do (already enriched, being enriched elsewhere, or
    waiting for budget). Raises TransientEnrichmentError for the task to retry.
    """
    if not enrichment_claim(article_id, force=force):
        return None
    article = Article.objects.select_related("source", "cluster").get(pk=article_id)
    backend = get_backend()
    data = article_input(article)
    key = input_hash(data, backend=backend.name, model=backend.model)

    if not force:
        previous = Enrichment.objects.succeeded().filter(input_hash=key).first()
        if previous is not None:
            return proposal_apply(article, previous)
        approved = _cluster_proposal(article)
        if approved is not None:
            return proposal_apply(
                article, _copy_proposal(approved, article=article, key=key)
            )

    reservation: tuple[date, Decimal] | None = None
    if backend.name != "offline":
        amount = worst_case_cost(backend.build_request(data), backend.model)  # type: ignore[attr-defined]
        try:
            reservation = (budget_reserve(amount=amount), amount)
        except BudgetExhausted as exc:
            enrichment_release(article_id, waiting_for_budget=True, note=str(exc))
            logger.info("article %s: waiting for budget", article_id)
            return None

    def settle(usage: Usage) -> Decimal:
        cost = price(backend.model, usage) if backend.name != "offline" else Decimal(0)
        if reservation:
            budget_settle(day=reservation[0], reserved=reservation[1], spent=cost)
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
        return _fail(article, reason=str(exc), enrichment=failed)
    except PermanentEnrichmentError as exc:
        settle(Usage())
        failed = Enrichment.objects.create(
            **common, status=Enrichment.Status.FAILED, error=str(exc)
        )
        return _fail(article, reason=str(exc), enrichment=failed)
    except BaseException:
        settle(Usage())
        enrichment_release(article_id, note="interrupted; queued again")
        raise

    cost = settle(reply.usage)
    warnings = grounding.check(
        reply.result,
        title=article.title,
        text=article.text,
        aliases=company_aliases(reply.result),
    )
    enrichment = Enrichment.objects.create(
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
    return proposal_apply(article, enrichment)


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


def _copy_proposal(approved: Enrichment, *, article: Article, key: str) -> Enrichment:
    """A new Enrichment row for ``article`` carrying the cluster's approved proposal."""
    fields = {
        f.name: getattr(approved, f.name)
        for f in Enrichment._meta.concrete_fields
        if f.name
        in (
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
    }
    return Enrichment.objects.create(
        **fields,
        article=article,
        status=Enrichment.Status.OK,
        backend="cluster",
        input_hash=key,
        raw_reply=f"copied from enrichment #{approved.pk} of article #{approved.article_id}",
        warnings=grounding.check(
            EnrichmentResult.model_validate(
                {
                    "summary": approved.summary,
                    "analysis": approved.analysis,
                    "key_takeaways": approved.takeaways or ["-", "-", "-"],
                    "sentiment": approved.sentiment or "neutral",
                    "importance": approved.importance or 1,
                    "importance_reason": approved.importance_reason,
                    "category": approved.category,
                    "companies": approved.companies,
                }
            ),
            title=article.title,
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


def _company_for(name: str, ticker: str | None) -> Company:
    """The Company a mention refers to, created on first sight."""
    match = Company.objects.filter(name__iexact=name).first()
    if match is None and ticker:
        match = Company.objects.filter(ticker__iexact=ticker).first()
    if match is None:
        for company in Company.objects.exclude(aliases=[]):
            if name.casefold() in (alias.casefold() for alias in company.aliases):
                return company
    if match is None:
        base = slugify(name)[:190] or "company"
        slug, n = base, 2
        while Company.objects.filter(slug=slug).exists():
            slug, n = f"{base}-{n}", n + 1
        return Company.objects.create(
            name=name[:200], slug=slug, ticker=(ticker or "")[:20]
        )
    if match.name != name and name not in match.aliases:
        match.aliases = [*match.aliases, name]
        match.save(update_fields=["aliases"])
    return match


@transaction.atomic
def proposal_apply(article: Article, enrichment: Enrichment) -> Article:
    """Pre-fill the editorial copy from a proposal and put the article in review."""
    category = None
    if enrichment.category:
        category = Category.objects.filter(name__iexact=enrichment.category).first()
        if category is None and enrichment.category in DEFAULT_CATEGORIES:
            category, _ = Category.objects.get_or_create(
                slug=slugify(enrichment.category),
                defaults={"name": enrichment.category},
            )
    article.summary = enrichment.summary
    article.analysis = enrichment.analysis
    article.takeaways = enrichment.takeaways
    article.sentiment = enrichment.sentiment
    article.importance = enrichment.importance
    if category is not None:
        article.category = category
    article.enrichment = enrichment
    article.enrichment_error = ""
    article.waiting_for_budget = False
    article.status = Article.Status.IN_REVIEW
    article.save(
        update_fields=[
            "summary",
            "analysis",
            "takeaways",
            "sentiment",
            "importance",
            "category",
            "enrichment",
            "enrichment_error",
            "waiting_for_budget",
            "status",
            "updated_at",
        ]
    )
    article.companies.set(
        [_company_for(c["name"], c.get("ticker")) for c in enrichment.companies]
    )
    return article


def _fail(
    article: Article, *, reason: str, enrichment: Enrichment | None = None
) -> Article:
    article.status = Article.Status.FAILED
    article.enrichment_error = reason[:2000]
    fields = ["status", "enrichment_error", "updated_at"]
    article.save(update_fields=fields)
    logger.warning("article %s: enrichment failed: %s", article.pk, reason)
    return article


def article_enrichment_failed(*, article_id: int, reason: str) -> Article | None:
    """Give up on an article after retries; an editor can re-run it."""
    article = Article.objects.filter(pk=article_id).first()
    if article is None or article.status not in (
        Article.Status.NEW,
        Article.Status.ENRICHING,
    ):
        return article
    return _fail(article, reason=reason)


def article_request_enrichment(
    *, article: Article, requested_by_id: int | None = None
) -> None:
    """An editor asks for a (re-)run: a new Enrichment row even if the content is unchanged."""
    if article.status not in (
        Article.Status.NEW,
        Article.Status.FAILED,
        Article.Status.IN_REVIEW,
    ):
        raise ValueError(
            f"cannot re-run enrichment of a {article.get_status_display()} article"
        )
    tasks.enrich_article.delay_on_commit(
        article.pk, force=True, requested_by_id=requested_by_id
    )


def enrich_pending(*, limit: int = 500) -> int:
    """Beat's sweep: requeue articles whose worker died and those that waited for budget."""
    stale = timezone.now() - STALE_ENRICHING
    in_batches = [
        pk
        for ids in EnrichmentBatch.objects.filter(
            status=EnrichmentBatch.Status.SUBMITTED
        ).values_list("article_ids", flat=True)
        for pk in ids
    ]
    Article.objects.filter(
        status=Article.Status.ENRICHING, updated_at__lt=stale
    ).exclude(pk__in=in_batches).update(status=Article.Status.NEW)
    if budget_status()["remaining"] <= 0 and settings.ENRICHMENT_BACKEND != "offline":
        return 0
    ids = list(
        Article.objects.new()
        .order_by("waiting_for_budget", "-published_at")
        .values_list("pk", flat=True)[:limit]
    )
    for article_id in ids:
        tasks.enrich_article.delay(article_id)
    return len(ids)
