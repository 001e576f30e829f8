"""Feed-ingest benchmark: Newsroom's fetch → parse → ingest pipeline on real feeds.

Run from the project root::

    .venv/bin/python benchmarks/ingest.py [--copies 3] [--workers 2] [--json out.json]

The corpus (/work/shared/feeds/real, read in place, never copied) is served on loopback
by a threaded HTTP server in a subprocess, each file at ``--copies`` distinct URLs, with
ETag / If-None-Match → 304 like a well-behaved feed host. On the same URLs the script
measures, in one run:

1. Newsroom, first pass: one Source per URL, every source fetched through
   ``sources.services.source_fetch`` by ``--workers`` processes (a Celery worker with
   concurrency N).
2. Newsroom, second pass: the feeds are unchanged, so every fetch is a 304.
3. The ``reader`` library (feedparser + SQLite too) on the same URLs, same thread count.
4. ``feedparser.parse`` alone on every body: the ceiling of any pipeline built on
   feedparser.
5. Peak RSS of the worker processes, with 1 copy and with ``--copies`` copies.

The database is a throwaway SQLite file under /tmp unless DATABASE_URL is given (its
database name must contain "bench": the benchmark empties it). ``--profile`` runs both
passes in this one process under cProfile instead. See README.md in this directory for
what each figure means.
"""

from __future__ import annotations

import argparse
import cProfile
import email.utils
import hashlib
import json
import logging
import multiprocessing as mp
import os
import platform
import pstats
import queue
import resource
import shutil
import sys
import tempfile
import time
import urllib.request
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Lock
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parents[1]
CORPUS_DIR = Path(__file__).resolve().parents[2] / "shared" / "feeds" / "real"

# `python benchmarks/ingest.py` puts benchmarks/ on sys.path, not the project. Spawned
# worker processes re-import this module, so they get the same path.
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

from benchmarks.common import cpu_model  # noqa: E402

# Targets; README.md explains each.
TARGET_VS_READER = 1.5  # first-pass entries/s, as a multiple of reader's
TARGET_CPU_VS_FEEDPARSER = 1.25  # pipeline CPU per entry, as a multiple of feedparser's
TARGET_SECOND_PASS_SPEEDUP = 20.0  # first-pass wall time / second-pass wall time
TARGET_MEMORY_GROWTH = 0.15  # peak worker RSS with --copies N over the one with 1 copy


# --------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------
@dataclass
class WorkerReport:
    """What one worker process did in one pass."""

    pid: int
    tasks: int
    cpu_s: float  # time.process_time() between the start and the end of the pass
    peak_rss_mb: float  # ru_maxrss of the process so far
    crashes: list[str] = field(default_factory=list)  # exceptions out of source_fetch


@dataclass
class PassResult:
    """One pass of the Newsroom pipeline over every source."""

    sources: int
    wall_s: float
    cpu_s: float  # sum over the worker processes
    peak_rss_mb: float  # max over the worker processes
    outcomes: dict[str, int]  # FetchAttempt.outcome → count
    entries_processed: int  # sum of FetchAttempt.entries_found
    articles_created: int  # sum of FetchAttempt.new_count
    http_200: int  # as counted by the feed server
    http_304: int
    errors: list[str]
    workers: list[WorkerReport]

    @property
    def entries_per_s(self) -> float:
        return self.entries_processed / self.wall_s if self.wall_s else 0.0


@dataclass
class ReaderResult:
    feeds: int
    wall_s: float
    cpu_s: float  # the whole process: reader runs its worker threads in this one
    entries_stored: int
    rejected_feeds: list[str]  # URLs reader marked broken (it refuses ill-formed XML)
    entries_in_rejected: int  # feedparser's count for those: parsed, then dropped
    second_pass_wall_s: float
    second_pass_cpu_s: float

    @property
    def entries_processed(self) -> int:
        """Entries reader parsed: it parses a rejected feed in full before refusing it,
        so those count too (the basis most favourable to reader)."""
        return self.entries_stored + self.entries_in_rejected

    @property
    def entries_per_s(self) -> float:
        return self.entries_processed / self.wall_s if self.wall_s else 0.0


@dataclass
class ParseResult:
    label: str
    documents: int
    entries: int
    cpu_s: float
    entries_per_document: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def entries_per_s(self) -> float:
        return self.entries / self.cpu_s if self.cpu_s else 0.0

    @property
    def ms_per_entry(self) -> float:
        return 1000 * self.cpu_s / self.entries if self.entries else 0.0


