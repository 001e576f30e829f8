"""Quota counters lose no count when requests arrive together, on every cache backend."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from pytest_django import Settings

from partners import counters

ROOT = Path(__file__).resolve().parents[2]

THREADS = 8
EACH = 40


def _count_in_threads(key: str) -> None:
    start = threading.Barrier(THREADS)

    def hit() -> None:
        start.wait()
        for _ in range(EACH):
            counters.incr(key, timeout=60)

    workers = [threading.Thread(target=hit) for _ in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


@pytest.fixture
def file_cache(settings: Settings, tmp_path: Path) -> Path:
    """The cache `make run` uses without Redis: files shared by the server and beat."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    return tmp_path / "cache"


def test_parallel_requests_are_each_counted_on_the_file_cache(file_cache: Path) -> None:
    """Found attacking the partner API without Redis: 300 parallel requests on a trial key
    (60 a minute) were counted as 44, and none was refused."""
    _count_in_threads("partners:rate:1:minute:1")
    assert cache.get("partners:rate:1:minute:1") == THREADS * EACH
    assert [p.name for p in file_cache.iterdir() if p.suffix != ".djcache"] == [
        "counters.lock"
    ]


def test_parallel_requests_are_each_counted_on_the_local_memory_cache() -> None:
    cache.delete("partners:rate:2:minute:1")
    _count_in_threads("partners:rate:2:minute:1")
    assert cache.get("partners:rate:2:minute:1") == THREADS * EACH


# A process of its own, as beat or a second gunicorn worker is: only the cache's folder is
# shared. (Forking the test process instead hung in CI, where its other threads hold locks.)
COUNTER_PROCESS = """
import sys, time
import django
from django.conf import settings
settings.configure(CACHES={"default": {
    "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
    "LOCATION": sys.argv[1],
}})
django.setup()
from partners import counters
start = float(sys.argv[3])
while time.time() < start:
    time.sleep(0.001)
for _ in range(int(sys.argv[2])):
    counters.incr("partners:usage:requests:20261203:3", timeout=60)
"""


def test_two_processes_sharing_the_file_cache_each_count(file_cache: Path) -> None:
    """The server and beat (or two gunicorn workers without Redis) share the cache files."""
    start = time.time() + 2  # all three started before any counts
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                COUNTER_PROCESS,
                str(file_cache),
                str(EACH),
                str(start),
            ],
            cwd=ROOT,
        )
        for _ in range(3)
    ]
    for process in processes:
        assert process.wait(60) == 0
    assert cache.get("partners:usage:requests:20261203:3") == 3 * EACH
