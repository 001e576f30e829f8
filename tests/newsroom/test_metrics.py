"""/metrics: what Prometheus scrapes, and who may read it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families
from pytest_django import DjangoAssertNumQueries

from newsroom import metrics
from sources.models import FetchAttempt, Source
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db


def scrape(client: Client) -> dict[str, dict[tuple, float]]:
    response = client.get("/metrics")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    found: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            found.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = (
                sample.value
            )
    return found


def test_metrics_report_fetches_sources_and_articles_from_the_database(
    client: Client,
) -> None:
    failing = SourceFactory.create(health=Source.Health.FAILING)
    SourceFactory.create(health=Source.Health.OK)
    for outcome in ("ok", "ok", "error"):
        FetchAttempt.objects.create(
            source=failing,
            url=failing.feed_url,
            outcome=outcome,
            started_at=timezone.now(),
        )

    metrics = scrape(client)

    assert metrics["newsroom_sources"][(("health", "failing"),)] == 1
    assert metrics["newsroom_sources"][(("health", "ok"),)] == 1
    assert metrics["newsroom_fetches_last_hour"][(("outcome", "ok"),)] == 2
    assert metrics["newsroom_fetches_last_hour"][(("outcome", "error"),)] == 1
    assert metrics["newsroom_articles"][(("status", "published"),)] == 0
    assert metrics["newsroom_ai_spend_usd_today"][()] == 0


def test_request_latency_is_recorded_by_route_not_by_path(client: Client) -> None:
    client.get("/story/no-such-story/")
    client.get("/story/another-missing-one/")

    metrics = scrape(client)

    counts = metrics["newsroom_http_request_duration_seconds_count"]
    story = {k: v for k, v in counts.items() if ("route", "story/<slug:slug>/") in k}
    assert sum(story.values()) >= 2  # both paths, one series
    assert not any("no-such-story" in str(key) for key in counts)


def test_a_scrape_costs_a_fixed_number_of_queries(
    client: Client, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    SourceFactory.create_batch(5)
    with django_assert_max_num_queries(8):
        client.get("/metrics")


def test_metrics_are_refused_to_the_public_internet(client: Client) -> None:
    response = client.get("/metrics", REMOTE_ADDR="93.184.216.34")

    assert response.status_code == 403
    assert "METRICS_TOKEN" in response.content.decode()
    # Behind a reverse proxy every client arrives from a private address.
    proxied = client.get("/metrics", HTTP_X_FORWARDED_FOR="93.184.216.34")
    assert proxied.status_code == 403
    assert client.get("/metrics", HTTP_X_REAL_IP="1.2.3.4").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="2001:0:4136:e378::1").status_code == 403


def test_with_a_token_only_the_token_opens_them(client: Client, settings: Any) -> None:
    settings.METRICS_TOKEN = "s3cret-scrape-token"

    assert client.get("/metrics").status_code == 403  # even from loopback
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    ok = client.get(
        "/metrics",
        REMOTE_ADDR="93.184.216.34",
        HTTP_AUTHORIZATION="Bearer s3cret-scrape-token",
    )
    assert ok.status_code == 200


def test_queue_depths_come_from_the_broker(
    client: Client, settings: Any, redis_url: str
) -> None:
    """Against the real Redis (CI): one series per queue, as deep as the list."""
    import redis

    settings.REDIS_URL = settings.CELERY_BROKER_URL = redis_url
    broker = redis.Redis.from_url(redis_url)
    expected = {queue: broker.llen(queue) for queue in metrics.QUEUES}

    depth = scrape(client)["newsroom_queue_depth"]

    assert {dict(k)["queue"]: v for k, v in depth.items()} == expected


def test_with_the_broker_down_the_scrape_still_answers_without_made_up_depths(
    client: Client, settings: Any
) -> None:
    settings.REDIS_URL = settings.CELERY_BROKER_URL = (
        "redis://127.0.0.1:9/0"  # nothing there
    )

    metrics = scrape(client)

    assert "newsroom_queue_depth" not in metrics  # unknown, not zero
    assert metrics["newsroom_sources"]  # the database's figures are still there


def test_probes_are_timed_under_their_own_name(client: Client) -> None:
    client.get("/healthz")

    counts = scrape(client)["newsroom_http_request_duration_seconds_count"]

    assert any(("route", "healthz") in key for key in counts)
