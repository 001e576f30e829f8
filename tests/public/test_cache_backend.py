"""The Redis cache the public pages live in: Django's, keeping one client per pool."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from conftest import redis_available, services_required
from newsroom.cache import RedisCache

URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/14"


@pytest.fixture
def redis_cache() -> Iterator[RedisCache]:
    if not redis_available(URL):
        if services_required():
            pytest.fail(f"Redis does not answer at {URL}")
        pytest.skip(f"Redis does not answer at {URL}")
    backend = RedisCache(URL, {"KEY_PREFIX": "newsroom-cache-test"})
    yield backend
    backend.delete_many(["page", "n"])


def test_one_client_serves_every_call_and_the_cache_still_works(
    redis_cache: RedisCache,
) -> None:
    redis_cache.set("page", {"html": "<p>Hi</p>"}, 30)
    assert redis_cache.get("page") == {"html": "<p>Hi</p>"}
    assert redis_cache.add("n", 1, 30) is True
    assert redis_cache.incr("n") == 2
    client = redis_cache._cache.get_client()
    assert redis_cache._cache.get_client(write=True) is client
    assert redis_cache._cache.get_client("page") is client
