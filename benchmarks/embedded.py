"""The embedded setup under load: an editor saving while a huge feed ingests (SQLite).

    .venv/bin/python benchmarks/embedded.py [--entries 1000] [--words 1100] [--json PATH]

`make run` serves the site on SQLite, and beat fetches feeds in a process of its own. SQLite
has one writer at a time: while the fetch holds the write lock, an editor's save waits, and
past the busy timeout (20 s, ``newsroom/settings.py``) it fails with "database is locked"
(found attacking `make run` with a hostile feed of 1,000 long items). This benchmark builds
the demo database as `make run` does (migrate, load_demo) in a temporary folder, serves a
feed of ``--entries`` items of ``--words`` words on loopback, and fetches it through the real
pipeline (fetch, parse, ingest, stories, offline enrichment) while another process writes a
row every 0.25 s as a save does (BEGIN IMMEDIATE, with the same busy timeout).

Reported: the fetch's time and write transactions, its longest write transactions (what
other writers wait for) and where they began, and the other writer's waits (median, p99,
max) and failures.

Target: no write fails, and the longest wait stays under a quarter of the busy timeout (5 s).
"""

from __future__ import annotations

import argparse
import http.server
import json
import os
import random
import socketserver
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FOLDER = Path(tempfile.mkdtemp(prefix="newsroom-embedded-"))
DATABASE = FOLDER / "db.sqlite3"
for name in ("REDIS_URL", "CELERY_BROKER_URL"):
    os.environ.pop(name, None)
os.environ.update(
    DATABASE_URL=f"sqlite:///{DATABASE}",
    DJANGO_SETTINGS_MODULE="newsroom.settings",
    DEBUG="1",
    NEWSROOM_ALLOW_PRIVATE_FEEDS="1",
)

# Words that look like business news, so the stories and enrichment do their usual work.
VOCABULARY = (
    "the company said on tuesday that revenue rose sharply as demand for its chips grew "
    "across markets while rivals cut prices and investors weighed the outlook"
)
BUSY_TIMEOUT = 20.0  # as newsroom/settings.py sets it for SQLite
TARGET_MAX_WAIT = BUSY_TIMEOUT / 4
WRITE_EVERY = 0.25

# Another process saving as the desk does: one small write transaction at a time.
WRITER = """
import json, sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], timeout=float(sys.argv[2]), isolation_level=None)
con.execute("CREATE TABLE IF NOT EXISTS bench_writes (at REAL)")
waits, failures = [], []
stop = sys.argv[3]
import os
while not os.path.exists(stop):
    started = time.perf_counter()
    try:
        con.execute("BEGIN IMMEDIATE")
        waits.append(time.perf_counter() - started)
        con.execute("INSERT INTO bench_writes VALUES (?)", (time.time(),))
        con.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        failures.append(f"{time.perf_counter() - started:.1f} s: {exc}")
        try:
            con.execute("ROLLBACK")
        except sqlite3.OperationalError:
            pass
    time.sleep(float(sys.argv[4]))
print(json.dumps({"waits": waits, "failures": failures}))
"""


