"""/healthz and /readyz: what a load balancer and an orchestrator read, as JSON."""

from __future__ import annotations

import socket
import time
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import OperationalError
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from newsroom import health

pytestmark = pytest.mark.django_db


def test_healthz_says_the_process_is_alive_without_touching_the_database(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "alive"}
    assert "no-cache" in response["Cache-Control"]
    assert not response.cookies


def test_readyz_without_a_broker_checks_the_database_and_migrations(
    client: Client, settings: Any
) -> None:
    settings.REDIS_URL = ""
    health.beat_heartbeat("housekeeping")  # make run's beat, running the task itself

    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["migrations"] == {
        "ok": True,
        "detail": "all applied",
        "ms": body["checks"]["migrations"]["ms"],
    }
    for unused in ("redis", "workers"):
        assert (
            body["checks"][unused]["detail"]
            == "not used: tasks run in the process that sends them"
        )
    assert body["checks"]["beat"]["detail"].startswith("last heartbeat 0 s ago")


def test_readyz_without_a_broker_says_when_beat_is_not_running(
    client: Client, settings: Any
) -> None:
    """A stranger killed make run's beat: /readyz still said beat was "not used", and
    scheduled stories silently stayed unpublished."""
    from django.core.cache import cache

    settings.REDIS_URL = ""
    for queue in settings.CELERY_TASK_QUEUES:
        cache.delete(health.HEARTBEAT_KEY.format(queue=queue))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["beat"]["detail"] == (
        "no heartbeat yet: beat is not running"
    )
    cache.set(health.HEARTBEAT_KEY.format(queue="fetch"), time.time() - 600)
    assert client.get("/readyz").json()["checks"]["beat"]["detail"] == (
        "last heartbeat 600 s ago: beat has stopped"
    )
    # The load balancer's probe does not care: the site itself still serves.
    assert client.get("/readyz?scope=web").status_code == 200


def test_readyz_is_503_and_says_why_when_a_migration_is_missing(
    client: Client, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.REDIS_URL = ""
    monkeypatch.setattr(health, "_migrations_applied", False)
    monkeypatch.setattr(
        health.MigrationExecutor, "migration_plan", lambda self, targets: ["one"]
    )

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["status"] == "not ready"
    assert response.json()["checks"]["migrations"]["detail"] == (
        "1 migration(s) not applied"
    )


def test_readyz_reports_an_unreachable_database_by_kind_only(
    client: Client, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.REDIS_URL = ""

    def refused() -> str:
        raise OperationalError(
            'connection to server at "db.internal" (10.0.0.5) failed'
        )

    monkeypatch.setattr(health, "_database", refused)

    response = client.get("/readyz")

    assert response.status_code == 503
    detail = response.json()["checks"]["database"]["detail"]
    assert detail == "unreachable (OperationalError)"
    assert "10.0.0.5" not in response.content.decode()


def test_readyz_with_redis_down_answers_within_seconds_and_checks_nothing_behind_it(
    client: Client, settings: Any
) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # the discard port: nothing answers

    started = time.monotonic()
    response = client.get("/readyz")

    assert time.monotonic() - started < 3
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["redis"]["detail"] == "unreachable (ConnectionError)"
    assert checks["beat"]["detail"] == "not checked: Redis does not answer"
    assert checks["database"]["ok"] is True


def test_a_redis_that_accepts_and_never_answers_does_not_hold_the_probe(
    client: Client, settings: Any
) -> None:
    """An attack: a black-holed Redis held /readyz past gunicorn's 30 s timeout."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        settings.REDIS_URL = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"

        started = time.monotonic()
        response = client.get("/readyz")

    assert time.monotonic() - started < 3
    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["detail"] == "unreachable (TimeoutError)"


def test_every_queue_needs_a_worker_and_beat_must_tick(
    client: Client, settings: Any, redis_url: str
) -> None:
    """Heartbeats per queue: a queue nobody consumes is named; stale ones mean no beat."""
    from django.core.cache import cache

    settings.REDIS_URL = redis_url
    for queue in ("pipeline", "partners", "housekeeping"):
        health.beat_heartbeat(queue)
    cache.delete(health.HEARTBEAT_KEY.format(queue="fetch"))

    checks = client.get("/readyz").json()["checks"]

    assert checks["beat"]["ok"] is True
    assert checks["workers"] == {
        "ok": False,
        "detail": "no worker on the queue(s): fetch",
        "ms": checks["workers"]["ms"],
    }
    health.beat_heartbeat("fetch")
    assert client.get("/readyz").status_code == 200
    for queue in ("fetch", "pipeline", "partners", "housekeeping"):
        cache.set(health.HEARTBEAT_KEY.format(queue=queue), time.time() - 600)
    assert "has stopped" in client.get("/readyz").json()["checks"]["beat"]["detail"]


def test_the_load_balancers_probe_ignores_beat_and_workers(
    client: Client, settings: Any
) -> None:
    """A dead beat must not take every web process out of rotation."""
    settings.REDIS_URL = "redis://127.0.0.1:9/0"
    response = client.get("/readyz?scope=web")
    assert set(response.json()["checks"]) == {"database", "migrations", "redis"}

    settings.REDIS_URL = ""
    assert client.get("/readyz?scope=web").status_code == 200


def test_probes_answer_by_address_over_plain_http_in_production(
    client: Client, settings: Any
) -> None:
    """An attack: with the README's settings an orchestrator calling the backend got 400
    (host) or a redirect to HTTPS, which Kubernetes counts as success."""
    settings.ALLOWED_HOSTS = ["news.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    settings.REDIS_URL = ""
    health.beat_heartbeat("fetch")

    for path in ("/healthz", "/readyz"):
        response = client.get(path, HTTP_HOST="10.0.0.12:8000")
        assert response.status_code == 200, path
    assert client.head("/healthz", HTTP_HOST="10.0.0.12").status_code == 200
    assert client.options("/readyz", HTTP_HOST="10.0.0.12").status_code == 200
    # Everything else keeps both rules.
    assert client.get("/", HTTP_HOST="10.0.0.12").status_code == 400


def test_a_database_that_never_answers_does_not_hold_the_probe(
    client: Client, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An attack: a black-holed PostgreSQL held /readyz 30 s, until gunicorn killed the
    worker; a few probes then starved /healthz too."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the probe opens its own PostgreSQL connection (CI runs this)")
    settings.REDIS_URL = ""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        patched = {
            **connection.settings_dict,
            "HOST": "127.0.0.1",
            "PORT": silent.getsockname()[1],
        }
        monkeypatch.setattr(
            health,
            "connection",
            SimpleNamespace(vendor="postgresql", settings_dict=patched),
        )

        started = time.monotonic()
        response = client.get("/readyz?scope=web")

    assert time.monotonic() - started < 4
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["detail"].startswith("unreachable")
    assert checks["migrations"]["detail"] == "not checked: the database does not answer"


def test_a_probe_under_a_foreign_host_name_gets_the_host_check(
    client: Client, settings: Any
) -> None:
    """An attack: any Host reached /metrics (DNS rebinding from a browser on the network)."""
    settings.ALLOWED_HOSTS = ["news.example.com"]
    settings.REDIS_URL = ""

    assert client.get("/metrics", HTTP_HOST="evil.example").status_code == 400
    assert client.get("/readyz", HTTP_HOST="evil.example").status_code == 400
    assert client.get("/healthz", HTTP_HOST="[::1]:8000").status_code == 200
    ok = client.get("/healthz", HTTP_HOST="news.example.com")
    assert ok.status_code == 200
    assert ok["X-Content-Type-Options"] == "nosniff"
