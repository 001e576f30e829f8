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
4. ``feedparser.parse`` alone on every body: the ceiling of any feedparser-based pipeline.
5. Peak RSS of the worker processes, with 1 copy and with ``--copies`` copies.

The database is a throwaway SQLite file under /tmp unless DATABASE_URL is given (its
database name must contain "bench": the benchmark empties it). See README.md in this
directory for what each figure means.
"""

from __future__ import annotations

import argparse
import cProfile
import email.utils
import hashlib
import json
import multiprocessing as mp
import os
import platform
import pstats
import resource
import shutil
import sys
import tempfile
import time
import urllib.request
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

# Targets (see README.md).
TARGET_VS_READER = 1.5  # first-pass entries/s, as a multiple of reader's
TARGET_CPU_VS_FEEDPARSER = 1.25  # pipeline CPU per entry, as a multiple of feedparser's
TARGET_SECOND_PASS_SPEEDUP = 20.0  # first-pass wall time / second-pass wall time
TARGET_MEMORY_GROWTH = 0.15  # peak worker RSS, --copies N vs 1 copy


# ------------------------------------------------------------------------------------------
# Results
# ------------------------------------------------------------------------------------------
@dataclass
class WorkerReport:
    """What one worker process did in one pass."""

    pid: int
    tasks: int
    cpu_s: float  # time.process_time() spent between the start and the end of the pass
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
    cpu_s: float  # the whole process: reader runs its threads in this one
    entries: int
    broken_feeds: int
    second_pass_wall_s: float

    @property
    def entries_per_s(self) -> float:
        return self.entries / self.wall_s if self.wall_s else 0.0


@dataclass
class ParseResult:
    label: str
    documents: int
    entries: int
    cpu_s: float

    @property
    def entries_per_s(self) -> float:
        return self.entries / self.cpu_s if self.cpu_s else 0.0


# ------------------------------------------------------------------------------------------
# The feed server (a subprocess, so that serving does not compete for the GIL with reader,
# which runs its threads in this process)
# ------------------------------------------------------------------------------------------
def _serve_corpus(corpus_dir: str, copies: int, port_out: Any) -> None:
    """Serve every corpus file at /c{k}/{name} for k < copies, with ETag and Last-Modified
    validators, until terminated. /_stats answers (and ?reset=1 clears) request counts."""
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
            if not found or not copy.startswith("c") or not copy[1:].isdigit():
                self._count("404")
                self._reply(404, b"", {})
                return
            if int(copy[1:]) >= copies:
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

        def _reply(self, status: int, body: bytes | None, headers: dict[str, str]) -> None:
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
        """Copy-major order: all feeds of copy 0, then of copy 1, ... A deployment's sources
        are distinct feeds, so two workers rarely hold copies of one feed at once."""
        return [f"{self.base}/c{k}/{name}" for k in range(copies) for name in names]

    def stats(self, *, reset: bool = False) -> dict[str, int]:
        url = f"{self.base}/_stats" + ("?reset=1" if reset else "")
        with urllib.request.urlopen(url, timeout=10) as response:
            return json.loads(response.read())

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(timeout=10)


# ------------------------------------------------------------------------------------------
# Worker processes: each one is what a Celery worker process does with fetch_source tasks
# ------------------------------------------------------------------------------------------
def _worker_main(tasks: Any, commands: Any, results: Any) -> None:
    """Set Django up once, then run passes: on "run", take source ids from the shared queue
    until a None, then report this pass's CPU time and the process's peak RSS."""
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
                report.crashes.append(f"source {source_id}: {type(exc).__name__}: {exc}")
            report.tasks += 1
        report.cpu_s = time.process_time() - started
        connections.close_all()
        report.peak_rss_mb = _peak_rss_mb(resource.RUSAGE_SELF)
        results.put(report)


def _peak_rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux


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
        for _ in self.processes:
            self.results.get(timeout=120)

    def run(self, source_ids: Sequence[int]) -> tuple[float, list[WorkerReport]]:
        """Fetch every source once; returns the wall time and one report per worker."""
        for source_id in source_ids:
            self.tasks.put(source_id)
        for _ in self.processes:
            self.tasks.put(None)  # one end marker per worker
        started = time.perf_counter()
        for commands in self.commands:
            commands.put("run")
        reports = [self.results.get() for _ in self.processes]
        return time.perf_counter() - started, reports

    def close(self) -> None:
        for commands in self.commands:
            commands.put("stop")
        for process in self.processes:
            process.join(timeout=30)
            if process.is_alive():
                process.terminate()


# ------------------------------------------------------------------------------------------
# Database
# ------------------------------------------------------------------------------------------
@dataclass
class BenchDatabase:
    url: str
    workdir: Path  # temporary directory for the SQLite and reader databases
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
                f"DATABASE_URL names the database {name!r}: the benchmark deletes all its "
                "data, so it only runs on a database whose name contains 'bench'."
            )
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"
    os.environ["NEWSROOM_ALLOW_PRIVATE_FEEDS"] = "1"  # the feeds are on 127.0.0.1
    # DEBUG keeps every query in memory: it would distort both CPU and peak RSS.
    os.environ["DEBUG"] = "0"
    # A throwaway key, so that settings do not create var/dev-secret-key.
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + "x" * 40)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    return BenchDatabase(url=url, workdir=workdir)


def _ensure_postgres_database(url: str) -> None:
    """CREATE DATABASE when the PostgreSQL database in the URL does not exist yet."""
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
    vendor = connection.vendor
    if vendor == "sqlite":
        import sqlite3

        timeout = connection.settings_dict.get("OPTIONS", {}).get("timeout")
        db.display = (
            f"SQLite {sqlite3.sqlite_version} (WAL, busy timeout {timeout} s) "
            f"at {connection.settings_dict['NAME']}"
        )
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            version = cursor.fetchone()[0].split(" on ")[0]
        db.display = f"{version} ({connection.settings_dict['NAME']})"


def _empty_database() -> None:
    from django.core.management import call_command
    from django.db import connections

    call_command("flush", interactive=False, verbosity=0)
    connections.close_all()


# ------------------------------------------------------------------------------------------
# Measurements
# ------------------------------------------------------------------------------------------
@contextmanager
def _timed() -> Iterator[dict[str, float]]:
    """Wall and CPU (this process) time of a block."""
    timing: dict[str, float] = {}
    wall, cpu = time.perf_counter(), time.process_time()
    yield timing
    timing["wall_s"] = time.perf_counter() - wall
    timing["cpu_s"] = time.process_time() - cpu


def measure_feedparser(
    bodies: dict[str, bytes], label: str, **options: Any
) -> tuple[ParseResult, dict[str, int]]:
    """feedparser.parse on every body once, in this process; also entries per document."""
    import feedparser

    counts: dict[str, int] = {}
    with _timed() as timing:
        for name, body in bodies.items():
            counts[name] = len(feedparser.parse(body, **options).entries)
    result = ParseResult(label, len(bodies), sum(counts.values()), timing["cpu_s"])
    return result, counts


def create_sources(urls: Sequence[str]) -> float:
    """One Source per URL through the service; returns the seconds it took."""
    from sources.services import source_create

    started = time.perf_counter()
    for url in urls:
        copy, name = url.rsplit("/", 2)[1:]
        source_create(feed_url=url, name=f"{name} ({copy})")
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
    outcomes = dict(
        attempts.values_list("outcome").annotate(n=Count("pk")).values_list("outcome", "n")
    )
    errors = [
        f"{url}: {kind}: {error}"
        for url, kind, error in attempts.filter(outcome=FetchAttempt.Outcome.ERROR)
        .values_list("url", "error_kind", "error")
        .order_by("url")
    ]
    errors += [crash for report in reports for crash in report.crashes]
    connections.close_all()
    return PassResult(
        sources=len(source_ids),
        wall_s=wall_s,
        cpu_s=sum(report.cpu_s for report in reports),
        peak_rss_mb=max(report.peak_rss_mb for report in reports),
        outcomes=outcomes,
        entries_processed=totals["entries"] or 0,
        articles_created=totals["new"] or 0,
        http_200=http["200"],
        http_304=http["304"],
        errors=errors,
        workers=reports,
    )


def reset_schedule() -> None:
    """Make every source due again, as if its interval had elapsed."""
    from django.db import connections
    from django.utils import timezone

    from sources.models import Source

    Source.objects.update(next_fetch_at=timezone.now())
    connections.close_all()


def measure_reader(urls: Sequence[str], workdir: Path, workers: int) -> ReaderResult:
    """reader on the same URLs: a fresh database, one update, then an unchanged one."""
    from reader import make_reader

    reader = make_reader(str(workdir / "reader.sqlite"))
    try:
        for url in urls:
            reader.add_feed(url)
        with _timed() as first:
            reader.update_feeds(workers=workers)
        entries = reader.get_entry_counts().total
        broken = sum(1 for _ in reader.get_feeds(broken=True))
        # Recently updated feeds are not "scheduled"; force the second round.
        with _timed() as second:
            reader.update_feeds(workers=workers, scheduled=False)
    finally:
        reader.close()
    return ReaderResult(
        feeds=len(urls),
        wall_s=first["wall_s"],
        cpu_s=first["cpu_s"],
        entries=entries,
        broken_feeds=broken,
        second_pass_wall_s=second["wall_s"],
    )


def newsroom_run(
    server: FeedServer, urls: Sequence[str], workers: int, *, second_pass: bool
) -> tuple[float, PassResult, PassResult | None]:
    """Empty database, sources created, first pass (and second pass) with fresh workers."""
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


def profile_first_pass(urls: Sequence[str], top: int) -> None:
    """A first pass in this one process under cProfile; prints the top functions."""
    from django.db import connection

    from sources.services import source_fetch

    _empty_database()
    create_sources(urls)
    source_ids = _due_source_ids(len(urls))
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for source_id in source_ids:
        source_fetch(source_id=source_id)
    profiler.disable()
    elapsed = time.perf_counter() - started
    connection.close()
    print(f"\nProfile of a single-process first pass: {len(urls)} sources, {elapsed:.1f} s")
    for order in ("cumulative", "tottime"):
        print(f"\n--- top {top} by {order} ---")
        pstats.Stats(profiler, stream=sys.stdout).sort_stats(order).print_stats(top)


# ------------------------------------------------------------------------------------------
# Report
# ------------------------------------------------------------------------------------------
def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table; the first column left-aligned, the others right-aligned."""
    cells = [[str(h) for h in headers], *[[_fmt(v) for v in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        first, *rest = row
        parts = [first.ljust(widths[0])] + [
            value.rjust(width) for value, width in zip(rest, widths[1:], strict=True)
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    return str(value)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def build_report(
    *,
    args: argparse.Namespace,
    db: BenchDatabase,
    corpus: dict[str, bytes],
    parse_default: ParseResult,
    parse_pipeline: ParseResult,
    creation_s: float,
    first: PassResult,
    second: PassResult,
    reader_result: ReaderResult | None,
    memory_one_copy: PassResult | None,
    total_s: float,
) -> tuple[str, dict[str, Any]]:
    """The printed report and the same figures as a JSON-ready dict."""
    import django
    import feedparser
    import reader

    copies = args.copies
    entries_expected = parse_default.entries * copies
    cpu_per_entry_ms = 1000 * first.cpu_s / max(first.entries_processed, 1)
    fp_per_entry_ms = 1000 * parse_default.cpu_s / max(parse_default.entries, 1)
    speedup = first.wall_s / second.wall_s if second.wall_s else float("inf")

    out: list[str] = []
    out.append("Newsroom feed-ingest benchmark")
    out.append("=" * 30)
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    out.append(
        f"Machine   {os.cpu_count()} CPUs ({affinity} usable), {_cpu_model()}, "
        f"{platform.system()} {platform.release()}"
    )
    out.append(
        f"Software  Python {platform.python_version()}, Django {django.get_version()}, "
        f"feedparser {feedparser.__version__}, reader {reader.__version__}"
    )
    out.append(f"Database  {db.display}")
    size_mb = sum(len(body) for body in corpus.values()) / 1e6
    out.append(
        f"Corpus    {len(corpus)} feeds ({size_mb:.1f} MB, {parse_default.entries:,} "
        f"entries by feedparser) x {copies} copies = {first.sources} URLs, "
        f"{entries_expected:,} entries"
    )
    out.append(
        f"Workers   {args.workers} processes for Newsroom, {args.workers} threads for "
        "reader (its update_feeds(workers=N))"
    )
    out.append("")

    rows: list[list[object]] = [
        [
            "Newsroom, first pass",
            first.wall_s,
            first.cpu_s,
            first.entries_processed,
            first.entries_per_s,
            f"{first.articles_created:,} stored = {first.articles_created / first.wall_s:,.0f}/s",
        ],
        [
            "Newsroom, second pass (304)",
            second.wall_s,
            second.cpu_s,
            second.entries_processed,
            None,
            f"{second.http_304:,} x 304, {second.http_200:,} x 200",
        ],
    ]
    if reader_result:
        rows += [
            [
                "reader 3, first update",
                reader_result.wall_s,
                reader_result.cpu_s,
                reader_result.entries,
                reader_result.entries_per_s,
                f"{reader_result.broken_feeds} broken feeds",
            ],
            [
                "reader 3, second update (304)",
                reader_result.second_pass_wall_s,
                None,
                None,
                None,
                "",
            ],
        ]
    rows += [
        [
            "feedparser.parse, defaults",
            None,
            parse_default.cpu_s,
            parse_default.entries,
            parse_default.entries_per_s,
            f"1 process, {parse_default.documents} bodies, per CPU s",
        ],
        [
            "feedparser.parse, as parse_feed",
            None,
            parse_pipeline.cpu_s,
            parse_pipeline.entries,
            parse_pipeline.entries_per_s,
            "sanitize_html / resolve_relative_uris off",
        ],
    ]
    out.append(
        _table(["Measurement", "wall s", "CPU s", "entries", "entries/s", "notes"], rows)
    )
    out.append("")

    # Worker details and memory.
    worker_rows: list[list[object]] = []
    for label, result in (("first pass", first), ("second pass", second)):
        for report in result.workers:
            worker_rows.append(
                [f"{label}, pid {report.pid}", report.tasks, report.cpu_s, report.peak_rss_mb]
            )
    if memory_one_copy:
        for report in memory_one_copy.workers:
            worker_rows.append(
                [
                    f"1 copy, first pass, pid {report.pid}",
                    report.tasks,
                    report.cpu_s,
                    report.peak_rss_mb,
                ]
            )
    out.append(_table(["Worker", "sources", "CPU s", "peak RSS MB"], worker_rows))
    out.append("")

    # Consistency checks.
    stored = _article_count()
    out.append("Checks")
    out.append(
        f"  first pass: {first.outcomes.get('ok', 0):,} of {first.sources:,} fetches ok; "
        f"{first.http_200:,} x 200 served; {len(first.errors)} errors"
    )
    for error in first.errors[:10]:
        out.append(f"    ! {error}")
    dropped = entries_expected - first.entries_processed
    out.append(
        f"  entries processed (sum of FetchAttempt.entries_found) {first.entries_processed:,}"
        f" vs feedparser {entries_expected:,}: "
        + (
            "equal"
            if dropped == 0
            else f"{dropped:,} fewer (empty <item>s and verbatim repeats within a "
            "document, dropped by parse_feed)"
        )
    )
    out.append(
        f"  articles stored {stored:,} = sum of FetchAttempt.new_count "
        f"{first.articles_created:,}: {'ok' if stored == first.articles_created else 'NO'}"
        f"; the other {first.entries_processed - stored:,} entries are the same stories "
        "at other URLs (the copies, and repeats inside the corpus), deduplicated by "
        "canonical URL / content hash"
    )
    out.append(
        f"  second pass: {second.outcomes.get('not_modified', 0):,} of {second.sources:,}"
        f" fetches not_modified, {second.http_304:,} x 304 served, "
        f"{len(second.errors)} errors"
    )
    if reader_result:
        out.append(
            f"  reader stored {reader_result.entries:,} entries "
            f"(one per feed and entry id, no cross-feed deduplication)"
        )
    out.append("")

    # Targets.
    target_rows: list[list[object]] = []
    verdicts: dict[str, bool] = {}
    if reader_result:
        ratio = first.entries_per_s / max(reader_result.entries_per_s, 1e-9)
        verdicts["throughput_vs_reader"] = ratio >= TARGET_VS_READER
        target_rows.append(
            [
                "first pass entries/s vs reader",
                f"{first.entries_per_s:,.0f} vs {reader_result.entries_per_s:,.0f} "
                f"= {ratio:.2f}x",
                f">= {TARGET_VS_READER}x",
                _verdict(verdicts["throughput_vs_reader"]),
            ]
        )
    cpu_ratio = cpu_per_entry_ms / fp_per_entry_ms
    verdicts["cpu_vs_feedparser"] = cpu_ratio <= TARGET_CPU_VS_FEEDPARSER
    target_rows.append(
        [
            "pipeline CPU per entry vs feedparser",
            f"{cpu_per_entry_ms:.2f} vs {fp_per_entry_ms:.2f} ms = {cpu_ratio:.2f}x",
            f"<= {TARGET_CPU_VS_FEEDPARSER}x",
            _verdict(verdicts["cpu_vs_feedparser"]),
        ]
    )
    verdicts["second_pass_speedup"] = speedup >= TARGET_SECOND_PASS_SPEEDUP
    target_rows.append(
        [
            "second pass speed-up",
            f"{first.wall_s:.2f} / {second.wall_s:.2f} s = {speedup:.1f}x",
            f">= {TARGET_SECOND_PASS_SPEEDUP:.0f}x",
            _verdict(verdicts["second_pass_speedup"]),
        ]
    )
    if memory_one_copy:
        growth = first.peak_rss_mb / memory_one_copy.peak_rss_mb - 1
        verdicts["memory_flat"] = growth <= TARGET_MEMORY_GROWTH
        target_rows.append(
            [
                f"peak worker RSS, {copies} copies vs 1",
                f"{first.peak_rss_mb:.0f} vs {memory_one_copy.peak_rss_mb:.0f} MB "
                f"= {growth:+.0%}",
                f"<= {TARGET_MEMORY_GROWTH:+.0%}",
                _verdict(verdicts["memory_flat"]),
            ]
        )
    out.append(_table(["Target", "measured", "target", "result"], target_rows))
    out.append("")
    out.append(f"Benchmark total: {total_s:.0f} s")

    data = {
        "machine": {
            "cpu_count": os.cpu_count(),
            "cpu_model": _cpu_model(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "django": django.get_version(),
            "feedparser": feedparser.__version__,
            "reader": reader.__version__,
            "database": db.display,
        },
        "config": {"copies": copies, "workers": args.workers, "feeds": len(corpus)},
        "feedparser_default": asdict(parse_default),
        "feedparser_as_parse_feed": asdict(parse_pipeline),
        "newsroom": {
            "source_creation_s": creation_s,
            "first_pass": asdict(first),
            "second_pass": asdict(second),
            "articles_stored": stored,
            "memory_one_copy": asdict(memory_one_copy) if memory_one_copy else None,
        },
        "reader": asdict(reader_result) if reader_result else None,
        "derived": {
            "first_pass_entries_per_s": first.entries_per_s,
            "reader_entries_per_s": reader_result.entries_per_s if reader_result else None,
            "pipeline_cpu_ms_per_entry": cpu_per_entry_ms,
            "feedparser_cpu_ms_per_entry": fp_per_entry_ms,
            "second_pass_speedup": speedup,
        },
        "targets": verdicts,
        "total_s": total_s,
    }
    return "\n".join(out), data


def _article_count() -> int:
    from django.db import connections

    from articles.models import Article

    count = Article.objects.count()
    connections.close_all()
    return count


# ------------------------------------------------------------------------------------------
# Main
# ------------------------------------------------------------------------------------------
def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark Newsroom's feed-ingest pipeline against reader and "
        "feedparser on the real-feed corpus.",
    )
    parser.add_argument(
        "--copies", type=int, default=3, help="URLs per corpus file (default 3)"
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="worker processes / threads (default 2)"
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
        help="instead of the benchmark: profile a single-process first pass (cProfile)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary directory (databases)"
    )
    args = parser.parse_args(argv)
    if args.copies < 1 or args.workers < 1:
        parser.error("--copies and --workers must be at least 1")
    return args


def _step(message: str) -> Callable[[], None]:
    """Print a progress line to stderr; the returned function closes it with the time."""
    started = time.perf_counter()
    print(f"... {message}", end="", file=sys.stderr, flush=True)
    return lambda: print(f" {time.perf_counter() - started:.1f} s", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    if not CORPUS_DIR.is_dir() or not any(CORPUS_DIR.iterdir()):
        sys.exit(f"feed corpus not found: {CORPUS_DIR} must hold the real-feed files")
    corpus = {p.name: p.read_bytes() for p in sorted(CORPUS_DIR.iterdir()) if p.is_file()}

    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="newsroom-bench-"))
    db = _configure_environment(workdir)
    server: FeedServer | None = None
    try:
        done = _step("migrating the benchmark database")
        _prepare_database(db)
        done()
        server = FeedServer(CORPUS_DIR, args.copies)
        urls = server.urls(list(corpus), args.copies)

        if args.profile:
            profile_first_pass(urls, top=25)
            return 0

        done = _step("feedparser alone")
        parse_default, _ = measure_feedparser(corpus, "feedparser defaults")
        parse_pipeline, _ = measure_feedparser(
            corpus,
            "feedparser as parse_feed",
            response_headers={"content-type": "application/xml"},
            sanitize_html=False,
            resolve_relative_uris=False,
        )
        done()

        memory_one_copy = None
        if args.copies > 1 and not args.no_memory_check:
            done = _step("Newsroom, 1 copy (peak-memory baseline)")
            _, memory_one_copy, _ = newsroom_run(
                server, urls[: len(corpus)], args.workers, second_pass=False
            )
            done()

        done = _step(f"Newsroom, {len(urls)} sources, two passes")
        creation_s, first, second = newsroom_run(
            server, urls, args.workers, second_pass=True
        )
        assert second is not None
        done()

        reader_result = None
        if not args.no_reader:
            done = _step("reader, two updates")
            reader_result = measure_reader(urls, workdir, args.workers)
            done()

        report, data = build_report(
            args=args,
            db=db,
            corpus=corpus,
            parse_default=parse_default,
            parse_pipeline=parse_pipeline,
            creation_s=creation_s,
            first=first,
            second=second,
            reader_result=reader_result,
            memory_one_copy=memory_one_copy,
            total_s=time.perf_counter() - started,
        )
        print(report)
        if args.json:
            Path(args.json).write_text(json.dumps(data, indent=2, default=str) + "\n")
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