def build_demo() -> None:
    """The database `make run` starts from."""
    for command in (["migrate", "--noinput", "-v0"], ["load_demo"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )


def hostile_feed(entries: int, words: int, port: int) -> bytes:
    rng = random.Random(7)
    vocabulary = VOCABULARY.split()

    def text(n: int) -> str:
        return " ".join(rng.choice(vocabulary) for _ in range(n))

    items = "".join(
        f"<item><title>Item {i}: {text(8)}</title>"
        f"<link>http://127.0.0.1:{port}/a/{i}</link><guid>bench-{i}</guid>"
        f"<pubDate>Tue, 01 Dec 2026 {i % 24:02d}:{i % 60:02d}:00 GMT</pubDate>"
        f"<description><![CDATA[<p>{text(words)}.</p>]]></description></item>"
        for i in range(entries)
    )
    return (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Hostile</title>"
        f"<link>http://127.0.0.1:{port}/</link><description>load</description>"
        f"{items}</channel></rss>"
    ).encode()


class Transactions:
    """Every write transaction of this process, from BEGIN to COMMIT, with where it began."""

    def __init__(self) -> None:
        self.spans: list[tuple[float, int, str]] = []
        self._open: dict[str, Any] = {}

    def attach(self, sender: Any, connection: Any, **kwargs: Any) -> None:
        connection.connection.set_trace_callback(self._trace)

    def _trace(self, sql: str) -> None:
        statement = sql.lstrip()[:8].upper()
        now = time.perf_counter()
        if statement.startswith("BEGIN"):
            frames = [
                f"{Path(f.filename).relative_to(ROOT)}:{f.lineno} {f.name}"
                for f in traceback.extract_stack()[:-1]
                if f.filename.startswith(str(ROOT))
                and "/benchmarks/" not in f.filename
                and "/.venv/" not in f.filename
            ]
            self._open = {
                "at": now,
                "statements": 0,
                "where": frames[-1] if frames else "",
            }
        elif statement.startswith(("COMMIT", "ROLLBACK")) and self._open:
            self.spans.append(
                (now - self._open["at"], self._open["statements"], self._open["where"])
            )
            self._open = {}
        elif self._open:
            self._open["statements"] += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--words", type=int, default=1100)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    print(f"Building the demo database in {FOLDER} (migrate, load_demo)...", flush=True)
    build_demo()

    import django

    django.setup()
    from django.db.backends.signals import connection_created

    from sources.models import Source
    from sources.services import source_fetch

    server = socketserver.ThreadingTCPServer(
        ("127.0.0.1", 0), http.server.BaseHTTPRequestHandler
    )
    port = server.server_address[1]
    body = hostile_feed(args.entries, args.words, port)

    class Feed(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server.RequestHandlerClass = Feed
    threading.Thread(target=server.serve_forever, daemon=True).start()
    source = Source.objects.create(
        name="Hostile", feed_url=f"http://127.0.0.1:{port}/feed.xml"
    )
    transactions = Transactions()
    connection_created.connect(transactions.attach)
    from django.db import connections

    connections.close_all()  # reopened with the trace

    stop = FOLDER / "stop"
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            WRITER,
            str(DATABASE),
            str(BUSY_TIMEOUT),
            str(stop),
            str(WRITE_EVERY),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    print(
        f"Fetching a feed of {args.entries:,} items of {args.words:,} words "
        f"({len(body) / 1e6:.1f} MB) while another process writes every "
        f"{WRITE_EVERY} s...",
        flush=True,
    )
    started = time.perf_counter()
    source_fetch(source_id=source.pk, due_only=False)
    took = time.perf_counter() - started
    stop.touch()
    other = json.loads(writer.communicate(timeout=120)[0])

    spans = sorted(transactions.spans, reverse=True)
    waits = sorted(other["waits"])
    results = {
        "entries": args.entries,
        "words": args.words,
        "fetch_seconds": took,
        "transactions": len(spans),
        "longest": [
            {"seconds": s, "statements": n, "began_at": where}
            for s, n, where in spans[:5]
        ],
        "writes": len(waits),
        "wait_median": statistics.median(waits) if waits else None,
        "wait_p99": waits[int(0.99 * (len(waits) - 1))] if waits else None,
        "wait_max": waits[-1] if waits else None,
        "failures": other["failures"],
    }
    ok = not other["failures"] and bool(waits) and waits[-1] < TARGET_MAX_WAIT
    print(f"\nThe fetch: {took:.1f} s, {len(spans):,} write transactions; the longest:")
    for s, n, where in spans[:5]:
        print(f"  {s:6.2f} s  {n:5,} statements  began at {where}")
    print(
        f"The other writer: {len(waits)} writes, waited median {results['wait_median']:.3f} s, "
        f"p99 {results['wait_p99']:.2f} s, max {results['wait_max']:.2f} s; "
        f"{len(other['failures'])} failed"
        + "".join(f"\n    {failure}" for failure in other["failures"][:5])
    )
    print(
        f"Target: no failure and the longest wait < {TARGET_MAX_WAIT:.0f} s "
        f"(a quarter of the busy timeout): {'PASS' if ok else 'MISS'}; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
