"""Partners, keys and published stories for the API tests."""

from __future__ import annotations

from typing import Any

from django.test import Client

from articles.models import Article
from editorial import services
from partners.models import Partner, PartnerAPIKey
from tests.editorial.factories import chief, story

S = Article.Status


def partner(name: str = "", **fields: Any) -> Partner:
    name = name or f"Partner {Partner.objects.count() + 1}"
    fields.setdefault("contact_email", "dev@acme.example")
    fields.setdefault("tier", Partner.Tier.STANDARD)
    return Partner.objects.create(name=name, **fields)


def key_for(who: Partner | None = None, **fields: Any) -> tuple[PartnerAPIKey, str]:
    fields.setdefault("name", "test")
    key, secret = PartnerAPIKey.objects.create_key(partner=who or partner(), **fields)
    assert isinstance(key, PartnerAPIKey)
    return key, secret


def api(key: str | None = None) -> Client:
    """A client that sends the key as partners must: in the Authorization header."""
    if key is None:
        key = key_for()[1]
    return Client(HTTP_AUTHORIZATION=f"Api-Key {key}")


def published(title: str = "Helios buys Lumen", **fields: Any) -> Article:
    article = story(S.APPROVED, title=title, **fields)
    return services.article_publish(article=article, editor=chief(f"c{article.pk}"))