# --------------------------------------------------------------------------------------
# The feed server: a subprocess, so that serving does not compete for the GIL with
# reader, which runs its threads in this process
# --------------------------------------------------------------------------------------
def _serve_corpus(corpus_dir: str, copies: int, port_out: Any) -> None:
    """Serve every corpus file at /c{k}/{name} for k < copies, with ETag and
    Last-Modified validators, until terminated. /_stats answers (and ?reset=1 clears)
    the status counts."""
    files = {}
    for path in sorted(Path(corpus_dir).iterdir()):
        body = path.read_bytes()
        files[path.name] = (
            body,
            f'"{hashlib.sha256(body).hexdigest()[:32]}"',
            email.utils.formatdate(path.stat().st_mtime, usegmt=True),
        )
    counts = {"200": 0, "304": 0, "404": 0}
    lock = Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real feed hosts
        # TCP_NODELAY, as nginx and most servers: otherwise the body, written after the
        # headers, waits for the client's delayed ACK (40 ms per response on Linux).
        disable_nagle_algorithm = True

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 (stdlib name)
            if self.path.startswith("/_stats"):
                with lock:
                    payload = json.dumps(counts).encode()
                    if "reset=1" in self.path:
                        counts.update(dict.fromkeys(counts, 0))
                self._reply(200, payload, {"Content-Type": "application/json"})
                return
            _, copy, name = (self.path.split("/", 2) + ["", ""])[:3]
            found = files.get(name)
            if not (found and copy[:1] == "c" and copy[1:].isdigit()) or (
                int(copy[1:]) >= copies
            ):
                self._count("404")
                self._reply(404, b"", {})
                return
            body, etag, last_modified = found
            validators = {"ETag": etag, "Last-Modified": last_modified}
            if self._not_modified(etag, last_modified):
                self._count("304")
                self._reply(304, None, validators)
                return
            self._count("200")
            self._reply(200, body, {"Content-Type": "application/xml", **validators})

        def _not_modified(self, etag: str, last_modified: str) -> bool:
            # RFC 9110 §13.2.2: If-None-Match wins over If-Modified-Since.
            if_none_match = self.headers.get("If-None-Match")
            if if_none_match is not None:
                tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
                return "*" in tags or etag in tags
            return self.headers.get("If-Modified-Since") == last_modified

        def _count(self, status: str) -> None:
            with lock:
                counts[status] += 1

        def _reply(
            self, status: int, body: bytes | None, headers: dict[str, str]
        ) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if body is not None:  # a 304 has no body and no Content-Length
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port_out.put(server.server_address[1])
    server.serve_forever()


class FeedServer:
    def __init__(self, corpus_dir: Path, copies: int) -> None:
        ctx = mp.get_context("spawn")
        port_queue = ctx.Queue()
        self.process = ctx.Process(
            target=_serve_corpus,
            args=(str(corpus_dir), copies, port_queue),
            name="feed-server",
            daemon=True,
        )
        self.process.start()
        self.base = f"http://127.0.0.1:{port_queue.get(timeout=30)}"

    def urls(self, names: Sequence[str], copies: int) -> list[str]:
        """Copy-major order: all feeds of copy 0, then of copy 1, ... A deployment's
        sources are distinct feeds, so two workers rarely hold copies of one feed at
        once."""
        return [f"{self.base}/c{k}/{name}" for k in range(copies) for name in names]

    def stats(self, *, reset: bool = False) -> dict[str, int]:
        url = f"{self.base}/_stats" + ("?reset=1" if reset else "")
        with urllib.request.urlopen(url, timeout=10) as response:
            return json.loads(response.read())

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(timeout=10)


# --------------------------------------------------------------------------------------
# Worker processes: each does what a Celery worker process does with fetch_source tasks
# --------------------------------------------------------------------------------------
def _worker_main(tasks: Any, commands: Any, results: Any) -> None:
    """Set Django up once, then run passes: on "run", take source ids from the shared
    queue until a None, then report this pass's CPU time and the process's peak RSS."""
    import django

    django.setup()
    from django.db import connections

    from sources.services import source_fetch

    results.put(os.getpid())  # ready: imports and app registry done
    while commands.get() == "run":
        report = WorkerReport(pid=os.getpid(), tasks=0, cpu_s=0.0, peak_rss_mb=0.0)
        started = time.process_time()
        while (source_id := tasks.get()) is not None:
            try:
                source_fetch(source_id=source_id)
            except Exception as exc:  # source_fetch records feed problems itself
                report.crashes.append(
                    f"source {source_id}: {type(exc).__name__}: {exc}"
                )
            report.tasks += 1
        report.cpu_s = time.process_time() - started
        connections.close_all()
        report.peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        results.put(report)


