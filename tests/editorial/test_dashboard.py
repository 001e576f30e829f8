from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from articles.models import Article, Category
from editorial.charts import (
    Bar,
    Segment,
    Series,
    bar_chart,
    line_chart,
    nice_ceiling,
)
from editorial.models import AuditEvent
from enrichment.models import BudgetDay, Enrichment
from sources.models import Source
from tests.factories import ArticleFactory, SourceFactory

from .factories import editor

pytestmark = pytest.mark.django_db
S = Article.Status
URL = "editorial:dashboard"


def decided(
    *,
    ai: int,
    editor_importance: int,
    ai_sentiment: str = "neutral",
    sentiment: str = "neutral",
    ai_category: str = "Markets",
    category: Category | None = None,
    action: str = "approve",
    at: datetime | None = None,
    backend: str = "offline",
    cost: str = "0",
) -> Article:
    """An article the AI enriched and an editor then approved (or published) at ``at``."""
    status = S.PUBLISHED if action == "publish" else S.APPROVED
    article = ArticleFactory.create(
        status=status,
        importance=editor_importance,
        sentiment=sentiment,
        category=category,
    )
    article.enrichment = Enrichment.objects.create(
        article=article,
        status=Enrichment.Status.OK,
        backend=backend,
        model="test-model",
        prompt_version="1",
        input_hash=f"hash-{article.pk}",
        importance=ai,
        sentiment=ai_sentiment,
        category=ai_category,
        cost_usd=Decimal(cost),
    )
    article.save(update_fields=["enrichment"])
    AuditEvent.objects.create(
        article=article,
        action=action,
        from_state=S.IN_REVIEW,
        to_state=status,
        at=at or timezone.now(),
    )
    return article


@pytest.fixture
def markets() -> Category:
    return Category.objects.get_or_create(name="Markets", slug="markets")[0]


@pytest.fixture
def desk(client: Client) -> Client:
    client.force_login(editor())
    return client


def test_anonymous_visitors_are_sent_to_the_login_page(client: Client) -> None:
    response = client.get(reverse(URL))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_the_review_permission_are_refused(client: Client) -> None:
    client.force_login(User.objects.create_user("visitor", is_staff=True))
    assert client.get(reverse(URL)).status_code == 403


def test_the_queue_shows_its_size_and_the_count_of_every_state(desk: Client) -> None:
    ArticleFactory.create_batch(3, status=S.IN_REVIEW)
    ArticleFactory.create_batch(2, status=S.FAILED)
    ArticleFactory.create(status=S.PUBLISHED)
    response = desk.get(reverse(URL))
    assert response.status_code == 200
    assert re.search(r'data-testid="queue-size">\s*3\s*<', response.content.decode())
    counts = {s["value"]: s["count"] for s in response.context["queue"]["states"]}
    assert counts == {
        S.NEW: 0,
        S.ENRICHING: 0,
        S.IN_REVIEW: 3,
        S.APPROVED: 0,
        S.PUBLISHED: 1,
        S.REJECTED: 0,
        S.FAILED: 2,
        S.ARCHIVED: 0,
    }


def test_the_queue_age_is_the_oldest_and_the_median_wait_since_ingestion(
    desk: Client,
) -> None:
    now = timezone.now()
    for hours in (1, 3, 10, 50):
        ArticleFactory.create(
            status=S.IN_REVIEW, created_at=now - timedelta(hours=hours)
        )
    ArticleFactory.create(status=S.APPROVED, created_at=now - timedelta(days=30))
    queue = desk.get(reverse(URL)).context["queue"]
    assert queue["oldest"] == now - timedelta(hours=50)
    # Four waiting: the median lies halfway between the 3 h and 10 h old articles.
    assert queue["median"] == now - timedelta(hours=6.5)


def test_importance_difference_is_the_mean_absolute_difference(
    desk: Client, markets: Category
) -> None:
    decided(ai=5, editor_importance=7, category=markets)
    decided(ai=4, editor_importance=4, category=markets, action="publish")
    response = desk.get(reverse(URL))
    agreement = response.context["agreement"]
    assert agreement["period"]["mad"] == 1.0
    assert agreement["latest"]["mad"] == 1.0
    assert re.search(r'data-testid="period-mad">\s*1\.0\s*<', response.content.decode())


