"""Public-site benchmark: the reader pages served by gunicorn, against a hello-world view.

    .venv/bin/python benchmarks/site.py [--stories 3000] [--seconds 10] [--connections 4]
        [--cache auto|locmem|redis|both] [--generator auto|wrk|python] [--json PATH]
    .venv/bin/python benchmarks/site.py --profile     # where a cache miss spends its time

Fills a database with published stories (sources, categories, companies, story clusters with
other outlets' reports, AI proposals, corrections, the related-stories term index), runs
gunicorn on 127.0.0.1 with production settings (DEBUG off, WhiteNoise manifest storage after
``collectstatic``, 2 sync workers) and drives it with wrk (or a Python load generator when
wrk is missing). In the same server and the same run it measures a plain Django hello-world
view (``benchmarks/site_urls.py``) as the ceiling: same middleware, no database, no cache.

Measured, each for ``--seconds`` with ``--connections`` connections (gunicorn's sync workers
close each after one answer, so every request opens a new one, for the pages and the ceiling
alike):
- hello world: ``/_hello/``;
- front page and a story page, *warm*: the same URL over and over, served from the page cache
  (primed by a one-second run that is not counted);
- front page and story pages, *cold*: every request a URL the server has not seen, so every
  request is a page-cache miss (the front page with a distinct ``?cold=N`` that the view
  ignores but the cache key includes; a different story per request, which also misses the
  per-story related-stories cache).
Queries on a miss are counted in-process with Django's test client, the caches cleared first.

Targets: warm pages >= 50 % of hello-world req/s; <= 10 queries on a miss; p99 < 100 ms under
this load. Besides req/s and latencies the report gives gunicorn's CPU time per answer, which
other work on a shared machine moves far less. See benchmarks/README.md.

Cache: local memory per gunicorn worker (``site_settings.py``; the project itself keeps files
in var/cache/ without REDIS_URL); with ``--cache redis`` or ``both`` (``auto`` = both when
Redis answers on 127.0.0.1:6379) also Redis, database 13 by default (``--redis-url``), which
the benchmark empties before and after.

Uses DATABASE_URL when set (its database name must contain "bench": it is emptied), otherwise
a temporary SQLite file.
"""

from __future__ import annotations

import argparse
import atexit
import cProfile
import http.client
import itertools
import json
import os
import pstats
import random
import re
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORKDIR = Path(tempfile.mkdtemp(prefix="newsroom-site-bench-"))
KEEP = "--keep" in sys.argv[1:]


@atexit.register
def _remove_workdir() -> None:
    """The temporary directory goes however the run ends (unless ``--keep``)."""
    if KEEP and WORKDIR.exists():
        print(f"Kept {WORKDIR}", file=sys.stderr)
    else:
        shutil.rmtree(WORKDIR, ignore_errors=True)


if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{WORKDIR}/site.sqlite3"
elif "bench" not in os.environ["DATABASE_URL"].rsplit("/", 1)[-1]:
    sys.exit("DATABASE_URL must name a database containing 'bench': it is emptied")
os.environ.pop("REDIS_URL", None)
# Production settings: what gunicorn runs with, and this process too (for the fill and the
# in-process query counts).
os.environ.update(
    DJANGO_SETTINGS_MODULE="benchmarks.site_settings",
    DEBUG="0",
    SECRET_KEY=secrets.token_urlsafe(50),
    ALLOWED_HOSTS="127.0.0.1",
    STATIC_ROOT=str(WORKDIR / "static"),
    LOG_LEVEL="WARNING",
)

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils.text import slugify  # noqa: E402

from articles.models import Article, Category, Company  # noqa: E402
from benchmarks.common import CountQueries, cpu_model  # noqa: E402
from editorial.models import Correction  # noqa: E402
from enrichment.models import Enrichment  # noqa: E402
from newsroom.management.commands.load_demo import DEMO_COMPANIES  # noqa: E402
from sources.models import Source  # noqa: E402
from stories.clustering import signature  # noqa: E402
from stories.models import ArticleTerm, StoryCluster  # noqa: E402

TARGET_WARM_VS_HELLO = 0.5  # warm page req/s over hello-world req/s
TARGET_MISS_QUERIES = 10
TARGET_P99_MS = 100.0
REDIS_URL = "redis://127.0.0.1:6379/13"
HELLO_PATH = "/_hello/"
WORKERS = 2  # one per core


