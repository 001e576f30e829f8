"""Claude's second opinion on borderline pairs: asked once per pair through the real SDK (a
fake API at the HTTP layer), charged to the budget, shown to the desk; offline, out of
budget or on any failure the rules decide alone."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import httpx2
import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from articles.models import Article
from enrichment import claude
from enrichment.budget import budget_status
from stories import clustering, consolidation
from stories.models import PairOpinion
from stories.services import stories_consolidate
from tests.editorial.factories import chief
from tests.editorial.factories import editor as editor_user
from tests.enrichment.fake_anthropic import FakeAnthropic, Reply, error, message, ok
from tests.factories import ArticleFactory, SourceFactory
from tests.stories.test_clustering import T0

pytestmark = pytest.mark.django_db

# Two reports of one deal that share little wording: the rules alone are unsure.
FIRST = (
    "Helios bets big on light",
    "Helios Semiconductor will pay $38 a share for Lumen Optics, in a cash deal announced "
    "on Monday.",
)
SECOND = (
    "Chipmaker pays up for optical start-up",
    "Helios Semiconductor is buying Lumen Optics, a designer of optical interconnects, "
    "for cash.",
)


@pytest.fixture
def claude_api(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> FakeAnthropic:
    fake = FakeAnthropic()
    settings.ENRICHMENT_BACKEND = "claude"
    settings.ANTHROPIC_API_KEY = "sk-test"
    settings.ENRICHMENT_DAILY_BUDGET_USD = 5.0
    settings.CLUSTER_SECOND_OPINION = "enrichment.same_event.second_opinion"
    monkeypatch.setattr(claude, "_default_client", fake.client)
    return fake


def answer(same: bool, reason: str) -> Reply:
    return ok(
        message(
            {"same_event": same, "reason": reason}, input_tokens=420, output_tokens=30
        )
    )


def borderline_pair(settings: Settings) -> tuple[Article, Article]:
    """Two reports apart after assignment, whose rules score sits in the band a little
    under the threshold (set from their score, so tuning the rules does not move it)."""
    settings.CLUSTER_THRESHOLD = 0.95
    first, second = (
        ArticleFactory.create(
            title=title,
            text=text,
            published_at=T0 + timedelta(hours=hours),
            source=SourceFactory.create(),
        )
        for hours, (title, text) in enumerate((FIRST, SECOND))
    )
    for article in (first, second):
        clustering.assign(article)
    settings.CLUSTER_THRESHOLD = 0.2  # every pair worth a look: read their score
    _, scores, _ = consolidation.preview([first.pk, second.pk])
    settings.CLUSTER_THRESHOLD = scores[(first.pk, second.pk)] + 0.05
    _, scores, band = consolidation.preview([first.pk, second.pk])
    assert band == [(first.pk, second.pk)], scores  # the premise of these tests
    return first, second


def story_of(article: Article) -> int | None:
    article.refresh_from_db()
    return article.cluster_id


def test_a_borderline_pair_claude_calls_one_event_is_joined_and_the_desk_sees_why(
    claude_api: FakeAnthropic, client: Client, settings: Settings
) -> None:
    first, second = borderline_pair(settings)
    threshold_alone = story_of(first) != story_of(second)
    claude_api.queue(answer(True, "Both report Helios buying Lumen Optics for cash."))

    stories_consolidate(seeds=[second.pk])

    assert threshold_alone
    assert story_of(first) == story_of(second)
    opinion = PairOpinion.objects.get()
    assert (opinion.first_id, opinion.second_id) == (first.pk, second.pk)
    assert opinion.same_event and "Lumen" in opinion.reason
    assert opinion.cost_usd > 0
    assert budget_status()["spent"] == opinion.cost_usd
    assert budget_status()["reserved"] == 0
    # What was asked: both headlines and leads, a structured yes/no.
    (sent,) = claude_api.message_calls
    assert FIRST[0] in sent["messages"][0]["content"]
    assert SECOND[0] in sent["messages"][0]["content"]
    assert sent["output_config"]["format"]["type"] == "json_schema"

    # Asked once: the next pass reads the recorded answer.
    stories_consolidate(seeds=[first.pk, second.pk])
    assert len(claude_api.message_calls) == 1
    assert story_of(first) == story_of(second)

    # The desk sees why the two reports are one story.
    client.force_login(editor_user())
    lead = Article.objects.get(pk=first.pk)
    page = client.get(reverse("editorial:queue"), {"open": lead.pk})
    assert "Both report Helios buying Lumen Optics for cash." in page.content.decode()


def test_claude_saying_different_events_keeps_a_pair_the_rules_would_join(
    claude_api: FakeAnthropic, settings: Settings
) -> None:
    first, second = borderline_pair(settings)
    _, scores, _ = consolidation.preview([first.pk, second.pk])
    # Lower the threshold under the pair's score, still within the band above it.
    settings.CLUSTER_THRESHOLD = scores[(first.pk, second.pk)] - 0.01
    claude_api.queue(answer(False, "A follow-up: B reports the regulator's approval."))

    stories_consolidate(seeds=[first.pk, second.pk])

    assert story_of(first) != story_of(second)
    assert PairOpinion.objects.get().same_event is False


def test_offline_nobody_is_asked_and_the_rules_decide(settings: Settings) -> None:
    settings.CLUSTER_SECOND_OPINION = "enrichment.same_event.second_opinion"
    settings.ENRICHMENT_BACKEND = "offline"
    first, second = borderline_pair(settings)
    stories_consolidate(seeds=[first.pk, second.pk])  # a call would fail: no fake API
    assert story_of(first) != story_of(second)
    assert not PairOpinion.objects.exists()


def test_out_of_budget_the_rules_decide_and_nothing_is_charged(
    claude_api: FakeAnthropic, settings: Settings
) -> None:
    settings.ENRICHMENT_DAILY_BUDGET_USD = 0.0
    first, second = borderline_pair(settings)
    stories_consolidate(seeds=[first.pk, second.pk])
    assert claude_api.message_calls == []
    assert story_of(first) != story_of(second)
    assert budget_status()["spent"] == Decimal(0)


@pytest.mark.parametrize(
    "reply",
    [
        error(529, "overloaded_error"),
        error(400, "invalid_request_error"),
        ok(message("Yes, I think so.")),
        ok(message({"same_event": "perhaps", "reason": "unclear"})),
    ],
    ids=["overloaded", "refused", "prose", "wrong-type"],
)
def test_a_failed_or_senseless_answer_leaves_the_rules_to_decide_and_waits_to_be_asked(
    claude_api: FakeAnthropic, reply: Reply, settings: Settings
) -> None:
    first, second = borderline_pair(settings)
    claude_api.queue(reply)
    stories_consolidate(seeds=[first.pk, second.pk])
    assert story_of(first) != story_of(second)
    assert not PairOpinion.objects.exists()
    assert budget_status()["reserved"] == 0
    # Not asked again on every pass while the API fails (each try is paid for)...
    stories_consolidate(seeds=[first.pk, second.pk])
    assert len(claude_api.message_calls) == 1
    # ...but after CLUSTER_SECOND_OPINION_RETRY_SECONDS.
    cache.clear()
    claude_api.queue(answer(True, "Same deal."))
    stories_consolidate(seeds=[first.pk, second.pk])
    assert story_of(first) == story_of(second)


def test_a_long_reason_is_kept_cut_short_not_paid_for_and_dropped(
    claude_api: FakeAnthropic, settings: Settings
) -> None:
    first, second = borderline_pair(settings)
    claude_api.queue(answer(True, "Both report Helios buying Lumen. " * 40))
    stories_consolidate(seeds=[first.pk, second.pk])
    opinion = PairOpinion.objects.get()
    assert opinion.same_event and len(opinion.reason) == 300
    assert story_of(first) == story_of(second)


def test_a_report_deleted_while_claude_is_asked_costs_the_pass_nothing(
    claude_api: FakeAnthropic, settings: Settings
) -> None:
    first, second = borderline_pair(settings)

    def answer_after_deleting(request: httpx2.Request) -> httpx2.Response:
        Article.objects.filter(pk=second.pk).delete()
        return answer(True, "Same deal.")(request)

    claude_api.queue(answer_after_deleting)
    stories_consolidate(seeds=[first.pk, second.pk])  # no IntegrityError
    assert not PairOpinion.objects.exists()
    assert story_of(first) is not None


def test_pairs_the_desk_already_decided_are_not_asked(
    claude_api: FakeAnthropic, settings: Settings
) -> None:
    first, second = borderline_pair(settings)
    Article.objects.filter(pk__in=[first.pk, second.pk]).update(
        status=Article.Status.APPROVED
    )
    stories_consolidate(seeds=[first.pk, second.pk])
    assert claude_api.message_calls == []


def test_a_reason_with_markup_is_shown_as_text_on_the_desk_and_in_the_admin(
    claude_api: FakeAnthropic, client: Client, settings: Settings
) -> None:
    """The reason is the model's text, led by feed text: never markup on our pages."""
    first, second = borderline_pair(settings)
    claude_api.queue(answer(True, 'Same deal <script>alert("x")</script>'))
    stories_consolidate(seeds=[first.pk, second.pk])
    first.refresh_from_db()
    client.force_login(chief())
    escaped = "Same deal &lt;script&gt;"
    panel = client.get(reverse("editorial:queue"), {"open": first.pk}).content.decode()
    admin = client.get(
        reverse("admin:stories_storycluster_change", args=[first.cluster_id])
    ).content.decode()
    for page in (panel, admin):
        assert escaped in page
        assert '<script>alert("x")' not in page