def test_override_shares_count_changed_sentiments_and_categories(
    desk: Client, markets: Category
) -> None:
    energy = Category.objects.get_or_create(name="Energy", slug="energy")[0]
    decided(ai=5, editor_importance=5, ai_sentiment="bullish", sentiment="bearish")
    decided(ai=5, editor_importance=5, ai_category="markets", category=markets)
    decided(ai=5, editor_importance=5, ai_category="Markets", category=energy)
    decided(ai=5, editor_importance=5, ai_category="Markets", category=markets)
    period = desk.get(reverse(URL)).context["agreement"]["period"]
    assert period["sentiment"] == 0.25
    # The first article has no category: the AI's is not on the site, nobody overrode it.
    assert period["category"] == pytest.approx(1 / 3)


def test_an_article_counts_once_on_the_day_of_its_latest_decision(
    desk: Client,
) -> None:
    now = timezone.now()
    article = decided(ai=2, editor_importance=8, at=now - timedelta(days=3))
    AuditEvent.objects.create(article=article, action="publish", at=now)
    mad = desk.get(reverse(URL)).context["agreement"]["mad_chart"]["series"][0]
    assert len(mad["dots"]) == 1
    assert mad["dots"][0]["title"].endswith(": 6.0 points")


def test_decisions_older_than_the_window_are_left_out(desk: Client) -> None:
    decided(ai=1, editor_importance=9, at=timezone.now() - timedelta(days=20))
    agreement = desk.get(reverse(URL)).context["agreement"]
    assert agreement["period"]["mad"] is None
    assert agreement["latest_day"] is None


def test_days_without_decisions_are_gaps_in_the_agreement_line(
    desk: Client,
) -> None:
    now = timezone.now()
    for days_ago in (0, 1, 5):
        decided(ai=3, editor_importance=5, at=now - timedelta(days=days_ago))
    line = desk.get(reverse(URL)).context["agreement"]["mad_chart"]["series"][0]
    assert len(line["dots"]) == 3
    # Yesterday and today join up; five days ago stands alone.
    assert len(line["polylines"]) == 1
    assert len(line["polylines"][0].split()) == 2


def test_decisions_per_day_are_stacked_by_action(desk: Client) -> None:
    article = ArticleFactory.create(status=S.PUBLISHED)
    for action in ("approve", "publish", "edit", "submit"):
        AuditEvent.objects.create(article=article, action=action)
    reviewed = desk.get(reverse(URL)).context["reviewed"]
    assert reviewed["total"] == 2
    today = reviewed["chart"]["bars"][-1]
    assert [r["css"] for r in today["rects"]] == ["bar-approve", "bar-publish"]
    label = timezone.now().astimezone(UTC).strftime("%-d %b")
    assert today["title"] == f"{label}: 1 approved, 0 rejected, 1 published (1 story)"


@pytest.mark.parametrize(
    ("actions", "summary"),
    [
        (["approve"], "1 decision in 14 days, 1 today."),
        (["approve", "publish"], "2 decisions in 14 days, 2 today."),
    ],
)
def test_the_decisions_are_counted_in_words_that_agree(
    desk: Client, actions: list[str], summary: str
) -> None:
    article = ArticleFactory.create(status=S.PUBLISHED)
    for action in actions:
        AuditEvent.objects.create(article=article, action=action)
    page = desk.get(reverse(URL)).content.decode()
    assert summary in " ".join(page.split())


def test_failing_sources_are_listed_with_a_link_to_the_admin(desk: Client) -> None:
    broken = SourceFactory.create(
        name="Broken Wire",
        health=Source.Health.FAILING,
        last_error="HTTP 503 from upstream",
        consecutive_failures=4,
    )
    SourceFactory.create(name="Healthy Wire", health=Source.Health.OK)
    SourceFactory.create(name="Paused Wire", health=Source.Health.FAILING, active=False)
    page = desk.get(reverse(URL)).content.decode()
    assert "Broken Wire" in page and "HTTP 503 from upstream" in page
    assert reverse("admin:sources_source_change", args=[broken.pk]) in page
    assert "Healthy Wire" not in page and "Paused Wire" not in page


@override_settings(ENRICHMENT_DAILY_BUDGET_USD=5.0)
def test_todays_spend_is_shown_against_the_budget(desk: Client) -> None:
    BudgetDay.objects.create(
        day=timezone.now().astimezone(UTC).date(),
        spent_usd=Decimal("1.25"),
        reserved_usd=Decimal("0.25"),
    )
    decided(ai=5, editor_importance=5, backend="claude", cost="1.25")
    decided(ai=5, editor_importance=5, backend="offline")
    response = desk.get(reverse(URL))
    page = response.content.decode()
    assert "$1.25 of $5.00 spent today" in page
    assert "$3.50 left" in page
    spend = response.context["spend"]
    assert spend["bar"]["percent"] == 30
    assert [(b["backend"], b["calls"]) for b in spend["backends"]] == [
        ("claude", 1),
        ("offline", 1),
    ]
    assert spend["chart"]["bars"][-1]["rects"][0]["css"] == "bar-claude"


