from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_django import Settings

from conftest import SHARED_FEEDS, redis_available, services_required
from newsroom.celery import app as celery_app

from .feedserver import FeedServer

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def _test_settings(settings: Settings) -> None:
    # Feeds in tests are served on 127.0.0.1, which production refuses.
    settings.NEWSROOM_ALLOW_PRIVATE_FEEDS = True
    settings.FEED_DEADLINE = 5.0
    settings.FEED_READ_TIMEOUT = 2.0
    settings.FEED_CONNECT_TIMEOUT = 2.0
    # The partner change feed serves a change at once (its settling is tested on its own).
    settings.PARTNER_FEED_SETTLE_SECONDS = 0
    # Every public page asks the cache for the generation (its memo is tested on its own).
    settings.PUBLIC_GENERATION_MEMO_SECONDS = 0
    # Webhooks are delivered in the test's own thread (in production: a worker or a thread).
    settings.PARTNER_WEBHOOKS_IN_BACKGROUND = False
    # Never call a real model from tests, whatever the environment holds.
    settings.ENRICHMENT_BACKEND = "offline"
    settings.ANTHROPIC_API_KEY = ""
    # The default hasher is slow on purpose; the suite creates hundreds of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Templates name static files without a collectstatic manifest in tests.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    # Related stories and clustering cache per article id; ids repeat from test to test.
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True, scope="session")
def _eager_celery() -> Iterator[None]:
    # Unit tests run tasks in-process; the worker tests switch this off for themselves.
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(scope="session")
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer().start()
    yield server
    server.stop()


@pytest.fixture
def feeds(feed_server: FeedServer) -> Iterator[FeedServer]:
    """The local feed server with this test's routes only."""
    feed_server.routes.clear()
    feed_server.requests.clear()
    yield feed_server
    feed_server.routes.clear()


def shared_feeds(kind: str) -> list[Path]:
    """Files of ../shared/feeds/<kind>; empty locally when the corpus is absent."""
    folder = SHARED_FEEDS / kind
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


@pytest.fixture
def require_shared_feeds() -> None:
    if not SHARED_FEEDS.is_dir():
        if services_required():
            pytest.fail(f"the shared feed corpus is missing at {SHARED_FEEDS}")
        pytest.skip("../shared/feeds is not present on this machine")


@pytest.fixture
def redis_url() -> str:
    from django.conf import settings

    url = settings.REDIS_URL or os.environ.get("REDIS_URL", "")
    if not redis_available(url):
        if services_required():
            pytest.fail(f"Redis is required in CI but not reachable at {url!r}")
        pytest.skip("needs Redis (set REDIS_URL); CI runs this")
    return url


@pytest.fixture(autouse=True)
def _desk_roles(request: pytest.FixtureRequest) -> None:
    """The Editors and Chief editors groups, as migrations create them. A transactional test
    (the worker, migration tests) flushes every table at its end; put the groups back."""
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("_django_db_helper")
    from django.contrib.auth.models import Group

    from editorial.roles import ROLES, roles_sync

    if Group.objects.filter(name__in=ROLES).count() < len(ROLES):
        roles_sync()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every transactional test puts back the rows migrations seed (serialized rollback).
    One that does not lets its flush re-create the content types under new ids, and every
    serialized test after it then fails to load its rows — on PostgreSQL only, in CI."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is None:
            continue
        transactional = marker.kwargs.get("transaction", False)
        if transactional and not marker.kwargs.get("serialized_rollback", False):
            raise pytest.UsageError(
                f"{item.nodeid}: transactional tests need serialized_rollback=True"
            )