class WorkerPool:
    """N spawned processes fed from one queue: the shape of `celery worker -c N` with a
    prefetch multiplier of 1. Spawned, not forked, so that each worker's peak RSS is its
    own and not inherited from this process."""

    def __init__(self, size: int) -> None:
        ctx = mp.get_context("spawn")
        self.tasks = ctx.Queue()
        self.results = ctx.Queue()
        self.commands = [ctx.Queue() for _ in range(size)]
        self.processes = [
            ctx.Process(
                target=_worker_main,
                args=(self.tasks, commands, self.results),
                name=f"ingest-worker-{i}",
                daemon=True,
            )
            for i, commands in enumerate(self.commands)
        ]
        for process in self.processes:
            process.start()
        self._gather()  # each worker says when Django is set up

    def run(self, source_ids: Sequence[int]) -> tuple[float, list[WorkerReport]]:
        """Fetch every source once; returns the wall time and one report per worker."""
        for source_id in source_ids:
            self.tasks.put(source_id)
        for _ in self.processes:
            self.tasks.put(None)  # one end marker per worker: each stops at its first
        started = time.perf_counter()
        for commands in self.commands:
            commands.put("run")
        reports = self._gather()
        return time.perf_counter() - started, reports

    def _gather(self) -> list[Any]:
        """One message per worker; fails instead of waiting forever if one died."""
        messages: list[Any] = []
        while len(messages) < len(self.processes):
            try:
                messages.append(self.results.get(timeout=1))
            except queue.Empty:
                for process in self.processes:
                    if not process.is_alive():
                        raise RuntimeError(
                            f"{process.name} exited with code {process.exitcode}"
                        ) from None
        return messages

    def close(self) -> None:
        for commands in self.commands:
            commands.put("stop")
        for process in self.processes:
            process.join(timeout=30)
            if process.is_alive():
                process.terminate()


# --------------------------------------------------------------------------------------
# Database
# --------------------------------------------------------------------------------------
@dataclass
class BenchDatabase:
    url: str
    display: str = ""


def _configure_environment(workdir: Path) -> BenchDatabase:
    """Point the settings at the benchmark database. Must run before django.setup(); the
    spawned workers inherit the environment."""
    given = os.environ.get("DATABASE_URL", "")
    url = given or f"sqlite:///{workdir / 'bench.sqlite3'}"
    if given:
        import environ

        name = str(environ.Env.db_url_config(given).get("NAME", ""))
        if "bench" not in Path(name).name.lower():
            sys.exit(
                f"DATABASE_URL names the database {name!r}: the benchmark deletes all "
                "its data, so it only runs on a database whose name contains 'bench'."
            )
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"
    os.environ["NEWSROOM_ALLOW_PRIVATE_FEEDS"] = "1"  # the feeds are on 127.0.0.1
    # DEBUG keeps every query in memory: it would distort both CPU and peak RSS.
    os.environ["DEBUG"] = "0"
    # Ingest queues one enrichment task per new article. As in production, those are
    # published to a broker and left to other workers: here an in-process memory broker
    # that nothing consumes, so the publish is measured and enrichment is not (the
    # embedded default, eager tasks, would run enrichment inside the fetch). Never touch
    # a shared Redis, never call a paid API.
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
    os.environ["CELERY_BROKER_URL"] = "memory://localhost/"
    os.environ["REDIS_URL"] = ""
    os.environ["ANTHROPIC_API_KEY"] = ""
    os.environ["ENRICHMENT_BACKEND"] = "offline"
    # A throwaway key, so that the settings do not create var/dev-secret-key.
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + "x" * 40)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    return BenchDatabase(url=url)


def _ensure_postgres_database(url: str) -> None:
    """CREATE DATABASE when the PostgreSQL database named in the URL does not exist."""
    import environ
    import psycopg
    from psycopg import sql

    config = environ.Env.db_url_config(url)
    params = {
        "host": config.get("HOST"),
        "port": config.get("PORT"),
        "user": config.get("USER"),
        "password": config.get("PASSWORD"),
    }
    params = {key: value for key, value in params.items() if value}
    name = config["NAME"]
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if found.fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _prepare_database(db: BenchDatabase) -> None:
    import django
    from django.core.management import call_command
    from django.db import connection

    if db.url.startswith(("postgres://", "postgresql://", "pgsql://")):
        _ensure_postgres_database(db.url)
    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        import sqlite3

        timeout = connection.settings_dict.get("OPTIONS", {}).get("timeout")
        db.display = (
            f"SQLite {sqlite3.sqlite_version} (WAL, busy timeout {timeout} s) at {name}"
        )
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            version = cursor.fetchone()[0].split(" on ")[0]
        db.display = f"{version}, database {name}"
    connection.close()


def _empty_database() -> None:
    from django.core.management import call_command
    from django.db import connections

    call_command("flush", interactive=False, verbosity=0)
    connections.close_all()


# --------------------------------------------------------------------------------------
# Measurements
# --------------------------------------------------------------------------------------
@contextmanager
def _timed() -> Iterator[dict[str, float]]:
    """Wall and CPU (this process, all threads) time of a block."""
    timing: dict[str, float] = {}
    wall, cpu = time.perf_counter(), time.process_time()
    yield timing
    timing["wall_s"] = time.perf_counter() - wall
    timing["cpu_s"] = time.process_time() - cpu