@pytest.mark.parametrize("articles", [5, 50])
def test_the_page_needs_a_bounded_number_of_queries(
    desk: Client,
    markets: Category,
    django_assert_max_num_queries: DjangoAssertNumQueries,
    articles: int,
) -> None:
    now = timezone.now()
    for n in range(articles):
        decided(
            ai=n % 10 + 1,
            editor_importance=(n * 3) % 10 + 1,
            category=markets,
            at=now - timedelta(days=n % 14),
            backend="claude" if n % 2 else "offline",
            cost="0.01",
        )
    ArticleFactory.create_batch(articles, status=S.IN_REVIEW)
    SourceFactory.create_batch(articles // 5, health=Source.Health.FAILING)
    with django_assert_max_num_queries(15):
        response = desk.get(reverse(URL))
    assert response.status_code == 200


def test_the_charts_are_inline_svg_without_scripts_or_inline_styles(
    desk: Client, markets: Category
) -> None:
    decided(ai=5, editor_importance=7, category=markets)
    decided(ai=5, editor_importance=5, at=timezone.now() - timedelta(days=1))
    page = desk.get(reverse(URL)).content.decode()
    assert page.count("<svg") == 5
    assert "<polyline" in page and "<title" in page
    assert "<script" not in page
    assert "style=" not in page
    assert "editorial-dashboard.css" in page


def test_the_page_links_to_the_review_queue(desk: Client) -> None:
    assert reverse("editorial:queue") in desk.get(reverse(URL)).content.decode()


# --------------------------------------------------------------------------------------------
# Chart geometry
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "ceiling"),
    [(0, 1), (0.7, 0.8), (1, 1), (3, 4), (7, 8), (9, 10), (11, 20), (0.013, 0.02)],
)
def test_nice_ceiling_rounds_up_to_a_round_number(value: float, ceiling: float) -> None:
    assert nice_ceiling(value) == pytest.approx(ceiling)


def test_bar_heights_are_proportional_and_stacked() -> None:
    chart = bar_chart(
        [
            Bar("a", (Segment(2, "one"), Segment(2, "two")), "a: 4"),
            Bar("b", (Segment(1, "one"), Segment(0, "two")), "b: 1"),
        ],
        width=200,
        height=100,
    )
    first, second = chart["bars"]
    plot = chart["plot_height"]
    assert [r["height"] for r in first["rects"]] == [plot / 2, plot / 2]
    # Stacked: the second segment starts where the first ends.
    assert (
        first["rects"][1]["y"] + first["rects"][1]["height"] == first["rects"][0]["y"]
    )
    assert [r["css"] for r in second["rects"]] == ["one"]
    assert [t["label"] for t in chart["ticks"]] == ["0", "2", "4"]
    assert first["title"] == "a: 4"


def test_a_line_breaks_where_values_are_missing() -> None:
    chart = line_chart(
        ["1", "2", "3", "4", "5"],
        [Series("s", "line", (1, 2, None, 3, None), ("1", "2", "3", "4", "5"))],
        width=300,
        height=100,
    )
    line = chart["series"][0]
    assert len(line["polylines"]) == 1  # 1–2 joined; 4 is a lone dot
    assert [d["title"] for d in line["dots"]] == ["1", "2", "4"]


def test_charts_of_empty_data_draw_nothing() -> None:
    assert bar_chart([], width=100, height=50)["bars"] == []
    empty = line_chart(["a"], [Series("s", "c", (None,), ("a",))], width=100, height=50)
    assert empty["series"][0]["dots"] == []


def test_a_publication_nobody_reviewed_is_no_editors_decision(
    desk: Client, markets: Category
) -> None:
    """A stranger: the demo's setup publishes its first stories unread, and the dashboard
    counted them as the desk's decisions and as full agreement with the AI."""
    from editorial import services

    from .factories import story

    demo_editor = editor("demo")
    unread = story(S.APPROVED, title="Published by the demo's setup")
    services.article_publish(
        article=unread.pk, editor=None, on_behalf_of=demo_editor, reviewed=False
    )
    decided(ai=5, editor_importance=8, category=markets)  # an editor's approval

    page = desk.get(reverse(URL)).context
    assert page["reviewed"]["total"] == 1
    assert page["agreement"]["period"]["mad"] == 3.0  # the editor's 3 points, alone
