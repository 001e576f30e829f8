"""Chaos run: the pipeline under faults, on PostgreSQL and Redis of its own.

    .venv/bin/python benchmarks/chaos.py [--feeds 300] [--entries 8] [--short]

Starts a PostgreSQL cluster (initdb, as the postgres user when run as root) and a Redis server
on free loopback ports in a temporary directory, so the machine's own services are never
touched; serves ``--feeds`` feeds of ``--entries`` items each on loopback (each answer held
``--delay`` seconds, as a slow publisher would); creates one source per feed; starts a Celery
worker (concurrency 2) and beat. Then, while the sources are fetched, clustered and enriched
(offline backend):

1. SIGKILL the whole worker in the middle of fetching, and start a new one;
2. SIGKILL it again in the middle of clustering and enrichment, and start a new one;
3. kill Redis (SIGKILL: every queued message is gone) and start it again;
4. restart PostgreSQL (every connection drops);
5. run a second beat beside the first.

and waits until every article is back on its way. Reported: articles expected (unique entries
served) and stored, duplicates, articles stuck in an intermediate state (new, enriching, no
story), sources fetched twice at the same time, and the time to recover after the last fault.
Then the scale-out figure: sources/s fetched by one worker process against two, on feeds
that answer slowly (I/O-bound).

The faults happen faster than in production, so the timeouts that bring lost work back are
shortened for the run (the broker's visibility timeout, a fetch's lease, the sweep's cadence
and grace, the "enriching" timeout); see ``CHAOS_SETTINGS``.

Targets (issue "Nothing stalls, nothing is lost"): 0 lost, 0 duplicated, 0 stuck after
recovery, 0 concurrent fetches of one source; two workers >= 1.8x one worker's sources/s.
``--short`` (CI, tests/test_chaos.py): 24 feeds, tighter timeouts, no scale-out phase.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable

# What the run shortens so that lost work comes back within it.
CHAOS_SETTINGS = {
    "CELERY_VISIBILITY_TIMEOUT": "20",  # a message taken by a killed worker returns
    "FEED_LEASE_SECONDS": "20",  # a killed fetch's lease runs out
    "PIPELINE_SWEEP_SECONDS": "10",  # beat's sweep
    "PIPELINE_SWEEP_GRACE_SECONDS": "15",  # untouched this long: sent again
    "ENRICHING_STALE_SECONDS": "30",  # left "enriching" this long: its worker died
}
# --short (CI): fewer feeds, tighter still (every task here takes well under a second).
SHORT_SETTINGS = {
    "CELERY_VISIBILITY_TIMEOUT": "10",
    "FEED_LEASE_SECONDS": "10",
    "PIPELINE_SWEEP_SECONDS": "5",
    "PIPELINE_SWEEP_GRACE_SECONDS": "8",
    "ENRICHING_STALE_SECONDS": "15",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the postgres user then."""
    return (
        ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command
    )


def pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not candidates:
        raise SystemExit(f"PostgreSQL's {name} is not installed")
    return str(candidates[-1])


