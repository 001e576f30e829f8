"""Log lines carry the task and the source or article they are about (JSON in production)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from newsroom.celery import app
from newsroom.logs import ContextFilter, log_context

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_a_tasks_log_lines_name_its_task_and_the_ids_its_arguments_give(
    caplog: pytest.LogCaptureFixture,
) -> None:
    logger = logging.getLogger("sources.test")

    @app.task(name="tests.log_something", bind=True)
    def log_something(self: object, source_id: int, *, article_id: int) -> None:
        logger.warning("fetched")

    caplog.handler.addFilter(ContextFilter())
    with caplog.at_level(logging.WARNING, logger="sources.test"):
        log_something.apply(args=(7,), kwargs={"article_id": 42})
        logger.warning("after the task")

    during, after = caplog.records
    assert during.task == "tests.log_something"  # type: ignore[attr-defined]
    assert during.source_id == 7 and during.article_id == 42  # type: ignore[attr-defined]
    assert "source_id=7 article_id=42" in during.context  # type: ignore[attr-defined]
    assert after.context == ""  # type: ignore[attr-defined]  # the context ends with it


def test_log_context_nests_and_unwinds() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", None, None)
    with log_context(source_id=1), log_context(article_id=2):
        ContextFilter().filter(record)
    assert record.context == "source_id=1 article_id=2"  # type: ignore[attr-defined]


def test_production_logs_are_one_json_object_per_line_with_the_ids() -> None:
    code = (
        "import django, logging\n"
        "django.setup()\n"
        "from newsroom.logs import log_context\n"
        "with log_context(source_id=5):\n"
        "    logging.getLogger('sources.fetch').warning('feed %s failed', 'x')\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "LOG_FORMAT": "json",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    line = json.loads(out.stderr.strip().splitlines()[-1])
    assert line["message"] == "feed x failed"
    assert line["level"] == "WARNING" and line["logger"] == "sources.fetch"
    assert line["source_id"] == 5
    assert "time" in line


def test_djangos_own_not_found_line_carries_the_request(
    client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """An attack: "Not Found: /nope" is written after the middleware returns, so it had no
    method or path of its own."""
    caplog.handler.addFilter(ContextFilter())
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get("/nope-not-here")

    (line,) = [r for r in caplog.records if r.name == "django.request"]
    assert line.path == "/nope-not-here"  # type: ignore[attr-defined]
    assert line.method == "GET"  # type: ignore[attr-defined]
