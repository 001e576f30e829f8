"""Quota counters lose no count when requests arrive together, on every cache backend."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

import pytest
from django.core.cache import cache
from pytest_django import Settings

from partners import counters

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


def _count_in_a_process(key: str, start: multiprocessing.synchronize.Event) -> None:
    start.wait()
    for _ in range(EACH):
        counters.incr(key, timeout=60)


def test_two_processes_sharing_the_file_cache_each_count(file_cache: Path) -> None:
    """The server and beat (or two gunicorn workers without Redis) share the cache files."""
    context = multiprocessing.get_context("fork")
    start = context.Event()
    key = "partners:usage:requests:20261203:3"
    processes = [
        context.Process(target=_count_in_a_process, args=(key, start)) for _ in range(3)
    ]
    for process in processes:
        process.start()
    start.set()
    for process in processes:
        process.join(60)
        assert process.exitcode == 0
    assert cache.get(key) == 3 * EACH