def measure_feedparser(
    bodies: dict[str, bytes], label: str, **options: Any
) -> ParseResult:
    """feedparser.parse on every body once, in this process."""
    import feedparser

    counts: dict[str, int] = {}
    with _timed() as timing:
        for name, body in bodies.items():
            counts[name] = len(feedparser.parse(body, **options).entries)
    return ParseResult(
        label, len(bodies), sum(counts.values()), timing["cpu_s"], counts
    )


def create_sources(urls: Sequence[str]) -> float:
    """One Source per URL through the service; returns the seconds it took."""
    from django.db import connections

    from sources.services import source_create

    started = time.perf_counter()
    for url in urls:
        copy, name = url.rsplit("/", 2)[1:]
        source_create(feed_url=url, name=f"{name} ({copy})")
    connections.close_all()
    return time.perf_counter() - started


def _due_source_ids(expected: int) -> list[int]:
    """What the scheduler would enqueue now (sources.tasks.fetch_due_sources)."""
    from sources.services import sources_due

    due = sources_due(limit=expected + 1)
    if len(due) != expected:
        sys.exit(f"expected {expected} sources due, the scheduler found {len(due)}")
    return due


def run_pass(pool: WorkerPool, server: FeedServer, expected: int) -> PassResult:
    """Fetch every due source once with the pool and summarise what was recorded."""
    from django.db import connections
    from django.db.models import Count, Max, Sum

    from sources.models import FetchAttempt

    last_attempt = FetchAttempt.objects.aggregate(last=Max("pk"))["last"] or 0
    source_ids = _due_source_ids(expected)
    connections.close_all()  # hold no connection (nor SQLite lock) while workers write
    server.stats(reset=True)
    wall_s, reports = pool.run(source_ids)
    http = server.stats()

    attempts = FetchAttempt.objects.filter(pk__gt=last_attempt)
    totals = attempts.aggregate(entries=Sum("entries_found"), new=Sum("new_count"))
    by_outcome = attempts.values_list("outcome").annotate(n=Count("pk"))
    errors = [
        f"{url}: {kind}: {error}"
        for url, kind, error in attempts.filter(outcome=FetchAttempt.Outcome.ERROR)
        .values_list("url", "error_kind", "error")
        .order_by("url")
    ]
    errors += [crash for report in reports for crash in report.crashes]
    result = PassResult(
        sources=len(source_ids),
        wall_s=wall_s,
        cpu_s=sum(report.cpu_s for report in reports),
        peak_rss_mb=max(report.peak_rss_mb for report in reports),
        outcomes=dict(by_outcome.values_list("outcome", "n")),
        entries_processed=totals["entries"] or 0,
        articles_created=totals["new"] or 0,
        http_200=http["200"],
        http_304=http["304"],
        errors=errors,
        workers=reports,
    )
    connections.close_all()
    return result


def reset_schedule() -> None:
    """Make every source due again, as if its interval had elapsed."""
    from django.db import connections
    from django.utils import timezone

    from sources.models import Source

    Source.objects.update(next_fetch_at=timezone.now())
    connections.close_all()


def newsroom_run(
    server: FeedServer, urls: Sequence[str], workers: int, *, second_pass: bool
) -> tuple[float, PassResult, PassResult | None]:
    """Empty database, sources created, a first (and a second) pass with fresh workers.
    Returns the source-creation time and the passes."""
    _empty_database()
    creation_s = create_sources(urls)
    pool = WorkerPool(workers)
    try:
        first = run_pass(pool, server, len(urls))
        second = None
        if second_pass:
            reset_schedule()
            second = run_pass(pool, server, len(urls))
    finally:
        pool.close()
    return creation_s, first, second


def _provide_sgmllib() -> None:
    """reader parses with its own vendored feedparser, which imports ``sgmllib`` (the
    sgmllib3k distribution, not installed here). The project's feedparser uses
    ``feedparser_sgmllib``: the same Python 2.7 sgmllib, maintained by the feedparser
    project. Alias one to the other rather than install into the shared venv."""
    try:
        import sgmllib  # noqa: F401
    except ModuleNotFoundError:
        import feedparser_sgmllib

        sys.modules["sgmllib"] = feedparser_sgmllib


def measure_reader(
    urls: Sequence[str],
    workdir: Path,
    workers: int,
    entries_per_document: dict[str, int],
) -> ReaderResult:
    """reader on the same URLs: a fresh database, one update, then an unchanged one."""
    _provide_sgmllib()
    from reader import make_reader

    # reader logs a warning per feed (and a traceback per refused one); keep the report
    # readable. Django's LOGGING would print them to the console.
    logging.getLogger("reader").setLevel(logging.CRITICAL)
    reader = make_reader(str(workdir / "reader.sqlite"))
    try:
        for url in urls:
            reader.add_feed(url)
        with warnings.catch_warnings(), _timed() as first:
            warnings.simplefilter("ignore")
            reader.update_feeds(workers=workers)
        stored = reader.get_entry_counts().total
        assert stored is not None  # a COUNT(*); reader's type leaves room for None
        rejected = sorted(feed.url for feed in reader.get_feeds(broken=True))
        # Feeds updated a moment ago are not "scheduled"; force the second round.
        with warnings.catch_warnings(), _timed() as second:
            warnings.simplefilter("ignore")
            reader.update_feeds(workers=workers, scheduled=False)
    finally:
        reader.close()
    return ReaderResult(
        feeds=len(urls),
        wall_s=first["wall_s"],
        cpu_s=first["cpu_s"],
        entries_stored=stored,
        rejected_feeds=rejected,
        entries_in_rejected=sum(
            entries_per_document[url.rsplit("/", 1)[1]] for url in rejected
        ),
        second_pass_wall_s=second["wall_s"],
        second_pass_cpu_s=second["cpu_s"],
    )


