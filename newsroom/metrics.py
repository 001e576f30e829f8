"""Prometheus metrics at ``/metrics`` (prometheus-client).

Two kinds. What the newsroom *is doing* is read from the database and the broker when the
scrape comes (``NewsroomCollector``): fetches by outcome and sources by health, articles by
status, queue depths, enrichment latency, tokens and spend today, editorial decisions. That
needs no shared state between processes, and a gauge over a window ("fetches in the last
hour") never goes backwards when old rows are pruned. What the *web processes* do — request
latency — is a histogram kept by the middleware; under gunicorn set
``PROMETHEUS_MULTIPROC_DIR`` so every worker's counts are summed.

Readable by Prometheus only: with ``METRICS_TOKEN`` set, a request must carry
``Authorization: Bearer <token>``; without it, only loopback and private addresses may read,
and never through a proxy (X-Forwarded-For, Forwarded, X-Real-IP: behind one, every client
would look private).
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, Max, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

# The queues of CELERY_TASK_QUEUES (settings), one per stage.
QUEUES = tuple(settings.CELERY_TASK_QUEUES)

REQUEST_LATENCY = Histogram(
    "newsroom_http_request_duration_seconds",
    "Time to answer an HTTP request, by route (the URL pattern) and status class.",
    ["route", "method", "status"],
    registry=None,  # collected per scrape (below), or by the multiprocess collector
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


def request_latency(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """Middleware: observe every request's duration under its URL pattern ("story/<slug>/"),
    never its path, so a crawler cannot multiply the series."""

    def middleware(request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = get_response(request)
        match = request.resolver_match
        if request.path_info in _PROBES:  # answered before URL resolution
            route = request.path_info.lstrip("/")
        else:
            route = match.route if match is not None else "unmatched"
        REQUEST_LATENCY.labels(
            route=route or "/",
            method=request.method if request.method in _METHODS else "other",
            status=f"{response.status_code // 100}xx",
        ).observe(time.perf_counter() - started)
        return response

    return middleware


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_PROBES = frozenset({"/healthz", "/readyz", "/metrics"})


def _by_choice(
    name: str, documentation: str, rows: QuerySet[Any], field: str, choices: list[str]
) -> GaugeMetricFamily:
    """A gauge with one series per choice of ``field`` (0 for a choice no row has), counted
    in one GROUP BY."""
    gauge = GaugeMetricFamily(name, documentation, labels=[field])
    counted = dict(rows.values_list(field).annotate(n=Count("pk")).order_by())
    for choice in choices:
        gauge.add_metric([choice], counted.get(choice, 0))
    return gauge


class NewsroomCollector(Collector):
    """The pipeline's state, read at scrape time (a dozen aggregate queries)."""

    def collect(self) -> Iterator[Metric]:
        from articles.models import Article
        from editorial.models import AuditEvent
        from enrichment.models import BudgetDay, Enrichment
        from sources.models import FetchAttempt, Source

        now = timezone.now()
        hour_ago, day_ago = now - timedelta(hours=1), now - timedelta(days=1)

        yield _by_choice(
            "newsroom_fetches_last_hour",
            "Feed fetches recorded in the last hour, by outcome.",
            FetchAttempt.objects.filter(started_at__gte=hour_ago),
            "outcome",
            FetchAttempt.Outcome.values,
        )
        yield _by_choice(
            "newsroom_sources",
            "Active sources by health.",
            Source.objects.filter(active=True),
            "health",
            Source.Health.values,
        )
        yield _by_choice(
            "newsroom_articles",
            "Articles by status.",
            Article.objects.all(),
            "status",
            Article.Status.values,
        )

        recent = Enrichment.objects.filter(created_at__gte=hour_ago).aggregate(
            n=Count("pk"), avg=Avg("latency_ms"), worst=Max("latency_ms")
        )
        latency = GaugeMetricFamily(
            "newsroom_enrichment_latency_seconds",
            "Enrichment time over the last hour: mean and max.",
            labels=["stat"],
        )
        latency.add_metric(["mean"], (recent["avg"] or 0) / 1000)
        latency.add_metric(["max"], (recent["worst"] or 0) / 1000)
        yield latency
        yield GaugeMetricFamily(
            "newsroom_enrichments_last_hour",
            "Enrichments (AI proposals) made in the last hour.",
            value=recent["n"],
        )

        today = Enrichment.objects.filter(created_at__date=now.date()).aggregate(
            tokens_in=Sum("input_tokens"), tokens_out=Sum("output_tokens")
        )
        tokens = GaugeMetricFamily(
            "newsroom_ai_tokens_today",
            "Tokens used by enrichment today (UTC), by direction.",
            labels=["direction"],
        )
        tokens.add_metric(["input"], today["tokens_in"] or 0)
        tokens.add_metric(["output"], today["tokens_out"] or 0)
        yield tokens
        budget = BudgetDay.objects.filter(day=now.date()).first()
        yield GaugeMetricFamily(
            "newsroom_ai_spend_usd_today",
            "Spent on the AI API today (UTC), in US dollars.",
            value=float(budget.spent_usd) if budget else 0.0,
        )

        decisions = GaugeMetricFamily(
            "newsroom_editorial_decisions_last_day",
            "Editorial decisions recorded in the last 24 hours, by action.",
            labels=["action"],
        )
        for action, n in (
            AuditEvent.objects.filter(at__gte=day_ago)
            .values_list("action")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            decisions.add_metric([action], n)
        yield decisions

        if settings.REDIS_URL:
            yield from self._queues()

    def _queues(self) -> Iterator[Metric]:
        import redis

        depth = GaugeMetricFamily(
            "newsroom_queue_depth", "Messages waiting in each queue.", labels=["queue"]
        )
        client = redis.Redis.from_url(
            settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1
        )
        try:
            for queue in QUEUES:
                depth.add_metric([queue], client.llen(queue))
        except redis.RedisError:
            return  # the broker is down: /readyz says so; no made-up zeros here
        finally:
            client.close()
        yield depth


_PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")
_TEREDO = ipaddress.ip_network("2001::/32")


def _allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        sent = request.headers.get("Authorization", "")
        return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())
    if any(header in request.META for header in _PROXY_HEADERS):
        return False  # through a proxy every client looks private: a token is needed
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    if address in _TEREDO:
        return False  # Python counts Teredo (2001::/32) as private; it is the internet
    return address.is_loopback or address.is_private


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        return HttpResponse(
            "Metrics are for the monitoring system: send METRICS_TOKEN as a Bearer token "
            "(when no token is configured: scrape from a loopback or private address, not "
            "through a proxy).\n",
            status=403,
            content_type="text/plain",
        )
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REQUEST_LATENCY)
    registry.register(NewsroomCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
