from django.apps import AppConfig


class PartnersConfig(AppConfig):
    """Partners: their accounts and API keys, quotas, the change feed they pull, the
    webhooks pushed to them, and the REST API itself."""

    name = "partners"
    verbose_name = "Partners"

    def ready(self) -> None:
        from editorial.signals import story_changed, story_changing

        from . import changes, schema  # noqa: F401  (schema: registers its extension)

        # The desk changed something readers see: note it in the change feed with the change
        # (same transaction), then, once it commits, tell the partners' webhooks.
        story_changing.connect(changes.note, dispatch_uid="partners-note")
        story_changed.connect(changes.announce_soon, dispatch_uid="partners-announce")
