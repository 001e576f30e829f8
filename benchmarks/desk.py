"""Editorial desk benchmark: the review queue with 10,000 stories pending.

    .venv/bin/python benchmarks/desk.py [--pending 10000] [--json PATH]

Measures, in-process through Django's test client (server time: routing, middleware, views,
templates, database; no network): the queue page (time and query count) and an approve round
trip as the htmx queue sends it (POST, audited service, panel re-render, counts event).

Targets (issue "The editorial desk"): queue page <= 15 queries whatever the queue size;
approve round trip < 50 ms server time.

Uses DATABASE_URL when set (its database name must contain "bench"), otherwise a temporary
SQLite file.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/desk.sqlite3"
elif "bench" not in os.environ["DATABASE_URL"].rsplit("/", 1)[-1]:
    sys.exit("DATABASE_URL must name a database containing 'bench': it is emptied")
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
# DEBUG is off (as in production), so static files come from WhiteNoise's manifest: collect
# them into a throwaway folder first (main()).
os.environ.setdefault("STATIC_ROOT", tempfile.mkdtemp(prefix="newsroom-desk-static-"))

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from articles.models import Article  # noqa: E402
from benchmarks.common import CountQueries  # noqa: E402
from enrichment.models import Enrichment  # noqa: E402
from sources.models import Source  # noqa: E402
from stories.models import StoryCluster  # noqa: E402

TARGETS = {"queue_queries": 15, "approve_ms": 50.0}


def fill(pending: int) -> None:
    call_command("flush", "--noinput", verbosity=0)
    call_command("migrate", verbosity=0)
    sources = [
        Source.objects.create(
            name=f"Wire {i}", slug=f"wire-{i}", feed_url=f"https://wire{i}.example/rss"
        )
        for i in range(40)
    ]
    now = datetime.now(UTC)
    for offset in range(0, pending, 2000):
        count = min(2000, pending - offset)
        clusters = StoryCluster.objects.bulk_create(
            [StoryCluster(article_count=1, source_count=1) for _ in range(count)]
        )
        articles = Article.objects.bulk_create(
            [
                Article(
                    source=sources[i % 40],
                    guid=f"g{offset + i}",
                    title=f"Story {offset + i} "
                    "about a company that did something newsworthy today",
                    text="Body. " * 80,
                    summary="A two-sentence summary of the story. It matters.",
                    importance=5,
                    published_at=now - timedelta(minutes=offset + i),
                    content_hash=f"{offset + i:064x}",
                    status=Article.Status.IN_REVIEW,
                    cluster=clusters[i],
                )
                for i in range(count)
            ]
        )
        enrichments = Enrichment.objects.bulk_create(
            [
                Enrichment(
                    article=a,
                    status="ok",
                    backend="offline",
                    model="offline-1",
                    prompt_version="bench",
                    input_hash=f"{a.pk}",
                    summary=a.summary,
                    takeaways=["One.", "Two.", "Three."],
                    importance=(a.pk % 10) + 1,
                    sentiment="neutral",
                    category="Business",
                )
                for a in articles
            ]
        )
        for article, enrichment in zip(articles, enrichments, strict=True):
            article.enrichment = enrichment
        Article.objects.bulk_update(articles, ["enrichment"], batch_size=1000)
        # Each story is led by its article; every third one has a second outlet's report,
        # which the queue must fold into the story's row.
        for cluster, article in zip(clusters, articles, strict=True):
            cluster.canonical = article
        StoryCluster.objects.bulk_update(clusters, ["canonical"], batch_size=1000)
        Article.objects.bulk_create(
            [
                Article(
                    source=sources[(i + 1) % 40],
                    guid=f"r{offset + i}",
                    title=f"Another outlet on story {offset + i}",
                    text="Body. " * 80,
                    published_at=now - timedelta(minutes=offset + i),
                    content_hash=f"r{offset + i:063x}",
                    status=Article.Status.IN_REVIEW,
                    cluster=clusters[i],
                )
                for i in range(0, count, 3)
            ]
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def measure(rounds: int) -> dict[str, float]:
    user = User.objects.create_user("bench-editor", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Chief editors"))
    client = Client()
    client.force_login(user)
    url = reverse("editorial:queue")
    client.get(url)  # warm templates and caches
    page_times = []
    with CountQueries() as queue_queries:
        first = client.get(url)
    assert first.status_code == 200, first.status_code
    assert first.content.decode().count('class="queue-row') == 50  # one row per story
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get(url)
        page_times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    targets = list(
        Article.objects.leading()
        .filter(status=Article.Status.IN_REVIEW)
        .values_list("pk", "version")[: rounds + 1]
    )
    approve_times = []
    headers = {"HX-Request": "true", "HX-Target": "panel"}
    with CountQueries() as approve_queries:
        client.post(
            reverse("editorial:decide", args=[targets[0][0]]),
            {"decision": "approve", "version": targets[0][1]},
            headers=headers,
        )
    for pk, version in targets[1:]:
        # The editor has the story open (its panel was fetched when they moved to it).
        client.get(reverse("editorial:story", args=[pk]), headers=headers)
        started = time.perf_counter()
        response = client.post(
            reverse("editorial:decide", args=[pk]),
            {"decision": "approve", "version": version},
            headers=headers,
        )
        approve_times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content[:300]
    return {
        "queue_queries": queue_queries.count,
        "queue_median_ms": statistics.median(page_times),
        "queue_p95_ms": sorted(page_times)[int(0.95 * len(page_times))],
        "approve_queries": approve_queries.count,
        "approve_median_ms": statistics.median(approve_times),
        "approve_p95_ms": sorted(approve_times)[int(0.95 * len(approve_times))],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pending", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    call_command("collectstatic", "--noinput", verbosity=0)
    fill(args.pending)
    result = measure(args.rounds)

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "MISS"

    print(
        f"Desk benchmark ({connection.vendor}, {args.pending:,} stories pending, "
        f"{args.rounds} rounds, server time in-process)"
    )
    print(
        f"  queue page:    {result['queue_queries']} queries "
        f"{verdict(result['queue_queries'] <= TARGETS['queue_queries'])} (target <= 15); "
        f"median {result['queue_median_ms']:.1f} ms, p95 {result['queue_p95_ms']:.1f} ms"
    )
    print(
        f"  approve (htmx): {result['approve_queries']} queries; median "
        f"{result['approve_median_ms']:.1f} ms, p95 {result['approve_p95_ms']:.1f} ms "
        f"{verdict(result['approve_median_ms'] < TARGETS['approve_ms'])} (target < 50 ms)"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
