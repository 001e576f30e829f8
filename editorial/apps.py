from django.apps import AppConfig


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = "Editorial"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, pre_delete

        from articles.models import Article
        from sources.models import Source

        from .signals import published_row_deleted, source_deleted, source_deleting

        post_delete.connect(
            published_row_deleted, sender=Article, dispatch_uid="editorial-deleted"
        )
        pre_delete.connect(
            source_deleting, sender=Source, dispatch_uid="editorial-source-deleting"
        )
        post_delete.connect(
            source_deleted, sender=Source, dispatch_uid="editorial-source-deleted"
        )
