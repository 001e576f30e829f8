"""Partner-API benchmark: the stories change feed served by gunicorn, against a trivial keyed
DRF view in the same server.

    .venv/bin/python benchmarks/api.py [--stories 3000] [--seconds 10] [--connections 4]
        [--json PATH]

Fills a database with published stories the way ``benchmarks/site.py`` does (its ``fill``:
clusters with other outlets' reports, companies, corrections, AI proposals), puts each in the
partners' change feed with its related stories, and runs gunicorn with production settings
(DEBUG off, 2 sync workers for 2 cores) driven by wrk, every request carrying a partner's key
in the Authorization header. The ceiling is ``/_api_hello/`` (``benchmarks/api_urls.py``): a
DRF view with the API's own authentication, quota and headers that answers a few bytes, so
the difference is the stories themselves (query, serialisation, ETag).

A complete page of the feed is the same for every partner until the feed moves, so the API
keeps it (``StoryViewSet._kept``); the benchmark measures answers kept and answers built.
Each for ``--seconds`` with ``--connections`` connections:
- the keyed hello-world view;
- the first page of the change feed (50 stories), the same URL again and again (kept);
- pages of 41 to 100 stories at every position of the feed, each URL asked once (built);
- paging through the feed as a partner catching up, 50 stories a page (kept after the
  first pass);
- a filtered page (category and minimum importance; kept);
- story details by id, a different story each request (built).
Queries per request are counted in-process (Django's test client), built and kept.

Targets (the issue's): a page of 50 at >= 40 % of the trivial view's req/s; <= 8 queries
per page whatever its size.

Uses DATABASE_URL when set (its database name must contain "bench": it is emptied), otherwise
a temporary SQLite file.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# Sets up Django (production settings, the benchmark database) and brings the data, the
# server and the load generator.
from benchmarks import site as bench  # noqa: E402

# isort: split
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from articles.models import Article  # noqa: E402
from partners.models import Partner, PartnerAPIKey, StoryChange  # noqa: E402
from stories.related import related_story_ids  # noqa: E402

HELLO = "/_api_hello/"
STORIES = "/api/v1/stories/"
TARGET_QUERIES = 8
TARGET_PAGE_VS_HELLO = 0.40
# Quotas counted, never reached (as in benchmarks/api_settings.py for gunicorn).
NO_QUOTA = {tier: {"minute": 10**9, "day": 10**12} for tier in Partner.Tier.values}


def feed(stories: int) -> int:
    """Every published story in the change feed, announced (live, with its related
    stories), as the desk's publications leave it."""
    StoryChange.objects.all().delete()
    rows = [
        StoryChange(
            article_id=story.pk,
            changed_at=story.published_at_site or story.created_at,
            live=True,
            pending=False,
            related=related_story_ids(story),
        )
        for story in Article.objects.visible().only(
            "pk", "published_at_site", "created_at", "cluster_id"
        )
    ]
    StoryChange.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def partner_key() -> str:
    partner = Partner.objects.create(
        name="Benchmark partner",
        contact_email="bench@example.invalid",
        tier=Partner.Tier.PREMIUM,
    )
    return PartnerAPIKey.objects.create_key(partner=partner, name="bench")[1]


def pages(client: Client, first: str, limit: int = 1000) -> list[str]:
    """The feed's page URLs (path and query), following ``next`` from ``first``."""
    found: list[str] = []
    url = first
    while url and len(found) < limit:
        found.append(url)
        body = client.get(url).json()
        if not body["has_more"]:
            break
        url = "/" + body["next"].split("://", 1)[1].split("/", 1)[1]
    return found


@dataclass
class Counted:
    path: str
    queries: int  # building the answer (the API's cache emptied first)
    median_ms: float
    cpu_ms: float
    kept_queries: (
        int  # the same request again: the answer kept for this feed generation
    )
    kept_ms: float
    size: int


