from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    """The wiring: the pipeline that hands an article from app to app, its sweeps, and the
    commands that run the whole path (the demo, backfills)."""

    name = "newsroom"
    verbose_name = "Newsroom"

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started

        from . import (
            checks,  # noqa: F401  (registers the deploy checks)
            logs,
        )

        # Every log line a request writes carries its method and path (newsroom/logs.py).
        request_started.connect(
            logs.request_started, dispatch_uid="newsroom-log-context"
        )
        request_finished.connect(
            logs.request_finished, dispatch_uid="newsroom-log-context"
        )
