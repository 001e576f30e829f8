"""Health endpoints for load balancers, orchestrators and monitoring, machine-readable.

``/healthz``: the process is alive and serving (nothing else is touched, so a database outage
does not get every web process restarted). ``/readyz``: the installation can do its work —
the database answers and every migration is applied; with a broker (``REDIS_URL``), Redis
answers, beat is ticking and every queue has a worker. Beat sends ``newsroom.heartbeat`` to
each queue every 30 s and the worker that takes it writes the time, so one cache read per
queue says both (no broadcast ping: an anonymous probe costs a few milliseconds, never a
round of every worker). ``/readyz?scope=web`` checks only what the web process needs
(database, migrations, Redis): that is the load balancer's probe, so a dead beat or worker
does not take the site out of rotation. Without a broker each task runs in the process that
sends it, so Redis and workers read "not used"; beat is still checked, by the same heartbeats
in the shared cache (``make run`` starts beat, which runs each heartbeat itself): without it,
no scheduled story goes out.

The three probe paths (and ``/metrics``) are answered before the host check and the HTTPS
redirect (``probes`` middleware): an orchestrator calls the backend by its address, over
plain HTTP. Every network check has a one-second timeout. Answers are JSON, never cached,
and name no host, user or error message (a kind at most).
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.request import split_domain_port, validate_host
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

HEARTBEAT_KEY = "newsroom:heartbeat:{queue}"
# Beat sends the heartbeats every 30 s; three missed ticks mean nobody is there.
HEARTBEAT_MAX_AGE = 90.0
TIMEOUT = 1.0

_migrations_applied = False  # once true in a process, it stays true


def beat_heartbeat(queue: str) -> None:
    """Called by the ``newsroom.heartbeat`` task beat sends to each queue every 30 s."""
    cache.set(HEARTBEAT_KEY.format(queue=queue), time.time(), timeout=None)


def _database() -> str:
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "answers"
    # A connection of its own with a one-second budget: Django's would wait for its
    # connect_timeout, and a hung server holds it longer still.
    import psycopg

    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        connect_timeout=max(int(TIMEOUT), 1),
        options=f"-c statement_timeout={int(TIMEOUT * 1000)}",
    ) as probe:
        probe.execute("SELECT 1")
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
        settings.REDIS_URL, socket_connect_timeout=TIMEOUT, socket_timeout=TIMEOUT
    )
    try:
        client.ping()
    finally:
        client.close()
    return "answers"


def _heartbeats() -> dict[str, float | None]:
    """Seconds since each queue's last heartbeat (None: never)."""
    queues = list(settings.CELERY_TASK_QUEUES)
    seen = cache.get_many([HEARTBEAT_KEY.format(queue=q) for q in queues])
    now = time.time()
    return {
        queue: now - float(seen[key]) if key in seen else None
        for queue in queues
        for key in [HEARTBEAT_KEY.format(queue=queue)]
    }


def _beat(ages: dict[str, float | None], *, workers: bool = True) -> Callable[[], str]:
    """Beat ticks when some queue's heartbeat is recent. With workers, a heartbeat is
    written by the worker that takes it, so silence may be theirs too."""
    who = "beat, or every worker," if workers else "beat"

    def check() -> str:
        known = [age for age in ages.values() if age is not None]
        if not known:
            raise NotReady(f"no heartbeat yet: {who} is not running")
        if min(known) > HEARTBEAT_MAX_AGE:
            raise NotReady(f"last heartbeat {min(known):.0f} s ago: {who} has stopped")
        return f"last heartbeat {min(known):.0f} s ago"

    return check


def _workers(ages: dict[str, float | None]) -> Callable[[], str]:
    def check() -> str:
        idle = [q for q, age in ages.items() if age is None or age > HEARTBEAT_MAX_AGE]
        if idle:
            raise NotReady(f"no worker on the queue(s): {', '.join(idle)}")
        return f"every queue has a worker ({len(ages)})"

    return check


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


PROBE_METHODS = ["GET", "HEAD", "OPTIONS"]  # HAProxy's httpchk sends OPTIONS


@never_cache
@require_http_methods(PROBE_METHODS)
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "alive"})


@never_cache
@require_http_methods(PROBE_METHODS)
def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, dict[str, Any]] = {"database": _run(_database)}
    checks["migrations"] = (
        _run(_migrations)
        if checks["database"]["ok"]
        else {"ok": False, "detail": "not checked: the database does not answer"}
    )
    web_only = request.GET.get("scope") == "web"
    if settings.REDIS_URL:
        checks["redis"] = _run(_redis)
        if not web_only:
            if checks["redis"]["ok"]:
                try:
                    ages = _heartbeats()
                except Exception:  # noqa: BLE001 - the cache is Redis: reported above
                    ages = dict.fromkeys(settings.CELERY_TASK_QUEUES, None)
                checks["beat"] = _run(_beat(ages))
                checks["workers"] = _run(_workers(ages))
            else:
                skipped = {"ok": False, "detail": "not checked: Redis does not answer"}
                checks.update(beat=skipped, workers=skipped)
    elif not web_only:
        unused = {
            "ok": True,
            "detail": "not used: tasks run in the process that sends them",
        }
        checks.update(redis=unused, workers=unused)
        checks["beat"] = _run(_beat(_heartbeats(), workers=False))
    ready = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status=200 if ready else 503,
    )


PROBE_PATHS = {"/healthz": healthz, "/readyz": readyz}


def _probe_host(request: HttpRequest) -> bool:
    """A probe addresses the backend by IP, or the site by one of its names; any other Host
    goes through Django's check (a rebound name must not read the metrics)."""
    host = request.META.get("HTTP_HOST") or request.META.get("SERVER_NAME", "")
    name, _port = split_domain_port(host)  # Django's own parsing, lowercased
    try:
        ipaddress.ip_address(name.strip("[]"))
        return True
    except ValueError:
        return bool(name) and validate_host(name, settings.ALLOWED_HOSTS)


def probes(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Middleware, before the host check and the HTTPS redirect: probes reach the backend
    by its address over plain HTTP, and their answers use neither."""
    from newsroom.metrics import metrics

    paths: dict[str, Callable[[HttpRequest], HttpResponse]] = {
        **PROBE_PATHS,
        "/metrics": metrics,
    }

    def middleware(request: HttpRequest) -> HttpResponse:
        view = paths.get(request.path_info)
        if view is None or not _probe_host(request):
            return get_response(request)
        response = view(request)
        response["X-Content-Type-Options"] = "nosniff"
        return response

    return middleware
