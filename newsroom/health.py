"""Health endpoints for load balancers and orchestrators, machine-readable.

``/healthz``: the process is alive and serving (no dependency is touched, so a database outage
does not get every web process restarted). ``/readyz``: this installation can do its work —
the database answers and every migration is applied; with a broker (``REDIS_URL``), Redis
answers, beat has ticked recently (``newsroom.heartbeat``, every 30 s) and a worker answers
a ping. Without a broker tasks run in the web process itself, so those three read "not used".
Both answer JSON, are never cached and say nothing about hosts or credentials.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

HEARTBEAT_KEY = "newsroom:heartbeat"
# Beat sends the heartbeat every 30 s; three missed ticks mean it is not running.
HEARTBEAT_MAX_AGE = 90.0
PING_TIMEOUT = 1.0

_migrations_applied = False  # once true in a process, it stays true


def beat_heartbeat() -> None:
    """Called by the ``newsroom.heartbeat`` task that beat sends every 30 s."""
    cache.set(HEARTBEAT_KEY, time.time(), timeout=None)


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "answers"


def _migrations() -> str:
    global _migrations_applied
    if not _migrations_applied:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            raise NotReady(f"{len(plan)} migration(s) not applied")
        _migrations_applied = True
    return "all applied"


def _redis() -> str:
    import redis

    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=PING_TIMEOUT,
        socket_timeout=PING_TIMEOUT,
    )
    try:
        client.ping()
    finally:
        client.close()
    return "answers"


def _beat() -> str:
    seen = cache.get(HEARTBEAT_KEY)
    if seen is None:
        raise NotReady("no heartbeat from beat yet")
    age = time.time() - float(seen)
    if age > HEARTBEAT_MAX_AGE:
        raise NotReady(f"last heartbeat {age:.0f} s ago")
    return f"last heartbeat {age:.0f} s ago"


def _worker() -> str:
    from newsroom.celery import app

    replies = app.control.ping(timeout=PING_TIMEOUT)
    if not replies:
        raise NotReady(f"no worker answered within {PING_TIMEOUT:.0f} s")
    return f"{len(replies)} answered"


class NotReady(Exception):
    """A check that ran and found the service not ready (as opposed to crashing)."""


def _run(check: Callable[[], str]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        detail, ok = check(), True
    except NotReady as exc:
        detail, ok = str(exc), False
    except Exception as exc:  # noqa: BLE001 - a check reports, it never raises
        # The kind only: a message could name a host or a user.
        detail, ok = f"unreachable ({type(exc).__name__})", False
    return {
        "ok": ok,
        "detail": detail,
        "ms": round((time.perf_counter() - started) * 1000, 1),
    }


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "alive"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, dict[str, Any]] = {
        "database": _run(_database),
        "migrations": _run(_migrations),
    }
    if settings.REDIS_URL:
        checks["redis"] = _run(_redis)
        checks["beat"] = _run(_beat)
        checks["worker"] = _run(_worker)
    else:
        unused = {"ok": True, "detail": "not used: tasks run in the web process"}
        checks.update(redis=unused, beat=unused, worker=unused)
    ready = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status=200 if ready else 503,
    )