class Postgres:
    """A throwaway cluster: trust authentication, no fsync, loopback only."""

    def __init__(self, workdir: Path) -> None:
        self.dir = workdir / "pg"
        self.dir.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.port = free_port()
        subprocess.run(
            as_postgres(
                [pg_bin("initdb"), "-D", str(self.dir), "-A", "trust", "-U", "postgres"]
                + ["--no-sync", "-E", "UTF8"]
            ),
            check=True,
            capture_output=True,
        )
        self.start()
        subprocess.run(
            as_postgres(
                [pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port)]
                + ["-U", "postgres", "newsroom"]
            ),
            check=True,
        )
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/newsroom"

    def _ctl(self, *args: str) -> None:
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=200"
        )
        subprocess.run(
            as_postgres(
                [pg_bin("pg_ctl"), "-D", str(self.dir), "-o", options, "-w"]
                + ["-l", str(self.dir / "log"), *args]
            ),
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        self._ctl("start")

    def restart(self) -> None:
        self._ctl("-m", "fast", "restart")

    def stop(self) -> None:
        self._ctl("-m", "immediate", "stop")


class Redis:
    """A Redis that keeps nothing on disk: killed, it loses every queued message."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.dir = workdir
        self.process: subprocess.Popen[bytes] | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL,
        )
        wait_for(self._answers, 10, "Redis did not start")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.kill()


def wait_for(
    predicate: Callable[[], bool],
    timeout: float,
    what: str,
    tick: Callable[[], None] | None = None,
) -> float:
    """Seconds until ``predicate`` holds; SystemExit with ``what`` after ``timeout``.
    ``tick`` runs every half second meanwhile (the supervisor's round)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        if tick is not None:
            tick()
        time.sleep(0.5)
    raise SystemExit(f"chaos: {what} (after {timeout:.0f} s)")


# --- Feeds --------------------------------------------------------------------------------------
def feed(index: int, entries: int) -> bytes:
    """An RSS feed of ``entries`` distinct stories; stable, so a refetch adds nothing."""
    items = "".join(
        f"<item><title>Feed {index} story {n}: {word} plant output changes</title>"
        f"<link>https://feed{index}.example/story/{n}</link>"
        f"<guid>feed{index}-story{n}</guid>"
        f"<pubDate>Tue, 01 Dec 2026 0{n % 10}:00:00 GMT</pubDate>"
        f"<description>Company {index}-{n} said output at its {word} plant changed by "
        f"{n + index % 7}% in the quarter, and it expects more changes next year. The "
        f"figures were published on Tuesday.</description></item>"
        for n, word in (
            (n, ("north", "south", "east", "west")[n % 4]) for n in range(entries)
        )
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {index}</title>'
        f"<link>https://feed{index}.example/</link>{items}</channel></rss>"
    ).encode()


class FeedServer:
    """Serves /feed/<i>.xml, each answer held ``delay`` seconds (a slow publisher)."""

    def __init__(self, feeds: int, entries: int, delay: float) -> None:
        bodies = {f"/feed/{i}.xml": feed(i, entries) for i in range(feeds)}
        server_delay = delay

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                body = bodies.get(self.path)
                time.sleep(server_delay)
                if body is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        ThreadingHTTPServer.daemon_threads = True
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        Thread(target=self.server.serve_forever, daemon=True).start()
        self.urls = [
            f"http://127.0.0.1:{self.server.server_address[1]}/feed/{i}.xml"
            for i in range(feeds)
        ]

    def stop(self) -> None:
        self.server.shutdown()


# --- Celery processes ---------------------------------------------------------------------------
class Processes:
    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self.env = env
        self.workdir = workdir
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self.arguments: dict[str, tuple[str, ...]] = {}
        self.restarts = 0

    def revive(self) -> None:
        """What the README's systemd units do (Restart=always): start again a process that
        exited by itself. A Celery worker exits with "Unrecoverable error" when Redis
        vanishes under it (kombu's Redis transport, now and then); without a supervisor
        nothing would consume the queues again."""
        for name, process in list(self.running.items()):
            if process.poll() is not None:
                self.restarts += 1
                self.start(name, *self.arguments[name])

    def start(self, name: str, *args: str) -> None:
        self.arguments[name] = args
        log = (self.workdir / f"{name}.log").open("ab")
        self.running[name] = subprocess.Popen(
            [PYTHON, "-m", "celery", "-A", "newsroom", *args],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def worker(self, name: str = "worker", concurrency: int = 2) -> None:
        self.start(
            name,
            "worker",
            f"--concurrency={concurrency}",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            f"--hostname={name}-{secrets.token_hex(3)}@chaos",
        )

    def beat(self, name: str = "beat") -> None:
        schedule = self.workdir / f"{name}-schedule"
        self.start(name, "beat", "--loglevel=WARNING", f"--schedule={schedule}")

    def kill(self, name: str) -> None:
        process = self.running.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop_all(self) -> None:
        for name in list(self.running):
            self.kill(name)


# --- Measures -----------------------------------------------------------------------------------
@dataclass
class Report:
    feeds: int
    expected: int
    stored: int = 0
    duplicates: int = 0
    stuck: int = 0
    stuck_states: dict[str, int] = field(default_factory=dict)
    concurrent_fetches: int = 0
    lost_fetches_recorded: int = 0
    recovery_seconds: float = 0.0
    supervisor_restarts: int = 0
    faults: list[str] = field(default_factory=list)
    one_worker_sources_per_s: float = 0.0
    two_workers_sources_per_s: float = 0.0

    @property
    def lost(self) -> int:
        return max(self.expected - (self.stored - self.duplicates), 0)


def settled(expected: int) -> Callable[[], bool]:
    """Every article stored and past every intermediate state."""
    from django.db import close_old_connections

    from articles.models import Article

    def check() -> bool:
        close_old_connections()
        try:
            articles = Article.objects.all()
            return articles.count() >= expected and not intermediate().exists()
        except Exception:  # noqa: BLE001 - PostgreSQL may be restarting
            return False

    return check


def intermediate() -> Any:
    from articles.models import Article

    return Article.objects.filter(
        status__in=[Article.Status.NEW, Article.Status.ENRICHING]
    ) | Article.objects.filter(cluster__isnull=True)


def measure(report: Report) -> None:
    from django.db.models import Count

    from articles.models import Article
    from sources.models import FetchAttempt

    report.stored = Article.objects.count()
    report.duplicates = sum(
        row["n"] - 1
        for row in Article.objects.values("source_id", "guid")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    stuck = intermediate()
    report.stuck = stuck.count()
    report.stuck_states = dict(
        stuck.values_list("status").annotate(n=Count("pk")).order_by()
    )
    report.lost_fetches_recorded = FetchAttempt.objects.filter(
        error_kind="lost"
    ).count()
    # Two attempts of one source overlapping in time: fetched twice at once.
    overlaps = 0
    attempts: dict[int, list[tuple[float, float]]] = {}
    for source_id, started, ms in FetchAttempt.objects.exclude(
        error_kind="lost"
    ).values_list("source_id", "started_at", "duration_ms"):
        attempts.setdefault(source_id, []).append(
            (started.timestamp(), started.timestamp() + ms / 1000)
        )
    for spans in attempts.values():
        spans.sort()
        overlaps += sum(b[0] < a[1] for a, b in zip(spans, spans[1:], strict=False))
    report.concurrent_fetches = overlaps


# --- The run ------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> Report:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--entries", type=int, default=8)
    parser.add_argument("--delay", type=float, default=0.3)
    parser.add_argument("--short", action="store_true")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument(
        "--recovery", type=float, default=600, help="seconds allowed to recover"
    )
    args = parser.parse_args(argv)
    if args.short:
        args.feeds = min(args.feeds, 24)

    workdir = Path(tempfile.mkdtemp(prefix="newsroom-chaos-"))
    if os.geteuid() == 0:
        os.chmod(workdir, 0o755)
    postgres: Postgres | None = None
    redis: Redis | None = None
    try:
        postgres = Postgres(workdir)
        redis = Redis(workdir)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "DATABASE_URL": postgres.url,
            "REDIS_URL": redis.url,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "NEWSROOM_ALLOW_PRIVATE_FEEDS": "1",
            "ENRICHMENT_BACKEND": "offline",
            "ANTHROPIC_API_KEY": "",
            "LOG_LEVEL": "WARNING",
            **(SHORT_SETTINGS if args.short else CHAOS_SETTINGS),
        }
        os.environ.update(env)
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        report = run_faults(args, env, workdir, postgres, redis)
        print(render(report), flush=True)
        if not args.short:
            report.one_worker_sources_per_s, report.two_workers_sources_per_s = (
                measure_scale_out(args, env, workdir)
            )
            print(render(report).splitlines()[-1])
        if args.json:
            args.json.write_text(json.dumps(asdict(report), indent=2))
        return report
    finally:
        if redis is not None:
            redis.stop()
        if postgres is not None:
            with contextlib.suppress(subprocess.CalledProcessError):
                postgres.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"work directory kept: {workdir}")


def create_sources(urls: list[str]) -> None:
    from django.utils import timezone

    from sources.services import source_create

    for i, url in enumerate(urls):
        source = source_create(feed_url=url, name=f"Chaos feed {i}")
        source.next_fetch_at = timezone.now()
        source.save(update_fields=["next_fetch_at"])


def run_faults(
    args: argparse.Namespace,
    env: dict[str, str],
    workdir: Path,
    postgres: Postgres,
    redis: Redis,
) -> Report:
    from django.db import close_old_connections, connection

    from articles.models import Article
    from sources.models import FetchAttempt

    feeds = FeedServer(args.feeds, args.entries, args.delay)
    processes = Processes(env, workdir)
    report = Report(feeds=args.feeds, expected=args.feeds * args.entries)
    try:
        create_sources(feeds.urls)
        processes.worker()
        processes.beat()
        # Beat's fetch tick comes on the minute; the first one is sent at once.
        from newsroom.celery import app

        app.send_task("sources.fetch_due_sources")

        def fetched(n: int) -> Callable[[], bool]:
            return lambda: FetchAttempt.objects.count() >= n

        # 1. Mid-fetch: once a few sources are done, the whole worker goes.
        wait_for(fetched(max(3, args.feeds // 10)), 180, "no fetch started")
        processes.kill("worker")
        report.faults.append(
            f"worker SIGKILL mid-fetch ({FetchAttempt.objects.count()} fetches)"
        )
        processes.worker()

        # 2. Mid-enrichment: once some articles are in review, again.
        wait_for(
            lambda: (
                Article.objects.filter(status=Article.Status.IN_REVIEW).count()
                >= report.expected // 5
            ),
            300,
            "no article reached review",
        )
        processes.kill("worker")
        report.faults.append(
            "worker SIGKILL mid-enrichment "
            f"({Article.objects.filter(status=Article.Status.IN_REVIEW).count()} in review)"
        )
        processes.worker()

        # 3. Redis killed: every queued message is lost.
        time.sleep(3)
        redis.kill()
        report.faults.append("Redis SIGKILL (queued messages lost)")
        time.sleep(2)
        redis.start()

        # 4. PostgreSQL restarted under the worker.
        time.sleep(3)
        connection.close()
        postgres.restart()
        report.faults.append("PostgreSQL restart")
        close_old_connections()

        # 5. A second beat beside the first.
        processes.beat("beat-2")
        report.faults.append("second beat")
        last_fault = time.monotonic()

        try:
            wait_for(
                settled(report.expected),
                args.recovery,
                "not recovered",
                tick=processes.revive,
            )
            report.recovery_seconds = round(time.monotonic() - last_fault, 1)
        except SystemExit:
            report.recovery_seconds = -1.0  # did not recover: the measures say where
        close_old_connections()
        report.supervisor_restarts = processes.restarts
        measure(report)
        return report
    finally:
        processes.stop_all()
        feeds.stop()


def measure_scale_out(
    args: argparse.Namespace, env: dict[str, str], workdir: Path
) -> tuple[float, float]:
    """Sources/s over the same slow feeds: one worker process, then two (fresh sources each
    time, fetch queue only, beat's tick sent by hand)."""
    from django.db import close_old_connections

    from articles.models import Article
    from newsroom.celery import app
    from sources.models import FetchAttempt, Source

    rates = []
    feeds = FeedServer(args.feeds, 2, max(args.delay, 0.5))
    try:
        for concurrency in (1, 2):
            close_old_connections()
            Article.objects.all().delete()
            FetchAttempt.objects.all().delete()
            Source.objects.all().delete()
            create_sources(feeds.urls)
            processes = Processes(env, workdir)
            processes.start(
                f"fetch-{concurrency}",
                "worker",
                "-Q",
                "fetch,housekeeping",  # beat's tick (sent by hand) and the fetches
                f"--concurrency={concurrency}",
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                f"--hostname=fetch{concurrency}-{secrets.token_hex(3)}@chaos",
            )
            try:
                wait_for(lambda: bool(app.control.ping(timeout=0.5)), 30, "no worker")
                started = time.monotonic()
                app.send_task("sources.fetch_due_sources")
                wait_for(
                    lambda: FetchAttempt.objects.count() >= args.feeds,
                    600,
                    "the scale-out fetch did not finish",
                )
                rates.append(args.feeds / (time.monotonic() - started))
            finally:
                processes.stop_all()
    finally:
        feeds.stop()
    return round(rates[0], 2), round(rates[1], 2)


def render(report: Report) -> str:
    def verdict(ok: bool) -> str:
        return "PASS" if ok else "MISS"

    lines = [
        f"Chaos run: {report.feeds} feeds, {report.expected} entries",
        "  faults: " + "; ".join(report.faults),
        f"  articles expected / stored        {report.expected} / {report.stored}",
        f"  lost                              {report.lost}  {verdict(report.lost == 0)}",
        f"  duplicated                        {report.duplicates}  "
        f"{verdict(report.duplicates == 0)}",
        f"  stuck after recovery              {report.stuck}  {verdict(report.stuck == 0)}"
        + (f" {report.stuck_states}" if report.stuck else ""),
        f"  sources fetched twice at once     {report.concurrent_fetches}  "
        f"{verdict(report.concurrent_fetches == 0)}",
        f"  killed fetches recorded as lost   {report.lost_fetches_recorded}",
        f"  processes restarted by supervisor {report.supervisor_restarts} (exited by "
        "themselves; systemd's Restart=always)",
        "  recovery after the last fault     "
        + (
            f"{report.recovery_seconds} s"
            if report.recovery_seconds >= 0
            else "none: still stuck when the run gave up  MISS"
        ),
    ]
    if report.one_worker_sources_per_s:
        ratio = report.two_workers_sources_per_s / report.one_worker_sources_per_s
        lines.append(
            f"  scale-out, I/O-bound fetch        {report.one_worker_sources_per_s} → "
            f"{report.two_workers_sources_per_s} sources/s: {ratio:.2f}x  "
            f"{verdict(ratio >= 1.8)} (target >= 1.8x)"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
