from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    """The wiring: the pipeline that hands an article from app to app, its sweeps, and the
    commands that run the whole path (the demo, backfills)."""

    name = "newsroom"
    verbose_name = "Newsroom"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deploy checks)
