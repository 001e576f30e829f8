"""Celery entry points for fetching. Thin: load by id, call one service."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="sources.fetch_due_sources", ignore_result=True)
def fetch_due_sources() -> int:
    """Run by beat every minute: one fetch_source task per due source."""
    from .services import sources_due

    due = sources_due()
    for source_id in due:
        # due_only: a tick queued twice (two beats, a restarted one) fetches once.
        fetch_source.delay(source_id, due_only=True)
    return len(due)


@shared_task(
    name="sources.fetch_source",
    ignore_result=True,
    acks_late=True,  # safe: the lease makes a redelivered task a no-op while another runs
    soft_time_limit=150,
    time_limit=180,
)
def fetch_source(source_id: int, due_only: bool = False) -> None:
    """Fetch, parse and ingest one source. Errors are recorded on the source, not raised.
    ``due_only`` (beat): skip it unless it is still due when the task runs."""
    from .services import source_fetch

    source_fetch(source_id=source_id, due_only=due_only)
