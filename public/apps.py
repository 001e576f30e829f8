from django.apps import AppConfig


class PublicConfig(AppConfig):
    """What readers see: the front page, story pages, feeds, sitemaps and search."""

    name = "public"
    verbose_name = "Public site"

    def ready(self) -> None:
        from editorial.signals import story_changed

        from .cache import invalidate, renamed

        # The desk changed something readers see: the cached pages are stale.
        story_changed.connect(invalidate, dispatch_uid="public-cache")
        # So are they when a name every page may show changes or goes (a company renamed
        # in the admin to take down a wrong name, a source deleted).
        from django.db.models.signals import post_delete, post_save

        from articles.models import Category, Company
        from sources.models import Source

        for model in (Company, Category, Source):
            post_save.connect(
                renamed,
                sender=model,
                dispatch_uid=f"public-cache-save-{model.__name__}",
            )
            post_delete.connect(
                invalidate,
                sender=model,
                dispatch_uid=f"public-cache-del-{model.__name__}",
            )