def profile_passes(urls: Sequence[str], top: int) -> None:
    """Both passes in this one process under cProfile; prints the top functions."""
    from sources.services import source_fetch

    _empty_database()
    create_sources(urls)
    for label in ("first pass", "second pass (unchanged feeds)"):
        if label.startswith("second"):
            reset_schedule()
        source_ids = _due_source_ids(len(urls))
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for source_id in source_ids:
            source_fetch(source_id=source_id)
        profiler.disable()
        elapsed = time.perf_counter() - started
        print(f"\n=== {label}: {len(source_ids)} sources, one process, {elapsed:.1f} s")
        stats = _short_paths(pstats.Stats(profiler, stream=sys.stdout))
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)


def _short_paths(stats: pstats.Stats) -> pstats.Stats:
    """File names relative to site-packages, the stdlib or the project: unlike
    strip_dirs(), which merges every package's ``__init__.py``, names stay distinct."""
    roots = sorted({str(PROJECT_DIR), *sys.path} - {""}, key=len, reverse=True)

    def short(key: tuple[str, int, str]) -> tuple[str, int, str]:
        filename, line, name = key
        for root in roots:
            if filename.startswith(root + os.sep):
                return filename[len(root) + 1 :], line, name
        return key

    # Stats.stats, Stats.fcn_list and pstats.add_func_stats are undocumented internals that
    # typeshed leaves out.
    table: dict[tuple[str, int, str], tuple[Any, ...]] = {}
    for key, (cc, nc, tt, ct, callers) in stats.stats.items():  # type: ignore[attr-defined]
        entry = (cc, nc, tt, ct, {short(k): v for k, v in callers.items()})
        if short(key) in table:  # two files with one relative name: add them up
            entry = pstats.add_func_stats(table[short(key)], entry)  # type: ignore[attr-defined]
        table[short(key)] = entry
    stats.stats = table  # type: ignore[attr-defined]
    stats.fcn_list = None  # type: ignore[attr-defined]  # the sort cache
    return stats


