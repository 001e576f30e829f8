from django.apps import AppConfig


class PublicConfig(AppConfig):
    """What readers see: the front page, story pages, feeds, sitemaps and search."""

    name = "public"
    verbose_name = "Public site"

    def ready(self) -> None:
        from editorial.signals import story_changed
        from stories.signals import published_story_reports_changed

        from .cache import invalidate, invalidate_on_commit, renamed

        # The desk changed something readers see: the cached pages are stale. So are they
        # when a published story gains or loses a report (clustering, a deletion).
        story_changed.connect(invalidate, dispatch_uid="public-cache")
        published_story_reports_changed.connect(
            invalidate, dispatch_uid="public-cache-reports"
        )
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
                invalidate_on_commit,
                sender=model,
                dispatch_uid=f"public-cache-del-{model.__name__}",
            )