# --------------------------------------------------------------------------------------------
# The data: published stories as the desk leaves them
# --------------------------------------------------------------------------------------------
OUTLETS = (
    "Harbour Street Journal",
    "Northwind Wire",
    "The Ledger Daily",
    "Circuit Report",
    "Market Pulse",
    "Energy Transition Digest",
    "Capital Courier",
    "The Exchange Post",
    "Meridian Business Review",
    "Tidewater Times",
)
REGIONS = ("Europe", "Asia", "North America", "Latin America", "Africa", "the Gulf")
PRODUCTS = (
    "chips",
    "batteries",
    "cloud contracts",
    "electric vans",
    "wind turbines",
    "payment terminals",
    "cancer drugs",
    "freight routes",
    "satellite links",
    "steel plate",
)
HEADLINES = (
    "{company} raises full-year outlook after record {product} orders",
    "{company} to cut {n},000 jobs as demand for {product} slows",
    "{company} agrees ${n}bn takeover of {other}",
    "{company} shares fall {n}% after profit warning",
    "Regulators open inquiry into {company} over {product} pricing",
    "{company} wins {region} contract worth ${n}bn",
    "{company} delays {product} plant in {region}",
    "{company} and {other} form {product} joint venture",
    "{company} chief steps down after {n} years",
    "{company} beats forecasts as {product} sales jump {n}%",
    "{company} bond sale draws ${n}bn of orders",
    "Strike halts {company} {product} output in {region}",
)
SENTENCES = (
    "{company} said on {day} that {product} demand in {region} had changed faster than "
    "it expected.",
    "The company's shares moved {n}% in early trading as investors weighed the news.",
    "Analysts at several banks said the move would weigh on margins for at least two "
    "quarters.",
    "{other}, its closest rival, declined to comment on the report.",
    "The figures cover the three months to the end of {month}.",
    "Unions and suppliers in {region} were told of the plan in a letter seen by reporters.",
    "{company} expects {product} revenue of ${n}bn next year, up from ${m}bn.",
    "The decision follows a review that began after a weak first half.",
    "Regulators in {region} have until {month} to respond.",
    "Customers were not expected to see changes before the autumn.",
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
MONTHS = ("March", "June", "September", "December")
# Names of people and places, made of syllables: every story gets a few terms of its own, as
# real news has (a handful of template words alone would make every story alike).
SYLLABLES = [
    "ka",
    "lo",
    "ren",
    "vi",
    "mar",
    "tel",
    "do",
    "shi",
    "an",
    "bor",
    "qu",
    "el",
    "fen",
    "ra",
    "tor",
    "mi",
    "sa",
    "ven",
    "gu",
    "ost",
    "par",
    "li",
    "dun",
    "ye",
]
FIRST_NAMES = [
    "Anna",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Felix",
    "Grace",
    "Hugo",
    "Ines",
    "Jonas",
    "Keiko",
    "Luca",
    "Maya",
    "Nils",
    "Omar",
    "Priya",
    "Rosa",
    "Sam",
]
LEADS = (
    "{person}, who runs the {place} site, said the plan had been discussed for months.",
    "Work at the {place} {product} plant, which employs {n}00 people, continues.",
    "{person} told staff in {place} that {company} would say more on {day}.",
    "The {place} operation was bought from {other} in {year}.",
)


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).title()


def _companies() -> list[tuple[str, str]]:
    """The demo's companies and as many again, as (name, ticker)."""
    names = [(name, ticker) for name, ticker, _aliases in DEMO_COMPANIES]
    prefixes = ("Aldren", "Brisk", "Calder", "Dunmore", "Elstow", "Farrow", "Gilden")
    suffixes = ("Holdings", "Systems", "Foods", "Energy", "Logistics", "Pharma")
    for prefix, suffix in itertools.product(prefixes, suffixes):
        names.append((f"{prefix} {suffix}", f"{prefix[:2]}{suffix[:2]}".upper()))
    return names


@dataclass
class Fixture:
    stories: int
    articles: int
    companies: int
    corrections: int
    heavy_slug: str  # the story page measured warm and counted: the most to show
    heavy_title: str
    cold_slugs: list[str]  # every other story, shuffled