def in_process(
    client: Client, paths: dict[str, str], rounds: int = 15
) -> dict[str, Counted]:
    """Queries and time of each request when the answer is built (the cache emptied before
    each round) and when it is kept (asked again)."""
    found = {}
    for name, path in paths.items():
        client.get(path)  # warm: imports, compiled regexes
        built: list[tuple[float, float, int]] = []
        kept: list[tuple[float, int]] = []
        for _ in range(rounds):
            for keep in (False, True):
                if not keep:
                    cache.clear()
                with bench.CountQueries() as counted:
                    started, began = time.perf_counter(), time.process_time()
                    response = client.get(path)
                    elapsed = time.perf_counter() - started
                    cpu = time.process_time() - began
                assert response.status_code == 200, (path, response.status_code)
                if keep:
                    kept.append((elapsed, counted.count))
                else:
                    built.append((elapsed, cpu, counted.count))
        found[name] = Counted(
            path,
            queries=max(q for *_, q in built),
            median_ms=1000 * statistics.median(t for t, _, _ in built),
            cpu_ms=1000 * statistics.median(c for _, c, _ in built),
            kept_queries=max(q for _, q in kept),
            kept_ms=1000 * statistics.median(t for t, _ in kept),
            size=len(response.content),
        )
    return found


@dataclass
class Run:
    name: str
    paths: int
    load: bench.Load
    stories_per_answer: int


def measure(
    server: bench.Server,
    key: str,
    plan: list[tuple[str, list[str], int]],
    args: argparse.Namespace,
) -> list[Run]:
    headers = {"Authorization": f"Api-Key {key}"}
    runs = []
    for name, paths, per_answer in plan:
        bench.wrk_load(
            server.port, paths, 1.0, args.connections, headers=headers
        )  # prime
        cpu = server.cpu_seconds()
        load = bench.wrk_load(
            server.port, paths, args.seconds, args.connections, headers=headers
        )
        load.server_cpu_s = server.cpu_seconds() - cpu
        if load.non_2xx or load.socket_errors:
            sys.exit(
                f"{name}: {load.non_2xx} non-2xx answers, {load.socket_errors} errors"
            )
        runs.append(Run(name, len(paths), load, per_answer))
        print(
            f"... {name}: {load.rps:,.0f} req/s, p99 {load.p99_ms:.1f} ms",
            file=sys.stderr,
        )
    return runs


