from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from articles.models import Article, Company
from enrichment import budget, grounding
from enrichment.models import BudgetDay, Enrichment
from enrichment.prompt import PROMPT_VERSION
from enrichment.schema import EnrichmentResult
from enrichment.tasks import enrich_article
from newsroom import pipeline
from tests.factories import ArticleFactory, enrich

from .fake_anthropic import (
    FakeAnthropic,
    Reply,
    error,
    message,
    ok,
    proposal,
    timeout,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def retries_run_inline() -> Iterator[None]:
    """Eager Celery re-applies a retried task at once; with propagation on it would raise
    the Retry instead of running it, so these tests turn propagation off."""
    from newsroom.celery import app

    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = True


TEXT = (
    "Helios Semiconductor said on Monday it agreed to buy Lumen Optics for $4.2 billion in "
    "cash, its largest deal. Lumen shareholders will receive $38 a share. Regulators must "
    "approve the deal, which Helios expects to close in 2027."
)


def article(**kwargs: Any) -> Article:
    defaults = {
        "title": "Helios to buy Lumen Optics for $4.2 billion",
        "text": TEXT,
        "source__name": "Northwind Wire",
        "status": Article.Status.NEW,
    }
    return ArticleFactory.create(**{**defaults, **kwargs})


def test_the_request_uses_the_model_a_cached_rubric_and_the_json_schema(
    fake_api: FakeAnthropic,
) -> None:
    fake_api.queue(ok(message(proposal())))
    enrich(article().pk)
    sent = fake_api.message_calls[0]
    assert sent["model"] == "claude-haiku-5-5"
    assert sent["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert (
        "importance" in sent["system"][0]["text"]
        and "bullish" in sent["system"][0]["text"]
    )
    schema = sent["output_config"]["format"]
    assert schema["type"] == "json_schema"
    assert set(schema["schema"]["required"]) >= {
        "summary",
        "key_takeaways",
        "importance",
    }
    user = sent["messages"][0]["content"]
    assert (
        "Title: Helios to buy Lumen Optics" in user and "Source: Northwind Wire" in user
    )


def test_long_articles_are_trimmed_to_the_token_budget(
    fake_api: FakeAnthropic, settings
) -> None:
    settings.ENRICHMENT_ARTICLE_TOKENS = 600
    fake_api.queue(ok(message(proposal())))
    enrich(article(text=("A sentence about chips and demand. " * 800)).pk)
    user = fake_api.message_calls[0]["messages"][0]["content"]
    assert len(user) <= 600 * 4 + 400
    assert user.rstrip().endswith("[…article trimmed]")
    assert user.index("Title:") < user.index("Article:")


def test_a_good_reply_becomes_the_proposal_and_the_editorial_copy(
    fake_api: FakeAnthropic,
) -> None:
    fake_api.queue(
        ok(message(proposal(), input_tokens=1000, output_tokens=400, cache_read=3000))
    )
    story = article()
    enrich(story.pk)
    story.refresh_from_db()
    enrichment = story.enrichment
    assert story.status == Article.Status.IN_REVIEW
    assert enrichment is not None
    assert (enrichment.backend, enrichment.model, enrichment.prompt_version) == (
        "claude",
        "claude-haiku-5-5",
        PROMPT_VERSION,
    )
    assert (
        enrichment.input_tokens,
        enrichment.output_tokens,
        enrichment.cache_read_tokens,
    ) == (1000, 400, 3000)
    # 1000 × $0.10 + 400 × $0.50 + 3000 × $0.01 per million tokens
    assert enrichment.cost_usd == Decimal("0.000330")
    assert story.summary == proposal()["summary"]
    assert story.importance == 8 and story.sentiment == "bullish"
    assert story.category is not None and story.category.name == "Technology"
    assert sorted(story.companies.values_list("name", flat=True)) == [
        "Helios Semiconductor",
        "Lumen Optics",
    ]
    assert enrichment.company_sentiments["Lumen Optics"] == "bullish"
    assert enrichment.warnings == []
    assert BudgetDay.objects.get().spent_usd == Decimal("0.000330")
    assert BudgetDay.objects.get().reserved_usd == 0


@pytest.mark.usefixtures("retries_run_inline")
def test_a_rate_limit_is_retried_and_then_succeeds(fake_api: FakeAnthropic) -> None:
    fake_api.queue(
        error(429, "rate_limit_error", retry_after="1"), ok(message(proposal()))
    )
    story = article()
    result = enrich_article.apply(args=(story.pk,))
    assert Enrichment.objects.get(pk=result.get()).status == Enrichment.Status.OK
    assert len(fake_api.message_calls) == 2


@pytest.mark.usefixtures("retries_run_inline")
@pytest.mark.parametrize(
    "fault",
    [
        error(529, "overloaded_error"),
        error(500, "api_error"),
        timeout(),
    ],
)
def test_transient_faults_retry_then_end_in_a_rerunnable_failure(
    fake_api: FakeAnthropic, settings: Settings, fault: Reply
) -> None:
    settings.ENRICHMENT_TASK_MAX_RETRIES = 2
    fake_api.queue(fault, fault, fault)
    story = article()
    enrich_article.apply(args=(story.pk,))
    story.refresh_from_db()
    assert story.status == Article.Status.FAILED
    assert story.enrichment_error.startswith("gave up after 3 attempts")
    assert len(fake_api.message_calls) == 3
    assert BudgetDay.objects.get().reserved_usd == 0  # reservations released


def test_an_invalid_reply_gets_one_repair_attempt(fake_api: FakeAnthropic) -> None:
    fake_api.queue(ok(message("{not json")), ok(message(proposal())))
    story = article()
    enrich(story.pk)
    story.refresh_from_db()
    assert story.status == Article.Status.IN_REVIEW
    assert story.enrichment is not None
    assert story.enrichment.attempts == 2
    assert story.enrichment.input_tokens == 1800  # both calls are paid for
    repair = fake_api.message_calls[1]["messages"]
    assert repair[1] == {"role": "assistant", "content": "{not json"}
    assert "did not match the schema" in repair[2]["content"]


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (message(proposal(key_takeaways=["only one"])), "key_takeaways"),
        (message('{"summary": "cut off', stop_reason="max_tokens"), "max_tokens"),
        (message("I can't help with that.", stop_reason="refusal"), "refusal"),
    ],
)
def test_a_reply_still_bad_after_repair_fails_the_article_and_keeps_everything(
    fake_api: FakeAnthropic, bad: dict[str, Any], expected: str
) -> None:
    fake_api.queue(ok(bad), ok(bad))
    story = article()
    enrich(story.pk)
    story.refresh_from_db()
    failed = Enrichment.objects.get(article=story)
    assert story.status == Article.Status.FAILED
    assert expected in story.enrichment_error
    assert failed.status == Enrichment.Status.FAILED
    assert failed.attempts == 2 and failed.cost_usd > 0
    assert "--- repair attempt ---" in failed.raw_reply
    if expected == "max_tokens":
        assert (
            fake_api.message_calls[1]["max_tokens"]
            > fake_api.message_calls[0]["max_tokens"]
        )