def fill(count: int, *, seed: int = 7) -> Fixture:
    """``count`` published stories over the last 30 days, newest ~1/30 in the last day; a
    third with one to three other outlets' reports in their cluster; 1-3 companies each;
    every 20th with a public correction; the term index the related stories read."""
    rng = random.Random(seed)
    call_command("flush", "--noinput", verbosity=0)
    call_command("migrate", verbosity=0)
    categories = list(Category.objects.all())
    if not categories:  # a flushed benchmark database keeps its migration history
        categories = [
            Category.objects.create(name=name, slug=slugify(name), position=i)
            for i, name in enumerate(("Markets", "Business", "Technology", "Energy"))
        ]
    sources = Source.objects.bulk_create(
        [
            Source(
                name=OUTLETS[i % len(OUTLETS)]
                + (f" {i // len(OUTLETS) + 1}" if i >= len(OUTLETS) else ""),
                slug=f"outlet-{i}",
                feed_url=f"https://outlet{i}.example/rss",
                site_url=f"https://outlet{i}.example/",
            )
            for i in range(40)
        ]
    )
    companies = Company.objects.bulk_create(
        [
            Company(name=name, slug=slugify(name), ticker=ticker, aliases=[])
            for name, ticker in _companies()
        ]
    )
    now = datetime.now(UTC)
    span = timedelta(days=30)
    leads: list[Article] = []
    chosen: list[list[Company]] = []
    for i in range(count):
        picked = rng.sample(companies, rng.choice((1, 1, 2, 3)))
        names = {
            "company": picked[0].name,
            "other": rng.choice(companies).name,
            "product": rng.choice(PRODUCTS),
            "region": rng.choice(REGIONS),
            "n": rng.randint(2, 60),
            "m": rng.randint(2, 40),
            "day": rng.choice(DAYS),
            "month": rng.choice(MONTHS),
            "year": rng.randint(1995, 2024),
            "person": f"{rng.choice(FIRST_NAMES)} {_name(rng)}",
            "place": _name(rng),
        }
        title = rng.choice(HEADLINES).format(**names)
        body = [line.format(**names) for line in rng.sample(LEADS, 2)]
        body += [rng.choice(SENTENCES).format(**names) for _ in range(22)]
        published = now - span * (i / count) - timedelta(minutes=rng.randint(0, 30))
        article = Article(
            source=rng.choice(sources),
            guid=f"lead-{i}",
            url=f"https://outlet.example/{i}/{slugify(title)}",
            title=title,
            author=rng.choice(("", "", "Dana Okafor", "Lars Brenner", "Mei Tanaka")),
            published_at=published,
            text=" ".join(body),
            content="<p>" + "</p><p>".join(body) + "</p>",
            image_url=f"https://img.example/{i}.jpg" if i % 2 == 0 else "",
            content_hash=f"{i:064x}",
            status=Article.Status.PUBLISHED,
            summary=" ".join(body[:2]),
            analysis=" ".join(body[2:6]) + "\n\n" + " ".join(body[6:9]),
            takeaways=body[9:12],
            sentiment=rng.choice(Article.Sentiment.values),
            importance=rng.randint(1, 10),
            category=rng.choice(categories),
            slug=f"{slugify(title)[:90]}-{i}",
            published_at_site=published + timedelta(minutes=20),
        )
        article.cluster_signature = signature(article)
        leads.append(article)
        chosen.append(picked)
    # Each story's cluster first (its lead is set below, once the articles have ids); one
    # story in three has one to three other outlets' reports.
    extras = [rng.randint(1, 3) if i % 3 == 0 else 0 for i in range(count)]
    clusters = StoryCluster.objects.bulk_create(
        [
            StoryCluster(
                article_count=1 + extra,
                source_count=1 + extra,
                first_seen=lead.published_at,
                last_seen=lead.published_at,
            )
            for lead, extra in zip(leads, extras, strict=True)
        ],
        batch_size=500,
    )
    for lead, cluster in zip(leads, clusters, strict=True):
        lead.cluster = cluster
    Article.objects.bulk_create(leads, batch_size=500)
    others: list[Article] = []
    for i, (lead, cluster, extra) in enumerate(
        zip(leads, clusters, extras, strict=True)
    ):
        for k in range(extra):
            other = Article(
                source=sources[(sources.index(lead.source) + 1 + k) % len(sources)],
                guid=f"other-{i}-{k}",
                url=f"https://outlet.example/{i}/other-{k}",
                title=f"{lead.title} ({rng.choice(OUTLETS)} report)",
                published_at=lead.published_at + timedelta(minutes=5 * (k + 1)),
                text=lead.text,
                content_hash=f"o{i:055x}{k:08x}",
                status=Article.Status.IN_REVIEW,
                cluster=cluster,
            )
            # The same words as its lead: the lead's key terms (saves a third of the fill).
            other.cluster_signature = lead.cluster_signature
            others.append(other)
    Article.objects.bulk_create(others, batch_size=500)
    enrichments = Enrichment.objects.bulk_create(
        [
            Enrichment(
                article=lead,
                status="ok",
                backend="offline" if i % 4 == 0 else "claude",
                model="offline-1" if i % 4 == 0 else "claude-haiku-5-5",
                prompt_version="bench",
                input_hash=f"{lead.pk}",
                summary=lead.summary,
                analysis=lead.analysis,
                takeaways=lead.takeaways,
                importance=lead.importance,
                sentiment=lead.sentiment,
                category=lead.category.name if lead.category else "",
            )
            for i, lead in enumerate(leads)
        ],
        batch_size=500,
    )
    # Plain statements: bulk_update's CASE expressions cost more than the rest of the fill.
    datetime_value = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {StoryCluster._meta.db_table} SET canonical_id = %s WHERE id = %s",
            [
                (lead.pk, cluster.pk)
                for lead, cluster in zip(leads, clusters, strict=True)
            ],
        )
        cursor.executemany(
            f"UPDATE {Article._meta.db_table} SET enrichment_id = %s WHERE id = %s",
            [(e.pk, lead.pk) for lead, e in zip(leads, enrichments, strict=True)],
        )
        cursor.executemany(
            f"INSERT INTO {ArticleTerm._meta.db_table} (article_id, term, published_at) "
            "VALUES (%s, %s, %s)",
            [
                (article.pk, term, datetime_value(article.published_at))
                for article in itertools.chain(leads, others)
                for term in article.cluster_signature["terms"]
            ],
        )
    through = Article.companies.through
    through.objects.bulk_create(
        [
            through(article_id=lead.pk, company_id=company.pk)
            for lead, picked in zip(leads, chosen, strict=True)
            for company in picked
        ],
        batch_size=1000,
    )
    corrections = Correction.objects.bulk_create(
        [
            Correction(
                article=lead,
                note="Corrected the figure in the summary.",
                fields=["summary"],
                at=(lead.published_at_site or now) + timedelta(hours=2),
            )
            for lead in leads[::20]
        ]
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    # The page measured warm: a recent story with everything a story page can show (other
    # outlets' reports, companies, a correction, an image).
    heavy = next(
        lead
        for i, lead in enumerate(leads)
        if i % 60 == 0 and lead.image_url and len(chosen[i]) > 1
    )
    visible = set(Article.objects.visible().values_list("slug", flat=True))
    assert len(visible) == count, (len(visible), count)
    cold = sorted(visible - {heavy.slug})
    rng.shuffle(cold)
    return Fixture(
        stories=count,
        articles=len(leads) + len(others),
        companies=len(companies),
        corrections=len(corrections),
        heavy_slug=heavy.slug,
        heavy_title=heavy.title,
        cold_slugs=cold,
    )


# --------------------------------------------------------------------------------------------
# In-process: queries and server time of a cache miss
# --------------------------------------------------------------------------------------------
@dataclass
class InProcess:
    path: str
    miss_queries: int
    hit_queries: int
    miss_median_ms: float  # wall time
    miss_cpu_ms: float  # this process's CPU time (SQLite runs in it too)
    miss_sql_ms: float  # wall time inside the database calls
    hit_median_ms: float


def in_process(paths: dict[str, str], rounds: int = 20) -> dict[str, InProcess]:
    """Queries and server time (routing, middleware, view, template, database; no network)
    of each page on a miss (the whole cache cleared first: pages and related stories) and on
    a hit, through Django's test client in this process."""
    client = Client(HTTP_HOST="127.0.0.1")
    found = {}
    for name, path in paths.items():
        client.get(path)  # compile the templates once, as a warm worker has
        cache.clear()
        with CountQueries() as miss:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        with CountQueries() as hit:
            client.get(path)
        misses, cpu, sql, hits = [], [], [], []
        for _ in range(rounds):
            cache.clear()
            started, cpu_started = time.perf_counter(), time.process_time()
            with CountQueries() as timed:
                client.get(path)
            misses.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
            sql.append(timed.seconds * 1000)
            started = time.perf_counter()
            client.get(path)
            hits.append((time.perf_counter() - started) * 1000)
        found[name] = InProcess(
            path=path,
            miss_queries=miss.count,
            hit_queries=hit.count,
            miss_median_ms=statistics.median(misses),
            miss_cpu_ms=statistics.median(cpu),
            miss_sql_ms=statistics.median(sql),
            hit_median_ms=statistics.median(hits),
        )
    return found


def profile(paths: dict[str, str], rounds: int = 50, top: int = 25) -> None:
    """Each page's cache misses under cProfile, in this process; prints the top functions."""
    client = Client(HTTP_HOST="127.0.0.1")
    for name, path in paths.items():
        client.get(path)
        # CPU time, not wall time: on a busy machine preemption would land anywhere.
        profiler = cProfile.Profile(time.process_time)
        for _ in range(rounds):
            cache.clear()
            profiler.enable()
            client.get(path)
            profiler.disable()
        print(f"\n=== {name} ({path}): {rounds} cache misses, in-process")
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(port: int, path: str) -> tuple[int, bytes, int]:
    """Status, body and size on the wire (status line, headers, body) of one GET."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        head = len(f"HTTP/1.1 {response.status} {response.reason}\r\n") + 2
        head += sum(len(k) + len(v) + 4 for k, v in response.getheaders())
        return response.status, body, head + len(body)
    finally:
        conn.close()


class Server:
    """gunicorn as the Procfile runs it (sync workers, access log), on loopback."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = _free_port()
        self.log = open(WORKDIR / f"gunicorn-{self.port}.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "newsroom.wsgi:application",
                "--workers",
                str(WORKERS),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "30",
                "--access-logfile",
                "-",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        # Ready once every worker has answered (a worker boots Django on its own: on a busy
        # machine the second can take seconds longer than the first).
        deadline = time.monotonic() + 90
        answered: set[str] = set()
        while len(answered) < WORKERS:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                sys.exit(f"gunicorn did not start: {Path(self.log.name).read_text()}")
            answered |= self._hello_workers()
            time.sleep(0.1)

    def _hello_workers(self) -> set[str]:
        """The workers that answer a few concurrent hello-world requests."""
        found: set[str] = set()

        def ask() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                conn.request("GET", HELLO_PATH)
                response = conn.getresponse()
                response.read()
                if response.status == 200:
                    found.add(response.getheader("X-Worker", ""))
            except OSError:
                time.sleep(0.2)
            finally:
                conn.close()

        threads = [threading.Thread(target=ask) for _ in range(2 * WORKERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return found

    def workers(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except OSError:
            return []

    def cpu_seconds(self) -> float:
        """CPU time of the master and its workers so far (from /proc)."""
        total = 0
        for pid in [self.process.pid, *self.workers()]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


# --------------------------------------------------------------------------------------------
# Load generators
# --------------------------------------------------------------------------------------------
WRK_SCRIPT = r"""
-- Requests go through the paths in args[1] in order, one per request (a distinct URL each
-- until the list runs out); done() prints the figures for the benchmark to read.
local paths = {}
local i = 0
local headers = {}
function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  -- args[2], when given: a file of "Name: value" lines, sent with every request
  if args[2] then
    for line in io.lines(args[2]) do
      local name, value = line:match("^([^:]+):%s*(.*)$")
      if name then headers[name] = value end
    end
  end
end
function request()
  i = i + 1
  return wrk.format("GET", paths[((i - 1) % #paths) + 1], headers)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK_RESULT duration_us=%d requests=%d bytes=%d connect=%d read=%d write=%d " ..
    "status=%d timeout=%d p50=%d p90=%d p99=%d max=%d mean=%.1f\n",
    summary.duration, summary.requests, summary.bytes, e.connect, e.read, e.write,
    e.status, e.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean))
end
"""


@dataclass
class Load:
    """One measurement's figures, as the load generator saw them."""

    requests: int
    seconds: float
    bytes: int
    non_2xx: int  # answers that were not 2xx or 3xx
    socket_errors: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    generator_cpu_s: float
    server_cpu_s: float = 0.0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def cpu_per_request(self) -> float:
        return self.server_cpu_s / self.requests if self.requests else 0.0

    @property
    def bytes_per_request(self) -> float:
        return self.bytes / self.requests if self.requests else 0.0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wrk_load(
    port: int,
    paths: Sequence[str],
    seconds: float,
    connections: int,
    *,
    headers: dict[str, str] | None = None,
) -> Load:
    script = WORKDIR / "load.lua"
    script.write_text(WRK_SCRIPT)
    listing = WORKDIR / "paths.txt"
    listing.write_text("\n".join(paths) + "\n")
    extra = WORKDIR / "headers.txt"
    extra.write_text("".join(f"{k}: {v}\n" for k, v in (headers or {}).items()))
    cpu = _children_cpu()
    run = subprocess.run(
        [
            "wrk",
            "--threads",
            "1",
            "--connections",
            str(connections),
            "--duration",
            f"{seconds:g}s",
            "--timeout",
            "5s",
            "--latency",
            "--script",
            str(script),
            f"http://127.0.0.1:{port}",
            "--",
            str(listing),
            str(extra),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    cpu = _children_cpu() - cpu
    match = re.search(r"^WRK_RESULT (.*)$", run.stdout, re.M)
    if match is None:
        sys.exit(f"wrk printed no result:\n{run.stdout}\n{run.stderr}")
    raw = {k: float(v) for k, v in (kv.split("=") for kv in match.group(1).split())}
    return Load(
        requests=int(raw["requests"]),
        seconds=raw["duration_us"] / 1e6,
        bytes=int(raw["bytes"]),
        non_2xx=int(raw["status"]),
        socket_errors=int(raw["connect"] + raw["read"] + raw["write"] + raw["timeout"]),
        p50_ms=raw["p50"] / 1000,
        p90_ms=raw["p90"] / 1000,
        p99_ms=raw["p99"] / 1000,
        max_ms=raw["max"] / 1000,
        generator_cpu_s=cpu,
    )


def python_load(
    port: int, paths: Sequence[str], seconds: float, connections: int
) -> Load:
    """wrk's closed loop in Python: ``connections`` threads, each one keep-alive connection
    (opened again when the server closes it, outside the timed part), one request at a time,
    the paths in order across threads."""
    counter = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    totals = {"bytes": 0, "non_2xx": 0, "errors": 0}
    started = time.perf_counter()
    deadline = started + seconds
    cpu = time.process_time()

    def client() -> None:
        mine: list[float] = []
        size = non_2xx = errors = 0
        conn: http.client.HTTPConnection | None = None
        while time.perf_counter() < deadline:
            path = paths[next(counter) % len(paths)]
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.connect()
            begun = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException):
                errors += 1
                conn.close()
                conn = None
                continue
            mine.append(time.perf_counter() - begun)
            size += len(body) + sum(
                len(k) + len(v) + 4 for k, v in response.getheaders()
            )
            non_2xx += not 200 <= response.status < 400
            if response.will_close:
                conn.close()
                conn = None
        if conn is not None:
            conn.close()
        with lock:
            latencies.extend(mine)
            totals["bytes"] += size
            totals["non_2xx"] += non_2xx
            totals["errors"] += errors

    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies) or [0.0]

    def pct(p: float) -> float:
        return 1000 * ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    return Load(
        requests=len(latencies),
        seconds=elapsed,
        bytes=totals["bytes"],
        non_2xx=totals["non_2xx"],
        socket_errors=totals["errors"],
        p50_ms=pct(50),
        p90_ms=pct(90),
        p99_ms=pct(99),
        max_ms=1000 * ordered[-1],
        generator_cpu_s=time.process_time() - cpu,
    )


# --------------------------------------------------------------------------------------------
# One variant: a server with one cache backend, five measurements
# --------------------------------------------------------------------------------------------
@dataclass
class Measurement:
    name: str
    kind: str  # "hello", "warm" or "cold"
    path: str  # the (first) path requested
    distinct_paths: int
    load: Load
    sample_bytes: int  # one answer's size on the wire, fetched before the load
    checks: list[str] = field(
        default_factory=list
    )  # problems found; empty when all is well

    @property
    def all_misses(self) -> bool:
        """Every request a URL not requested before (cold runs only)."""
        return self.load.requests + 64 <= self.distinct_paths

    @property
    def p99_ok(self) -> bool:
        return self.load.p99_ms < TARGET_P99_MS


@dataclass
class Variant:
    cache: str
    measurements: list[Measurement]
    load_before: str
    load_after: str

    def get(self, name: str) -> Measurement:
        return next(m for m in self.measurements if m.name == name)

    @property
    def hello_rps(self) -> float:
        return statistics.mean(
            m.load.rps for m in self.measurements if m.kind == "hello"
        )

    def warm_ratio(self, name: str) -> float:
        hello = self.hello_rps
        return self.get(name).load.rps / hello if hello else 0.0

    def cpu_ratio(self, name: str) -> float:
        """Hello world's server CPU per answer over the page's: the req/s ratio two idle
        cores would give, less sensitive to other work on the machine."""
        hello = [m.load.cpu_per_request for m in self.measurements if m.kind == "hello"]
        page = self.get(name).load.cpu_per_request
        return statistics.mean(hello) / page if page else 0.0

    @property
    def busiest_load(self) -> float:
        return max(float(x.split()[0]) for x in (self.load_before, self.load_after))


def _check_page(
    port: int, path: str, markers: Sequence[bytes]
) -> tuple[int, list[str]]:
    status, body, size = _get(port, path)
    problems = [] if status == 200 else [f"{path}: status {status}"]
    problems += [
        f"{path}: no {marker.decode()[:60]!r}"
        for marker in markers
        if marker not in body
    ]
    return size, problems


def run_variant(
    cache_name: str,
    env: dict[str, str],
    fixture: Fixture,
    *,
    generator: Callable[[int, Sequence[str], float, int], Load],
    seconds: float,
    connections: int,
) -> Variant:
    load_before = _load()
    server = Server(env)
    story = f"/story/{fixture.heavy_slug}/"
    story_markers = [
        f"<h1>{escape(fixture.heavy_title)}</h1>".encode(),
        b"Also reported by",
        b"Related stories",
        b"Companies mentioned",
        b"Corrections",
    ]
    front_markers = [b"<h1>Latest stories</h1>", b"Load more stories"]
    cold_front = [f"/?cold={n}" for n in range(1, 200_000)]
    cold_stories = [f"/story/{slug}/" for slug in fixture.cold_slugs]
    plan: list[tuple[str, str, list[str], list[bytes]]] = [
        ("hello world", "hello", [HELLO_PATH], [b"Hello, world!"]),
        ("front page, warm", "warm", ["/"], front_markers),
        ("story page, warm", "warm", [story], story_markers),
        # The ceiling again: other work on the machine moves it; warm pages are compared
        # with the mean of both.
        ("hello world, again", "hello", [HELLO_PATH], [b"Hello, world!"]),
        # The samples of the cold runs are URLs outside the runs' lists (they would
        # otherwise be cached by the time the run asks for them).
        ("front page, cold", "cold", cold_front, front_markers),
        ("story page, cold", "cold", cold_stories, [b"<h1>", b"Related stories"]),
    ]
    measurements = []
    try:
        for name, kind, paths, markers in plan:
            sample = "/?cold=0" if paths is cold_front else paths[0]
            if paths is cold_stories:
                sample = paths.pop()  # never requested by the run
            size, problems = _check_page(server.port, sample, markers)
            if kind == "cold" and paths is cold_stories:
                # Story pages differ in length: sample a few more (also outside the run).
                sizes = [size] + [
                    _get(server.port, paths.pop())[2] for _ in range(min(9, len(paths)))
                ]
                size = int(statistics.mean(sizes))
            if kind != "cold":
                generator(server.port, paths, 1.0, connections)  # prime, not counted
            cpu = server.cpu_seconds()
            load = generator(server.port, paths, seconds, connections)
            load.server_cpu_s = server.cpu_seconds() - cpu
            if load.non_2xx:
                problems.append(f"{load.non_2xx} answers were not 2xx/3xx")
            if load.socket_errors:
                problems.append(f"{load.socket_errors} socket errors")
            tolerance = 0.25 if paths is cold_stories else 0.02
            if abs(load.bytes_per_request - size) > tolerance * size + 64:
                problems.append(
                    f"{load.bytes_per_request:.0f} bytes per answer, sample {size}"
                )
            measurement = Measurement(
                name=name,
                kind=kind,
                path=paths[0],
                distinct_paths=len(paths),
                load=load,
                sample_bytes=size,
                checks=problems,
            )
            if kind == "cold" and not measurement.all_misses:
                problems.append("the run outlasted its distinct URLs: some were hits")
            measurements.append(measurement)
            print(
                f"... {cache_name}: {name}: {load.rps:,.0f} req/s, p99 {load.p99_ms:.1f} ms",
                file=sys.stderr,
            )
    finally:
        server.stop()
    return Variant(
        cache=cache_name,
        measurements=measurements,
        load_before=load_before,
        load_after=_load(),
    )


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------
def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


CACHE_LABELS = {
    "locmem": "local memory, per gunicorn worker (benchmarks/site_settings.py)",
    "redis": "Redis",
}


def render(
    fixture: Fixture,
    queries: dict[str, InProcess],
    variants: Sequence[Variant],
    *,
    generator_name: str,
    seconds: float,
    connections: int,
) -> str:
    lines = [
        f"Public-site benchmark ({connection.vendor}, {fixture.stories:,} published "
        f"stories, {fixture.articles:,} articles, {fixture.companies} companies, "
        f"{fixture.corrections} corrections)",
        f"  server: gunicorn, {WORKERS} sync workers, production settings (DEBUG off, "
        "WhiteNoise manifest), 127.0.0.1",
        f"  load: {generator_name}, {connections} connections, {seconds:g} s per "
        f"measurement; machine: {os.cpu_count()} cores, {cpu_model()}",
        "",
        "Queries on a cache miss (in-process, Django test client; page and related-stories "
        "caches cleared):",
    ]
    for name, found in queries.items():
        lines.append(
            f"  {name:<11} {found.miss_queries:>2} queries "
            f"{_verdict(found.miss_queries <= TARGET_MISS_QUERIES)} "
            f"(target <= {TARGET_MISS_QUERIES}); a miss takes {found.miss_median_ms:.1f} "
            f"ms ({found.miss_cpu_ms:.1f} ms CPU, {found.miss_sql_ms:.1f} ms in SQL), "
            f"a hit {found.hit_median_ms:.2f} ms ({found.hit_queries} queries)"
        )
    for variant in variants:
        lines += [
            "",
            f"Cache: {CACHE_LABELS[variant.cache]}; load average {variant.load_before} "
            f"before, {variant.load_after} after",
            f"  {'page':<18} {'req/s':>7} {'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} "
            f"{'CPU/req':>8} {'server':>7} {'loadgen':>7}  targets",
        ]
        for m in variant.measurements:
            targets = []
            if m.kind == "warm":
                ratio = variant.warm_ratio(m.name)
                targets.append(
                    f"{ratio:.0%} of hello {_verdict(ratio >= TARGET_WARM_VS_HELLO)} "
                    f"(by CPU/req {variant.cpu_ratio(m.name):.0%})"
                )
            if m.kind != "hello":
                targets.append(f"p99 {_verdict(m.p99_ok)}")
            load = m.load
            lines.append(
                f"  {m.name:<18} {load.rps:>7,.0f} {load.p50_ms:>7.1f} "
                f"{load.p90_ms:>7.1f} {load.p99_ms:>7.1f} "
                f"{1000 * load.cpu_per_request:>5.1f} ms "
                f"{load.server_cpu_s / load.seconds:>6.2f}c "
                f"{load.generator_cpu_s / load.seconds:>6.2f}c  {'; '.join(targets)}"
            )
        busy = [m.load.p99_ms for m in variant.measurements if m.kind == "hello"]
        if max(busy) >= TARGET_P99_MS or variant.busiest_load > (os.cpu_count() or 1):
            lines.append(
                f"  NOTE: the machine was busy (load average up to "
                f"{variant.busiest_load:.1f} on {os.cpu_count()} cores; hello world's own "
                f"p99 up to {max(busy):.0f} ms): req/s and latencies say more about the "
                "other work than about the site; CPU/req holds better."
            )
        problems = [f"{m.name}: {p}" for m in variant.measurements for p in m.checks]
        lines.append(
            "  checks: "
            + (
                "; ".join(problems)
                if problems
                else "every answer 2xx, sizes match the checked samples (status 200 and "
                "the page's markers), cold runs never repeated a URL"
            )
        )
    lines += [
        "",
        f"Targets: warm pages >= {TARGET_WARM_VS_HELLO:.0%} of hello-world req/s (the "
        "mean of its two runs); <= "
        f"{TARGET_MISS_QUERIES} queries on a miss; p99 < {TARGET_P99_MS:.0f} ms.",
        "CPU/req: gunicorn's CPU time per answer. server / loadgen: CPU cores used by "
        "gunicorn (master and workers) and by the load generator during the measurement.",
        "In-process figures: medians of 20 misses, wall and CPU time, through Django's "
        "test client (no network; SQLite runs inside the process).",
        "warm: one URL again and again, from the page cache. cold: every request a URL not "
        "requested before, so a page-cache miss (front page: a distinct ?cold=N the view "
        "ignores but the cache key includes; story pages: a different story each time, so "
        "the related-stories cache misses too).",
    ]
    return "\n".join(lines)


def as_json(
    fixture: Fixture,
    queries: dict[str, InProcess],
    variants: Sequence[Variant],
    **meta: Any,
) -> dict[str, Any]:
    fixture_dict = asdict(fixture)
    fixture_dict.pop("cold_slugs")
    return {
        **meta,
        "database": connection.vendor,
        "fixture": fixture_dict,
        "queries_on_miss": {k: asdict(v) for k, v in queries.items()},
        "variants": [
            {
                "cache": v.cache,
                "hello_rps": v.hello_rps,
                "load_before": v.load_before,
                "load_after": v.load_after,
                "measurements": [
                    {
                        "name": m.name,
                        "kind": m.kind,
                        "path": m.path,
                        "distinct_paths": m.distinct_paths,
                        "sample_bytes": m.sample_bytes,
                        "checks": m.checks,
                        "rps": m.load.rps,
                        "bytes_per_request": m.load.bytes_per_request,
                        **asdict(m.load),
                        **(
                            {
                                "vs_hello": v.warm_ratio(m.name),
                                "vs_hello_by_cpu": v.cpu_ratio(m.name),
                            }
                            if m.kind == "warm"
                            else {}
                        ),
                    }
                    for m in v.measurements
                ],
            }
            for v in variants
        ],
    }


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------
def _redis_ready(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def _redis_flush(url: str) -> None:
    import redis

    redis.Redis.from_url(url, socket_timeout=5).flushdb()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--stories", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument(
        "--cache", choices=("auto", "locmem", "redis", "both"), default="auto"
    )
    parser.add_argument(
        "--redis-url",
        default=REDIS_URL,
        help="Redis database for the redis variant; it is emptied",
    )
    parser.add_argument(
        "--generator", choices=("auto", "wrk", "python"), default="auto"
    )
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--profile",
        action="store_true",
        help="instead: profile cache misses of both pages in-process (cProfile)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp directory")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    fixture = fill(args.stories)
    print(
        f"... filled {fixture.articles:,} articles: "
        f"{time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    # WhiteNoise's manifest storage needs the collected files, in-process too.
    call_command("collectstatic", "--noinput", verbosity=0)
    paths = {"front page": "/", "story page": f"/story/{fixture.heavy_slug}/"}
    if args.profile:
        profile(paths)
        return 0
    queries = in_process(paths)
    connection.close()  # gunicorn's workers open their own

    use_wrk = args.generator == "wrk" or (
        args.generator == "auto" and shutil.which("wrk") is not None
    )
    if args.generator == "wrk" and not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install -y wrk)")
    generator = wrk_load if use_wrk else python_load
    generator_name = (
        "wrk "
        + subprocess.run(
            ["wrk", "--version"], capture_output=True, text=True
        ).stdout.split()[1]
        if use_wrk
        else "Python threads (http.client)"
    )
    caches = {
        "auto": ["locmem", "redis"] if _redis_ready(args.redis_url) else ["locmem"],
        "locmem": ["locmem"],
        "redis": ["redis"],
        "both": ["locmem", "redis"],
    }[args.cache]
    if "redis" in caches and not _redis_ready(args.redis_url):
        sys.exit(f"Redis does not answer at {args.redis_url}")
    variants = []
    for name in caches:
        env = dict(os.environ)
        if name == "redis":
            env["REDIS_URL"] = args.redis_url
            CACHE_LABELS["redis"] = f"Redis ({args.redis_url}, shared by the workers)"
            _redis_flush(args.redis_url)
        try:
            variants.append(
                run_variant(
                    name,
                    env,
                    fixture,
                    generator=generator,
                    seconds=args.seconds,
                    connections=args.connections,
                )
            )
        finally:
            if name == "redis":
                _redis_flush(args.redis_url)
    meta = {
        "generator": generator_name,
        "seconds": args.seconds,
        "connections": args.connections,
        "workers": WORKERS,
    }
    print(
        render(
            fixture,
            queries,
            variants,
            generator_name=generator_name,
            seconds=args.seconds,
            connections=args.connections,
        )
    )
    if args.json:
        figures = as_json(fixture, queries, variants, **meta)
        figures["date"] = datetime.now(UTC).isoformat(timespec="seconds")
        args.json.write_text(json.dumps(figures, indent=2))
        print(f"Figures written to {args.json}")
    problems = [c for v in variants for m in v.measurements for c in m.checks]
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