def render(
    stories: int,
    counted: dict[str, Counted],
    runs: list[Run],
    args: argparse.Namespace,
    load_before: str,
    load_after: str,
) -> str:
    hello = runs[0].load
    lines = [
        f"Partner API benchmark — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"{stories:,} published stories in the change feed; gunicorn {bench.WORKERS} sync "
        f"workers, DEBUG off, {connection.vendor}; wrk, {args.connections} connections, "
        f"{args.seconds:g} s per run; load average {load_before} → {load_after}",
        "",
        "| request | req/s | vs hello | p50 / p99 ms | server CPU per answer | stories/s |",
        "|---|---|---|---|---|---|",
    ]
    for run in runs:
        load = run.load
        stories_per_s = (
            f"{load.rps * run.stories_per_answer:,.0f}"
            if run.stories_per_answer
            else "–"
        )
        lines.append(
            f"| {run.name} | {load.rps:,.0f} | {load.rps / hello.rps:.0%} | "
            f"{load.p50_ms:.1f} / {load.p99_ms:.1f} | "
            f"{1000 * load.cpu_per_request:.1f} ms | {stories_per_s} |"
        )
    lines += [
        "",
        "In-process (Django test client, no network), median of 15: built (the API's "
        "cache emptied first) and kept (asked again in the same feed generation):",
        "",
        "| request | built: queries, time, CPU | kept: queries, time | body |",
        "|---|---|---|---|",
    ]
    for name, c in counted.items():
        lines.append(
            f"| {name} | {c.queries}, {c.median_ms:.1f} ms, {c.cpu_ms:.1f} ms | "
            f"{c.kept_queries}, {c.kept_ms:.1f} ms | {c.size / 1024:,.0f} KiB |"
        )
    first_page = runs[1].load
    pages = {n: c for n, c in counted.items() if "page" in n}
    checks = [
        (
            f"a page of 50 at >= {TARGET_PAGE_VS_HELLO:.0%} of the trivial view's req/s",
            first_page.rps / hello.rps >= TARGET_PAGE_VS_HELLO,
            f"{first_page.rps / hello.rps:.0%} (kept); built: "
            f"{runs[2].load.rps / hello.rps:.0%}",
        ),
        (
            f"<= {TARGET_QUERIES} queries per page, whatever its size",
            max(c.queries for c in pages.values()) <= TARGET_QUERIES
            and len({pages["page of 10"].queries, pages["page of 100"].queries}) == 1,
            ", ".join(f"{n}: {c.queries}" for n, c in pages.items()),
        ),
    ]
    lines += ["", "| target | result |", "|---|---|"]
    lines += [f"| {what} | {bench._verdict(ok)}: {got} |" for what, ok, got in checks]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--stories", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install -y wrk)")
    started = time.perf_counter()
    bench.fill(args.stories)
    stories = feed(args.stories)
    key = partner_key()
    print(
        f"... filled and fed {stories:,} stories: {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    call_command("collectstatic", "--noinput", verbosity=0)

    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Api-Key {key}")
    with override_settings(
        ROOT_URLCONF="benchmarks.api_urls",
        PARTNER_TIERS=NO_QUOTA,
        PARTNER_FEED_SETTLE_SECONDS=0,
    ):
        walk = pages(client, f"{STORIES}?page_size=50")
        first_id = client.get(walk[0]).json()["results"][0]["id"]
        detail_ids = list(
            StoryChange.objects.filter(live=True).values_list("article_id", flat=True)
        )
        filtered = f"{STORIES}?category=markets&importance_min=6&page_size=50"
        # Every page of the feed at every size from 41 to 100: URLs never asked before, so
        # each answer is built (shuffled, so no two in a row start at the same place).
        cursors = [page.partition("?")[2] for page in walk]
        built = [
            f"{STORIES}?{query.replace('page_size=50', f'page_size={size}')}"
            for query in cursors
            for size in range(41, 101)
        ]
        random.Random(3).shuffle(built)
        counted = in_process(
            client,
            {
                "hello": HELLO,
                "page of 10": f"{STORIES}?page_size=10",
                "page of 50": walk[0],
                "page of 100": f"{STORIES}?page_size=100",
                "filtered page of 50": filtered,
                "story detail": f"{STORIES}{first_id}/",
            },
        )
    connection.close()  # gunicorn's workers open their own

    env = dict(os.environ, DJANGO_SETTINGS_MODULE="benchmarks.api_settings")
    load_before = bench._load()
    server = bench.Server(env)
    try:
        runs = measure(
            server,
            key,
            [
                ("hello (keyed DRF view)", [HELLO], 0),
                ("feed page of 50, kept", [walk[0]], 50),
                ("feed pages of 41-100, built (all distinct)", built, 70),
                (f"paging the feed ({len(walk)} pages of 50), kept", walk, 50),
                ("filtered page of 50, kept", [filtered], 50),
                (
                    "story details, built (a different story each)",
                    [f"{STORIES}{pk}/" for pk in detail_ids],
                    1,
                ),
            ],
            args,
        )
    finally:
        server.stop()
    print(render(stories, counted, runs, args, load_before, bench._load()))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "stories": stories,
                    "in_process": {n: vars(c) for n, c in counted.items()},
                    "runs": [
                        {
                            "name": r.name,
                            "rps": r.load.rps,
                            "p50_ms": r.load.p50_ms,
                            "p99_ms": r.load.p99_ms,
                            "cpu_ms": 1000 * r.load.cpu_per_request,
                        }
                        for r in runs
                    ],
                },
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