# --------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------
def _fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    return str(value)


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    """A plain-text table: the first and last columns left-aligned, the others right."""
    cells = [list(headers), *[[_fmt(v) for v in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        parts = [
            value.ljust(width) if i in (0, len(row) - 1) else value.rjust(width)
            for i, (value, width) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return [line(cells[0]), rule, *(line(row) for row in cells[1:])]


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


@dataclass
class Figures:
    """Everything measured in one run."""

    args: argparse.Namespace
    db: BenchDatabase
    corpus: dict[str, bytes]
    load_before: str
    parse_default: ParseResult
    parse_as_pipeline: ParseResult
    creation_s: float
    first: PassResult
    second: PassResult
    articles_stored: int
    reader: ReaderResult | None
    one_copy: PassResult | None  # first pass with 1 copy, for the memory comparison
    total_s: float = 0.0

    # Derived figures, each compared with its target.
    def throughput_vs_reader(self) -> float | None:
        if not self.reader:
            return None
        return self.first.entries_per_s / max(self.reader.entries_per_s, 1e-9)

    def pipeline_ms_per_entry(self) -> float:
        return 1000 * self.first.cpu_s / max(self.first.entries_processed, 1)

    def cpu_vs_feedparser(self) -> float:
        return self.pipeline_ms_per_entry() / self.parse_default.ms_per_entry

    def second_pass_speedup(self) -> float:
        return self.first.wall_s / max(self.second.wall_s, 1e-9)

    def memory_growth(self) -> float | None:
        if not self.one_copy:
            return None
        return self.first.peak_rss_mb / self.one_copy.peak_rss_mb - 1

    def verdicts(self) -> dict[str, bool]:
        verdicts = {
            "cpu_vs_feedparser": self.cpu_vs_feedparser() <= TARGET_CPU_VS_FEEDPARSER,
            "second_pass_speedup": self.second_pass_speedup()
            >= TARGET_SECOND_PASS_SPEEDUP,
        }
        if (ratio := self.throughput_vs_reader()) is not None:
            verdicts["throughput_vs_reader"] = ratio >= TARGET_VS_READER
        if (growth := self.memory_growth()) is not None:
            verdicts["memory_flat"] = growth <= TARGET_MEMORY_GROWTH
        return verdicts


def _header_lines(f: Figures) -> list[str]:
    import django
    import feedparser
    import reader

    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    size_mb = sum(len(body) for body in f.corpus.values()) / 1e6
    return [
        "Newsroom feed-ingest benchmark",
        "==============================",
        f"Machine   {os.cpu_count()} CPUs ({usable} usable), {cpu_model()}, "
        f"{platform.system()} {platform.release()}",
        f"Load      {f.load_before} before, {_load()} after (1/5/15 min; other work "
        "on the machine skews the figures)",
        f"Software  Python {platform.python_version()}, Django {django.get_version()}, "
        f"feedparser {feedparser.__version__}, reader {reader.__version__}",
        f"Database  {f.db.display}",
        f"Corpus    {len(f.corpus)} feeds, {size_mb:.1f} MB, "
        f"{f.parse_default.entries:,} entries; x {f.args.copies} copies = "
        f"{f.first.sources} URLs, {f.parse_default.entries * f.args.copies:,} entries",
        f"Workers   Newsroom: {f.args.workers} processes; reader: "
        f"update_feeds(workers={f.args.workers}), threads in one process",
    ]


def _measurement_lines(f: Figures) -> list[str]:
    def cores(cpu_s: float | None, wall_s: float) -> float | None:
        return cpu_s / wall_s if cpu_s is not None and wall_s else None

    first, second, reader = f.first, f.second, f.reader
    stored_per_s = f.articles_stored / first.wall_s
    rows: list[list[object]] = [
        [
            "Newsroom, first pass",
            first.wall_s,
            first.cpu_s,
            cores(first.cpu_s, first.wall_s),
            first.entries_processed,
            first.entries_per_s,
            f"{f.articles_stored:,} articles stored ({stored_per_s:,.0f}/s)",
        ],
        [
            "Newsroom, second pass",
            second.wall_s,
            second.cpu_s,
            cores(second.cpu_s, second.wall_s),
            None,
            None,
            f"{second.http_304:,} x 304, "
            f"{1000 * second.cpu_s / second.sources:.1f} ms CPU per source",
        ],
    ]
    if reader:
        rows.append(
            [
                "reader, first update",
                reader.wall_s,
                reader.cpu_s,
                cores(reader.cpu_s, reader.wall_s),
                reader.entries_processed,
                reader.entries_per_s,
                f"{reader.entries_stored:,} stored, "
                f"{len(reader.rejected_feeds)} feeds refused",
            ]
        )
        rows.append(
            [
                "reader, second update",
                reader.second_pass_wall_s,
                reader.second_pass_cpu_s,
                cores(reader.second_pass_cpu_s, reader.second_pass_wall_s),
                None,
                None,
                "",
            ]
        )
    for parse, note in (
        (f.parse_default, "each body once, 1 process; per CPU second"),
        (f.parse_as_pipeline, "same, sanitize_html/resolve_relative_uris off"),
    ):
        rows.append(
            [
                parse.label,
                None,
                parse.cpu_s,
                None,
                parse.entries,
                parse.entries_per_s,
                note,
            ]
        )
    headers = [
        "Measurement",
        "wall s",
        "CPU s",
        "cores",
        "entries",
        "entries/s",
        "notes",
    ]
    return [
        *_table(headers, rows),
        "(cores = CPU s / wall s: how much of the machine a measurement got)",
    ]


def _worker_lines(f: Figures) -> list[str]:
    rows: list[list[object]] = []
    passes = [(f"{f.args.copies} copies, first pass", f.first)]
    passes.append((f"{f.args.copies} copies, second pass", f.second))
    if f.one_copy:
        passes.append(("1 copy, first pass", f.one_copy))
    for label, result in passes:
        for report in sorted(result.workers, key=lambda r: r.pid):
            rows.append(
                [
                    f"{label}, pid {report.pid}",
                    report.tasks,
                    report.cpu_s,
                    report.peak_rss_mb,
                ]
            )
    return _table(["Worker process", "sources", "CPU s", "peak RSS MB"], rows)


def _check_lines(f: Figures) -> list[str]:
    first, second = f.first, f.second
    expected = f.parse_default.entries * f.args.copies
    dropped = expected - first.entries_processed
    lines = [
        "Checks",
        f"  first pass: {first.outcomes.get('ok', 0):,} of {first.sources:,} fetches "
        f"ok, {first.http_200:,} x 200 served, {len(first.errors)} errors",
        *(f"    ! {error}" for error in first.errors[:10]),
        "  entries processed (sum of FetchAttempt.entries_found) "
        f"{first.entries_processed:,}, feedparser finds {expected:,}: "
        + (
            "equal"
            if dropped == 0
            else f"{dropped:,} fewer (empty <item>s and verbatim repeats within a "
            "document are dropped by parse_feed)"
        ),
        f"  articles stored {f.articles_stored:,}, sum of FetchAttempt.new_count "
        f"{first.articles_created:,}: "
        + ("consistent" if f.articles_stored == first.articles_created else "MISMATCH"),
        f"    the other {first.entries_processed - f.articles_stored:,} entries were "
        "already stored from another URL (the copies,",
        "    and a few repeats within the corpus): deduplicated by canonical URL or",
        "    content hash. entries/s counts entries processed, stored or not",
        f"  second pass: {second.outcomes.get('not_modified', 0):,} of "
        f"{second.sources:,} fetches not_modified, {second.http_304:,} x 304 served, "
        f"{len(second.errors)} errors",
        *(f"    ! {error}" for error in second.errors[:10]),
    ]
    if f.reader:
        names = sorted({url.rsplit("/", 1)[1] for url in f.reader.rejected_feeds})
        lines += [
            f"  reader stored {f.reader.entries_stored:,} entries (one per feed and "
            "entry id, no deduplication across feeds)",
            f"    and refused {len(f.reader.rejected_feeds)} feeds as ill-formed XML "
            f"({f.reader.entries_in_rejected:,} entries; counted as processed, since",
            "    reader parses them in full first; Newsroom stores them):",
            *(f"      {name}" for name in names),
        ]
    return lines


def _target_lines(f: Figures) -> list[str]:
    verdicts = f.verdicts()
    rows: list[list[object]] = []

    def verdict(key: str) -> str:
        return "PASS" if verdicts[key] else "MISS"

    if f.reader and (ratio := f.throughput_vs_reader()) is not None:
        rows.append(
            [
                "first pass entries/s vs reader",
                f"{f.first.entries_per_s:,.0f} vs {f.reader.entries_per_s:,.0f}/s"
                f" = {ratio:.2f}x",
                f">= {TARGET_VS_READER}x",
                verdict("throughput_vs_reader"),
            ]
        )
    rows.append(
        [
            "pipeline CPU per entry vs feedparser",
            f"{f.pipeline_ms_per_entry():.2f} vs {f.parse_default.ms_per_entry:.2f} ms"
            f" = {f.cpu_vs_feedparser():.2f}x",
            f"<= {TARGET_CPU_VS_FEEDPARSER}x",
            verdict("cpu_vs_feedparser"),
        ]
    )
    rows.append(
        [
            "second pass speed-up",
            f"{f.first.wall_s:.2f} / {f.second.wall_s:.2f} s"
            f" = {f.second_pass_speedup():.1f}x",
            f">= {TARGET_SECOND_PASS_SPEEDUP:.0f}x",
            verdict("second_pass_speedup"),
        ]
    )
    if f.one_copy and (growth := f.memory_growth()) is not None:
        rows.append(
            [
                f"peak worker RSS, {f.args.copies} copies vs 1",
                f"{f.first.peak_rss_mb:.0f} vs {f.one_copy.peak_rss_mb:.0f} MB"
                f" = {growth:+.1%}",
                f"<= {TARGET_MEMORY_GROWTH:+.0%}",
                verdict("memory_flat"),
            ]
        )
    lines = _table(["Target", "measured", "target", "result"], rows)
    if f.reader:
        # Wall-clock throughput depends on how many cores were free; this does not.
        ours = f.first.entries_processed / f.first.cpu_s
        theirs = f.reader.entries_processed / f.reader.cpu_s
        lines.append(
            f"(per CPU second, whatever the free cores: Newsroom {ours:,.0f}, reader "
            f"{theirs:,.0f} entries = {ours / theirs:.2f}x)"
        )
    return lines


def render(f: Figures) -> str:
    sections = [
        _header_lines(f),
        _measurement_lines(f),
        _worker_lines(f),
        _check_lines(f),
        _target_lines(f),
        [f"Benchmark total: {f.total_s:.0f} s"],
    ]
    return "\n\n".join("\n".join(section) for section in sections)


def as_json(f: Figures) -> dict[str, Any]:
    import django
    import feedparser
    import reader

    def pass_dict(result: PassResult | None) -> dict[str, Any] | None:
        if result is None:
            return None
        return asdict(result) | {"entries_per_s": result.entries_per_s}

    return {
        "machine": {
            "cpu_count": os.cpu_count(),
            "cpu_model": cpu_model(),
            "load_before": f.load_before,
            "python": platform.python_version(),
            "platform": platform.platform(),
            "django": django.get_version(),
            "feedparser": feedparser.__version__,
            "reader": reader.__version__,
            "database": f.db.display,
        },
        "config": {
            "copies": f.args.copies,
            "workers": f.args.workers,
            "feeds": len(f.corpus),
            "urls": f.first.sources,
        },
        "feedparser": {
            "defaults": asdict(f.parse_default)
            | {"ms_per_entry": f.parse_default.ms_per_entry},
            "as_parse_feed": asdict(f.parse_as_pipeline)
            | {"ms_per_entry": f.parse_as_pipeline.ms_per_entry},
        },
        "newsroom": {
            "source_creation_s": f.creation_s,
            "first_pass": pass_dict(f.first),
            "second_pass": pass_dict(f.second),
            "articles_stored": f.articles_stored,
            "one_copy_first_pass": pass_dict(f.one_copy),
        },
        "reader": (
            asdict(f.reader)
            | {
                "entries_processed": f.reader.entries_processed,
                "entries_per_s": f.reader.entries_per_s,
            }
            if f.reader
            else None
        ),
        "derived": {
            "throughput_vs_reader": f.throughput_vs_reader(),
            "pipeline_cpu_ms_per_entry": f.pipeline_ms_per_entry(),
            "feedparser_cpu_ms_per_entry": f.parse_default.ms_per_entry,
            "cpu_vs_feedparser": f.cpu_vs_feedparser(),
            "second_pass_speedup": f.second_pass_speedup(),
            "memory_growth": f.memory_growth(),
            "newsroom_entries_per_cpu_s": f.first.entries_processed / f.first.cpu_s,
            "reader_entries_per_cpu_s": (
                f.reader.entries_processed / f.reader.cpu_s if f.reader else None
            ),
        },
        "targets": f.verdicts(),
        "total_s": f.total_s,
    }


def _article_count() -> int:
    from django.db import connections

    from articles.models import Article

    count = Article.objects.count()
    connections.close_all()
    return count


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------
def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark Newsroom's feed-ingest pipeline against reader and "
        "feedparser on the real-feed corpus.",
    )
    parser.add_argument(
        "--copies", type=int, default=3, help="URLs per corpus file (3)"
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="worker processes / reader threads (2)"
    )
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    parser.add_argument(
        "--no-memory-check",
        action="store_true",
        help="skip the 1-copy run that the peak-RSS comparison needs",
    )
    parser.add_argument("--no-reader", action="store_true", help="skip the reader run")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="instead: run both passes in one process under cProfile, print the top 25",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary directory (databases)"
    )
    args = parser.parse_args(argv)
    if args.copies < 1 or args.workers < 1:
        parser.error("--copies and --workers must be at least 1")
    return args


def _step(message: str) -> Callable[[], None]:
    """Print a progress line to stderr; the returned function ends it with the time."""
    started = time.perf_counter()
    print(f"... {message}", end="", file=sys.stderr, flush=True)
    return lambda: print(f": {time.perf_counter() - started:.1f} s", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    if not CORPUS_DIR.is_dir() or not any(CORPUS_DIR.iterdir()):
        sys.exit(f"feed corpus not found: {CORPUS_DIR} should hold the real-feed files")
    corpus = {
        p.name: p.read_bytes() for p in sorted(CORPUS_DIR.iterdir()) if p.is_file()
    }

    started = time.perf_counter()
    load_before = _load()
    workdir = Path(tempfile.mkdtemp(prefix="newsroom-bench-"))
    server: FeedServer | None = None
    try:
        db = _configure_environment(workdir)
        done = _step("migrating the benchmark database")
        _prepare_database(db)
        done()
        server = FeedServer(CORPUS_DIR, args.copies)
        urls = server.urls(list(corpus), args.copies)

        if args.profile:
            profile_passes(urls, top=25)
            return 0

        done = _step("feedparser alone")
        parse_default = measure_feedparser(corpus, "feedparser.parse, defaults")
        parse_as_pipeline = measure_feedparser(
            corpus,
            "feedparser.parse, as parse_feed",
            response_headers={"content-type": "application/xml"},
            sanitize_html=False,
            resolve_relative_uris=False,
        )
        done()

        one_copy = None
        if args.copies > 1 and not args.no_memory_check:
            done = _step("Newsroom, 1 copy (the peak-memory baseline)")
            _, one_copy, _ = newsroom_run(
                server, urls[: len(corpus)], args.workers, second_pass=False
            )
            done()

        done = _step(f"Newsroom, {len(urls)} sources, two passes")
        creation_s, first, second = newsroom_run(
            server, urls, args.workers, second_pass=True
        )
        assert second is not None
        articles_stored = _article_count()
        done()

        reader_result = None
        if not args.no_reader:
            done = _step("reader, two updates")
            reader_result = measure_reader(
                urls, workdir, args.workers, parse_default.entries_per_document
            )
            done()

        figures = Figures(
            args=args,
            db=db,
            corpus=corpus,
            load_before=load_before,
            parse_default=parse_default,
            parse_as_pipeline=parse_as_pipeline,
            creation_s=creation_s,
            first=first,
            second=second,
            articles_stored=articles_stored,
            reader=reader_result,
            one_copy=one_copy,
        )
        figures.total_s = time.perf_counter() - started
        print(render(figures))
        if args.json:
            Path(args.json).write_text(json.dumps(as_json(figures), indent=2) + "\n")
            print(f"Figures written to {args.json}")
        return 0
    finally:
        if server:
            server.stop()
        if args.keep:
            print(f"Kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
