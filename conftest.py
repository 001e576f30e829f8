"""Test-wide configuration: which real services the suite runs against, and the rule that in
CI they must be there.

Locally, without DATABASE_URL / REDIS_URL, the suite runs on SQLite with eager Celery tasks and
says so in its header. In CI (CI=true or NEWSROOM_REQUIRE_SERVICES=1) it refuses to start unless
the database is PostgreSQL and Redis answers, and tests needing a service fail instead of
skipping.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# A failure pytest cannot draw is still reported by name (see the module).
pytest_plugins = ["tests.tracebacks"]

SHARED_FEEDS = Path(__file__).resolve().parent.parent / "shared" / "feeds"


def services_required() -> bool:
    return (
        os.environ.get("NEWSROOM_REQUIRE_SERVICES") == "1"
        or os.environ.get("CI") == "true"
    )


def postgres_server(needed_for: str) -> str:
    """``postgres://user:password@host:port`` of the test database's server, for a test that
    starts processes of its own on it; fails in CI and skips locally on another database."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        if services_required():
            pytest.fail(f"{needed_for} needs PostgreSQL in CI")
        pytest.skip(f"{needed_for} needs PostgreSQL")
    return (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}"
    )


def redis_available(url: str) -> bool:
    if not url:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def pytest_report_header(config: pytest.Config) -> list[str]:
    from django.conf import settings

    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    broker = "redis" if settings.REDIS_URL else "none (Celery eager)"
    lines = [
        f"newsroom: database={db}, broker={broker}, services required={services_required()}"
    ]
    if db == "sqlite3" or not settings.REDIS_URL:
        lines.append(
            "newsroom: running without PostgreSQL/Redis; set DATABASE_URL and REDIS_URL "
            "(as .ci/run does) to run the suite against the real services"
        )
    return lines


def pytest_sessionstart(session: pytest.Session) -> None:
    if not services_required():
        return
    from django.conf import settings

    problems = []
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        problems.append("DATABASE_URL does not point at PostgreSQL")
    if not redis_available(settings.REDIS_URL):
        problems.append(f"Redis is not reachable at REDIS_URL={settings.REDIS_URL!r}")
    if not SHARED_FEEDS.is_dir():
        problems.append(f"the shared feed corpus is missing at {SHARED_FEEDS}")
    if problems:
        pytest.exit("CI needs real services: " + "; ".join(problems), returncode=3)
