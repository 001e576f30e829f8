"""The Celery app and the whole beat schedule.

https://docs.celeryq.dev/en/stable/django/first-steps-with-django.html
"""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import beat_init, task_postrun, task_prerun, worker_init
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

app = Celery("newsroom")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
@beat_init.connect
def _refuse_without_secret_key(**kwargs: object) -> None:
    """Workers and beat, like the web processes, do not start with DEBUG off and no real
    SECRET_KEY: one host with a key of its own would sign what the others cannot read."""
    from django.core.exceptions import ImproperlyConfigured

    from newsroom.checks import refuse_to_serve_without_secret_key

    try:
        refuse_to_serve_without_secret_key()
    except ImproperlyConfigured as exc:
        # Celery logs an exception raised by a signal handler and carries on; this stops it.
        raise SystemExit(f"newsroom: {exc}") from exc


@task_prerun.connect
def _log_context_start(**kwargs: object) -> None:
    from newsroom.logs import task_started

    task_started(**kwargs)  # type: ignore[arg-type]


@task_postrun.connect
def _log_context_end(**kwargs: object) -> None:
    from newsroom.logs import task_finished

    task_finished(**kwargs)  # type: ignore[arg-type]


# Every 30 s, one per queue: the heartbeats /readyz reads (newsroom/health.py); a fresh
# deploy is ready within half a minute of beat starting.
HEARTBEATS = {
    f"heartbeat-{queue}": {
        "task": "newsroom.heartbeat",
        "schedule": 30.0,
        "args": (queue,),
        "options": {"queue": queue, "expires": 25},
    }
    for queue in settings.CELERY_TASK_QUEUES
}

app.conf.beat_schedule = {
    **HEARTBEATS,
    # Every minute: enqueue one fetch_source task per source whose next_fetch_at has passed.
    "fetch-due-sources": {
        "task": "sources.fetch_due_sources",
        "schedule": crontab(minute="*"),
        "options": {"expires": 55},
    },
    # Every minute: publish approved articles whose scheduled time has come.
    "publish-due": {
        "task": "editorial.publish_due",
        "schedule": crontab(minute="*"),
        "options": {"expires": 55},
    },
    # Every minute (PIPELINE_SWEEP_SECONDS): restart articles whose message was lost or whose
    # worker died, and those that waited for budget (newsroom/pipeline.py).
    "pipeline-sweep": {
        "task": "pipeline.sweep",
        "schedule": float(settings.PIPELINE_SWEEP_SECONDS),
        "options": {"expires": max(settings.PIPELINE_SWEEP_SECONDS - 5, 5)},
    },
    # Every 5 minutes (CLUSTER_CONSOLIDATE_SECONDS): settle the stories of recent reports
    # as a whole, whatever order they were clustered in (stories/consolidation.py).
    "consolidate-stories": {
        "task": "stories.consolidate_recent",
        "schedule": float(settings.CLUSTER_CONSOLIDATE_SECONDS),
        "options": {"expires": max(settings.CLUSTER_CONSOLIDATE_SECONDS - 5, 5)},
    },
    # Every minute: partners' webhook retries and lost announcements, and their usage.
    "partners-sweep": {
        "task": "partners.sweep",
        "schedule": crontab(minute="*"),
        "options": {"expires": 55},
    },
    # Every 2 minutes: hand the results of finished Message Batches to the desk
    # (enrich_backlog --batch).
    "poll-enrichment-batches": {
        "task": "pipeline.poll_enrichment_batches",
        "schedule": crontab(minute="*/2"),
        "options": {"expires": 110},
    },
}
