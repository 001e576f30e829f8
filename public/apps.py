from django.apps import AppConfig


class PublicConfig(AppConfig):
    """What readers see: the front page, story pages, feeds, sitemaps and search."""

    name = "public"
    verbose_name = "Public site"

    def ready(self) -> None:
        from editorial.signals import story_changed

        from .cache import invalidate

        # The desk changed something readers see: the cached pages are stale.
        story_changed.connect(invalidate, dispatch_uid="public-cache")