def test_a_failed_article_can_be_rerun_and_gets_a_new_enrichment(
    fake_api: FakeAnthropic,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    fake_api.queue(ok(message("nope")), ok(message("nope")), ok(message(proposal())))
    story = article()
    enrich(story.pk)
    story.refresh_from_db()
    enrich(story.pk, force=True)
    story.refresh_from_db()
    assert story.status == Article.Status.IN_REVIEW
    assert story.enrichments.count() == 2


def test_a_rejected_key_fails_without_retrying(fake_api: FakeAnthropic) -> None:
    fake_api.queue(error(401, "authentication_error"))
    story = article()
    enrich_article.apply(args=(story.pk,))
    story.refresh_from_db()
    assert story.status == Article.Status.FAILED
    assert "HTTP 401" in story.enrichment_error
    assert len(fake_api.message_calls) == 1


def test_the_same_content_is_never_sent_twice(fake_api: FakeAnthropic) -> None:
    fake_api.queue(ok(message(proposal())))
    first = article()
    enrich(first.pk)
    twin = article(
        source=first.source,
        guid="another",
        url="https://x.example/2",
        canonical_url="https://x.example/2",
    )
    enrich(twin.pk)  # identical title and text: the stored proposal is reused
    twin.refresh_from_db()
    assert twin.status == Article.Status.IN_REVIEW
    assert len(fake_api.message_calls) == 1


def test_an_exhausted_budget_parks_articles_until_it_is_replenished(
    fake_api: FakeAnthropic, settings: Settings
) -> None:
    settings.ENRICHMENT_DAILY_BUDGET_USD = 0.0001
    story = article()
    enrich(story.pk)
    story.refresh_from_db()
    assert story.status == Article.Status.NEW
    assert story.waiting_for_budget is True
    assert "budget" in story.enrichment_error
    assert fake_api.message_calls == []
    # Next day (or a larger budget): beat's sweep resumes it.
    settings.ENRICHMENT_DAILY_BUDGET_USD = 5.0
    Article.objects.filter(pk=story.pk).update(
        updated_at=timezone.now() - timedelta(minutes=10)
    )
    fake_api.queue(ok(message(proposal())))
    assert pipeline.sweep() == 1
    story.refresh_from_db()
    assert (
        story.status == Article.Status.IN_REVIEW and story.waiting_for_budget is False
    )


def test_concurrent_reservations_never_exceed_the_budget(settings) -> None:
    settings.ENRICHMENT_DAILY_BUDGET_USD = 1.0
    granted = 0
    for _ in range(10):
        try:
            budget.budget_reserve(amount=Decimal("0.3"))
            granted += 1
        except budget.BudgetExhausted:
            pass
    assert granted == 3


def test_stale_enriching_articles_are_requeued(fake_api: FakeAnthropic) -> None:
    story = article(status=Article.Status.ENRICHING)
    Article.objects.filter(pk=story.pk).update(
        updated_at=timezone.now() - timedelta(hours=1)
    )
    fake_api.queue(ok(message(proposal())))
    pipeline.sweep()
    story.refresh_from_db()
    assert story.status == Article.Status.IN_REVIEW


def test_the_proposal_is_checked_against_the_article(fake_api: FakeAnthropic) -> None:
    ungrounded = proposal(
        summary="Helios will pay $5.1 billion for Lumen Optics.",
        companies=[
            {"name": "Quillon Pharmaceuticals", "ticker": None, "sentiment": "neutral"}
        ],
    )
    fake_api.queue(ok(message(ungrounded)))
    story = article()
    enrich(story.pk)
    warnings = Enrichment.objects.get().warnings
    assert {(w["kind"], w["value"]) for w in warnings} == {
        ("number", "5.1"),
        ("company", "Quillon Pharmaceuticals"),
    }
    assert (
        Article.objects.get().status == Article.Status.IN_REVIEW
    )  # shown, not dropped


def test_grounding_accepts_known_aliases_and_equivalent_numbers() -> None:
    result = EnrichmentResult.model_validate(
        proposal(
            summary="Helios pays $4.2bn, or $38 a share, closing in 2027.",
            companies=[
                {
                    "name": "Helios Semiconductor",
                    "ticker": "HLSM",
                    "sentiment": "neutral",
                }
            ],
        )
    )
    text = "Helios agreed a 4.2 billion deal at 38 per share to close in 2027."
    warnings = grounding.check(
        result, title="", text=text, aliases={"Helios Semiconductor": ["Helios"]}
    )
    assert [w for w in warnings if w["field"] == "summary"] == []
    assert [w for w in warnings if w["kind"] == "company"] == []


def test_companies_are_matched_to_existing_rows_with_aliases(
    fake_api: FakeAnthropic,
) -> None:
    helios = Company.objects.create(
        name="Helios Semiconductor", slug="helios", ticker="HLSM"
    )
    fake_api.queue(
        ok(
            message(
                proposal(
                    companies=[
                        {"name": "Helios", "ticker": "HLSM", "sentiment": "neutral"}
                    ]
                )
            )
        )
    )
    story = article()
    enrich(story.pk)
    helios.refresh_from_db()
    assert list(story.companies.all()) == [helios]
    assert helios.aliases == ["Helios"]


def test_request_size_is_measurable_for_the_benchmark(fake_api: FakeAnthropic) -> None:
    fake_api.queue(ok(message(proposal())))
    enrich(article().pk)
    sent = fake_api.message_calls[0]
    static = len(sent["system"][0]["text"])
    per_article = len(json.dumps(sent["messages"]))
    assert static > 8000  # long enough to be worth caching
    assert per_article < static
