"""make run starts beat beside the web server, with no Redis and no worker: without a broker
every task runs eagerly, so beat's scheduler runs each due task in its own process. These
tests drive Celery's own scheduler over the project's schedule, as ``celery beat`` does."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import timedelta

import pytest
from celery import beat
from celery.exceptions import AlwaysEagerIgnored
from django.utils import timezone

from articles.models import Article
from editorial import services
from newsroom.celery import app
from tests.editorial.factories import chief, story

pytestmark = pytest.mark.django_db

S = Article.Status


@pytest.fixture
def without_a_broker() -> Iterator[beat.Scheduler]:
    """make run's Celery: no broker, every task eager (the settings' default without
    REDIS_URL; CI sets REDIS_URL, so this test sets it for itself)."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    app.loader.import_default_modules()  # as ``celery beat`` does when it starts
    try:
        yield beat.Scheduler(app=app, lazy=True)
    finally:
        app.conf.task_always_eager = eager


def run_due(scheduler: beat.Scheduler, name: str) -> None:
    """What beat does when the entry ``name`` of the project's schedule comes due."""
    entry = beat.ScheduleEntry(name=name, app=app, **app.conf.beat_schedule[name])
    # A task beat does not know is sent to the broker instead ("send_task"), where nothing
    # would ever run it.
    with warnings.catch_warnings():
        warnings.simplefilter("error", AlwaysEagerIgnored)
        scheduler.apply_entry(entry, producer=None)


def test_a_scheduled_story_goes_out_when_beat_runs_without_a_broker(
    without_a_broker: beat.Scheduler,
) -> None:
    article = story()
    services.article_schedule_publish(
        article=article,
        editor=chief(),
        publish_at=timezone.now() + timedelta(minutes=5),
    )
    run_due(without_a_broker, "publish-due")
    article.refresh_from_db()
    assert article.status == S.APPROVED  # not yet: its time has not come

    Article.objects.filter(pk=article.pk).update(
        publish_at=timezone.now() - timedelta(seconds=1)
    )
    run_due(without_a_broker, "publish-due")
    article.refresh_from_db()
    assert article.status == S.PUBLISHED
    assert article.publish_at is None


def test_every_entry_of_the_schedule_runs_without_a_broker(
    without_a_broker: beat.Scheduler, caplog: pytest.LogCaptureFixture
) -> None:
    """A task that needed a worker or Redis would fail here, and beat would log it as an
    error on every tick of make run."""
    assert {entry["task"] for entry in app.conf.beat_schedule.values()} <= set(
        app.tasks
    )
    for name in app.conf.beat_schedule:
        run_due(without_a_broker, name)
    errors = [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
    assert errors == []
