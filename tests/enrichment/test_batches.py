from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from pytest_django import DjangoCaptureOnCommitCallbacks

from articles.models import Article
from enrichment import batches
from enrichment.models import BudgetDay, EnrichmentBatch
from newsroom import pipeline
from tests.factories import ArticleFactory

from .fake_anthropic import FakeAnthropic, message, ok, proposal

pytestmark = pytest.mark.django_db

TEXT = (
    "Helios Semiconductor said on Monday it agreed to buy Lumen Optics for $4.2 billion in "
    "cash. Lumen shareholders will receive $38 a share. Regulators must approve the deal."
)


def backlog(n: int) -> list[Article]:
    return [
        ArticleFactory.create(
            title=f"Helios deal part {i}", text=TEXT, status=Article.Status.NEW
        )
        for i in range(n)
    ]


def result(
    article: Article, kind: str = "succeeded", reply: dict[str, Any] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"type": kind}
    if kind == "succeeded":
        body["message"] = message(
            reply or proposal(), input_tokens=1000, output_tokens=400, cache_read=0
        )
    if kind == "errored":
        body["error"] = {
            "type": "error",
            "error": {"type": "api_error", "message": "boom"},
        }
    return {"custom_id": f"article-{article.pk}", "result": body}


def test_a_backlog_goes_out_as_one_batch_and_results_are_applied(
    fake_api: FakeAnthropic,
) -> None:
    first, second = backlog(2)
    batch = batches.batch_submit()
    assert batch is not None
    sent = fake_api.requests[0][2]["requests"]
    assert {r["custom_id"] for r in sent} == {
        f"article-{first.pk}",
        f"article-{second.pk}",
    }
    assert sent[0]["params"]["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert set(Article.objects.values_list("status", flat=True)) == {
        Article.Status.ENRICHING
    }

    progress = batches.batch_poll(batch)  # still processing
    assert progress.ended is False and progress.processing == 2

    fake_api.finish_batch(batch.batch_id, [result(first), result(second)])
    progress = batches.batch_poll(batch)
    assert progress.ended is True
    assert pipeline.batch_results_hand_on(progress) == 2
    for article in (first, second):
        article.refresh_from_db()
        assert article.status == Article.Status.IN_REVIEW
        assert article.enrichment is not None
        assert article.enrichment.via_batch is True
        # half of (1000 × $0.10 + 400 × $0.50) per million tokens
        assert str(article.enrichment.cost_usd) == "0.000150"
    day = BudgetDay.objects.get()
    assert str(day.spent_usd) == "0.000300"
    assert day.reserved_usd == 0
    batches.batch_poll(batch)  # polling again applies nothing twice
    assert first.enrichments.count() == 1


def test_failed_batch_requests_go_back_to_the_normal_queue(
    fake_api: FakeAnthropic,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    good, errored, invalid = backlog(3)
    batch = batches.batch_submit()
    assert batch is not None
    fake_api.finish_batch(
        batch.batch_id,
        [
            result(good),
            result(errored, "errored"),
            result(invalid, reply={"summary": "x"}),
        ],
    )
    fake_api.queue(ok(message(proposal())), ok(message(proposal())))
    with django_capture_on_commit_callbacks(execute=True):
        pipeline.batch_results_hand_on(batches.batch_poll(batch))
    batch.refresh_from_db()
    assert (batch.applied, batch.failed) == (1, 2)
    for article in (good, errored, invalid):
        article.refresh_from_db()
        assert article.status == Article.Status.IN_REVIEW  # nothing lost
    assert invalid.enrichments.filter(status="failed", via_batch=True).count() == 1
    assert len(fake_api.message_calls) == 2


def test_enrich_backlog_batch_waits_with_progress_and_reports(
    fake_api: FakeAnthropic, monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = backlog(2)
    real_poll = batches.batch_poll

    def poll_then_finish(batch: EnrichmentBatch) -> batches.BatchProgress:
        fake_api.finish_batch(batch.batch_id, [result(a) for a in articles])
        return real_poll(batch)

    monkeypatch.setattr(batches, "batch_poll", poll_then_finish)
    out = StringIO()
    call_command(
        "enrich_backlog",
        "--batch",
        "--wait",
        "--poll-interval",
        "0",
        stdout=out,
        stderr=StringIO(),
    )
    assert "Batch done: 2 applied, 0 sent back to the queue." in out.getvalue()


def test_enrich_backlog_batch_needs_the_claude_backend(settings) -> None:
    settings.ENRICHMENT_BACKEND = "offline"
    with pytest.raises(CommandError, match="needs the Claude backend"):
        call_command("enrich_backlog", "--batch", stdout=StringIO())


def test_enrich_backlog_queues_every_new_article_offline() -> None:
    backlog(3)
    out = StringIO()
    call_command("enrich_backlog", stdout=out, stderr=StringIO())
    assert "Enriched 3 articles." in out.getvalue()  # no broker: here, one by one
    assert set(Article.objects.values_list("status", flat=True)) == {
        Article.Status.IN_REVIEW
    }


def test_a_batch_larger_than_the_budget_is_not_sent(
    fake_api: FakeAnthropic, settings
) -> None:
    settings.ENRICHMENT_DAILY_BUDGET_USD = 0.00001
    backlog(2)
    with pytest.raises(CommandError, match="budget"):
        call_command("enrich_backlog", "--batch", stdout=StringIO())
    assert fake_api.requests == []
    assert set(Article.objects.values_list("waiting_for_budget", flat=True)) == {True}
    assert set(Article.objects.values_list("status", flat=True)) == {Article.Status.NEW}


def test_without_a_broker_a_rate_limit_stops_enrich_backlog_cleanly(
    fake_api: FakeAnthropic,
) -> None:
    """Issue 11: with an API key and no Redis, the first 429 escaped enrich_backlog as a
    celery Retry traceback and left the rest of the backlog untouched."""
    from tests.enrichment.fake_anthropic import error, message, ok, proposal

    backlog(3)
    fake_api.queue(
        ok(message(proposal())),
        error(429, "rate_limit_error", retry_after="30"),
    )
    out = StringIO()
    call_command("enrich_backlog", stdout=out, stderr=StringIO())
    said = out.getvalue()
    assert "Enriched 1 articles; the API asked us to wait" in said
    assert "2 stay queued" in said
    statuses = sorted(Article.objects.values_list("status", flat=True))
    assert statuses == [
        Article.Status.IN_REVIEW,
        Article.Status.NEW,
        Article.Status.NEW,
    ]
