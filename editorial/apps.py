from django.apps import AppConfig


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = "Editorial"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from articles.models import Article

        from .signals import published_row_deleted

        post_delete.connect(
            published_row_deleted, sender=Article, dispatch_uid="editorial-deleted"
        )
