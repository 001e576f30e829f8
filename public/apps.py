from django.apps import AppConfig


class PublicConfig(AppConfig):
    """What readers see: the front page and story pages."""

    name = "public"
    verbose_name = "Public site"
