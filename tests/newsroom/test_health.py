"""/healthz and /readyz: what a load balancer and an orchestrator read, as JSON."""

from __future__ import annotations

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
    for unused in ("redis", "beat", "worker"):
        assert (
            body["checks"][unused]["detail"] == "not used: tasks run in the web process"
        )


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


def test_readyz_with_a_broker_that_is_down_is_503_naming_redis_beat_and_worker(
    client: Client, settings: Any
) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # the discard port: nothing answers

    response = client.get("/readyz")

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["redis"] == {
        "ok": False,
        "detail": "unreachable (ConnectionError)",
        "ms": checks["redis"]["ms"],
    }
    assert checks["beat"]["detail"] == "no heartbeat from beat yet"
    assert checks["worker"]["ok"] is False
    assert checks["database"]["ok"] is True


def test_a_stale_heartbeat_means_beat_is_not_running(settings: Any) -> None:
    from django.core.cache import cache

    cache.set(health.HEARTBEAT_KEY, 0.0)  # 1970

    assert health._run(health._beat)["ok"] is False
    health.beat_heartbeat()
    assert health._run(health._beat)["ok"] is True
