"""Counters in the cache that lose no count when requests arrive together.

Redis increments atomically, so every web process shares one exact count. Django's file
and local-memory caches increment by reading, adding and writing back: two requests at
once each write 1 where 2 was due (found attacking the partner API without Redis: 300
parallel requests on a 60-a-minute key were counted as 44, and none was refused). On
those caches one increment runs at a time: a lock within the process and, for the file
cache, which several processes share (the server and beat), a file lock beside it.
"""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

_IN_PROCESS = threading.Lock()


@contextmanager
def _one_at_a_time() -> Iterator[None]:
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        yield
        return
    with _IN_PROCESS:
        directory = getattr(backend, "_dir", None)  # FileBasedCache's folder
        if directory is None:
            yield
            return
        Path(directory).mkdir(parents=True, exist_ok=True)
        # Not a ".djcache" file: the cache neither counts nor culls it.
        with open(Path(directory) / "counters.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield  # closing the file releases the lock


def incr(key: str, *, timeout: int) -> int:
    """Add one to the counter ``key`` (created for ``timeout`` seconds); its new value."""
    with _one_at_a_time():
        cache.add(key, 0, timeout=timeout)
        try:
            return int(cache.incr(key))
        except ValueError:  # expired between add and incr: a new window
            cache.set(key, 1, timeout=timeout)
            return 1


def decr(key: str, delta: int) -> None:
    # A counter gone meanwhile has nothing left to take from.
    with _one_at_a_time(), suppress(ValueError):
        cache.decr(key, delta)
