"""A real Celery worker, over the real Redis broker, against the test database.

CI (PostgreSQL + Redis) always runs these; locally they skip without both services.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from articles.models import Article
from conftest import postgres_server
from newsroom.celery import app as celery_app
from sources.models import FetchAttempt
from tests.factories import SourceFactory, rss, story
from tests.feedserver import FeedServer

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.worker,
    # serialized_rollback: the flush after a transactional test would otherwise remove the
    # rows data migrations create (groups, categories) for the tests that follow.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]


def wait_for(predicate: Callable[[], bool], timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def worker(redis_url: str) -> Iterator[subprocess.Popen[bytes]]:
    # The worker shares the test database.
    server = postgres_server("the worker test")
    database_url = f"{server}/{connection.settings_dict['NAME']}"
    celery_app.control.purge()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        # With DEBUG off a worker refuses to start without a real key (newsroom.checks).
        "SECRET_KEY": secrets.token_urlsafe(50),
        "NEWSROOM_ALLOW_PRIVATE_FEEDS": "1",
        "ENRICHMENT_BACKEND": "offline",
        "ANTHROPIC_API_KEY": "",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "newsroom",
            "worker",
            "--concurrency=2",
            "--pool=prefork",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--hostname=newsroom-test@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        assert wait_for(
            lambda: bool(celery_app.control.ping(timeout=0.5)), timeout=30
        ), "the Celery worker did not come up"
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        connection.close()


def test_fetch_due_sources_fans_out_to_a_real_worker(
    worker: subprocess.Popen[bytes], feeds: FeedServer
) -> None:
    due = [
        SourceFactory.create(
            feed_url=feeds.add(
                f"/f{i}.xml", rss([story(i * 10 + k) for k in range(3)])
            ),
            next_fetch_at=timezone.now(),
        )
        for i in range(4)
    ]
    later = SourceFactory.create(
        feed_url=feeds.add("/later.xml", rss([story(99)])),
        next_fetch_at=timezone.now() + timedelta(hours=1),
    )
    celery_app.send_task("sources.fetch_due_sources")
    assert wait_for(lambda: Article.objects.count() == 12), (
        "the worker did not ingest the feeds"
    )
    assert wait_for(lambda: FetchAttempt.objects.count() == 4)
    assert not Article.objects.filter(source=later).exists()
    for source in due:
        source.refresh_from_db()
        assert source.health == "ok"
    # Each new article was handed to the enrichment queue after its ingest committed, and the
    # worker enriched it (offline backend) into the review queue.
    assert wait_for(
        lambda: Article.objects.filter(status=Article.Status.IN_REVIEW).count() == 12
    ), list(Article.objects.values_list("status", flat=True))


def test_two_workers_never_fetch_the_same_source_at_once(
    worker: subprocess.Popen[bytes], feeds: FeedServer
) -> None:
    source = SourceFactory.create(
        feed_url=feeds.add("/slow.xml", rss([story(1)]), delay=1.5),
        next_fetch_at=timezone.now(),
    )
    celery_app.send_task("sources.fetch_source", args=[source.pk])
    celery_app.send_task("sources.fetch_source", args=[source.pk])
    assert wait_for(lambda: FetchAttempt.objects.filter(source=source).exists())
    time.sleep(2.5)  # the second task has had time to run
    assert FetchAttempt.objects.filter(source=source).count() == 1
    assert len(feeds.requests_to("/slow.xml")) == 1
    assert Article.objects.filter(source=source).count() == 1


def test_beat_schedules_fetch_due_sources_every_minute() -> None:
    entry = celery_app.conf.beat_schedule["fetch-due-sources"]
    assert entry["task"] == "sources.fetch_due_sources"
    assert entry["schedule"].minute == set(range(60))


def test_readyz_sees_the_worker_and_beats_heartbeat(
    worker: subprocess.Popen[bytes], client: Client
) -> None:
    """/readyz against the real broker: the heartbeat task beat sends every minute runs on a
    worker (its housekeeping queue), and the worker answers a ping."""
    for queue in ("fetch", "pipeline", "partners", "housekeeping"):
        celery_app.send_task("newsroom.heartbeat", args=[queue], queue=queue)

    def ready() -> bool:
        return client.get("/readyz").status_code == 200

    assert wait_for(ready, timeout=30), client.get("/readyz").json()
    checks = client.get("/readyz").json()["checks"]
    assert checks["redis"]["ok"] and checks["beat"]["ok"] and checks["workers"]["ok"]
    assert checks["workers"]["detail"] == "every queue has a worker (4)"
